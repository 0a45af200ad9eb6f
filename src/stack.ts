/**
 * ClassifierStack: the whole image classifier on one AWS account, from one validated config.
 *
 *   client -> API Gateway HTTP API (InferenceApi) -> Lambda (InferenceFunction)
 *          -> SageMaker endpoint (SagemakerEndpoint [+ EndpointAutoscaling]) <- S3 model.tar.gz (ModelArtifact)
 *
 * With a `catalogue` section, also the catalogue's output location and grants (Catalogue) for Batch Transform runs and
 * POST /similar. Account, partition and region come from data sources, never from source. Outputs: classify_url,
 * embed_url, similar_url, endpoint_name, model_artifact_uri, route_invoke_arns, and `catalogue` with a catalogue.
 */
import { TerraformOutput, TerraformStack, Token } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { accountWideNames, API_ROUTE_PATHS, API_ROUTES, MIN_TERRAFORM_VERSION } from "../common/facts";
import type { ClassifierConfig } from "./config/load-config";
import { tarballFingerprint } from "../common/model-fingerprint";
import { Catalogue } from "./constructs/catalogue";
import { EndpointAutoscaling } from "./constructs/endpoint-autoscaling";
import { InferenceApi } from "./constructs/inference-api";
import { InferenceFunction } from "./constructs/inference-function";
import { InferenceMonitoring } from "./constructs/inference-monitoring";
import { ModelArtifact } from "./constructs/model-artifact";
import { SagemakerEndpoint } from "./constructs/sagemaker-endpoint";
import { awsContext } from "./support/aws-context";
import { bundleLambda, LambdaBundle } from "./support/lambda-bundle";
import { configureRemoteState } from "./support/remote-state";

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
  public readonly catalogue?: Catalogue;
  public readonly config: ClassifierConfig;

  constructor(scope: Construct, id: string, props: ClassifierStackProps) {
    super(scope, id);
    const c = props.config;
    this.config = c;
    this.addOverride("terraform.required_version", `>= ${MIN_TERRAFORM_VERSION}`);
    configureRemoteState(this, c.backend);
    new AwsProvider(this, "aws", { region: c.region, defaultTags: [{ tags: c.defaultTags }] });

    const aws = awsContext(this);
    // The region in account-wide names: the configured one as a literal (readable in cdk.tf.json and plans), else the
    // provider's own (a data source read at plan time).
    const names = accountWideNames(c.namePrefix, c.region ?? aws.region);

    this.modelArtifact = new ModelArtifact(this, "model-artifact", {
      tarballPath: c.modelArtifactPath,
      namePrefix: c.namePrefix,
      forceDestroy: c.modelArtifact.forceDestroyBucket,
      noncurrentVersionExpirationDays: c.modelArtifact.noncurrentVersionExpirationDays,
      // A settings change is a rollout with fresh names, exactly like a new tarball. So is a new execution role (a
      // renamed role replaces the model): a new model name, or create-before-destroy would collide with the old model.
      revisionTriggers: { modelSettings: c.modelSettingsFingerprint, executionRole: names.sagemakerRole },
    });

    this.endpoint = new SagemakerEndpoint(this, "endpoint", {
      endpointName: c.endpointName,
      namePrefix: c.namePrefix,
      executionRoleName: names.sagemakerRole,
      variantName: c.endpoint.variantName,
      variant: c.variant,
      modelArtifact: this.modelArtifact,
      imageRepository: c.model.imageRepository,
      imageTag: c.model.imageTag,
      networkIsolation: c.networkIsolation,
      environment: c.containerEnvironment,
      logRetentionDays: c.endpoint.logRetentionDays,
      aws,
    });

    if (c.autoscaling.enabled && c.variant.kind === "realtime") {
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

    // Embedding a catalogue with Batch Transform, searched by POST /similar (config section `catalogue`).
    const modelFingerprint = tarballFingerprint(this.modelArtifact.contentSha256);
    if (c.catalogue) {
      this.catalogue = new Catalogue(this, "catalogue", {
        source: c.catalogue.source,
        output: c.catalogue.output,
        kmsKeyArn: c.catalogue.kmsKeyArn,
        namePrefix: c.namePrefix,
        forceDestroy: c.modelArtifact.forceDestroyBucket,
        executionRoleId: this.endpoint.executionRole.role.id,
        partition: aws.partition,
      });
    }

    const bundle = props.lambdaBundle ?? bundleLambda();
    this.inferenceFunction = new InferenceFunction(this, "function", {
      functionName: c.functionName,
      roleName: names.functionRole,
      bundleDir: bundle.outdir,
      handler: bundle.handler,
      endpointName: this.endpoint.endpointName,
      architecture: c.lambda.architecture,
      memoryMb: c.lambda.memoryMb,
      timeoutSeconds: c.lambda.timeoutSeconds,
      invokeBudgetMs: c.invokeBudgetMs,
      reservedConcurrency: c.lambda.reservedConcurrency ?? undefined,
      logRetentionDays: c.lambda.logRetentionDays,
      logLevel: c.lambda.logLevel,
      serviceName: c.namePrefix,
      maxImageBytes: c.maxImageBytes,
      catalogue: this.catalogue && {
        settings: { indexUri: this.catalogue.outputUri, modelFingerprint, refreshSeconds: c.catalogue!.refreshSeconds },
        readStatements: this.catalogue.indexReadStatements,
      },
      aws,
    });

    this.api = new InferenceApi(this, "api", {
      apiName: c.namePrefix,
      functionArn: this.inferenceFunction.function.arn,
      routePaths: API_ROUTE_PATHS,
      throttlingRateLimit: c.api.throttlingRateLimit,
      throttlingBurstLimit: c.api.throttlingBurstLimit,
      integrationTimeoutMs: c.integrationTimeoutMs,
      auth: c.apiAuth,
      cors: c.apiCors,
      logRetentionDays: c.api.logRetentionDays,
    });

    // Alarms, notifications and dashboard (config section `alarms`, docs/operations.md). Resource names and
    // ids are references, so every alarm watches exactly this stack's API, function and endpoint.
    this.monitoring = new InferenceMonitoring(this, "monitoring", {
      namePrefix: c.namePrefix,
      dashboardName: names.dashboard,
      apiId: this.api.apiId,
      stageName: this.api.stage.name,
      functionName: this.inferenceFunction.function.functionName,
      functionTimeoutSeconds: c.lambda.timeoutSeconds,
      endpointName: this.endpoint.endpointName,
      variantName: this.endpoint.variantName,
      serverless: c.serverless,
      instanceType: c.variant.kind === "realtime" ? c.variant.instanceType : undefined,
      settings: c.alarms,
      aws,
    });

    new TerraformOutput(this, "classify_url", {
      value: this.api.url(API_ROUTES.classify),
      description: "POST an image here",
    }).overrideLogicalId("classify_url");
    new TerraformOutput(this, "embed_url", {
      value: this.api.url(API_ROUTES.embed),
      description: "POST an image here for its embedding",
    }).overrideLogicalId("embed_url");
    new TerraformOutput(this, "similar_url", {
      value: this.api.url(API_ROUTES.similar),
      description: "POST an image here for the catalogue's most similar items",
    }).overrideLogicalId("similar_url");
    if (this.catalogue) {
      // What `npm run catalogue:embed -- s3://...` reads to start a transform job on this stack's model.
      new TerraformOutput(this, "catalogue-output", {
        // A token, not the bare object, as route_invoke_arns below (DEP0044).
        value: Token.asAny({
          source_uri: this.catalogue.sourceUri,
          output_uri: this.catalogue.outputUri,
          model_name: this.endpoint.model.name,
          model_fingerprint: modelFingerprint,
          execution_role_arn: this.endpoint.executionRole.roleArn,
        }),
        description: "Catalogue embedding: source, output location, the model and role transform jobs run with",
      }).overrideLogicalId("catalogue");
    }
    new TerraformOutput(this, "endpoint_name", {
      value: this.endpoint.endpointName,
      description: "SageMaker endpoint name",
    }).overrideLogicalId("endpoint_name");
    new TerraformOutput(this, "route_invoke_arns", {
      // A token, not the bare array: cdktf 0.21 checks a plain output value with Node's deprecated util.isArray
      // (DEP0044, a warning on every synth). The token resolves to the same list in the JSON.
      value: Token.asAny(this.api.routeInvokeArns),
      description: "execute-api ARNs of the routes: the Resource of a caller's execute-api:Invoke policy (auth.mode iam)",
    }).overrideLogicalId("route_invoke_arns");
    new TerraformOutput(this, "model_artifact_uri", {
      value: this.modelArtifact.s3Uri,
      description: "S3 URI of the deployed model.tar.gz",
    }).overrideLogicalId("model_artifact_uri");
  }
}
