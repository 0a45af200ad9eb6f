/**
 * SagemakerEndpoint: the Hugging Face PyTorch (CPU) container serving model.tar.gz.
 *
 * Creates: the image lookup (aws_sagemaker_prebuilt_ecr_image: the region's DLC account, never
 * hard-coded), the endpoint's log group, its execution role (SagemakerExecutionRole), the model,
 * the endpoint configuration (one real-time instance variant or one serverless variant) and the endpoint.
 *
 * Zero-downtime rollouts: the model's name embeds the tarball hash plus a hash of its settings and
 * the configuration is named from a prefix, both with create_before_destroy. A new model therefore
 * creates a new model + configuration, the endpoint is updated in place to the new configuration
 * (SageMaker switches traffic once the new variant is healthy), and only then are the old
 * configuration and model deleted — never "configuration not found" mid-update.
 */
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsSagemakerPrebuiltEcrImage } from "@cdktf/provider-aws/lib/data-aws-sagemaker-prebuilt-ecr-image";
import { SagemakerEndpoint as SagemakerEndpointResource } from "@cdktf/provider-aws/lib/sagemaker-endpoint";
import { SagemakerEndpointConfiguration } from "@cdktf/provider-aws/lib/sagemaker-endpoint-configuration";
import { SagemakerModel } from "@cdktf/provider-aws/lib/sagemaker-model";
import { skipCheckov } from "./checkov-skip";
import { sagemakerEndpointLogGroupName } from "./config/defaults";
import { shortHash } from "./content-hash";
import { SagemakerExecutionRole } from "./sagemaker-execution-role";

export type EndpointVariant =
  | {
      readonly kind: "realtime";
      readonly instanceType: string;
      readonly instanceCount: number;
      /** Seconds for model download + load + first /ping on a new instance. */
      readonly startupHealthCheckTimeoutSeconds: number;
    }
  | { readonly kind: "serverless"; readonly memorySizeMb: number; readonly maxConcurrency: number };

export interface AwsContext {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

export interface SagemakerEndpointProps {
  /** Endpoint name (stable across model rollouts). */
  readonly endpointName: string;
  /** Prefix of the model, configuration and role names. */
  readonly namePrefix: string;
  /** Production variant name. @default "AllTraffic" */
  readonly variantName?: string;
  readonly variant: EndpointVariant;
  /** The uploaded tarball. */
  readonly modelArtifact: { readonly s3Uri: string; readonly objectArn: string; readonly contentSha256: string };
  /** @default "huggingface-pytorch-inference" */
  readonly imageRepository?: string;
  readonly imageTag: string;
  /** Must be false for serverless (SageMaker rejects it). @default true for real-time, false for serverless */
  readonly networkIsolation?: boolean;
  /** SAGEMAKER_CONTAINER_LOG_LEVEL. @default "20" */
  readonly containerLogLevel?: string;
  /**
   * Model server workers (SAGEMAKER_MODEL_SERVER_WORKERS). Fewer workers with more threads each: lower latency
   * per request; more workers: more throughput under concurrent load, one model copy each.
   * @default 1 for serverless (its memory holds one copy); unset for real-time (the server's default, one per vCPU)
   */
  readonly serverWorkers?: number;
  /** Extra container env (the stack's own keys win). @default {} */
  readonly extraEnvironment?: Record<string, string>;
  /** Retention of /aws/sagemaker/Endpoints/<name>. @default 30 */
  readonly logRetentionDays?: number;
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
      endpointName, namePrefix, variant, modelArtifact, imageTag, aws,
      variantName = "AllTraffic",
      imageRepository = "huggingface-pytorch-inference",
      containerLogLevel = "20",
      extraEnvironment = {},
      logRetentionDays = 30,
    } = props;
    this.serverless = variant.kind === "serverless";
    const networkIsolation = props.networkIsolation ?? !this.serverless;
    if (this.serverless && networkIsolation) throw new Error("SagemakerEndpoint: serverless endpoints do not support network isolation");
    this.variantName = variantName;

    const image = new DataAwsSagemakerPrebuiltEcrImage(this, "image", { repositoryName: imageRepository, imageTag });

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: sagemakerEndpointLogGroupName(endpointName),
      retentionInDays: logRetentionDays,
    });
    skipCheckov(this.logGroup, "CKV_AWS_158", "CloudWatch Logs encrypts at rest by default; a customer KMS key adds cost and key-policy coupling");
    skipCheckov(this.logGroup, "CKV_AWS_338", "operational logs: retention is a config setting (endpoint.logRetentionDays, default 30 days)");

    this.executionRole = new SagemakerExecutionRole(this, "execution-role", {
      roleName: `${namePrefix}-sagemaker-execution`,
      modelObjectArn: modelArtifact.objectArn,
      imageRepositoryArn: `arn:${aws.partition}:ecr:${aws.region}:${image.registryId}:repository/${imageRepository}`,
      logGroupArn: this.logGroup.arn,
    });

    this.environment = {
      ...extraEnvironment,
      HF_TASK: "image-classification",
      SAGEMAKER_PROGRAM: "inference.py",
      SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code",
      SAGEMAKER_CONTAINER_LOG_LEVEL: containerLogLevel,
      SAGEMAKER_REGION: aws.region,
      // Everything is in model.tar.gz: never reach for the Hub (the container may have no network at all).
      HF_HUB_OFFLINE: "1",
      TRANSFORMERS_OFFLINE: "1",
      ...serverWorkersEnvironment(props.serverWorkers, this.serverless),
    };

    // Any model setting change must also change the name (the model is immutable and create_before_destroy
    // needs a free name). SAGEMAKER_REGION is a plan-time reference, so it is left out of the hash.
    const { SAGEMAKER_REGION: _region, ...hashedEnv } = this.environment;
    const settingsHash = shortHash({ imageRepository, imageTag, networkIsolation, env: hashedEnv }, 6);
    this.model = new SagemakerModel(this, "model", {
      name: `${namePrefix}-${modelArtifact.contentSha256.slice(0, 12)}-${settingsHash}`,
      executionRoleArn: this.executionRole.roleArn,
      enableNetworkIsolation: networkIsolation,
      primaryContainer: { image: image.registryPath, modelDataUrl: modelArtifact.s3Uri, environment: this.environment },
      // CreateModel checks the role can read the tarball: the grants must exist first, not just the role.
      dependsOn: [this.executionRole.policy],
      lifecycle: { createBeforeDestroy: true },
    });
    if (!networkIsolation) {
      skipCheckov(this.model, "CKV_AWS_370", this.serverless
        ? "serverless endpoints do not support network isolation (SageMaker rejects the model)"
        : "network isolation switched off in config (model.networkIsolation: false)");
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
              serverlessConfig: { memorySizeInMb: variant.memorySizeMb, maxConcurrency: variant.maxConcurrency },
            },
      ],
      lifecycle: { createBeforeDestroy: true },
    });
    skipCheckov(this.endpointConfiguration, "CKV_AWS_98", "ML storage volumes are encrypted with an AWS managed key by default; no customer KMS key to manage");

    this.endpoint = new SagemakerEndpointResource(this, "endpoint", {
      name: endpointName,
      endpointConfigName: this.endpointConfiguration.name,
    });
    this.endpointName = this.endpoint.name;
  }
}

/** Serverless memory holds one model copy, so it gets one worker unless told otherwise; real-time keeps the server's default. */
export function serverWorkersEnvironment(serverWorkers: number | undefined, serverless: boolean): Record<string, string> {
  const workers = serverWorkers ?? (serverless ? 1 : undefined);
  return workers === undefined ? {} : { SAGEMAKER_MODEL_SERVER_WORKERS: String(workers) };
}
