/**
 * ClassifierStack: the whole image classifier on one AWS account, from one validated config.
 *
 *   client -> API Gateway HTTP API (InferenceApi) -> Lambda (InferenceFunction)
 *          -> SageMaker endpoint (SagemakerEndpoint [+ EndpointAutoscaling]) <- S3 model.tar.gz (ModelArtifact)
 *
 * Account, partition and region come from data sources, never from source. Outputs: classify_url,
 * embed_url, endpoint_name, model_artifact_uri, route_invoke_arns.
 */
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { ClassifierConfig } from "./config/load-config";
import { integrationTimeoutMs, maxImageBytes } from "./config/defaults";
import { instanceSection } from "./config/schema";
import { EndpointAutoscaling } from "./constructs/endpoint-autoscaling";
import { ApiAuth, InferenceApi } from "./constructs/inference-api";
import { InferenceFunction } from "./constructs/inference-function";
import { bundleLambda, LambdaBundle } from "./support/lambda-bundle";
import { ModelArtifact } from "./constructs/model-artifact";
import { InferenceMonitoring } from "./constructs/inference-monitoring";
import { configureRemoteState } from "./support/remote-state";
import { AwsContext, EndpointVariant, modelSettingsFingerprint, SagemakerEndpoint, SagemakerEndpointProps } from "./constructs/sagemaker-endpoint";

/** Terraform version the synthesized JSON needs (S3 native locking arrived in 1.10). */
export const REQUIRED_TERRAFORM_VERSION = ">= 1.10.0";

export interface ClassifierStackProps {
  readonly config: ClassifierConfig;
  /** A prebuilt Lambda bundle (tests pass one). @default bundleLambda() of lambda/handler.ts */
  readonly lambdaBundle?: LambdaBundle;
}

export class ClassifierStack extends TerraformStack {
  public readonly modelArtifact: ModelArtifact;
  public readonly endpoint: SagemakerEndpoint;
  public readonly autoscaling?: EndpointAutoscaling;
  public readonly inferenceFunction: InferenceFunction;
  public readonly api: InferenceApi;
  public readonly monitoring: InferenceMonitoring;
  public readonly config: ClassifierConfig;

  constructor(scope: Construct, id: string, props: ClassifierStackProps) {
    super(scope, id);
    const c = props.config;
    this.config = c;
    this.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
    configureRemoteState(this, c.backend);
    new AwsProvider(this, "aws", { region: c.region, defaultTags: [{ tags: c.defaultTags }] });

    const aws: AwsContext = {
      partition: new DataAwsPartition(this, "partition").partition,
      region: new DataAwsRegion(this, "region").name,
      accountId: new DataAwsCallerIdentity(this, "account").accountId,
    };

    // The model's serving settings, known before the artifact so that a settings change is a new revision.
    const endpointSettings: Omit<SagemakerEndpointProps, "modelArtifact"> = {
      endpointName: c.endpointName,
      namePrefix: c.namePrefix,
      variantName: c.endpoint.variantName,
      variant: endpointVariant(c),
      imageRepository: c.model.imageRepository,
      imageTag: c.model.imageTag,
      networkIsolation: c.networkIsolation,
      containerLogLevel: c.model.containerLogLevel,
      serverWorkers: c.model.serverWorkers,
      extraEnvironment: c.model.environment,
      logRetentionDays: c.endpoint.logRetentionDays,
      aws,
    };

    this.modelArtifact = new ModelArtifact(this, "model-artifact", {
      tarballPath: c.modelArtifactPath,
      namePrefix: c.namePrefix,
      forceDestroy: c.modelArtifact.forceDestroyBucket,
      noncurrentVersionExpirationDays: c.modelArtifact.noncurrentVersionExpirationDays,
      revisionTriggers: { modelSettings: modelSettingsFingerprint(endpointSettings) },
    });

    this.endpoint = new SagemakerEndpoint(this, "endpoint", { ...endpointSettings, modelArtifact: this.modelArtifact });

    if (c.autoscaling.enabled && !c.serverless) {
      this.autoscaling = new EndpointAutoscaling(this, "autoscaling", {
        endpointName: this.endpoint.endpointName,
        variantName: c.endpoint.variantName,
        minInstances: c.autoscaling.minInstances,
        maxInstances: c.autoscaling.maxInstances,
        targetInvocationsPerInstance: c.autoscaling.targetInvocationsPerInstance,
        scaleInCooldownSeconds: c.autoscaling.scaleInCooldownSeconds,
        scaleOutCooldownSeconds: c.autoscaling.scaleOutCooldownSeconds,
      });
    }

    const bundle = props.lambdaBundle ?? bundleLambda();
    this.inferenceFunction = new InferenceFunction(this, "function", {
      functionName: `${c.namePrefix}-api`,
      bundleDir: bundle.outdir,
      handler: bundle.handler,
      endpointName: this.endpoint.endpointName,
      architecture: c.lambda.architecture,
      memoryMb: c.lambda.memoryMb,
      timeoutSeconds: c.lambda.timeoutSeconds,
      reservedConcurrency: c.lambda.reservedConcurrency ?? undefined,
      logRetentionDays: c.lambda.logRetentionDays,
      logLevel: c.lambda.logLevel,
      serviceName: c.namePrefix,
      maxImageBytes: maxImageBytes(c.serverless),
      aws,
    });

    this.api = new InferenceApi(this, "api", {
      apiName: c.namePrefix,
      functionArn: this.inferenceFunction.function.arn,
      throttlingRateLimit: c.api.throttlingRateLimit,
      throttlingBurstLimit: c.api.throttlingBurstLimit,
      integrationTimeoutMs: integrationTimeoutMs(c.lambda.timeoutSeconds),
      auth: apiAuth(c),
      logRetentionDays: c.api.logRetentionDays,
    });

    // Alarms, notifications and dashboard (config section `alarms`, README.md "Operating it"). Resource names and
    // ids are references, so every alarm watches exactly this stack's API, function and endpoint.
    const variant = endpointVariant(c);
    this.monitoring = new InferenceMonitoring(this, "monitoring", {
      namePrefix: c.namePrefix,
      apiId: this.api.apiId,
      stageName: this.api.stage.name,
      functionName: this.inferenceFunction.function.functionName,
      functionTimeoutSeconds: this.inferenceFunction.timeoutSeconds,
      endpointName: this.endpoint.endpointName,
      variantName: this.endpoint.variantName,
      serverless: this.endpoint.serverless,
      instanceType: variant.kind === "realtime" ? variant.instanceType : undefined,
      settings: c.alarms,
    });

    new TerraformOutput(this, "classify_url", { value: this.api.url("/classify"), description: "POST an image here" }).overrideLogicalId("classify_url");
    new TerraformOutput(this, "embed_url", { value: this.api.url("/embed"), description: "POST an image here for its embedding" }).overrideLogicalId("embed_url");
    new TerraformOutput(this, "endpoint_name", { value: this.endpoint.endpointName, description: "SageMaker endpoint name" }).overrideLogicalId("endpoint_name");
    new TerraformOutput(this, "route_invoke_arns", {
      value: this.api.routeInvokeArns,
      description: "execute-api ARNs of the routes: the Resource of a caller's execute-api:Invoke policy (auth.mode iam)",
    }).overrideLogicalId("route_invoke_arns");
    new TerraformOutput(this, "model_artifact_uri", { value: this.modelArtifact.s3Uri, description: "S3 URI of the deployed model.tar.gz" }).overrideLogicalId("model_artifact_uri");
  }
}

export function endpointVariant(c: ClassifierConfig): EndpointVariant {
  if (c.endpoint.serverless) {
    const { memorySizeMb, maxConcurrency, provisionedConcurrency } = c.endpoint.serverless;
    return { kind: "serverless", memorySizeMb, maxConcurrency, provisionedConcurrency };
  }
  // Neither set: a real-time variant with the instance section's defaults.
  const instance = c.endpoint.instance ?? instanceSection.parse({});
  // Every model rollout is a new endpoint configuration, and SageMaker starts its variant at the configuration's
  // initial count (UpdateEndpoint does not keep a scaled-out count): never start below the autoscaling minimum.
  const instanceCount = c.autoscaling.enabled ? Math.max(instance.count, c.autoscaling.minInstances) : instance.count;
  return {
    kind: "realtime",
    instanceType: instance.type,
    instanceCount,
    startupHealthCheckTimeoutSeconds: instance.startupHealthCheckTimeoutSeconds,
  };
}

export function apiAuth(c: ClassifierConfig): ApiAuth {
  const a = c.auth;
  if (a.mode === "jwt") return { mode: "jwt", issuer: a.jwtIssuer!, audience: a.jwtAudience!, scopes: a.jwtScopes };
  return { mode: a.mode };
}
