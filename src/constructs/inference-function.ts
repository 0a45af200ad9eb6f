/**
 * InferenceFunction: the Node.js 22 Lambda between API Gateway and the SageMaker endpoint.
 *
 * Creates: the bundle's zip (TerraformAsset ARCHIVE, made at synth; the zip path embeds its hash),
 * the function's own log group with retention, its role (trust lambda.amazonaws.com only;
 * sagemaker:InvokeEndpoint on exactly this endpoint; logs on exactly its log group) and the function.
 * `source_code_hash` is filebase64sha256 of the zip, so Terraform updates code iff the bytes changed.
 */
import { AssetType, Fn, TerraformAsset, Token } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { operationalLogGroup } from "../support/operational-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { skipCheckov } from "../support/checkov-skip";
import { lambdaLogGroupName } from "../../common/facts";
import { assumeRolePolicy, policyDocument } from "../support/iam-policy";
import { functionEnvironment } from "../support/function-environment";
import { pinFileTimes } from "../support/reproducible-files";
import type { AwsContext } from "../support/aws-context";

export interface InferenceFunctionProps {
  readonly functionName: string;
  /** Name of the execution role (account-wide: common/facts.ts, accountWideNames). */
  readonly roleName: string;
  /** Folder holding the esbuild bundle (index.js + map), e.g. bundleLambda().outdir. */
  readonly bundleDir: string;
  /** The bundle's handler, e.g. "index.handler" (bundleLambda().handler). */
  readonly handler: string;
  /** Endpoint name reference (becomes SAGEMAKER_ENDPOINT_NAME and the IAM resource). */
  readonly endpointName: string;
  readonly architecture: "arm64" | "x86_64";
  readonly memoryMb: number;
  /** Below API Gateway HTTP API's 30 s. */
  readonly timeoutSeconds: number;
  /** INVOKE_BUDGET_MS: all SageMaker attempts of one request, below the timeout. */
  readonly invokeBudgetMs: number;
  /** Reserved concurrency; undefined: none reserved. */
  readonly reservedConcurrency?: number;
  readonly logRetentionDays: number;
  /** POWERTOOLS_LOG_LEVEL. */
  readonly logLevel: string;
  /** POWERTOOLS_SERVICE_NAME. */
  readonly serviceName: string;
  /** MAX_IMAGE_BYTES: largest decoded image the function sends on (413 above it), the endpoint's body limit. */
  readonly maxImageBytes: number;
  readonly aws: AwsContext;
}

export class InferenceFunction extends Construct {
  public readonly function: LambdaFunction;
  public readonly role: IamRole;
  public readonly logGroup: CloudwatchLogGroup;
  /** The function's name as configured (a literal; alarms and the dashboard use the resource's reference). */
  public readonly functionName: string;
  public readonly timeoutSeconds: number;
  /** arn:<partition>:sagemaker:<region>:<account>:endpoint/<lower(name)> — the only thing it may invoke. */
  public readonly endpointArn: string;

  constructor(scope: Construct, id: string, props: InferenceFunctionProps) {
    super(scope, id);
    const {
      functionName,
      roleName,
      bundleDir,
      handler,
      endpointName,
      architecture,
      memoryMb,
      timeoutSeconds,
      reservedConcurrency,
      logRetentionDays,
      logLevel,
      serviceName,
      maxImageBytes,
      aws,
    } = props;
    this.functionName = functionName;
    this.timeoutSeconds = timeoutSeconds;
    // IAM matches endpoint ARNs in lower case whatever the endpoint's own spelling: lower() of the
    // endpoint reference, or the literal lower-cased here.
    const lowerName = Token.isUnresolved(endpointName) ? Fn.lower(endpointName) : endpointName.toLowerCase();
    this.endpointArn = `arn:${aws.partition}:sagemaker:${aws.region}:${aws.accountId}:endpoint/${lowerName}`;

    this.logGroup = operationalLogGroup(this, "logs", {
      name: lambdaLogGroupName(functionName),
      retentionInDays: logRetentionDays,
      retentionSetting: "lambda.logRetentionDays",
    });

    this.role = new IamRole(this, "role", {
      name: roleName,
      description: "Execution role of the image classifier Lambda",
      assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com"),
      // A renamed role is a new one: made and granted before the function moves to it, deleted after, so no request
      // runs without a role (see docs/deploy.md, "Resource names").
      lifecycle: { createBeforeDestroy: true },
    });
    const policy = new IamRolePolicy(this, "policy", {
      name: "invoke-endpoint-logs",
      role: this.role.id,
      lifecycle: { createBeforeDestroy: true },
      policy: policyDocument([
        { Sid: "InvokeClassifierEndpoint", Effect: "Allow", Action: ["sagemaker:InvokeEndpoint"], Resource: [this.endpointArn] },
        {
          Sid: "WriteFunctionLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [`${this.logGroup.arn}:*`],
        },
      ]),
    });

    pinFileTimes(bundleDir); // same code => same zip bytes => no spurious redeploys
    const asset = new TerraformAsset(this, "code", { path: bundleDir, type: AssetType.ARCHIVE });
    this.function = new LambdaFunction(this, "function", {
      functionName,
      description: "Image classifier: decodes the request and calls the SageMaker endpoint",
      runtime: "nodejs22.x",
      architectures: [architecture],
      handler,
      filename: asset.path,
      sourceCodeHash: Fn.filebase64sha256(asset.path),
      role: this.role.arn,
      memorySize: memoryMb,
      timeout: timeoutSeconds,
      reservedConcurrentExecutions: reservedConcurrency,
      loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
      tracingConfig: { mode: "PassThrough" },
      environment: {
        variables: functionEnvironment({ endpointName, invokeBudgetMs: props.invokeBudgetMs, maxImageBytes, serviceName, logLevel }),
      },
      // The first request after a deploy must find the grants in place, not just the role.
      dependsOn: [policy],
    });
    skipCheckov(
      this.function,
      "CKV_AWS_116",
      "invoked synchronously by API Gateway: a dead-letter queue only applies to async invocations",
    );
    skipCheckov(
      this.function,
      "CKV_AWS_117",
      "calls only the public SageMaker Runtime API; a VPC would add NAT/endpoint cost and cold-start time",
    );
    skipCheckov(
      this.function,
      "CKV_AWS_173",
      "environment holds no secrets (endpoint name, budgets, log settings); default AWS-managed encryption",
    );
    skipCheckov(
      this.function,
      "CKV_AWS_272",
      "code is built from this repository at synth and deployed by Terraform; no signing profile in the pipeline",
    );
    if (reservedConcurrency === undefined) {
      skipCheckov(
        this.function,
        "CKV_AWS_115",
        "no reserved concurrency (lambda.reservedConcurrency unset, the default: new accounts' quotas leave no room for one); the API stage throttling caps concurrent calls",
      );
    }
  }
}
