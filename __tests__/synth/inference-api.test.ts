import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2Authorizer } from "@cdktf/provider-aws/lib/apigatewayv2-authorizer";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { API_ROUTE_PATHS } from "../../common/facts";
import type { ApiAuth } from "../../src/config/derived";
import { InferenceApi } from "../../src/constructs/inference-api";
import { only, resources, TfJson } from "./helpers";

const FUNCTION_ARN = "arn:aws:lambda:eu-west-1:function:stand-in";

function synthApi(auth: ApiAuth = { mode: "none" }): { text: string; json: TfJson } {
  const text = Testing.synthScope((scope) => {
    new InferenceApi(scope, "api", {
      apiName: "vit-classifier",
      functionArn: FUNCTION_ARN,
      throttlingRateLimit: 10,
      throttlingBurstLimit: 20,
      integrationTimeoutMs: 29000,
      routePaths: API_ROUTE_PATHS,
      auth,
      logRetentionDays: 30,
    });
  });
  return { text, json: JSON.parse(text) };
}

const routesByKey = (json: TfJson): Record<string, TfJson> =>
  Object.fromEntries(resources(json, "aws_apigatewayv2_route").map(([, r]) => [r.route_key, r]));

describe("Construct: InferenceApi", () => {
  const { text, json } = synthApi();
  const apiRef = () => only(json, "aws_apigatewayv2_api").ref;

  it("creates an HTTP API", () => {
    expect(text).toHaveResourceWithProperties(Apigatewayv2Api, { name: "vit-classifier", protocol_type: "HTTP" });
  });

  it("integrates the Lambda with AWS_PROXY, payload format 2.0 and a timeout just above the function's", () => {
    expect(text).toHaveResourceWithProperties(Apigatewayv2Integration, {
      api_id: `\${${apiRef()}.id}`,
      integration_type: "AWS_PROXY",
      integration_method: "POST",
      integration_uri: FUNCTION_ARN,
      payload_format_version: "2.0",
      timeout_milliseconds: 29000,
    });
  });

  it("routes POST /classify, POST /embed and POST /similar to that integration", () => {
    const integration = only(json, "aws_apigatewayv2_integration").ref;
    expect(Object.keys(routesByKey(json)).sort()).toEqual(["POST /classify", "POST /embed", "POST /similar"]);
    expect(text).toHaveResourceWithProperties(Apigatewayv2Route, {
      route_key: "POST /classify",
      target: `integrations/\${${integration}.id}`,
    });
    expect(text).toHaveResourceWithProperties(Apigatewayv2Route, {
      route_key: "POST /embed",
      target: `integrations/\${${integration}.id}`,
    });
  });

  it("deploys a $default stage with JSON access logs in its own log group and throttling", () => {
    const logGroup = only(json, "aws_cloudwatch_log_group").ref;
    expect(text).toHaveResourceWithProperties(CloudwatchLogGroup, { name: "/aws/apigateway/vit-classifier/access", retention_in_days: 30 });
    expect(text).toHaveResourceWithProperties(Apigatewayv2Stage, {
      name: "$default",
      auto_deploy: true,
      access_log_settings: { destination_arn: `\${${logGroup}.arn}`, format: expect.stringContaining('"status":"$context.status"') },
      default_route_settings: { throttling_rate_limit: 10, throttling_burst_limit: 20, detailed_metrics_enabled: true },
    });
    const format = JSON.parse(only(json, "aws_apigatewayv2_stage").body.access_log_settings.format);
    expect(format).toMatchObject({
      requestId: "$context.requestId",
      integrationError: "$context.integrationErrorMessage",
      authorizerError: "$context.authorizer.error",
    });
  });

  it("lets API Gateway invoke the function only from this API's POST routes", () => {
    expect(text).toHaveResourceWithProperties(LambdaPermission, {
      action: "lambda:InvokeFunction",
      function_name: FUNCTION_ARN,
      principal: "apigateway.amazonaws.com",
      source_arn: `\${${apiRef()}.execution_arn}/*/POST/classify`,
    });
    expect(text).toHaveResourceWithProperties(LambdaPermission, { source_arn: `\${${apiRef()}.execution_arn}/*/POST/embed` });
    expect(resources(json, "aws_lambda_permission")).toHaveLength(3);
  });
});

describe("Construct: InferenceApi auth modes", () => {
  it("none: routes carry no authorization and there is no authorizer", () => {
    const { text, json } = synthApi({ mode: "none" });
    for (const route of Object.values(routesByKey(json))) {
      expect(route.authorization_type).toBeUndefined();
      expect(route.authorizer_id).toBeUndefined();
    }
    expect(text).not.toHaveResource(Apigatewayv2Authorizer);
  });

  it("iam: every route requires SigV4 (AWS_IAM), still without an authorizer", () => {
    const { text, json } = synthApi({ mode: "iam" });
    for (const route of Object.values(routesByKey(json))) expect(route.authorization_type).toBe("AWS_IAM");
    expect(Object.keys(routesByKey(json))).toHaveLength(3);
    expect(text).not.toHaveResource(Apigatewayv2Authorizer);
  });

  it("jwt: a JWT authorizer with the configured issuer and audience guards every route", () => {
    // Act
    const { text, json } = synthApi({
      mode: "jwt",
      issuer: "https://issuer.example.com/pool",
      audience: ["client-a", "client-b"],
      scopes: ["classify"],
    });
    // Assess
    const authorizer = only(json, "aws_apigatewayv2_authorizer");
    expect(text).toHaveResourceWithProperties(Apigatewayv2Authorizer, {
      authorizer_type: "JWT",
      identity_sources: ["$request.header.Authorization"],
      jwt_configuration: { issuer: "https://issuer.example.com/pool", audience: ["client-a", "client-b"] },
    });
    for (const route of Object.values(routesByKey(json))) {
      expect(route.authorization_type).toBe("JWT");
      expect(route.authorizer_id).toBe(`\${${authorizer.ref}.id}`);
      expect(route.authorization_scopes).toEqual(["classify"]);
    }
  });

  it("keeps the Lambda permissions route-scoped in every mode", () => {
    for (const auth of [{ mode: "iam" }, { mode: "jwt", issuer: "https://i.example.com/", audience: ["a"] }] as ApiAuth[]) {
      const arns = resources(synthApi(auth).json, "aws_lambda_permission")
        .map(([, p]) => p.source_arn)
        .sort();
      expect(arns).toEqual([
        expect.stringMatching(/\/\*\/POST\/classify$/),
        expect.stringMatching(/\/\*\/POST\/embed$/),
        expect.stringMatching(/\/\*\/POST\/similar$/),
      ]);
    }
  });
});
