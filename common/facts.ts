/**
 * Facts the pieces share, each with one home: AWS limits and timeouts, name patterns, names the stack gives things.
 * The stack (src/), the Lambda (lambda/, which esbuild bundles with this file) and the local stack (local/) import
 * them from here. Pure values and functions only: nothing here may pull a dependency into the Lambda bundle.
 */

import { realtimeInvokeMaxBytes, serverlessInvokeMaxBytes } from "./invoke-limits.json";

// ---- Sizes ----

// The two InvokeEndpoint limits live in invoke-limits.json, which the Python beside the endpoint reads too.
/** The largest body InvokeEndpoint accepts for a real-time endpoint (botocore's sagemaker-runtime 2017-05-13 model). */
export const REALTIME_INVOKE_MAX_BYTES: number = realtimeInvokeMaxBytes;
/** Serverless endpoints accept 4 MB and answer a larger body with "ValidationError: Request <id> has oversize body.". */
export const SERVERLESS_INVOKE_MAX_BYTES: number = serverlessInvokeMaxBytes;
/** A synchronous Lambda invocation's request payload (the whole event JSON, base64 body included). */
export const LAMBDA_MAX_REQUEST_BYTES = 6_291_456;

/** The largest decoded image the function sends to the endpoint (MAX_IMAGE_BYTES): the endpoint's own body limit. */
export function maxImageBytes(serverless: boolean): number {
  return serverless ? SERVERLESS_INVOKE_MAX_BYTES : REALTIME_INVOKE_MAX_BYTES;
}

// ---- Terraform ----

/** The oldest Terraform the synthesized stack supports (S3 native state locking arrived in 1.10). */
export const MIN_TERRAFORM_VERSION = "1.10.0";

// ---- Timeouts ----

/** HTTP API integrations stop after 30 s, whatever the integration's own timeout says. */
export const HTTP_API_MAX_INTEGRATION_TIMEOUT_MS = 30_000;
/** The function's timeout by default, and the largest one the stack accepts: both below the 30 s above. */
export const DEFAULT_LAMBDA_TIMEOUT_SECONDS = 28;
export const MAX_LAMBDA_TIMEOUT_SECONDS = 29;
/** Time the function keeps for itself (mapping errors, logging, returning) after its SageMaker budget. */
export const LAMBDA_HEADROOM_MS = 3000;

/** INVOKE_BUDGET_MS: below the function timeout, so the function answers with JSON, not with a timeout. */
export function invokeBudgetMs(lambdaTimeoutSeconds: number): number {
  return lambdaTimeoutSeconds * 1000 - LAMBDA_HEADROOM_MS;
}

/** The largest INVOKE_BUDGET_MS that still leaves a second before API Gateway gives up. */
export const MAX_INVOKE_BUDGET_MS = HTTP_API_MAX_INTEGRATION_TIMEOUT_MS - 1000;

/** The API integration's timeout: one second longer than the function, so the function's own timeout fires first. */
export function integrationTimeoutMs(lambdaTimeoutSeconds: number): number {
  return Math.min(HTTP_API_MAX_INTEGRATION_TIMEOUT_MS, (lambdaTimeoutSeconds + 1) * 1000);
}

// ---- Names ----

/** The API's routes (each served by POST), by the task the function runs for them. */
export const API_ROUTES = { classify: "/classify", embed: "/embed" } as const;
export const API_ROUTE_PATHS: readonly string[] = Object.values(API_ROUTES);

/** SageMaker endpoint names (InvokeEndpoint's API model): letters and digits, hyphens only between them. */
export const ENDPOINT_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
export const ENDPOINT_NAME_MAX_LENGTH = 63;

export function isEndpointName(name: string): boolean {
  return name.length <= ENDPOINT_NAME_MAX_LENGTH && ENDPOINT_NAME_PATTERN.test(name);
}

/** The Hugging Face PyTorch inference image's repository, as `aws_sagemaker_prebuilt_ecr_image` knows it. */
export const DEFAULT_IMAGE_REPOSITORY = "huggingface-pytorch-inference";
/** Its CPU tag (PyTorch 2.6, transformers 4.49, Python 3.12), from aws/deep-learning-containers available_images.md. */
export const DEFAULT_IMAGE_TAG = "2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04";

/** IAM's limit on role names. */
export const IAM_ROLE_NAME_MAX_LENGTH = 64;

/**
 * The names that are unique per account rather than per region: IAM roles, and CloudWatch dashboards ("All dashboards
 * in your account are global, not region-specific", AWS::CloudWatch::Dashboard). Each carries the region after the
 * name prefix, so copies of the stack in two regions (or under two prefixes) never share one. Everything else the stack
 * names is regional and carries the prefix, or is generated from it (bucket, endpoint configuration).
 * `<prefix>-<region>-sagemaker` is at most 24 + 1 + 15 + 10 = 50 characters for today's longest region names.
 */
export interface AccountWideNames {
  /** The role SageMaker assumes to pull the image, read the tarball and write the endpoint's logs. */
  readonly sagemakerRole: string;
  /** The function's execution role. */
  readonly functionRole: string;
  /** The CloudWatch dashboard. */
  readonly dashboard: string;
}

/** What every account-wide name of one copy of the stack starts with (and no other copy's does). */
export function accountWideNamePrefix(namePrefix: string, region: string): string {
  return `${namePrefix}-${region}-`;
}

/** `region` may be a Terraform reference (the aws_region data source) when the config names no region. */
export function accountWideNames(namePrefix: string, region: string): AccountWideNames {
  const start = accountWideNamePrefix(namePrefix, region);
  return { sagemakerRole: `${start}sagemaker`, functionRole: `${start}lambda`, dashboard: `${start}inference` };
}

/** The log group SageMaker writes an endpoint's container logs to. */
export function sagemakerEndpointLogGroupName(endpointName: string): string {
  return `/aws/sagemaker/Endpoints/${endpointName}`;
}

/** The log group Lambda writes a function's logs to. */
export function lambdaLogGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** The log group the HTTP API writes its access log to. */
export function apiAccessLogGroupName(apiName: string): string {
  return `/aws/apigateway/${apiName}/access`;
}
