/**
 * Defaults and derived values of the stack config, as small pure functions so they can be tested
 * (and read) without synthesizing anything. The schema in ./schema.ts refers to these.
 */
import * as path from "path";
import { REPO_ROOT } from "../../common/repo-root";
/** contract 6 (docs/contracts.md): where `npm run model:artifact` writes the deployable tarball. */
export function defaultModelArtifactPath(): string {
  return path.join(REPO_ROOT, "model", ".cache", "model.tar.gz");
}

/** Config file read when CLASSIFIER_CONFIG is not set (optional: missing means "all defaults"). */
export function defaultConfigFilePath(): string {
  return path.join(REPO_ROOT, "classifier.config.json");
}

/** Hugging Face PyTorch inference DLC repository name, as known to `aws_sagemaker_prebuilt_ecr_image`. */
export const DEFAULT_IMAGE_REPOSITORY = "huggingface-pytorch-inference";

/**
 * CPU tag of the Hugging Face PyTorch inference DLC (PyTorch 2.6, transformers 4.49, Python 3.12),
 * listed in aws/deep-learning-containers available_images.md.
 */
export const DEFAULT_IMAGE_TAG = "2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04";

export function defaultTags(namePrefix: string): Record<string, string> {
  return { project: namePrefix, "managed-by": "cdktf" };
}

/**
 * Serverless endpoints do not support network isolation (SageMaker rejects the model), so the
 * default follows the endpoint mode: isolated for real-time, not for serverless.
 */
export function defaultNetworkIsolation(serverless: boolean): boolean {
  return !serverless;
}

/** Time the Lambda keeps for itself (mapping errors, logging, returning) after its SageMaker budget. */
export const LAMBDA_HEADROOM_MS = 3000;

/** INVOKE_BUDGET_MS for the handler: below the function timeout so it answers with JSON, not a timeout. */
export function invokeBudgetMs(lambdaTimeoutSeconds: number): number {
  return lambdaTimeoutSeconds * 1000 - LAMBDA_HEADROOM_MS;
}

/** InvokeEndpoint's body limit: 6,291,456 bytes for real-time variants, 4 MB for serverless ones. */
export function maxImageBytes(serverless: boolean): number {
  return serverless ? 4 * 1024 * 1024 : 6291456;
}

/** HTTP API's integration timeout cap (30 s). */
export const HTTP_API_MAX_INTEGRATION_TIMEOUT_MS = 30000;

/** API integration timeout: one second longer than the function so Lambda's own timeout is what fires. */
export function integrationTimeoutMs(lambdaTimeoutSeconds: number): number {
  return Math.min(HTTP_API_MAX_INTEGRATION_TIMEOUT_MS, (lambdaTimeoutSeconds + 1) * 1000);
}

/** CloudWatch log group SageMaker writes an endpoint's container logs to. */
export function sagemakerEndpointLogGroupName(endpointName: string): string {
  return `/aws/sagemaker/Endpoints/${endpointName}`;
}

/** CloudWatch log group Lambda writes a function's logs to. */
export function lambdaLogGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** Container env the stack sets itself; `model.environment` may not override these. */
export const STACK_CONTAINER_ENV_KEYS: readonly string[] = [
  "HF_TASK",
  "SAGEMAKER_PROGRAM",
  "SAGEMAKER_SUBMIT_DIRECTORY",
  "SAGEMAKER_CONTAINER_LOG_LEVEL",
  "SAGEMAKER_REGION",
  "SAGEMAKER_MODEL_SERVER_WORKERS",
  "HF_HUB_OFFLINE",
  "TRANSFORMERS_OFFLINE",
];
