/**
 * The local API Gateway: an HTTP server on 127.0.0.1 that does what an HTTP API with Lambda proxy integrations
 * (payload format 2.0) does for this project's routes: match the route, build the event, invoke the function,
 * write its answer back, and answer API Gateway's own errors (404 unknown route, 413 too large, 500 function
 * failure) with API Gateway's JSON bodies. With a CORS configuration it also answers preflights and adds the CORS
 * headers as API Gateway does (local/cors.ts).
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { HTTP_API_MAX_INTEGRATION_TIMEOUT_MS, LAMBDA_MAX_REQUEST_BYTES } from "../common/facts";
import { newGatewayRequestId, toHttpApiEvent } from "./apigw-event";
import {
  fromLambdaResult,
  GatewayAnswer,
  INTERNAL_SERVER_ERROR,
  NOT_FOUND,
  REQUEST_HEADERS_TOO_LARGE,
  REQUEST_TIMEOUT,
  REQUEST_TOO_LARGE,
} from "./apigw-response";
import type { CorsSettings } from "../src/config/cors";
import { isPreflight, preflightAnswer, withCorsHeaders } from "./cors";
import type { InvokeOutcome } from "./lambda-runtime";
// Connection-level behaviour: what is no routable request, and stopping without losing an answer.
import { answerClientErrors } from "./client-errors";
import { GracefulStop, stoppingAnswer } from "./graceful-stop";
import { InFlightRequests } from "./in-flight";

/** HTTP API's payload limit (API Gateway quotas). */
export const HTTP_API_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** HTTP API quota: "Total combined size of request line and header values: 10240 bytes". */
export const HTTP_API_MAX_REQUEST_LINE_AND_HEADER_BYTES = 10_240;
/**
 * How long the whole body may take to arrive. API Gateway does not publish its value; its integrations stop at
 * 30 s, and a client whose body never completes must not hold a connection for Node's default of 300 s.
 */
export const REQUEST_BODY_TIMEOUT_MS = HTTP_API_MAX_INTEGRATION_TIMEOUT_MS;

export interface LambdaInvoker {
  invoke(event: unknown): Promise<InvokeOutcome>;
}

export interface ApiServerOptions {
  /** Route keys served by the function, e.g. ["POST /classify", "POST /embed"]. */
  readonly routeKeys: readonly string[];
  readonly lambda: LambdaInvoker;
  /** One line per request (API Gateway access log fields). @default console.log of JSON */
  readonly accessLog?: (entry: Record<string, unknown>) => void;
  /** @default REQUEST_BODY_TIMEOUT_MS */
  readonly bodyTimeoutMs?: number;
  /** The HTTP API's CORS configuration (config resolution's apiCors). @default undefined: no CORS, as deployed without */
  readonly cors?: CorsSettings;
}

export interface ApiServer extends http.Server {
  /**
   * Takes no new work and resolves once every request has its answer and the server is closed: requests in flight
   * get up to `drainMs` to finish, then a 503 with Retry-After. Called again, it stops waiting at once.
   * @default drainMs DRAIN_TIMEOUT_MS
   */
  stopGracefully(drainMs?: number): Promise<void>;
}

export function createApiServer(options: ApiServerOptions): ApiServer {
  const routes = new Set(options.routeKeys);
  const accessLog = options.accessLog ?? ((entry) => console.log(JSON.stringify(entry)));
  const inFlight = new InFlightRequests();
  const graceful = new GracefulStop(inFlight);

  // Node's own header ceiling (16 KiB by default) raised well above API Gateway's 10240 bytes, so the quota check
  // below answers with API Gateway's JSON instead of Node closing with a bare 431.
  const server = http.createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    const started = Date.now();
    const requestId = newGatewayRequestId();
    const path = (req.url ?? "/").split("?", 1)[0];
    const routeKey = `${req.method} ${path}`;
    let integrationMs: number | undefined;
    const log = (entry: Record<string, unknown>) =>
      accessLog({
        source: "local-api",
        requestId,
        routeKey: routes.has(routeKey) ? routeKey : "-",
        ...entry,
        responseLatency: Date.now() - started,
        integrationLatency: integrationMs,
      });

    const { cors } = options;
    const origin = req.headers.origin;
    const preflight = cors !== undefined && isPreflight(req.method, req.headers);

    const finish = (gatewayAnswer: GatewayAnswer, note?: string) => {
      if (res.headersSent || res.destroyed) return;
      const answer = cors && !preflight ? withCorsHeaders(gatewayAnswer, cors, origin) : gatewayAnswer;
      res.statusCode = answer.status;
      for (const [name, values] of Object.entries(answer.headers)) res.setHeader(name, values.length === 1 ? values[0] : values);
      res.setHeader("apigw-requestid", requestId);
      res.setHeader("content-length", answer.body.length);
      res.end(answer.body);
      log({ status: answer.status, responseLength: answer.body.length, ...(note ? { integrationError: note } : {}) });
    };
    inFlight.add(res, finish);

    // The client went away before its answer was written (an aborted upload, a client timeout): not a failure
    // of ours, and nobody is left to answer.
    res.on("close", () => {
      if (res.writableFinished) return;
      log({ status: 0, clientClosed: "the client closed the connection before the answer" });
    });

    if (graceful.stopping) {
      // Answered once the body is in: a connection closed while its client still sends makes the client's kernel
      // see a reset, not the answer. A body that never ends is answered when the drain ends (graceful-stop.ts).
      req.on("end", () => finish(stoppingAnswer(), "the local API is stopping"));
      req.on("error", () => undefined);
      req.resume();
      return;
    }

    if (requestLineAndHeaderBytes(req) > HTTP_API_MAX_REQUEST_LINE_AND_HEADER_BYTES) {
      res.setHeader("connection", "close");
      req.resume();
      return finish(REQUEST_HEADERS_TOO_LARGE(), "request line and headers over 10240 bytes");
    }
    if (preflight) {
      req.resume();
      return finish(preflightAnswer(cors, origin));
    }

    readBody(req, HTTP_API_MAX_PAYLOAD_BYTES, options.bodyTimeoutMs ?? REQUEST_BODY_TIMEOUT_MS)
      .then(async (body) => {
        if (body === "timeout") {
          res.setHeader("connection", "close");
          finish(REQUEST_TIMEOUT(), "the request body did not arrive in time");
          req.socket.destroySoon();
          return;
        }
        if (body === "aborted") return; // logged by the "close" listener above
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
          return finish(REQUEST_TOO_LARGE(), `Lambda request payload over ${LAMBDA_MAX_REQUEST_BYTES} bytes`);
        }
        const outcome = await options.lambda.invoke(event);
        integrationMs = outcome.durationMs;
        if (outcome.kind === "timeout") return finish(INTERNAL_SERVER_ERROR(), "function timed out");
        // Lambda refuses invocations over the function's concurrency (TooManyRequestsException); API Gateway's
        // proxy integration reports that as its own 500.
        if (outcome.kind === "throttled") return finish(INTERNAL_SERVER_ERROR(), "function throttled: all execution environments busy");
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
        finish(INTERNAL_SERVER_ERROR(), "local API failure");
      });
  });
  // API Gateway keeps client connections alive; the load test relies on it too.
  server.keepAliveTimeout = 60_000;
  // A client may end its sending side once its request is out (a half-close) and still read the answer. Node's
  // default ends the connection at once then, and the answer is lost; this switch (Node's own, long-standing but
  // undocumented) keeps it open until the answer is written. Tests through real sockets keep it honest.
  (server as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  answerClientErrors(server, inFlight, accessLog);
  return Object.assign(server, { stopGracefully: (drainMs?: number) => graceful.stop(server, drainMs) });
}

/** The request line ("POST /classify?top_k=3 HTTP/1.1") plus every header value, as the HTTP API quota counts them. */
function requestLineAndHeaderBytes(req: http.IncomingMessage): number {
  let bytes = Buffer.byteLength(`${req.method} ${req.url} HTTP/${req.httpVersion}`);
  for (let i = 1; i < req.rawHeaders.length; i += 2) bytes += Buffer.byteLength(req.rawHeaders[i]);
  return bytes;
}

/**
 * The whole body; undefined once it passes `limit` bytes (Content-Length checked first); "timeout" when it has not
 * all arrived within `timeoutMs`; "aborted" when the client went away first.
 */
function readBody(req: http.IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer | undefined | "timeout" | "aborted"> {
  return new Promise((resolve) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      req.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const timer = setTimeout(() => resolve("timeout"), timeoutMs);
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on("end", () => {
      clearTimeout(timer);
      resolve(over ? undefined : Buffer.concat(chunks));
    });
    // "aborted"/ECONNRESET: the client closed the connection mid-body.
    req.on("error", () => {
      clearTimeout(timer);
      resolve("aborted");
    });
  });
}
