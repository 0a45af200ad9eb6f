/**
 * Turns what a Lambda returns into the HTTP answer API Gateway HTTP API (payload format 2.0) would send.
 *
 * Per the payload 2.0 rules: an object with `statusCode` is a structured response (headers, cookies -> one
 * set-cookie header each, body base64-decoded when isBase64Encoded); any other JSON value is the body of a 200
 * application/json answer. Anything API Gateway cannot use becomes its own 500 {"message":"Internal Server Error"}.
 */

export interface GatewayAnswer {
  readonly status: number;
  /** Header name -> values (set-cookie may repeat). */
  readonly headers: Record<string, string[]>;
  readonly body: Buffer;
}

/** API Gateway's own error answers: JSON {"message": ...} with a fixed text per status. */
export function gatewayError(status: number, message: string): GatewayAnswer {
  return {
    status,
    headers: { "content-type": ["application/json"] },
    body: Buffer.from(JSON.stringify({ message })),
  };
}

export const NOT_FOUND = () => gatewayError(404, "Not Found");
export const INTERNAL_SERVER_ERROR = () => gatewayError(500, "Internal Server Error");
export const REQUEST_TOO_LARGE = () => gatewayError(413, "Request Entity Too Large");
export const SERVICE_UNAVAILABLE = () => gatewayError(503, "Service Unavailable");
// API Gateway's texts for these two are not published: the emulator uses the HTTP reason phrases.
export const REQUEST_HEADERS_TOO_LARGE = () => gatewayError(431, "Request Header Fields Too Large");
export const REQUEST_TIMEOUT = () => gatewayError(408, "Request Timeout");

interface StructuredResult {
  statusCode: unknown;
  headers?: unknown;
  cookies?: unknown;
  body?: unknown;
  isBase64Encoded?: unknown;
}

/** Returns the answer, or a reason the result is malformed (API Gateway then answers 500). */
export function fromLambdaResult(result: unknown): { answer: GatewayAnswer } | { malformed: string } {
  if (result === undefined) return { malformed: "the function returned nothing" };
  if (typeof result !== "object" || result === null || !("statusCode" in result)) {
    // A bare JSON value: 200 application/json with the value as the body.
    return {
      answer: { status: 200, headers: { "content-type": ["application/json"] }, body: Buffer.from(JSON.stringify(result)) },
    };
  }
  const structured = result as StructuredResult;
  const status = structured.statusCode;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) {
    return { malformed: `statusCode ${JSON.stringify(status)} is not an HTTP status` };
  }
  const headers: Record<string, string[]> = {};
  if (structured.headers !== undefined && structured.headers !== null) {
    if (typeof structured.headers !== "object") return { malformed: "headers is not an object" };
    for (const [name, value] of Object.entries(structured.headers as Record<string, unknown>)) {
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
        return { malformed: `header ${name} is not a string` };
      }
      headers[name.toLowerCase()] = [String(value)];
    }
  }
  if (structured.cookies !== undefined) {
    if (!Array.isArray(structured.cookies) || !structured.cookies.every((cookie) => typeof cookie === "string")) {
      return { malformed: "cookies is not a list of strings" };
    }
    if (structured.cookies.length > 0) headers["set-cookie"] = [...(headers["set-cookie"] ?? []), ...structured.cookies];
  }
  const rawBody = structured.body ?? "";
  if (typeof rawBody !== "string") return { malformed: "body is not a string" };
  const body = structured.isBase64Encoded === true ? Buffer.from(rawBody, "base64") : Buffer.from(rawBody, "utf8");
  return { answer: { status, headers, body } };
}
