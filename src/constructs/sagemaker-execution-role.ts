/**
 * SagemakerExecutionRole: the role SageMaker assumes to pull the image, read the model tarball and
 * write the endpoint's logs — and nothing else.
 *
 * Trust: sagemaker.amazonaws.com only. Grants: s3:GetObject on this stack's model tarballs; ECR pull
 * on exactly the inference image's repository; CloudWatch Logs on exactly this endpoint's log group.
 */
import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { assumeRolePolicy, policyDocument } from "../support/iam-policy";

export interface SagemakerExecutionRoleProps {
  /** Role name. */
  readonly roleName: string;
  /**
   * ARN pattern of the model tarballs the role may read (arn:<partition>:s3:::<bucket>/models/*): every revision
   * an endpoint may still run, since SageMaker reads the tarball again whenever it starts an instance.
   */
  readonly modelObjectsArn: string;
  /** ARN of the ECR repository holding the inference image. */
  readonly imageRepositoryArn: string;
  /** ARN of the endpoint's log group (/aws/sagemaker/Endpoints/<name>), without a trailing ":*". */
  readonly logGroupArn: string;
}

export class SagemakerExecutionRole extends Construct {
  public readonly role: IamRole;
  /** The grants; whatever SageMaker validates at creation (CreateModel reads the tarball) must depend on it. */
  public readonly policy: IamRolePolicy;
  public readonly roleArn: string;

  constructor(scope: Construct, id: string, props: SagemakerExecutionRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: "SageMaker execution role of the image classifier endpoint",
      assumeRolePolicy: assumeRolePolicy("sagemaker.amazonaws.com"),
      // A renamed role (new prefix or region) is a new role: made, and granted, before the old one goes, so the
      // endpoint's running model never loses its role (see docs/deploy.md, "Resource names").
      lifecycle: { createBeforeDestroy: true },
    });
    this.policy = new IamRolePolicy(this, "policy", {
      name: "model-image-logs",
      role: this.role.id,
      lifecycle: { createBeforeDestroy: true },
      policy: policyDocument([
        { Sid: "ReadModelArtifact", Effect: "Allow", Action: ["s3:GetObject"], Resource: [props.modelObjectsArn] },
        {
          Sid: "EcrAuthToken",
          Effect: "Allow",
          Action: ["ecr:GetAuthorizationToken"],
          // ecr:GetAuthorizationToken has no resource-level permissions: AWS accepts only "*" here.
          Resource: ["*"],
        },
        {
          Sid: "PullInferenceImage",
          Effect: "Allow",
          Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
          Resource: [props.imageRepositoryArn],
        },
        {
          Sid: "WriteEndpointLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
          Resource: [props.logGroupArn, `${props.logGroupArn}:*`],
        },
        {
          Sid: "PublishEndpointMetrics",
          Effect: "Allow",
          Action: ["cloudwatch:PutMetricData"],
          // In AWS's minimum CreateModel execution-role permissions (instance metrics such as CPU/memory, which
          // the alarms watch). PutMetricData has no resource-level permissions: AWS accepts only "*"; the
          // namespace condition keeps the role to SageMaker's own namespaces.
          Resource: ["*"],
          Condition: { StringLike: { "cloudwatch:namespace": ["/aws/sagemaker/*", "aws/sagemaker/*"] } },
        },
      ]),
    });
    this.roleArn = this.role.arn;
  }
}
