/**
 * The local API Gateway: an HTTP server on 127.0.0.1 that does what an HTTP API with Lambda proxy integrations
 * (payload format 2.0) does for this project's routes: match the route, build the event, invoke the function,
 * write its answer back, and answer API Gateway's own errors (404 unknown route, 413 too large, 500 function
 * failure) with API Gateway's JSON bodies.
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { newGatewayRequestId, toHttpApiEvent } from "./apigw-event";
import {
  fromLambdaResult,
  GatewayAnswer,
  INTERNAL_SERVER_ERROR,
  NOT_FOUND,
  REQUEST_TOO_LARGE,
} from "./apigw-response";
import type { InvokeOutcome } from "./lambda-runtime";

/** HTTP API's payload limit (API Gateway quotas). */
export const HTTP_API_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** A synchronous Lambda invocation's request payload limit (the whole event JSON). */
export const LAMBDA_MAX_REQUEST_BYTES = 6_291_456;

export interface LambdaInvoker {
  invoke(event: unknown): Promise<InvokeOutcome>;
}

export interface ApiServerOptions {
  /** Route keys served by the function, e.g. ["POST /classify", "POST /embed"]. */
  readonly routeKeys: readonly string[];
  readonly lambda: LambdaInvoker;
  /** One line per request (API Gateway access log fields). @default console.log of JSON */
  readonly accessLog?: (entry: Record<string, unknown>) => void;
}

export function createApiServer(options: ApiServerOptions): http.Server {
  const routes = new Set(options.routeKeys);
  const accessLog = options.accessLog ?? ((entry) => console.log(JSON.stringify(entry)));

  const server = http.createServer((req, res) => {
    const started = Date.now();
    const requestId = newGatewayRequestId();
    const path = (req.url ?? "/").split("?", 1)[0];
    const routeKey = `${req.method} ${path}`;
    let integrationMs: number | undefined;

    const finish = (answer: GatewayAnswer, note?: string) => {
      res.statusCode = answer.status;
      for (const [name, values] of Object.entries(answer.headers)) res.setHeader(name, values.length === 1 ? values[0] : values);
      res.setHeader("apigw-requestid", requestId);
      res.setHeader("content-length", answer.body.length);
      res.end(answer.body);
      accessLog({
        source: "local-api", requestId, routeKey: routes.has(routeKey) ? routeKey : "-", status: answer.status,
        responseLength: answer.body.length, responseLatency: Date.now() - started, integrationLatency: integrationMs,
        ...(note ? { integrationError: note } : {}),
      });
    };

    readBody(req, HTTP_API_MAX_PAYLOAD_BYTES)
      .then(async (body) => {
        if (body === undefined) {
          // Do not read the rest of an oversized upload: answer and close, as API Gateway does.
          res.setHeader("connection", "close");
          return finish(REQUEST_TOO_LARGE());
        }
        if (!routes.has(routeKey)) return finish(NOT_FOUND());
        const event = toHttpApiEvent(
          {
            method: req.method ?? "GET",
            url: req.url ?? "/",
            rawHeaders: req.rawHeaders,
            body,
            sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1",
            localPort: (req.socket.address() as AddressInfo).port,
          },
          { routeKey, requestId, now: new Date(started) },
        );
        if (Buffer.byteLength(JSON.stringify(event)) > LAMBDA_MAX_REQUEST_BYTES) {
          // Lambda refuses the invocation (RequestEntityTooLarge); the client sees API Gateway's 413.
          return finish(REQUEST_TOO_LARGE(), "Lambda request payload over 6291456 bytes");
        }
        const outcome = await options.lambda.invoke(event);
        integrationMs = outcome.durationMs;
        if (outcome.kind === "timeout") return finish(INTERNAL_SERVER_ERROR(), "function timed out");
        if (outcome.kind === "error") {
          console.error(`${requestId} function error:`, outcome.error);
          return finish(INTERNAL_SERVER_ERROR(), "function error");
        }
        const converted = fromLambdaResult(outcome.value);
        if ("malformed" in converted) return finish(INTERNAL_SERVER_ERROR(), `malformed Lambda response: ${converted.malformed}`);
        return finish(converted.answer);
      })
      .catch((error: unknown) => {
        console.error(`${requestId} local API failure:`, error);
        if (!res.headersSent) finish(INTERNAL_SERVER_ERROR(), "local API failure");
      });
  });
  // API Gateway keeps client connections alive; the load test relies on it too.
  server.keepAliveTimeout = 60_000;
  return server;
}

/** The whole body, or undefined once it passes `limit` bytes (Content-Length checked first). */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      req.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
