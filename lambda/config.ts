/**
 * The function's configuration, read from the environment in one typed, validated place.
 *
 * Read lazily (per invocation, it is a few string reads) rather than at module load: a missing endpoint name
 * must still let the module load, so every request gets a clear 500 `misconfigured` and a loud log line
 * instead of an opaque init crash.
 */

import {
  DEFAULT_LAMBDA_TIMEOUT_SECONDS,
  invokeBudgetMs as budgetForTimeout,
  isEndpointName,
  MAX_INVOKE_BUDGET_MS,
  REALTIME_INVOKE_MAX_BYTES,
} from "../common/facts";

/** What the stack sets for its default timeout: room to answer before API Gateway gives up at 30 s. */
export const DEFAULT_INVOKE_BUDGET_MS = budgetForTimeout(DEFAULT_LAMBDA_TIMEOUT_SECONDS);

export interface LambdaConfig {
  /** SAGEMAKER_ENDPOINT_NAME: the endpoint every request is sent to. */
  readonly endpointName: string;
  /** INVOKE_BUDGET_MS: total time for all SageMaker attempts of one request. @default DEFAULT_INVOKE_BUDGET_MS */
  readonly invokeBudgetMs: number;
  /**
   * TOP_K_MAX: the model's label count, the largest top_k; set, the function refuses a larger one without asking
   * the endpoint and names the count. @default undefined (unknown: the endpoint checks and names its count)
   */
  readonly topKMax: number | undefined;
  /** MAX_IMAGE_BYTES: the largest decoded image sent to the endpoint (413 above it). @default the real-time limit */
  readonly maxImageBytes: number;
}

/** Thrown when the environment is wrong; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid Lambda configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LambdaConfig {
  const problems: string[] = [];

  const endpointName = (env.SAGEMAKER_ENDPOINT_NAME ?? "").trim();
  if (endpointName === "") {
    problems.push("SAGEMAKER_ENDPOINT_NAME is not set");
  } else if (!isEndpointName(endpointName)) {
    problems.push(`SAGEMAKER_ENDPOINT_NAME "${endpointName}" is not a valid endpoint name`);
  }

  const invokeBudgetMs = readInteger(env, "INVOKE_BUDGET_MS", DEFAULT_INVOKE_BUDGET_MS, 1, MAX_INVOKE_BUDGET_MS, problems);
  const topKMax = readInteger(env, "TOP_K_MAX", undefined, 1, 100_000, problems);
  // Never above the real-time limit: a larger image could only come back as a ValidationError.
  const maxImageBytes = readInteger(env, "MAX_IMAGE_BYTES", REALTIME_INVOKE_MAX_BYTES, 1, REALTIME_INVOKE_MAX_BYTES, problems);

  if (problems.length > 0) throw new ConfigError(problems);
  return { endpointName, invokeBudgetMs, topKMax, maxImageBytes };
}

function readInteger<F extends number | undefined>(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: F,
  min: number,
  max: number,
  problems: string[],
): number | F {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    return fallback;
  }
  return value;
}
