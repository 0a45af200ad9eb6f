/**
 * InferenceApi: the public HTTP API (API Gateway v2) in front of the Lambda.
 *
 * Creates: the HTTP API, one AWS_PROXY integration (payload format 2.0, so binary bodies arrive
 * base64-encoded with no binaryMediaTypes set-up), a route per entry of `routes`, the `$default`
 * stage (auto-deploy) with JSON access logs in its own log group and stage-wide throttling, the
 * optional JWT authorizer, and one aws_lambda_permission per route scoped to this API and route.
 *
 * Auth (`auth.mode`): "none" (open; the stage throttling, and reserved concurrency when set, cap abuse),
 * "iam" (AWS_IAM: callers sign with SigV4 and need execute-api:Invoke on the route), or "jwt"
 * (JWT authorizer: issuer + audience, e.g. Cognito). Unauthorised calls get 401/403 from API Gateway
 * and never reach the Lambda.
 *
 * CORS (`cors`, off by default): API Gateway answers browsers' preflight OPTIONS requests itself (there is no OPTIONS
 * route, so no authorizer or function runs for them) and adds the configured headers to every answer, ignoring any
 * CORS headers the function returns.
 */
import { Construct } from "constructs";
import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2Authorizer } from "@cdktf/provider-aws/lib/apigatewayv2-authorizer";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { operationalLogGroup } from "../support/operational-log-group";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { apiAccessLogGroupName } from "../../common/facts";
import type { CorsSettings } from "../config/cors";
import type { ApiAuth } from "../config/derived";
import { skipCheckov } from "../support/checkov-skip";

export interface InferenceApiProps {
  readonly apiName: string;
  /** The Lambda's ARN (the integration target and the permission's function). */
  readonly functionArn: string;
  /** Route paths, each served by POST (API_ROUTE_PATHS). */
  readonly routePaths: readonly string[];
  /** Stage-wide steady-state requests per second. */
  readonly throttlingRateLimit: number;
  /** Stage-wide burst. */
  readonly throttlingBurstLimit: number;
  /** Integration timeout (<= 30000). */
  readonly integrationTimeoutMs: number;
  readonly auth: ApiAuth;
  /** Retention of the access-log group. */
  readonly logRetentionDays: number;
  /** The HTTP API's CORS configuration (config resolution's apiCors). @default undefined: no CORS */
  readonly cors?: CorsSettings;
}

/** Fields of each access-log line (JSON), including the latency split and authorizer errors. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  routeKey: "$context.routeKey",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  latencyMs: "$context.responseLatency",
  integrationLatencyMs: "$context.integrationLatency",
  integrationStatus: "$context.integrationStatus",
  integrationError: "$context.integrationErrorMessage",
  authorizerError: "$context.authorizer.error",
  principal: "$context.identity.userArn",
});

export class InferenceApi extends Construct {
  public readonly api: Apigatewayv2Api;
  public readonly stage: Apigatewayv2Stage;
  public readonly integration: Apigatewayv2Integration;
  public readonly authorizer?: Apigatewayv2Authorizer;
  public readonly logGroup: CloudwatchLogGroup;
  /** Routes by path, e.g. routes["/classify"]. */
  public readonly routes: Record<string, Apigatewayv2Route>;
  public readonly permissions: Record<string, LambdaPermission>;
  public readonly apiId: string;
  /** Literal stage name ("$default"), for metric dimensions. */
  public readonly stageName: string;
  /** https://<id>.execute-api.<region>.amazonaws.com (no trailing slash). */
  public readonly apiEndpoint: string;
  /** execute-api ARNs of the routes (any stage, POST, exact path): what a caller's IAM policy grants. */
  public readonly routeInvokeArns: string[];

  constructor(scope: Construct, id: string, props: InferenceApiProps) {
    super(scope, id);
    const { apiName, functionArn, routePaths, auth, logRetentionDays, cors } = props;

    this.api = new Apigatewayv2Api(this, "api", {
      name: apiName,
      protocolType: "HTTP",
      description: "Image classifier: POST an image to /classify or /embed",
      corsConfiguration: cors && {
        allowOrigins: [...cors.allowOrigins],
        allowMethods: [...cors.allowMethods],
        allowHeaders: [...cors.allowHeaders],
        exposeHeaders: [...cors.exposeHeaders],
        maxAge: cors.maxAgeSeconds,
        allowCredentials: cors.allowCredentials,
      },
    });
    this.apiId = this.api.id;
    this.apiEndpoint = this.api.apiEndpoint;

    this.logGroup = operationalLogGroup(this, "access-logs", {
      name: apiAccessLogGroupName(apiName),
      retentionInDays: logRetentionDays,
      retentionSetting: "api.logRetentionDays",
    });

    this.integration = new Apigatewayv2Integration(this, "lambda", {
      apiId: this.api.id,
      integrationType: "AWS_PROXY",
      integrationMethod: "POST",
      integrationUri: functionArn,
      payloadFormatVersion: "2.0",
      timeoutMilliseconds: props.integrationTimeoutMs,
    });

    if (auth.mode === "jwt") {
      this.authorizer = new Apigatewayv2Authorizer(this, "jwt", {
        apiId: this.api.id,
        name: `${apiName}-jwt`,
        authorizerType: "JWT",
        identitySources: ["$request.header.Authorization"],
        jwtConfiguration: { issuer: auth.issuer, audience: auth.audience },
      });
    }

    this.routes = {};
    this.permissions = {};
    this.routeInvokeArns = routePaths.map((routePath) => `${this.api.executionArn}/*/POST${routePath}`);
    for (const routePath of routePaths) {
      const slug = routePath.replace(/[^a-zA-Z0-9]+/g, "-").replace(/^-|-$/g, "");
      const route = new Apigatewayv2Route(this, `route-${slug}`, {
        apiId: this.api.id,
        routeKey: `POST ${routePath}`,
        target: `integrations/${this.integration.id}`,
        ...(auth.mode === "iam" ? { authorizationType: "AWS_IAM" } : {}),
        ...(auth.mode === "jwt" ? { authorizationType: "JWT", authorizerId: this.authorizer!.id, authorizationScopes: auth.scopes } : {}),
      });
      if (auth.mode === "none") {
        skipCheckov(
          route,
          "CKV_AWS_309",
          'auth.mode "none" chosen in config: open API capped by the stage throttling (and reserved concurrency, when set)',
        );
      }
      this.routes[routePath] = route;
      this.permissions[routePath] = new LambdaPermission(this, `invoke-${slug}`, {
        statementId: `AllowApiGatewayPost-${slug}`,
        action: "lambda:InvokeFunction",
        functionName: functionArn,
        principal: "apigateway.amazonaws.com",
        // Any stage of THIS API, POST on THIS route only.
        sourceArn: this.routeInvokeArns[routePaths.indexOf(routePath)],
      });
    }

    this.stageName = "$default";
    this.stage = new Apigatewayv2Stage(this, "stage", {
      apiId: this.api.id,
      name: this.stageName,
      autoDeploy: true,
      accessLogSettings: { destinationArn: this.logGroup.arn, format: ACCESS_LOG_FORMAT },
      defaultRouteSettings: {
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
        detailedMetricsEnabled: true,
      },
    });
  }

  /** Full URL of a route, e.g. url("/classify"). */
  public url(routePath: string): string {
    return `${this.apiEndpoint}${routePath}`;
  }
}
