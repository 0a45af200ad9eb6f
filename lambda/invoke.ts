/**
 * Calls the SageMaker endpoint within a time budget, retrying only failures another attempt can fix.
 *
 * The budget is a deadline fixed by the handler (the earlier of INVOKE_BUDGET_MS and the function's own
 * remaining time). Every attempt gets the time left as its request timeout and as an abort signal, so a slow
 * endpoint is cut off at the deadline (504) instead of holding the function until API Gateway gives up (30 s)
 * or Lambda kills it. A retry is only started if, after its back-off, at least MIN_ATTEMPT_MS remain.
 */
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import type { Logger } from "@aws-lambda-powertools/logger";
import { ApiError } from "./errors";
import type { Task } from "./event";
import type { ImageMime } from "./image-format";
import { classifyInvokeError, ClassifiedFailure } from "./sagemaker-errors";

export const MAX_ATTEMPTS = 3;
/** Not worth starting an attempt with less time than this left: it could only end in a timeout. */
export const MIN_ATTEMPT_MS = 200;
const TRANSIENT_BACKOFF_BASE_MS = 100;
const THROTTLED_BACKOFF_BASE_MS = 250;

export interface InvokeRequest {
  readonly client: SageMakerRuntimeClient;
  readonly logger: Logger;
  readonly endpointName: string;
  readonly task: Task;
  /** Only when the caller gave one: the endpoint's own default copes with models of fewer than 5 labels. */
  readonly topK: number | undefined;
  readonly image: Uint8Array;
  readonly mime: ImageMime;
  /** Epoch milliseconds by which the last attempt must be over. */
  readonly deadline: number;
  /** Passed to SageMaker as the inference id so data-capture records match our logs. */
  readonly requestId: string;
}

/** Filled in while invoking, so the caller can log attempts and latency whether the call succeeded or not. */
export interface InvokeStats {
  attempts: number;
  endpointLatencyMs: number;
}

/**
 * docs/contracts.md, "Lambda → endpoint request": comma-separated key=value pairs, forwarded verbatim to the container.
 * `top_k` only when the caller asked for it: a fixed top_k=5 would make a model with fewer than 5 labels refuse every
 * request.
 */
export function customAttributes(topK: number | undefined, task: Task): string {
  return topK === undefined ? `task=${task}` : `top_k=${topK},task=${task}`;
}

export async function invokeWithinBudget(request: InvokeRequest, stats: InvokeStats): Promise<Buffer> {
  let lastFailure: ClassifiedFailure | undefined;
  let retriedOnce = false;
  for (let attempt = 1; ; attempt += 1) {
    const remaining = request.deadline - Date.now();
    if (remaining < MIN_ATTEMPT_MS) {
      throw lastFailure?.error ?? new ApiError("endpoint_timeout", { detail: { reason: "no time left to call the endpoint", remaining } });
    }
    stats.attempts = attempt;
    const started = Date.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), remaining);
    try {
      const output = await request.client.send(
        new InvokeEndpointCommand({
          EndpointName: request.endpointName,
          Body: request.image,
          ContentType: request.mime,
          Accept: "application/json",
          CustomAttributes: customAttributes(request.topK, request.task),
          InferenceId: request.requestId.slice(0, 64),
        }),
        // requestTimeout bounds the wait for the response headers; the abort signal also covers a body that
        // stalls after them.
        { abortSignal: controller.signal, requestTimeout: remaining },
      );
      stats.endpointLatencyMs += Date.now() - started;
      return Buffer.from(output.Body ?? new Uint8Array());
    } catch (err) {
      stats.endpointLatencyMs += Date.now() - started;
      clearTimeout(timer);
      lastFailure = classifyInvokeError(err, controller.signal.aborted || isRequestTimeout(err));
      const delay = backoffMs(attempt, lastFailure.throttled);
      const retry =
        lastFailure.retryable &&
        !(lastFailure.retryOnce && retriedOnce) &&
        attempt < MAX_ATTEMPTS &&
        Date.now() + delay + MIN_ATTEMPT_MS <= request.deadline;
      if (retry && lastFailure.retryOnce) retriedOnce = true;
      request.logger.warn("endpoint attempt failed", {
        attempt,
        retry,
        code: lastFailure.error.code,
        ...lastFailure.error.detail,
      });
      if (!retry) throw lastFailure.error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    } finally {
      clearTimeout(timer);
    }
  }
}

/** node-http-handler's requestTimeout error (throwOnRequestTimeout): name TimeoutError, code ETIMEDOUT. */
function isRequestTimeout(err: unknown): boolean {
  const e = err as { name?: string; code?: string } | undefined;
  return e?.name === "TimeoutError" && e.code === "ETIMEDOUT";
}

/** Exponential back-off with jitter (half fixed, half random) so throttled callers do not retry in lockstep. */
export function backoffMs(attempt: number, throttled: boolean, random: () => number = Math.random): number {
  const base = (throttled ? THROTTLED_BACKOFF_BASE_MS : TRANSIENT_BACKOFF_BASE_MS) * 2 ** (attempt - 1);
  return Math.round(base / 2 + (base / 2) * random());
}
