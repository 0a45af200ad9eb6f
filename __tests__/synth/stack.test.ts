// Cross-resource checks on the whole stack's parsed JSON: who trusts whom, exactly what each IAM
// statement grants, and that the pieces are wired to each other (not just present).
import "cdktf/lib/testing/adapters/jest";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { only, resources, Statement, statements, synthStack, TfJson } from "./helpers";

const ref = (json: TfJson, type: string) => only(json, type).ref;

/** Every IAM statement in the stack, with the role it belongs to. */
function allRoleStatements(json: TfJson): { role: string; statement: Statement }[] {
  return resources(json, "aws_iam_role_policy").flatMap(([, p]) => statements(p.policy).map((statement) => ({ role: p.role, statement })));
}

describe("Stack: IAM", () => {
  const { json } = synthStack();
  // No region in the config: the role names carry the provider's region (the aws_region data source).
  const sagemakerRole = resources(json, "aws_iam_role").find(
    ([, r]) => r.name === "vit-classifier-${data.aws_region.region.name}-sagemaker",
  )!;
  const lambdaRole = resources(json, "aws_iam_role").find(([, r]) => r.name === "vit-classifier-${data.aws_region.region.name}-lambda")!;

  it("has exactly two roles, each trusting one service principal", () => {
    const trusts = resources(json, "aws_iam_role").map(([, r]) => statements(r.assume_role_policy));
    expect(trusts.map((t) => t.length)).toEqual([1, 1]);
    expect(trusts.map(([s]) => JSON.stringify([s.Effect, s.Principal, s.Action])).sort()).toEqual([
      JSON.stringify(["Allow", { Service: "lambda.amazonaws.com" }, "sts:AssumeRole"]),
      JSON.stringify(["Allow", { Service: "sagemaker.amazonaws.com" }, "sts:AssumeRole"]),
    ]);
  });

  it("grants exactly these actions on exactly these resources (references, not wildcards)", () => {
    // Prepare
    const bucket = ref(json, "aws_s3_bucket");
    const image = `data.aws_sagemaker_prebuilt_ecr_image.${Object.keys(json.data.aws_sagemaker_prebuilt_ecr_image)[0]}`;
    const endpointLogs = resources(json, "aws_cloudwatch_log_group").find(([, g]) => g.name.startsWith("/aws/sagemaker/"))![0];
    const lambdaLogs = resources(json, "aws_cloudwatch_log_group").find(([, g]) => g.name.startsWith("/aws/lambda/"))![0];
    // Act
    const grants = allRoleStatements(json).map(({ role, statement }) => ({
      role,
      sid: statement.Sid,
      action: statement.Action,
      resource: statement.Resource,
    }));
    // Assess
    expect(grants).toEqual([
      {
        role: `\${aws_iam_role.${sagemakerRole[0]}.id}`,
        sid: "ReadModelArtifact",
        action: ["s3:GetObject"],
        resource: [`\${${bucket}.arn}/models/*`],
      },
      { role: `\${aws_iam_role.${sagemakerRole[0]}.id}`, sid: "EcrAuthToken", action: ["ecr:GetAuthorizationToken"], resource: ["*"] },
      {
        role: `\${aws_iam_role.${sagemakerRole[0]}.id}`,
        sid: "PullInferenceImage",
        action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        resource: [
          `arn:\${data.aws_partition.partition.partition}:ecr:\${data.aws_region.region.name}:\${${image}.registry_id}:repository/huggingface-pytorch-inference`,
        ],
      },
      {
        role: `\${aws_iam_role.${sagemakerRole[0]}.id}`,
        sid: "WriteEndpointLogs",
        action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        resource: [`\${aws_cloudwatch_log_group.${endpointLogs}.arn}`, `\${aws_cloudwatch_log_group.${endpointLogs}.arn}:*`],
      },
      {
        role: `\${aws_iam_role.${sagemakerRole[0]}.id}`,
        sid: "PublishEndpointMetrics",
        action: ["cloudwatch:PutMetricData"],
        resource: ["*"],
      },
      {
        role: `\${aws_iam_role.${lambdaRole[0]}.id}`,
        sid: "InvokeClassifierEndpoint",
        action: ["sagemaker:InvokeEndpoint"],
        resource: [
          `arn:\${data.aws_partition.partition.partition}:sagemaker:\${data.aws_region.region.name}:\${data.aws_caller_identity.account.account_id}:endpoint/\${lower(${ref(json, "aws_sagemaker_endpoint")}.name)}`,
        ],
      },
      {
        role: `\${aws_iam_role.${lambdaRole[0]}.id}`,
        sid: "WriteFunctionLogs",
        action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resource: [`\${aws_cloudwatch_log_group.${lambdaLogs}.arn}:*`],
      },
    ]);
  });

  it('uses "*" only for actions without resource-level permissions (and in the TLS-only Deny)', () => {
    const wildcards = allRoleStatements(json)
      .filter(({ statement }) => statement.Resource.includes("*"))
      .map(({ statement }) => statement);
    expect(wildcards.map((s) => s.Action)).toEqual([["ecr:GetAuthorizationToken"], ["cloudwatch:PutMetricData"]]);
    // The metrics grant is held to SageMaker's namespaces.
    expect(wildcards[1].Condition).toEqual({ StringLike: { "cloudwatch:namespace": ["/aws/sagemaker/*", "aws/sagemaker/*"] } });
    const bucketPolicy = statements(only(json, "aws_s3_bucket_policy").body.policy);
    expect(bucketPolicy.every((s) => s.Effect === "Deny")).toBe(true);
  });

  it("has no account id, partition or region literal anywhere (data sources only)", () => {
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/\b\d{12}\b/);
    expect(text).not.toMatch(/arn:aws:/);
    expect(json.data.aws_caller_identity).toBeDefined();
    expect(json.data.aws_partition).toBeDefined();
  });

  it("creates a renamed role (and its grants) before deleting the old one", () => {
    for (const type of ["aws_iam_role", "aws_iam_role_policy"]) {
      expect(resources(json, type).map(([, body]) => body.lifecycle)).toEqual([
        { create_before_destroy: true },
        { create_before_destroy: true },
      ]);
    }
  });

  it("makes a renamed SageMaker role a model rollout: the role's name is one of the revision's triggers", () => {
    // Act: the same stack in two regions, whose role names differ
    const names = ["us-east-1", "eu-west-1"].map((region) => {
      const config = synthStack({ region }).json;
      return {
        trigger: only(config, "terraform_data").body.triggers_replace.executionRole,
        role: resources(config, "aws_iam_role").find(([, r]) => String(r.name).endsWith("-sagemaker"))![1].name,
      };
    });
    // Assess
    expect(names).toEqual([
      { trigger: "vit-classifier-us-east-1-sagemaker", role: "vit-classifier-us-east-1-sagemaker" },
      { trigger: "vit-classifier-eu-west-1-sagemaker", role: "vit-classifier-eu-west-1-sagemaker" },
    ]);
  });
});

describe("Stack: wiring", () => {
  const { json, stack } = synthStack();

  it("feeds the Lambda the endpoint's name by reference", () => {
    expect(only(json, "aws_lambda_function").body.environment.variables.SAGEMAKER_ENDPOINT_NAME).toBe(
      `\${${ref(json, "aws_sagemaker_endpoint")}.name}`,
    );
  });

  it("chains model -> configuration -> endpoint, and artifact -> model", () => {
    expect(only(json, "aws_sagemaker_endpoint").body.endpoint_config_name).toBe(
      `\${${ref(json, "aws_sagemaker_endpoint_configuration")}.name}`,
    );
    expect(only(json, "aws_sagemaker_endpoint_configuration").body.production_variants[0].model_name).toBe(
      `\${${ref(json, "aws_sagemaker_model")}.name}`,
    );
    expect(only(json, "aws_sagemaker_model").body.primary_container.model_data_url).toBe(
      `s3://\${${ref(json, "aws_s3_bucket")}.bucket}/\${${ref(json, "aws_s3_object")}.key}`,
    );
  });

  it("replaces model and configuration create-before-destroy (zero-downtime rollout)", () => {
    expect(only(json, "aws_sagemaker_model").body.lifecycle).toEqual({ create_before_destroy: true });
    expect(only(json, "aws_sagemaker_endpoint_configuration").body.lifecycle).toEqual({ create_before_destroy: true });
    expect(only(json, "aws_sagemaker_endpoint_configuration").body.name_prefix).toBe("vit-classifier-");
  });

  it("routes each POST route -> the integration -> the function, with a permission for that route", () => {
    // Prepare
    const fn = ref(json, "aws_lambda_function");
    const api = ref(json, "aws_apigatewayv2_api");
    const integration = only(json, "aws_apigatewayv2_integration");
    // Assess
    expect(integration.body.integration_uri).toBe(`\${${fn}.arn}`);
    const routes = resources(json, "aws_apigatewayv2_route").map(([, r]) => r);
    expect(routes.map((r) => r.route_key).sort()).toEqual(["POST /classify", "POST /embed"]);
    for (const route of routes) {
      expect(route.api_id).toBe(`\${${api}.id}`);
      expect(route.target).toBe(`integrations/\${${integration.ref}.id}`);
      const path = route.route_key.split(" ")[1];
      const permission = resources(json, "aws_lambda_permission")
        .map(([, p]) => p)
        .find((p) => p.source_arn === `\${${api}.execution_arn}/*/POST${path}`);
      expect(permission).toMatchObject({
        function_name: `\${${fn}.arn}`,
        principal: "apigateway.amazonaws.com",
        action: "lambda:InvokeFunction",
      });
    }
  });

  it("outputs the classify URL, the endpoint name, the model artifact URI and the route ARNs for IAM callers", () => {
    const api = ref(json, "aws_apigatewayv2_api");
    expect(json.output.classify_url.value).toBe(`\${${api}.api_endpoint}/classify`);
    expect(json.output.embed_url.value).toBe(`\${${api}.api_endpoint}/embed`);
    expect(json.output.endpoint_name.value).toBe(`\${${ref(json, "aws_sagemaker_endpoint")}.name}`);
    expect(json.output.route_invoke_arns.value).toEqual([
      `\${${api}.execution_arn}/*/POST/classify`,
      `\${${api}.execution_arn}/*/POST/embed`,
    ]);
    expect(json.output.model_artifact_uri.value).toBe(
      `s3://\${${ref(json, "aws_s3_bucket")}.bucket}/\${${ref(json, "aws_s3_object")}.key}`,
    );
  });

  it("tags everything through the provider's default_tags and requires Terraform >= 1.10", () => {
    expect(JSON.stringify(json)).toHaveProviderWithProperties(AwsProvider, {
      default_tags: [{ tags: { project: "vit-classifier", "managed-by": "cdktf" } }],
    });
    expect(json.terraform.required_version).toBe(">= 1.10.0");
  });

  it("exposes what alarms and dashboards need as plain values", () => {
    expect(stack.endpoint.variantName).toBe("AllTraffic");
    expect(stack.endpoint.serverless).toBe(false);
    expect(stack.inferenceFunction.functionName).toBe("vit-classifier-api");
    expect(stack.inferenceFunction.timeoutSeconds).toBe(28);
    expect(stack.api.stageName).toBe("$default");
    expect(stack.config.endpointName).toBe("vit-classifier");
  });
});

describe("Stack: modes from config", () => {
  it("real-time by default: one instance variant, isolated", () => {
    const { json } = synthStack({ endpoint: { instance: { type: "ml.c5.2xlarge", count: 3 } } });
    const variant = only(json, "aws_sagemaker_endpoint_configuration").body.production_variants[0];
    expect(variant).toMatchObject({
      instance_type: "ml.c5.2xlarge",
      initial_instance_count: 3,
      container_startup_health_check_timeout_in_seconds: 600,
    });
    expect(variant.serverless_config).toBeUndefined();
    expect(only(json, "aws_sagemaker_model").body.enable_network_isolation).toBe(true);
  });

  it("serverless: a serverless variant, no network isolation, no autoscaling", () => {
    const { json } = synthStack({ endpoint: { serverless: { memorySizeMb: 6144, maxConcurrency: 20 } } });
    const variant = only(json, "aws_sagemaker_endpoint_configuration").body.production_variants[0];
    expect(variant.serverless_config).toEqual({ memory_size_in_mb: 6144, max_concurrency: 20 });
    expect(variant.instance_type).toBeUndefined();
    expect(only(json, "aws_sagemaker_model").body.enable_network_isolation).toBe(false);
    expect(json.resource.aws_appautoscaling_target).toBeUndefined();
  });

  it("tells the function the endpoint's body limit: 6,291,456 bytes real-time, 4 MB serverless", () => {
    const limitOf = (overrides: Record<string, unknown>) =>
      only(synthStack(overrides).json, "aws_lambda_function").body.environment.variables.MAX_IMAGE_BYTES;
    expect(limitOf({})).toBe("6291456");
    expect(limitOf({ endpoint: { serverless: {} } })).toBe("4194304");
  });

  it("autoscaling off by default, on from config targeting this endpoint's variant", () => {
    expect(synthStack().json.resource.aws_appautoscaling_target).toBeUndefined();
    const { json } = synthStack({ autoscaling: { enabled: true, minInstances: 2, maxInstances: 8, targetInvocationsPerInstance: 300 } });
    expect(only(json, "aws_appautoscaling_target").body).toMatchObject({
      resource_id: `endpoint/\${${ref(json, "aws_sagemaker_endpoint")}.name}/variant/AllTraffic`,
      min_capacity: 2,
      max_capacity: 8,
    });
    expect(only(json, "aws_appautoscaling_policy").body.target_tracking_scaling_policy_configuration.target_value).toBe(300);
  });

  it("with autoscaling, every new endpoint configuration starts at least at the scaling minimum", () => {
    const initialCount = (overrides: Record<string, unknown>) =>
      only(synthStack(overrides).json, "aws_sagemaker_endpoint_configuration").body.production_variants[0].initial_instance_count;
    // A rollout resets the variant to this count, so starting below the minimum would shed capacity.
    expect(initialCount({ autoscaling: { enabled: true, minInstances: 3, maxInstances: 8 } })).toBe(3);
    expect(initialCount({ endpoint: { instance: { count: 5 } }, autoscaling: { enabled: true, minInstances: 3, maxInstances: 8 } })).toBe(
      5,
    );
    expect(initialCount({ endpoint: { instance: { count: 2 } } })).toBe(2);
  });

  it("backend off by default (local state), S3 with encryption and lock file from config", () => {
    expect(synthStack().json.terraform.backend?.s3).toBeUndefined();
    const { json } = synthStack({ backend: { bucket: "my-state", key: "classifier/prod.tfstate", region: "eu-west-1" } });
    expect(json.terraform.backend).toEqual({
      s3: { bucket: "my-state", key: "classifier/prod.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true },
    });
  });

  it("reserved concurrency from config (default none: new accounts' quotas leave no room for a reservation)", () => {
    expect(only(synthStack().json, "aws_lambda_function").body.reserved_concurrent_executions).toBeUndefined();
    expect(only(synthStack({ lambda: { reservedConcurrency: 3 } }).json, "aws_lambda_function").body.reserved_concurrent_executions).toBe(
      3,
    );
    expect(
      only(synthStack({ lambda: { reservedConcurrency: null } }).json, "aws_lambda_function").body.reserved_concurrent_executions,
    ).toBeUndefined();
  });

  it.each([
    ["none", {}, undefined, 0],
    ["iam", { mode: "iam" }, "AWS_IAM", 0],
    ["jwt", { mode: "jwt", jwtIssuer: "https://cognito-idp.eu-west-1.amazonaws.com/pool", jwtAudience: ["app-client"] }, "JWT", 1],
  ])("auth %s: route authorization and authorizer follow config", (_mode, auth, authorizationType, authorizers) => {
    const { json } = synthStack({ auth });
    for (const [, route] of resources(json, "aws_apigatewayv2_route")) expect(route.authorization_type).toBe(authorizationType);
    expect(resources(json, "aws_apigatewayv2_authorizer")).toHaveLength(authorizers);
    expect(resources(json, "aws_lambda_permission")).toHaveLength(2);
  });

  it("stage throttling and Lambda timeout/budget from config", () => {
    const { json } = synthStack({ api: { throttlingRateLimit: 5, throttlingBurstLimit: 5 }, lambda: { timeoutSeconds: 15 } });
    expect(only(json, "aws_apigatewayv2_stage").body.default_route_settings).toMatchObject({
      throttling_rate_limit: 5,
      throttling_burst_limit: 5,
    });
    expect(only(json, "aws_lambda_function").body.environment.variables.INVOKE_BUDGET_MS).toBe("12000");
    expect(only(json, "aws_apigatewayv2_integration").body.timeout_milliseconds).toBe(16000);
  });
});
