/**
 * After a deploy: does what exists in the account (the emulator) match what the synthesized stack asked for?
 * Every expected value comes from cdk.tf.json, with its references resolved from the Terraform state
 * (StateView); every actual value comes from the AWS APIs, never from the state.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { GetApiCommand, GetIntegrationsCommand, GetRoutesCommand, GetStageCommand } from "@aws-sdk/client-apigatewayv2";
import { DescribeAlarmsCommand, GetDashboardCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetRoleCommand, GetRolePolicyCommand } from "@aws-sdk/client-iam";
import { GetFunctionCommand, GetFunctionConcurrencyCommand, GetPolicyCommand } from "@aws-sdk/client-lambda";
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
} from "@aws-sdk/client-s3";
import { DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand } from "@aws-sdk/client-sagemaker";
import type { AwsClients } from "./aws-clients";
import { StateView } from "./terraform-refs";

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- cdk.tf.json and API answers are read field by field
type Json = Record<string, any>;

export interface DeployedStackInput {
  /** cdk.tf.json of the deployed stack. */
  readonly stackJson: Json;
  readonly state: StateView;
  /** Folder of cdk.tf.json (asset paths are relative to it). */
  readonly stackDir: string;
  readonly clients: AwsClients;
  /** The stack's outputs as `cdktf output` reports them. */
  readonly outputs: Record<string, unknown>;
}

class Checks {
  readonly results: CheckResult[] = [];

  equal(name: string, expected: unknown, actual: unknown): void {
    const ok = canonical(expected) === canonical(actual);
    this.results.push(ok ? { name, ok } : { name, ok, detail: `expected ${canonical(expected)}, got ${canonical(actual)}` });
  }

  async run(name: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      this.results.push({ name, ok: false, detail: (error as Error).message });
    }
  }
}

/** JSON with sorted keys, so key order never decides equality. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** The synthesized bodies of a resource type (without cdktf's "//" metadata), by logical name. */
function synthesized(stackJson: Json, type: string): [string, Json][] {
  return Object.entries((stackJson.resource?.[type] ?? {}) as Record<string, Json>);
}

function one(stackJson: Json, type: string): [string, Json] {
  const all = synthesized(stackJson, type);
  if (all.length !== 1) throw new Error(`expected one ${type} in cdk.tf.json, found ${all.length}`);
  return all[0];
}

export async function checkDeployedStack(input: DeployedStackInput): Promise<CheckResult[]> {
  const checks = new Checks();
  await checks.run("S3 model bucket", () => checkModelBucket(input, checks));
  await checks.run("IAM roles and policies", () => checkIam(input, checks));
  await checks.run("Lambda function", () => checkLambda(input, checks));
  await checks.run("SageMaker model, endpoint configuration, endpoint", () => checkSagemaker(input, checks));
  await checks.run("API Gateway", () => checkApi(input, checks));
  await checks.run("CloudWatch alarms, dashboard, log groups", () => checkMonitoring(input, checks));
  checkOutputs(input, checks);
  return checks.results;
}

async function checkModelBucket({ stackJson, state, stackDir, clients }: DeployedStackInput, checks: Checks): Promise<void> {
  const [bucketName, bucketBody] = one(stackJson, "aws_s3_bucket");
  const bucket = String(state.get(`aws_s3_bucket.${bucketName}`).values.bucket);
  checks.equal("bucket name uses the configured prefix", true, bucket.startsWith(bucketBody.bucket_prefix));

  const versioning = await clients.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  checks.equal("bucket versioning", one(stackJson, "aws_s3_bucket_versioning")[1].versioning_configuration.status, versioning.Status);

  const block = state.resolve(one(stackJson, "aws_s3_bucket_public_access_block")[1]);
  const liveBlock = (await clients.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration;
  checks.equal(
    "bucket public access block",
    [block.block_public_acls, block.block_public_policy, block.ignore_public_acls, block.restrict_public_buckets],
    [liveBlock?.BlockPublicAcls, liveBlock?.BlockPublicPolicy, liveBlock?.IgnorePublicAcls, liveBlock?.RestrictPublicBuckets],
  );

  const encryption = one(stackJson, "aws_s3_bucket_server_side_encryption_configuration")[1].rule[0]
    .apply_server_side_encryption_by_default;
  const liveEncryption = await clients.s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
  checks.equal(
    "bucket default encryption",
    encryption.sse_algorithm,
    liveEncryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
  );

  const ownership = one(stackJson, "aws_s3_bucket_ownership_controls")[1].rule.object_ownership;
  const liveOwnership = await clients.s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }));
  checks.equal("bucket object ownership", ownership, liveOwnership.OwnershipControls?.Rules?.[0]?.ObjectOwnership);

  const rule = one(stackJson, "aws_s3_bucket_lifecycle_configuration")[1].rule[0];
  const liveRule = (await clients.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules?.[0];
  checks.equal(
    "bucket lifecycle rule",
    [
      rule.id,
      rule.status,
      rule.noncurrent_version_expiration[0].noncurrent_days,
      rule.abort_incomplete_multipart_upload[0].days_after_initiation,
    ],
    [
      liveRule?.ID,
      liveRule?.Status,
      liveRule?.NoncurrentVersionExpiration?.NoncurrentDays,
      liveRule?.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
    ],
  );

  const policy = state.resolve(one(stackJson, "aws_s3_bucket_policy")[1].policy);
  const livePolicy = await clients.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
  checks.equal("bucket policy (TLS only)", JSON.parse(policy), JSON.parse(livePolicy.Policy ?? "null"));

  const object = state.resolve(one(stackJson, "aws_s3_object")[1]);
  const liveObject = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.key }));
  const bytes = Buffer.from(await liveObject.Body!.transformToByteArray());
  checks.equal("model.tar.gz bytes = the tarball", sha256(fs.readFileSync(path.join(stackDir, object.source))), sha256(bytes));
  checks.equal("model.tar.gz content type", object.content_type, liveObject.ContentType);
}

async function checkIam({ stackJson, state, clients }: DeployedStackInput, checks: Checks): Promise<void> {
  for (const [name, synthesizedBody] of synthesized(stackJson, "aws_iam_role")) {
    // The name may hold the region's reference (a config without `region`).
    const body = state.resolve(synthesizedBody);
    const live = await clients.iam.send(new GetRoleCommand({ RoleName: body.name }));
    checks.equal(
      `role ${body.name}: trust policy`,
      JSON.parse(body.assume_role_policy),
      JSON.parse(decodeURIComponent(live.Role?.AssumeRolePolicyDocument ?? "null")),
    );
    checks.equal(`role ${body.name}: ARN`, state.get(`aws_iam_role.${name}`).values.arn, live.Role?.Arn);
  }
  for (const [, body] of synthesized(stackJson, "aws_iam_role_policy")) {
    const resolved = state.resolve(body);
    const live = await clients.iam.send(new GetRolePolicyCommand({ RoleName: resolved.role, PolicyName: resolved.name }));
    checks.equal(
      `role ${resolved.role}: policy ${resolved.name}`,
      JSON.parse(resolved.policy),
      JSON.parse(decodeURIComponent(live.PolicyDocument ?? "null")),
    );
  }
}

async function checkLambda({ stackJson, state, clients }: DeployedStackInput, checks: Checks): Promise<void> {
  const fn = state.resolve(one(stackJson, "aws_lambda_function")[1]);
  const live = (await clients.lambda.send(new GetFunctionCommand({ FunctionName: fn.function_name }))).Configuration;
  checks.equal(
    "Lambda runtime, architecture, handler",
    [fn.runtime, fn.architectures, fn.handler],
    [live?.Runtime, live?.Architectures, live?.Handler],
  );
  checks.equal("Lambda memory and timeout", [fn.memory_size, fn.timeout], [live?.MemorySize, live?.Timeout]);
  checks.equal("Lambda environment", fn.environment.variables, live?.Environment?.Variables);
  checks.equal("Lambda code = the synthesized zip (SHA-256)", fn.source_code_hash, live?.CodeSha256);
  checks.equal("Lambda role", fn.role, live?.Role);
  if (fn.reserved_concurrent_executions !== undefined) {
    const concurrency = await clients.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: fn.function_name }));
    checks.equal("Lambda reserved concurrency", fn.reserved_concurrent_executions, concurrency.ReservedConcurrentExecutions);
  }
  const livePolicy = JSON.parse((await clients.lambda.send(new GetPolicyCommand({ FunctionName: fn.function_name }))).Policy ?? "{}");
  for (const [, body] of synthesized(stackJson, "aws_lambda_permission")) {
    const permission = state.resolve(body);
    const statement = (livePolicy.Statement ?? []).find((s: Json) => s.Sid === permission.statement_id);
    checks.equal(
      `Lambda permission ${permission.statement_id}`,
      { action: permission.action, principal: permission.principal, sourceArn: permission.source_arn, resource: permission.function_name },
      {
        action: statement?.Action,
        principal: statement?.Principal?.Service,
        sourceArn: statement?.Condition?.ArnLike?.["AWS:SourceArn"],
        resource: statement?.Resource,
      },
    );
  }
}

async function checkSagemaker({ stackJson, state, clients }: DeployedStackInput, checks: Checks): Promise<void> {
  const model = state.resolve(one(stackJson, "aws_sagemaker_model")[1]);
  const liveModel = await clients.sagemaker.send(new DescribeModelCommand({ ModelName: model.name }));
  const container = model.primary_container;
  checks.equal("SageMaker model image", container.image, liveModel.PrimaryContainer?.Image);
  checks.equal("SageMaker model data URL", container.model_data_url, liveModel.PrimaryContainer?.ModelDataUrl);
  checks.equal("SageMaker model environment", container.environment, liveModel.PrimaryContainer?.Environment);
  checks.equal("SageMaker model network isolation", model.enable_network_isolation ?? false, liveModel.EnableNetworkIsolation);
  checks.equal("SageMaker model execution role", model.execution_role_arn, liveModel.ExecutionRoleArn);

  const [configName, configBody] = one(stackJson, "aws_sagemaker_endpoint_configuration");
  const deployedConfigName = String(state.get(`aws_sagemaker_endpoint_configuration.${configName}`).values.name);
  const config = state.resolve(configBody);
  const liveConfig = await clients.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: deployedConfigName }));
  checks.equal("endpoint configuration name uses the prefix", true, deployedConfigName.startsWith(config.name_prefix));
  checks.equal(
    "endpoint configuration variants",
    config.production_variants.map((v: Json) => ({
      VariantName: v.variant_name,
      ModelName: v.model_name,
      InstanceType: v.instance_type,
      InitialInstanceCount: v.initial_instance_count,
      ContainerStartupHealthCheckTimeoutInSeconds: v.container_startup_health_check_timeout_in_seconds,
      ModelDataDownloadTimeoutInSeconds: v.model_data_download_timeout_in_seconds,
      ServerlessConfig: v.serverless_config && {
        MemorySizeInMB: v.serverless_config.memory_size_in_mb,
        MaxConcurrency: v.serverless_config.max_concurrency,
      },
    })),
    (liveConfig.ProductionVariants ?? []).map((v) => ({
      VariantName: v.VariantName,
      ModelName: v.ModelName,
      InstanceType: v.InstanceType,
      InitialInstanceCount: v.InitialInstanceCount,
      ContainerStartupHealthCheckTimeoutInSeconds: v.ContainerStartupHealthCheckTimeoutInSeconds,
      ModelDataDownloadTimeoutInSeconds: v.ModelDataDownloadTimeoutInSeconds,
      ServerlessConfig: v.ServerlessConfig && {
        MemorySizeInMB: v.ServerlessConfig.MemorySizeInMB,
        MaxConcurrency: v.ServerlessConfig.MaxConcurrency,
      },
    })),
  );

  const endpoint = one(stackJson, "aws_sagemaker_endpoint")[1];
  const liveEndpoint = await clients.sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpoint.name }));
  checks.equal(
    "endpoint runs the new configuration, in service",
    [deployedConfigName, "InService"],
    [liveEndpoint.EndpointConfigName, liveEndpoint.EndpointStatus],
  );
}

async function checkApi({ stackJson, state, clients }: DeployedStackInput, checks: Checks): Promise<void> {
  const [apiName, apiBody] = one(stackJson, "aws_apigatewayv2_api");
  const apiId = String(state.get(`aws_apigatewayv2_api.${apiName}`).values.id);
  const liveApi = await clients.apigateway.send(new GetApiCommand({ ApiId: apiId }));
  checks.equal("HTTP API name and protocol", [apiBody.name, apiBody.protocol_type], [liveApi.Name, liveApi.ProtocolType]);
  // The lists are sets (in the API and in the provider's schema): compared sorted.
  const set = (items: string[] | undefined) => [...(items ?? [])].sort();
  const cors = apiBody.cors_configuration;
  const liveCors = liveApi.CorsConfiguration;
  checks.equal(
    "HTTP API CORS configuration",
    cors === undefined
      ? null
      : {
          origins: set(cors.allow_origins),
          methods: set(cors.allow_methods),
          headers: set(cors.allow_headers),
          expose: set(cors.expose_headers),
          maxAge: cors.max_age,
          credentials: cors.allow_credentials,
        },
    liveCors === undefined
      ? null
      : {
          origins: set(liveCors.AllowOrigins),
          methods: set(liveCors.AllowMethods),
          headers: set(liveCors.AllowHeaders),
          expose: set(liveCors.ExposeHeaders),
          maxAge: liveCors.MaxAge,
          credentials: liveCors.AllowCredentials,
        },
  );

  const routes = synthesized(stackJson, "aws_apigatewayv2_route").map(([, body]) => state.resolve(body));
  const liveRoutes = (await clients.apigateway.send(new GetRoutesCommand({ ApiId: apiId }))).Items ?? [];
  const routeView = (key: string, target: unknown, auth: unknown) => ({ key, target, auth: auth ?? "NONE" });
  checks.equal(
    "API routes",
    routes.map((r) => routeView(r.route_key, r.target, r.authorization_type)).sort((a, b) => a.key.localeCompare(b.key)),
    liveRoutes.map((r) => routeView(r.RouteKey!, r.Target, r.AuthorizationType)).sort((a, b) => a.key.localeCompare(b.key)),
  );

  const integration = state.resolve(one(stackJson, "aws_apigatewayv2_integration")[1]);
  const liveIntegration = ((await clients.apigateway.send(new GetIntegrationsCommand({ ApiId: apiId }))).Items ?? [])[0];
  checks.equal(
    "API integration",
    [
      integration.integration_type,
      integration.integration_method,
      integration.integration_uri,
      integration.payload_format_version,
      integration.timeout_milliseconds,
    ],
    [
      liveIntegration?.IntegrationType,
      liveIntegration?.IntegrationMethod,
      liveIntegration?.IntegrationUri,
      liveIntegration?.PayloadFormatVersion,
      liveIntegration?.TimeoutInMillis,
    ],
  );

  const stage = state.resolve(one(stackJson, "aws_apigatewayv2_stage")[1]);
  const liveStage = await clients.apigateway.send(new GetStageCommand({ ApiId: apiId, StageName: stage.name }));
  const settings = stage.default_route_settings;
  checks.equal(
    "API stage throttling and metrics",
    [settings.throttling_rate_limit, settings.throttling_burst_limit, settings.detailed_metrics_enabled, stage.auto_deploy],
    [
      liveStage.DefaultRouteSettings?.ThrottlingRateLimit,
      liveStage.DefaultRouteSettings?.ThrottlingBurstLimit,
      liveStage.DefaultRouteSettings?.DetailedMetricsEnabled,
      liveStage.AutoDeploy,
    ],
  );
  checks.equal(
    "API stage access logs",
    [stage.access_log_settings.destination_arn, stage.access_log_settings.format],
    [liveStage.AccessLogSettings?.DestinationArn, liveStage.AccessLogSettings?.Format],
  );
}

async function checkMonitoring({ stackJson, state, clients }: DeployedStackInput, checks: Checks): Promise<void> {
  const alarms = synthesized(stackJson, "aws_cloudwatch_metric_alarm").map(([, body]) => state.resolve(body));
  const names = alarms.map((a) => a.alarm_name);
  const live =
    names.length === 0 ? [] : ((await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }))).MetricAlarms ?? []);
  checks.equal("CloudWatch alarms exist", [...names].sort(), live.map((a) => a.AlarmName).sort());
  for (const alarm of alarms) {
    const found = live.find((a) => a.AlarmName === alarm.alarm_name);
    checks.equal(
      `alarm ${alarm.alarm_name}`,
      [
        alarm.comparison_operator,
        alarm.threshold,
        alarm.evaluation_periods,
        alarm.datapoints_to_alarm,
        alarm.treat_missing_data,
        alarm.metric_name ?? null,
        alarm.namespace ?? null,
        alarmMetricIds(alarm),
      ],
      [
        found?.ComparisonOperator,
        found?.Threshold,
        found?.EvaluationPeriods,
        found?.DatapointsToAlarm,
        found?.TreatMissingData,
        found?.MetricName ?? null,
        found?.Namespace ?? null,
        (found?.Metrics ?? []).map((m) => m.Id!).sort(),
      ],
    );
  }
  for (const [, body] of synthesized(stackJson, "aws_cloudwatch_dashboard")) {
    const dashboard = state.resolve(body);
    const liveDashboard = await clients.cloudwatch.send(new GetDashboardCommand({ DashboardName: dashboard.dashboard_name }));
    checks.equal(
      `dashboard ${dashboard.dashboard_name}`,
      JSON.parse(dashboard.dashboard_body),
      JSON.parse(liveDashboard.DashboardBody ?? "null"),
    );
  }
  for (const [, body] of synthesized(stackJson, "aws_cloudwatch_log_group")) {
    const liveGroups = (await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: body.name }))).logGroups ?? [];
    const group = liveGroups.find((g) => g.logGroupName === body.name);
    checks.equal(`log group ${body.name}: retention`, body.retention_in_days, group?.retentionInDays);
  }
}

/** Metric math query ids (their order carries no meaning). */
function alarmMetricIds(alarm: Json): string[] {
  return (alarm.metric_query ?? []).map((q: Json) => String(q.id)).sort();
}

function checkOutputs({ state, stackJson, outputs }: DeployedStackInput, checks: Checks): void {
  const apiId = String(state.only("aws_apigatewayv2_api").values.id);
  const region = String(state.get("data.aws_region.region").values.name);
  const objectKey = String(state.only("aws_s3_object").values.key);
  const bucket = String(state.only("aws_s3_bucket").values.bucket);
  const base = `https://${apiId}.execute-api.${region}.amazonaws.com`;
  checks.equal("output classify_url", `${base}/classify`, outputs.classify_url);
  checks.equal("output embed_url", `${base}/embed`, outputs.embed_url);
  checks.equal("output endpoint_name", one(stackJson, "aws_sagemaker_endpoint")[1].name, outputs.endpoint_name);
  checks.equal("output model_artifact_uri", `s3://${bucket}/${objectKey}`, outputs.model_artifact_uri);
  const arns = outputs.route_invoke_arns as string[];
  const pattern = new RegExp(`^arn:aws:execute-api:${region}:\\d{12}:${apiId}/\\*/POST/(classify|embed)$`);
  checks.equal("output route_invoke_arns", [true, true], [pattern.test(arns?.[0] ?? ""), pattern.test(arns?.[1] ?? "")]);
  checks.equal(
    "model artifact key holds the tarball's SHA-256 and the revision",
    true,
    /^models\/[0-9a-f]{64}\/[0-9a-f]{8}\/model\.tar\.gz$/.test(objectKey),
  );
}

function sha256(bytes: Buffer): string {
  return crypto.createHash("sha256").update(bytes).digest("hex");
}
