/**
 * Turns the three HTTP event shapes Lambda can receive into one small request object:
 * API Gateway HTTP API (payload 2.0), API Gateway REST API (payload 1.0) and Lambda function URLs
 * (payload 2.0 without routes). Everything after this module sees only `HttpRequest`.
 */
import { ApiError } from "./errors";

export type Task = "classify" | "embed";
export type EventShape = "http-api-v2" | "rest-api-v1" | "function-url";

export interface HttpRequest {
  readonly shape: EventShape;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The task named by the route, or undefined for any other path. */
  readonly task: Task | undefined;
  /** The path the route was read from (for logs). */
  readonly path: string;
  /** Header names lower-cased: HTTP header names are case-insensitive, API Gateway v1 keeps the sender's case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Every value given for each query parameter, decoded (a repeated parameter is a client mistake we want to see). */
  readonly query: Readonly<Record<string, readonly string[]>>;
  readonly body: string | undefined;
  readonly isBase64Encoded: boolean;
  /** API Gateway's own request id, when there is one (for correlating with access logs). */
  readonly gatewayRequestId: string | undefined;
}

type Dict<T> = Record<string, T | undefined> | null | undefined;

interface AnyHttpEvent {
  version?: string;
  routeKey?: string;
  rawPath?: string;
  resource?: string;
  path?: string;
  httpMethod?: string;
  headers?: Dict<string>;
  multiValueHeaders?: Dict<string[]>;
  queryStringParameters?: Dict<string>;
  multiValueQueryStringParameters?: Dict<string[]>;
  rawQueryString?: string;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string; path?: string }; requestId?: string; domainName?: string };
}

export function normaliseEvent(input: unknown): HttpRequest {
  if (typeof input !== "object" || input === null) {
    throw new ApiError("bad_request", { message: "Expected an HTTP request event.", detail: { eventType: typeof input } });
  }
  const event = input as AnyHttpEvent;
  const isV2 = event.version === "2.0";
  const method = (isV2 ? event.requestContext?.http?.method : event.httpMethod) ?? "";
  if (method === "") {
    throw new ApiError("bad_request", { message: "Expected an HTTP request event.", detail: { reason: "no HTTP method" } });
  }
  const { task, path } = routeOf(event, isV2);
  return {
    shape: !isV2 ? "rest-api-v1" : /\.lambda-url\./.test(event.requestContext?.domainName ?? "") ? "function-url" : "http-api-v2",
    method: method.toUpperCase(),
    task,
    path,
    headers: lowerCaseHeaders(event),
    query: queryOf(event),
    body: event.body ?? undefined,
    isBase64Encoded: event.isBase64Encoded === true,
    gatewayRequestId: event.requestContext?.requestId,
  };
}

/**
 * The route decides the task. Candidates, most specific first: the HTTP API route key ("POST /classify"),
 * the REST resource ("/classify"; skipped when it is a "{proxy+}" template), then the raw path, which may
 * carry a stage or base-path prefix ("/prod/classify"), so only its last segment counts.
 */
function routeOf(event: AnyHttpEvent, isV2: boolean): { task: Task | undefined; path: string } {
  const routeKeyPath = event.routeKey && event.routeKey !== "$default" ? event.routeKey.split(" ").pop() : undefined;
  const resource = event.resource && !event.resource.includes("{") ? event.resource : undefined;
  const rawPath = isV2 ? (event.rawPath ?? event.requestContext?.http?.path) : event.path;
  const candidates = [routeKeyPath, resource, rawPath].filter((p): p is string => typeof p === "string" && p !== "");
  for (const candidate of candidates) {
    const last = candidate
      .split("/")
      .filter((segment) => segment !== "")
      .pop();
    if (last === "classify" || last === "embed") return { task: last, path: candidate };
  }
  return { task: undefined, path: candidates[candidates.length - 1] ?? "" };
}

function lowerCaseHeaders(event: AnyHttpEvent): Record<string, string> {
  const headers: Record<string, string> = {};
  // Single-value headers win; multiValueHeaders (REST v1) only fill gaps, first value first.
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (values && values.length > 0) headers[name.toLowerCase()] = values[0];
  }
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (typeof value === "string") headers[name.toLowerCase()] = value;
  }
  return headers;
}

function queryOf(event: AnyHttpEvent): Record<string, string[]> {
  const query: Record<string, string[]> = {};
  // Payload 2.0 joins a repeated parameter's values with commas in queryStringParameters, so "?top_k=3&top_k=3" and
  // "?top_k=3,3" look alike there; rawQueryString, the query as sent, tells them apart.
  if (typeof event.rawQueryString === "string" && event.rawQueryString !== "") {
    for (const [name, value] of new URLSearchParams(event.rawQueryString)) (query[name] ??= []).push(value);
    return query;
  }
  // REST v1 lists repeated parameters in multiValueQueryStringParameters.
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (values) query[name] = [...values];
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (typeof value === "string" && query[name] === undefined) query[name] = [value];
  }
  return query;
}
