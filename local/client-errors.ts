/**
 * What the local API answers when a client's bytes are not a request it can route: a status line and API Gateway's
 * JSON body, never a silent close. Node's defaults would close a CONNECT without a word, and answer a malformed
 * request with a bare 400 written over the answer still owed to a valid request pipelined before it on the same
 * connection (which then never comes). Here that answer is written first, then the 400, then the close.
 */
import { STATUS_CODES, type IncomingMessage, type Server } from "http";
import type { Duplex } from "stream";
import { newGatewayRequestId } from "./apigw-event";
import { GatewayAnswer, gatewayError, NOT_FOUND, REQUEST_HEADERS_TOO_LARGE, REQUEST_TIMEOUT } from "./apigw-response";
import type { InFlightRequests } from "./in-flight";

/** Node's parser error codes that have an answer of their own; every other one is a 400. */
const ANSWERS: Record<string, () => GatewayAnswer> = {
  HPE_HEADER_OVERFLOW: REQUEST_HEADERS_TOO_LARGE,
  ERR_HTTP_REQUEST_TIMEOUT: REQUEST_TIMEOUT,
};
const BAD_REQUEST = () => gatewayError(400, "Bad Request");

export function answerClientErrors(server: Server, inFlight: InFlightRequests, accessLog: (entry: Record<string, unknown>) => void): void {
  const answered = new WeakSet<Duplex>();
  /** `entry`: the access-log line's own fields; undefined when a request's own line already tells (see below). */
  const answerAndClose = (socket: Duplex, answer: GatewayAnswer, entry: Record<string, unknown> | undefined) => {
    const requestId = newGatewayRequestId();
    if (socket.writable) socket.end(serialise(answer, requestId));
    else socket.destroy();
    if (entry) {
      accessLog({ source: "local-api", requestId, routeKey: "-", status: answer.status, responseLength: answer.body.length, ...entry });
    }
  };

  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    // The parser reports the same error again for every later packet of the connection: answer once.
    if (answered.has(socket)) return;
    answered.add(socket);
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const answer = (ANSWERS[error.code ?? ""] ?? BAD_REQUEST)();
    const entry = { clientError: error.code ?? error.message };
    // A request whose body the bad bytes (or the client's end of sending) cut short can never be answered: answer
    // the connection now. That request's own access-log line records it as closed by the client.
    const cutShort = [...inFlight.of(socket)].some((res) => !res.req.complete);
    if (cutShort) answerAndClose(socket, answer, undefined);
    else inFlight.afterAnswersOf(socket, () => answerAndClose(socket, answer, entry));
  });

  // CONNECT asks for a tunnel, which API Gateway does not offer: no route matches it (API Gateway's answer to
  // CONNECT is not published; this is its answer to any unrouted request).
  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => socket.destroy());
    answerAndClose(socket, NOT_FOUND(), { method: req.method, target: req.url });
  });
}

/** The whole HTTP/1.1 answer as bytes, for a connection Node's response objects no longer manage. */
function serialise(answer: GatewayAnswer, requestId: string): Buffer {
  const lines = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ""}`];
  for (const [name, values] of Object.entries(answer.headers)) for (const value of values) lines.push(`${name}: ${value}`);
  lines.push(`apigw-requestid: ${requestId}`, `content-length: ${answer.body.length}`, "connection: close");
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`), answer.body]);
}
