/**
 * The client-facing error catalogue: every stable `code` this function can answer with, its HTTP status and
 * the only message text a caller ever sees for it. Messages are ours, never the endpoint's (the endpoint's
 * text can hold a Python traceback; it goes to the logs only).
 */

export const ERROR_CATALOGUE = {
  route_not_found: { status: 404, message: "Unknown route: use POST /classify, POST /embed or POST /similar." },
  method_not_allowed: { status: 405, message: "Use POST to send an image." },
  bad_request: { status: 400, message: "The model rejected the request." },
  empty_body: { status: 400, message: "The request carries no image: send the image bytes as the body." },
  invalid_base64: { status: 400, message: "The image is not valid base64." },
  invalid_json: {
    status: 400,
    message: 'The JSON body must be an object like {"image": "<base64 or data: URL>"}.',
  },
  invalid_multipart: {
    status: 400,
    message: "The multipart/form-data body must hold exactly one file part (e.g. curl -F image=@cat.jpg).",
  },
  bad_top_k: { status: 400, message: "top_k must be an integer from 1 to the number of labels." },
  // The Lambda's own check names the limit (imageTooLarge); this text is for the endpoint saying so itself.
  image_too_large: { status: 413, message: "The image is larger than the model endpoint accepts." },
  unsupported_media_type: {
    status: 415,
    message: "Unsupported image format. Accepted types: image/jpeg, image/png, image/webp, image/gif, image/bmp.",
  },
  undecodable_image: { status: 422, message: "The image could not be decoded: the file looks damaged or truncated." },
  model_error: { status: 502, message: "The model failed to process the image." },
  bad_model_response: { status: 502, message: "The model returned an answer this service does not understand." },
  endpoint_throttled: { status: 503, message: "The model endpoint is busy: retry after a short pause." },
  endpoint_not_ready: { status: 503, message: "The model endpoint is starting up: retry in a few seconds." },
  endpoint_unavailable: { status: 503, message: "The model endpoint is unavailable right now: retry shortly." },
  endpoint_timeout: { status: 504, message: "The model endpoint did not answer in time." },
  // POST /similar and its catalogue index (docs/catalogue.md). 503s without Retry-After: only a catalogue run helps.
  catalogue_not_configured: {
    status: 501,
    message: "This deployment has no catalogue: POST /similar needs the config section catalogue (docs/catalogue.md).",
  },
  catalogue_not_ready: {
    status: 503,
    message: "No catalogue index yet: build one with npm run catalogue:embed (docs/catalogue.md).",
  },
  catalogue_model_mismatch: {
    status: 503,
    message:
      "The catalogue index was built by another model than the one answering queries: run npm run catalogue:embed again (it re-embeds everything).",
  },
  catalogue_unavailable: { status: 503, message: "The catalogue index could not be loaded right now: retry shortly." },
  catalogue_unreadable: { status: 500, message: "The catalogue index is unreadable; the operators have been alerted by the logs." },
  catalogue_too_large: {
    status: 500,
    message:
      "The catalogue index is larger than the function's memory holds: raise lambda.memoryMb, or serve the index from a vector database (docs/catalogue.md).",
  },
  misconfigured: { status: 500, message: "The service is misconfigured; the operators have been alerted by the logs." },
  internal_error: { status: 500, message: "Internal error; the operators have been alerted by the logs." },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Seconds a caller should wait before retrying a 503, per code (serverless cold starts take longest). */
const RETRY_AFTER_SECONDS: Partial<Record<ErrorCode, number>> = {
  endpoint_throttled: 1,
  endpoint_unavailable: 2,
  endpoint_not_ready: 5,
  catalogue_unavailable: 5,
};

export interface ApiErrorOptions {
  /** A more specific safe message than the catalogue's (it must never contain endpoint text). */
  readonly message?: string;
  /** What operators need to know (logged, never sent to the caller). */
  readonly detail?: Record<string, unknown>;
  readonly cause?: unknown;
}

/** An error that already knows how it is answered: thrown anywhere, turned into a response in one place. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;
  readonly detail: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, options: ApiErrorOptions = {}) {
    super(options.message ?? ERROR_CATALOGUE[code].message, { cause: options.cause });
    this.name = "ApiError";
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.retryAfterSeconds = RETRY_AFTER_SECONDS[code];
    this.detail = options.detail;
  }
}

/** The Lambda's own size check: the limit goes in the message (it differs per endpoint type) so callers can aim under it. */
export function imageTooLarge(maxImageBytes: number, detail: Record<string, unknown> = {}): ApiError {
  return new ApiError("image_too_large", {
    message: `The image is larger than ${maxImageBytes} bytes, the most this model endpoint accepts.`,
    detail: { ...detail, max: maxImageBytes },
  });
}

/** Anything that is not already an ApiError is a bug on our side: 500, and the caller learns nothing more. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError("internal_error", { cause: err, detail: { error: describeError(err) } });
}

/** A loggable summary of any thrown value (name, message, code), without the stack's noise. */
export function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, ...(code === undefined ? {} : { code }) };
  }
  return { value: String(err) };
}
