/**
 * Builds the event API Gateway HTTP API sends a Lambda proxy integration with payload format 2.0.
 *
 * Rules followed (AWS docs "Create AWS Lambda proxy integrations for HTTP APIs", payload format 2.0):
 * header names lower-case, repeated headers joined with commas, Cookie headers moved to `cookies`, repeated query
 * parameters joined with commas, `rawQueryString` exactly as sent, `body` absent when empty, and the body base64
 * encoded unless the content type is text (HTTP APIs infer this from content-type; no binaryMediaTypes set-up).
 */
import { randomBytes } from "crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";

/** Stand-in account for the local API: all zeros never matches a real account. */
export const LOCAL_ACCOUNT_ID = "000000000000";
export const LOCAL_API_ID = "local";

export interface IncomingRequest {
  readonly method: string;
  /** Path and query as on the request line, e.g. "/classify?top_k=3". */
  readonly url: string;
  /** Node's rawHeaders: [name, value, name, value, ...] in arrival order, names in the sender's case. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly localPort: number;
}

export interface EventContext {
  /** "POST /classify", or "$default" when only a catch-all route matched. */
  readonly routeKey: string;
  readonly requestId: string;
  readonly now: Date;
}

/** API Gateway's request ids look like "JKJaXmPLvHcESHA=": 11 random bytes, base64. */
export function newGatewayRequestId(): string {
  return randomBytes(11).toString("base64");
}

/** Content types HTTP APIs pass as text; anything else (images, multipart, none) arrives base64-encoded. */
export function isTextContentType(contentType: string | undefined): boolean {
  const type = (contentType ?? "").split(";", 1)[0].trim().toLowerCase();
  if (type === "") return false;
  return (
    type.startsWith("text/") ||
    /^application\/([\w.-]+\+)?(json|xml)$/.test(type) ||
    type === "application/javascript" ||
    type === "application/x-www-form-urlencoded" ||
    type === "application/yaml"
  );
}

export function toHttpApiEvent(request: IncomingRequest, context: EventContext): APIGatewayProxyEventV2 {
  const [rawPath, ...queryParts] = request.url.split("?");
  const rawQueryString = queryParts.join("?").split("#", 1)[0];

  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i].toLowerCase();
    const value = request.rawHeaders[i + 1];
    if (name === "cookie") {
      cookies.push(
        ...value
          .split(";")
          .map((cookie) => cookie.trim())
          .filter((cookie) => cookie !== ""),
      );
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  // Headers API Gateway adds on its way to the integration.
  headers["x-forwarded-for"] = headers["x-forwarded-for"] ? `${headers["x-forwarded-for"]}, ${request.sourceIp}` : request.sourceIp;
  headers["x-forwarded-port"] = String(request.localPort);
  headers["x-forwarded-proto"] = "http";
  headers["x-amzn-trace-id"] = `Root=1-${Math.floor(context.now.getTime() / 1000).toString(16)}-${randomBytes(12).toString("hex")}`;

  const host = headers.host ?? "localhost";
  const event: APIGatewayProxyEventV2 = {
    version: "2.0",
    routeKey: context.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(rawQueryString !== "" ? { queryStringParameters: parseQuery(rawQueryString) } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      domainName: host,
      domainPrefix: host.split(".", 1)[0],
      http: {
        method: request.method,
        path: rawPath,
        protocol: "HTTP/1.1",
        sourceIp: request.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: context.requestId,
      routeKey: context.routeKey,
      stage: "$default",
      time: gatewayTime(context.now),
      timeEpoch: context.now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (request.body.length > 0) {
    const asText = isTextContentType(headers["content-type"]);
    event.body = asText ? request.body.toString("utf8") : request.body.toString("base64");
    event.isBase64Encoded = !asText;
  }
  return event;
}

/** Decoded values, repeated keys joined with commas (payload 2.0 has no multi-value map). */
function parseQuery(rawQueryString: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    result[key] = key in result ? `${result[key]},${value}` : value;
  }
  return result;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "12/Mar/2020:19:03:58 +0000", the CLF time API Gateway puts in requestContext.time. */
function gatewayTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}
