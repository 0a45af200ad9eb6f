/**
 * Maps whatever InvokeEndpoint throws to the answer the caller gets, and says whether another attempt can help.
 * The endpoint's own text (OriginalMessage may hold a Python traceback) only ever goes into `detail` for the
 * logs; the caller gets the catalogue message for the code.
 */
import { ApiError, describeError, ErrorCode } from "./errors";
import { badTopK } from "./top-k";

export interface ClassifiedFailure {
  readonly error: ApiError;
  /** True when the same request may succeed if sent again shortly (throttling, unavailability, resets). */
  readonly retryable: boolean;
  /** Worth one more attempt, not more (a model server worker that died: a second death points at the request). */
  readonly retryOnce?: boolean;
  /** Throttling-type failures back off longer than transient ones. */
  readonly throttled: boolean;
}

/** The stable codes the model container puts in its error body (docs/contracts.md, "Endpoint error bodies"), with our status for each. */
const MODEL_CODES: Partial<Record<string, ErrorCode>> = {
  unsupported_media_type: "unsupported_media_type",
  undecodable_image: "undecodable_image",
  image_too_large: "image_too_large",
  bad_request: "bad_request",
  bad_top_k: "bad_top_k",
  // The model's own unexpected failure: a 502 even when a toolkit reports it with status 400.
  internal_error: "model_error",
};

/** When the container's body has no stable code, its HTTP status decides (4xx: the caller's fault). */
const MODEL_STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  413: "image_too_large",
  415: "unsupported_media_type",
  422: "undecodable_image",
};

// Errors that mean our own request or credentials are wrong: no caller can fix them, operators must.
const CONFIGURATION_ERRORS = new Set([
  "ValidationError",
  "AccessDeniedException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignature",
  "MissingAuthenticationToken",
  "ExpiredTokenException",
  "CredentialsProviderError",
]);

// SageMaker's text when the body is over the endpoint's own limit (e.g. 4 MB for serverless).
const OVERSIZE_BODY = /oversize/i;

/**
 * Container statuses that mean "busy, try again": multi-model-server and TorchServe answer 503 when their job
 * queue is full ({"code": 503, "type": "ServiceUnavailableException", "message": "No worker is available to
 * serve request: model"}), which SageMaker passes on as a ModelError; 429 is the usual "too many requests".
 */
const MODEL_BUSY_STATUSES = new Set([429, 503]);

/**
 * multi-model-server's and TorchServe's own answer (their WorkerThread) when the worker process running the request
 * dies (killed, out of memory): {"code": 500, "type": "InternalServerException", "message": "Worker died."}. Another
 * worker, or the restarted one, can serve the same request, and inference has no side effects.
 */
const WORKER_DIED_MESSAGE = "Worker died.";

// Socket-level errors before any answer: the endpoint (or the network to it) is not there right now.
const CONNECTION_ERROR_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND"]);
// The SDK's retry middleware re-wraps a non-Error rejection (e.g. one from another realm) as
// "AWS SDK error wrapper for Error: connect ECONNREFUSED ...", keeping the code only in the text.
const SOCKET_CODE_IN_MESSAGE = /\b(ECONNREFUSED|ECONNRESET|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ENOTFOUND)\b/;

interface ServiceErrorShape {
  name?: string;
  code?: string;
  message?: string;
  OriginalStatusCode?: number;
  OriginalMessage?: string;
  LogStreamArn?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/**
 * @param cutByBudget true when we ended the attempt because the time budget ran out (our abort signal fired or
 *   the request timeout, set to the time left, expired): a 504 whatever the error looks like (an abort
 *   mid-body surfaces as a socket reset inside a deserialization error), and no retry can fix it.
 */
export function classifyInvokeError(err: unknown, cutByBudget: boolean): ClassifiedFailure {
  const e = (typeof err === "object" && err !== null ? err : {}) as ServiceErrorShape;
  const name = e.name ?? "";
  const socketCode = e.code ?? SOCKET_CODE_IN_MESSAGE.exec(e.message ?? "")?.[1];
  const detail = {
    error: describeError(err),
    httpStatusCode: e.$metadata?.httpStatusCode,
    awsRequestId: e.$metadata?.requestId,
  };
  const fail = (code: ErrorCode, retryable: boolean, extra: Record<string, unknown> = {}, throttled = false) => ({
    error: new ApiError(code, { cause: err, detail: { ...detail, ...extra } }),
    retryable,
    throttled,
  });

  if (cutByBudget) return fail("endpoint_timeout", false);
  switch (name) {
    case "ModelError": {
      if (workerDied(e)) {
        return {
          ...fail("model_error", true, modelDetail(e, { reason: "the model server's worker died during the request" })),
          retryOnce: true,
        };
      }
      const stable = stableErrorIn(e.OriginalMessage);
      if (stable?.code === "bad_top_k") {
        // The one endpoint text passed on: its label count, a number, in our own words (top-k.ts).
        return { error: badTopK(stable.labelCount, { ...detail, ...modelDetail(e) }), retryable: false, throttled: false };
      }
      const code = stable?.code ?? modelErrorCode(e);
      // A model server with a full job queue: the same request may be served a moment later.
      const busy = code === "endpoint_throttled";
      return fail(code, busy, modelDetail(e), busy);
    }
    case "ValidationError":
      // "Request <id> has oversize body.": the endpoint's limit is below MAX_IMAGE_BYTES (a serverless endpoint
      // takes 4 MB). The caller can fix it with a smaller image; operators should lower MAX_IMAGE_BYTES.
      if (OVERSIZE_BODY.test(e.message ?? "")) {
        return fail("image_too_large", false, { reason: "the endpoint refused the body as oversize: MAX_IMAGE_BYTES is above its limit" });
      }
      break;
    // Not in InvokeEndpoint's model but sent by SageMaker as HTTP 400 with {"message": null}.
    case "ThrottlingException":
    case "ThrottledException":
    case "TooManyRequestsException":
      return fail("endpoint_throttled", true, {}, true);
    case "ModelNotReadyException":
      return fail("endpoint_not_ready", true, {}, true);
    case "ServiceUnavailable":
      return fail("endpoint_unavailable", true);
    case "InternalFailure":
      return fail("model_error", true);
    case "InternalDependencyException":
      return fail("model_error", false);
    case "TimeoutError":
    case "AbortError":
      // Not our budget: a connect timeout or a reset socket (node-http-handler renames ECONNRESET/EPIPE to
      // TimeoutError). Another attempt may find a healthy connection.
      return fail(CONNECTION_ERROR_CODES.has(socketCode ?? "") ? "endpoint_unavailable" : "endpoint_timeout", true);
  }
  if (CONFIGURATION_ERRORS.has(name) || /region is missing/i.test(e.message ?? "")) {
    return fail("misconfigured", false);
  }
  if (CONNECTION_ERROR_CODES.has(socketCode ?? "")) return fail("endpoint_unavailable", true);

  // Unmodelled service errors: trust the HTTP status class.
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (status === 429) return fail("endpoint_throttled", true, {}, true);
  if (status === 502 || status === 503 || status === 504) return fail("endpoint_unavailable", true);
  if (status >= 500) return fail("model_error", false);
  if (status >= 400) return fail("misconfigured", false);
  return fail("internal_error", false);
}

function modelDetail(e: ServiceErrorShape, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...extra,
    originalStatusCode: e.OriginalStatusCode,
    // The container's body, cut short: enough to debug, not a whole traceback per line of log.
    originalMessage: e.OriginalMessage?.slice(0, 2000),
    logStreamArn: e.LogStreamArn,
  };
}

function workerDied(e: ServiceErrorShape): boolean {
  if (e.OriginalStatusCode !== 500 || !e.OriginalMessage) return false;
  const body = parseJson(e.OriginalMessage) as { message?: unknown } | undefined;
  return typeof body === "object" && body !== null && body.message === WORKER_DIED_MESSAGE;
}

/** The code for a container error body with no stable code: its status decides. */
function modelErrorCode(e: ServiceErrorShape): ErrorCode {
  const status = e.OriginalStatusCode ?? 0;
  if (MODEL_BUSY_STATUSES.has(status)) return "endpoint_throttled";
  if (status >= 400 && status < 500) return MODEL_STATUS_CODES[status] ?? "bad_request";
  // Other 5xx, or 0 when the container did not answer SageMaker in time.
  return "model_error";
}

interface StableError {
  readonly code: ErrorCode;
  /** bad_top_k's `label_count`, when it is a positive integer. */
  readonly labelCount: number | undefined;
}

/**
 * Finds the container's stable code in its error body. Our inference code answers {"code": "...", ...};
 * behind the model server the same JSON may arrive as the `message` of {"code": 400, "type": ..., "message": ...},
 * and the PyTorch toolkit appends a newline and a traceback after it.
 */
function stableErrorIn(body: string | undefined, depth = 0): StableError | undefined {
  if (!body || depth > 2) return undefined;
  const parsed = parseJson(body) ?? parseJson(body.split("\n", 1)[0]);
  if (parsed === undefined) return undefined;
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { code, message, error, label_count } = parsed as { code?: unknown; message?: unknown; error?: unknown; label_count?: unknown };
  if (typeof code === "string" && MODEL_CODES[code]) {
    const labelCount = Number.isSafeInteger(label_count) && (label_count as number) > 0 ? (label_count as number) : undefined;
    return { code: MODEL_CODES[code], labelCount };
  }
  if (typeof error === "object" && error !== null) return stableErrorIn(JSON.stringify(error), depth + 1);
  if (typeof message === "string") return stableErrorIn(message, depth + 1);
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
