/**
 * CORS as an HTTP API with a CORS configuration handles it (AWS, "Configure CORS for HTTP APIs in API Gateway"):
 *   - a preflight (OPTIONS with Origin and Access-Control-Request-Method) is answered by the gateway itself, for any
 *     path, whether or not an OPTIONS route exists: the function never sees it;
 *   - every other answer to a request with an allowed Origin gets Access-Control-Allow-Origin (plus the exposed headers
 *     and credentials flag), and the CORS headers the function returns are ignored;
 *   - without an Origin header, or from an origin not allowed, no CORS header is sent.
 * What AWS does not document and this emulation chooses: the preflight status (204, seen in public tests of HTTP
 * APIs), a preflight from an origin not allowed gets 204 without CORS headers (the browser then refuses), and the
 * gateway's own errors (404, 413, ...) carry the headers like the function's answers. docs/local.md lists these.
 */
import type { IncomingHttpHeaders } from "http";
import type { CorsSettings } from "../src/config/cors";
import type { GatewayAnswer } from "./apigw-response";

export function isPreflight(method: string | undefined, headers: IncomingHttpHeaders): boolean {
  return method === "OPTIONS" && headers.origin !== undefined && headers["access-control-request-method"] !== undefined;
}

/** The Access-Control-Allow-Origin value for a request's Origin: "*", the origin itself, or undefined (not allowed). */
export function allowedOrigin(cors: CorsSettings, origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  for (const allowed of cors.allowOrigins) {
    // "*" answers "*" unless credentials are on (the config refuses that pair, as API Gateway does).
    if (allowed === "*") return "*";
    if (allowed.endsWith("://*") ? origin.startsWith(allowed.slice(0, -1)) : origin === allowed) return origin;
  }
  return undefined;
}

/** The gateway's own answer to a preflight: 204, no body, the configuration's headers when the origin is allowed. */
export function preflightAnswer(cors: CorsSettings, origin: string | undefined): GatewayAnswer {
  const allowOrigin = allowedOrigin(cors, origin);
  const headers: Record<string, string[]> = {};
  if (allowOrigin !== undefined) {
    headers["access-control-allow-origin"] = [allowOrigin];
    headers["access-control-allow-methods"] = [cors.allowMethods.join(",")];
    if (cors.allowHeaders.length > 0) headers["access-control-allow-headers"] = [cors.allowHeaders.join(",")];
    headers["access-control-max-age"] = [String(cors.maxAgeSeconds)];
    if (cors.allowCredentials) headers["access-control-allow-credentials"] = ["true"];
  }
  return { status: 204, headers, body: Buffer.alloc(0) };
}

/** Any other answer: the function's CORS headers dropped, the configuration's added when the origin is allowed. */
export function withCorsHeaders(answer: GatewayAnswer, cors: CorsSettings, origin: string | undefined): GatewayAnswer {
  const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !name.startsWith("access-control-")));
  const allowOrigin = allowedOrigin(cors, origin);
  if (allowOrigin !== undefined) {
    headers["access-control-allow-origin"] = [allowOrigin];
    if (cors.exposeHeaders.length > 0) headers["access-control-expose-headers"] = [cors.exposeHeaders.join(",")];
    if (cors.allowCredentials) headers["access-control-allow-credentials"] = ["true"];
  }
  return { ...answer, headers };
}

/** The local API's environment variable carrying the settings (JSON of CorsSettings); unset: no CORS. */
export const LOCAL_API_CORS_ENV = "LOCAL_API_CORS";

export function corsFromEnvironment(env: NodeJS.ProcessEnv): CorsSettings | undefined {
  const raw = env[LOCAL_API_CORS_ENV];
  return raw ? (JSON.parse(raw) as CorsSettings) : undefined;
}
