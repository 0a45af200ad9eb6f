/**
 * SagemakerEndpoint: the Hugging Face PyTorch (CPU) container serving model.tar.gz.
 *
 * Creates: the image lookup (aws_sagemaker_prebuilt_ecr_image: the region's DLC account, never
 * hard-coded), the endpoint's log group, its execution role (SagemakerExecutionRole), the model,
 * the endpoint configuration (one real-time instance variant or one serverless variant) and the endpoint.
 *
 * Rollouts: the model's name carries the tarball hash and the artifact's revision (new on every rollout, see
 * ModelArtifact) and the configuration is named from a prefix, both with create_before_destroy. A new model
 * therefore creates a new model + configuration, the endpoint is updated in place to the new configuration
 * (SageMaker brings up the new variant and switches traffic once it passes its health checks), and only then
 * are the old configuration, model and tarball deleted.
 *
 * A failed rollout: when the new variant fails its health checks, SageMaker rolls the endpoint back to the old
 * configuration and reports it InService, and the AWS provider records the update as a success
 * (hashicorp/terraform-provider-aws#46663). The endpoint's postcondition compares the configuration it really
 * runs (read back from DescribeEndpoint) with the new one, so the apply fails right there, and Terraform skips
 * deleting the old configuration, model and tarball, which wait on the endpoint's update.
 */
import { Fn, Op, TerraformResourceLifecycle, TerraformSelf } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { operationalLogGroup } from "../support/operational-log-group";
import { DataAwsSagemakerPrebuiltEcrImage } from "@cdktf/provider-aws/lib/data-aws-sagemaker-prebuilt-ecr-image";
import { SagemakerEndpoint as SagemakerEndpointResource } from "@cdktf/provider-aws/lib/sagemaker-endpoint";
import { SagemakerEndpointConfiguration } from "@cdktf/provider-aws/lib/sagemaker-endpoint-configuration";
import { SagemakerModel } from "@cdktf/provider-aws/lib/sagemaker-model";
import { skipCheckov } from "../support/checkov-skip";
import { sagemakerEndpointLogGroupName } from "../../common/facts";
import type { EndpointVariant } from "../config/derived";
import { missingImageRegionMessage, prebuiltImageRegions } from "../config/prebuilt-image-regions";
import type { AwsContext } from "../support/aws-context";
import { SagemakerExecutionRole } from "./sagemaker-execution-role";

export interface SagemakerEndpointProps {
  /** Endpoint name (stable across model rollouts). */
  readonly endpointName: string;
  /** Prefix of the model and configuration names. */
  readonly namePrefix: string;
  /** Name of the execution role (account-wide: common/facts.ts, accountWideNames). */
  readonly executionRoleName: string;
  readonly variantName: string;
  readonly variant: EndpointVariant;
  /** The uploaded tarball (ModelArtifact). */
  readonly modelArtifact: {
    readonly s3Uri: string;
    /** ARN pattern of every tarball revision the endpoint may run (the execution role reads them). */
    readonly modelObjectsArn: string;
    readonly contentSha256: string;
    /** Changes on every rollout (tarball or settings): part of the model name. */
    readonly revisionId: string;
  };
  /** Inference image repository, resolved per region by aws_sagemaker_prebuilt_ecr_image. */
  readonly imageRepository: string;
  readonly imageTag: string;
  /** Serverless endpoints do not support it (the config refuses the combination). */
  readonly networkIsolation: boolean;
  /** The container environment (config resolution's containerEnvironment); SAGEMAKER_REGION is added here. */
  readonly environment: Readonly<Record<string, string>>;
  /** Retention of the endpoint's log group. */
  readonly logRetentionDays: number;
  readonly aws: AwsContext;
}

export class SagemakerEndpoint extends Construct {
  public readonly endpoint: SagemakerEndpointResource;
  public readonly model: SagemakerModel;
  public readonly endpointConfiguration: SagemakerEndpointConfiguration;
  public readonly executionRole: SagemakerExecutionRole;
  public readonly logGroup: CloudwatchLogGroup;
  /** Endpoint name as a Terraform reference (orders dependants after the endpoint). */
  public readonly endpointName: string;
  public readonly variantName: string;
  public readonly serverless: boolean;
  /** Container environment as synthesized (for tests and docs). */
  public readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: SagemakerEndpointProps) {
    super(scope, id);
    const {
      endpointName,
      namePrefix,
      executionRoleName,
      variant,
      variantName,
      modelArtifact,
      imageRepository,
      imageTag,
      networkIsolation,
      logRetentionDays,
      aws,
    } = props;
    this.serverless = variant.kind === "serverless";
    this.variantName = variantName;

    const image = new DataAwsSagemakerPrebuiltEcrImage(this, "image", {
      repositoryName: imageRepository,
      imageTag,
      lifecycle: imageRegionPrecondition(imageRepository, aws.region),
    });

    this.logGroup = operationalLogGroup(this, "logs", {
      name: sagemakerEndpointLogGroupName(endpointName),
      retentionInDays: logRetentionDays,
      retentionSetting: "endpoint.logRetentionDays",
    });

    this.executionRole = new SagemakerExecutionRole(this, "execution-role", {
      roleName: executionRoleName,
      modelObjectsArn: modelArtifact.modelObjectsArn,
      imageRepositoryArn: `arn:${aws.partition}:ecr:${aws.region}:${image.registryId}:repository/${imageRepository}`,
      logGroupArn: this.logGroup.arn,
    });

    this.environment = { ...props.environment, SAGEMAKER_REGION: aws.region };

    this.model = new SagemakerModel(this, "model", {
      // Settings changes make a new revision too (the artifact's revision trigger is the model settings fingerprint).
      name: `${namePrefix}-${modelArtifact.contentSha256.slice(0, 12)}-${modelArtifact.revisionId}`,
      executionRoleArn: this.executionRole.roleArn,
      enableNetworkIsolation: networkIsolation,
      primaryContainer: { image: image.registryPath, modelDataUrl: modelArtifact.s3Uri, environment: this.environment },
      // CreateModel checks the role can read the tarball: the grants must exist first, not just the role.
      dependsOn: [this.executionRole.policy],
      lifecycle: { createBeforeDestroy: true },
    });
    if (!networkIsolation) {
      skipCheckov(
        this.model,
        "CKV_AWS_370",
        this.serverless
          ? "serverless endpoints do not support network isolation (SageMaker rejects the model)"
          : "network isolation switched off in config (model.networkIsolation: false)",
      );
    }

    this.endpointConfiguration = new SagemakerEndpointConfiguration(this, "config", {
      namePrefix: `${namePrefix}-`,
      productionVariants: [
        variant.kind === "realtime"
          ? {
              variantName,
              modelName: this.model.name,
              instanceType: variant.instanceType,
              initialInstanceCount: variant.instanceCount,
              containerStartupHealthCheckTimeoutInSeconds: variant.startupHealthCheckTimeoutSeconds,
              modelDataDownloadTimeoutInSeconds: variant.startupHealthCheckTimeoutSeconds,
            }
          : {
              variantName,
              modelName: this.model.name,
              serverlessConfig: {
                memorySizeInMb: variant.memorySizeMb,
                maxConcurrency: variant.maxConcurrency,
                provisionedConcurrency: variant.provisionedConcurrency,
              },
            },
      ],
      lifecycle: { createBeforeDestroy: true },
    });
    skipCheckov(
      this.endpointConfiguration,
      "CKV_AWS_98",
      "ML storage volumes are encrypted with an AWS managed key by default; no customer KMS key to manage",
    );

    const runningConfig = TerraformSelf.getString("endpoint_config_name");
    this.endpoint = new SagemakerEndpointResource(this, "endpoint", {
      name: endpointName,
      endpointConfigName: this.endpointConfiguration.name,
      lifecycle: {
        postcondition: [
          {
            condition: Op.eq(runningConfig, this.endpointConfiguration.name),
            errorMessage:
              `Rollout failed: endpoint ${endpointName} still runs endpoint configuration ${runningConfig}, not ` +
              `${this.endpointConfiguration.name}. SageMaker rolled the update back, usually because the new model ` +
              `failed its health checks (see the log group ${sagemakerEndpointLogGroupName(endpointName)}). The endpoint ` +
              "keeps serving the previous model, and nothing it uses was deleted. Fix the model and deploy again, or " +
              "deploy the previous model.tar.gz.",
          },
        ],
      },
    });
    this.endpointName = this.endpoint.name;
  }
}

/**
 * Synth checks the region when it is known then (config `region`, AWS_REGION); this precondition covers a region
 * Terraform only learns at plan time (a profile's region), with a clearer message than the data source's own.
 */
function imageRegionPrecondition(repository: string, region: string): TerraformResourceLifecycle | undefined {
  const regions = prebuiltImageRegions(repository);
  if (!regions) return undefined;
  return {
    precondition: [
      {
        condition: Fn.contains([...regions], region),
        errorMessage: `${capitalized(missingImageRegionMessage(repository, region, regions))}. Deploy to one of those regions.`,
      },
    ],
  };
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
