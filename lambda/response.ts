/**
 * Builds the proxy-integration responses (the shape API Gateway v1/v2 and function URLs all accept).
 * Every answer is JSON and carries the request id, so a caller can quote it and we can find the logs.
 */
import type { APIGatewayProxyResult } from "aws-lambda";
import { ApiError } from "./errors";

export const REQUEST_ID_HEADER = "x-request-id";

function headers(requestId: string): Record<string, string> {
  return {
    "content-type": "application/json",
    [REQUEST_ID_HEADER]: requestId,
    // Predictions are per upload: no shared cache should keep them.
    "cache-control": "no-store",
    // Browsers must not second-guess the JSON type (e.g. render an error body as HTML).
    "x-content-type-options": "nosniff",
  };
}

export function jsonResponse(body: unknown, requestId: string): APIGatewayProxyResult {
  return { statusCode: 200, headers: headers(requestId), body: JSON.stringify(body), isBase64Encoded: false };
}

export function errorResponse(error: ApiError, requestId: string): APIGatewayProxyResult {
  const extra: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) extra["retry-after"] = String(error.retryAfterSeconds);
  if (error.code === "method_not_allowed") extra.allow = "POST";
  return {
    statusCode: error.status,
    headers: { ...headers(requestId), ...extra },
    body: JSON.stringify({ error: { code: error.code, message: error.message }, requestId }),
    isBase64Encoded: false,
  };
}
