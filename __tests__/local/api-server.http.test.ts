// The local API server over real HTTP on loopback, with a recording fake in place of the Lambda bundle.
import * as net from "net";
import type { AddressInfo } from "net";
import type { Server } from "http";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { createApiServer, LambdaInvoker } from "../../local/api-server";
import type { InvokeOutcome } from "../../local/lambda-runtime";

let server: Server;
let url: string;
let events: APIGatewayProxyEventV2[];
let next: (event: APIGatewayProxyEventV2) => InvokeOutcome;
let accessLines: Record<string, unknown>[];
const BODY_TIMEOUT_MS = 400;

const fakeLambda: LambdaInvoker = {
  async invoke(event) {
    events.push(event as APIGatewayProxyEventV2);
    return next(event as APIGatewayProxyEventV2);
  },
};

beforeAll(async () => {
  server = createApiServer({
    routeKeys: ["POST /classify", "POST /embed"],
    lambda: fakeLambda,
    accessLog: (entry) => accessLines.push(entry),
    bodyTimeoutMs: BODY_TIMEOUT_MS,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  events = [];
  accessLines = [];
  next = () => ({
    kind: "result",
    value: { statusCode: 200, headers: { "content-type": "application/json" }, body: '{"ok":true}' },
    durationMs: 1,
  });
});

it("passes a binary upload to the function as a base64 payload 2.0 event and writes its answer back", async () => {
  // Prepare
  const image = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2]);
  // Act
  const response = await fetch(`${url}/classify?top_k=2`, { method: "POST", body: image, headers: { "Content-Type": "image/png" } });
  // Assess
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ ok: true });
  expect(response.headers.get("apigw-requestid")).toMatch(/=$/);
  expect(events).toHaveLength(1);
  const [event] = events;
  expect(event.routeKey).toBe("POST /classify");
  expect(event.requestContext.requestId).toBe(response.headers.get("apigw-requestid"));
  expect(event.isBase64Encoded).toBe(true);
  expect(Buffer.from(event.body ?? "", "base64")).toEqual(image);
  expect(event.queryStringParameters).toEqual({ top_k: "2" });
  expect(event.headers["content-type"]).toBe("image/png");
});

it.each([
  ["GET", "/classify"],
  ["POST", "/classify/"],
  ["POST", "/unknown"],
])("answers %s %s with API Gateway's 404 without calling the function", async (method, path) => {
  const response = await fetch(`${url}${path}`, { method, body: method === "POST" ? "x" : undefined });
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({ message: "Not Found" });
  expect(events).toHaveLength(0);
});

it("answers 413 for a body over HTTP API's 10 MB limit and for an event over Lambda's 6 MB payload limit", async () => {
  const overApi = await fetch(`${url}/classify`, {
    method: "POST",
    body: Buffer.alloc(10 * 1024 * 1024 + 1),
    headers: { "content-type": "image/jpeg" },
  });
  expect(overApi.status).toBe(413);
  expect(await overApi.json()).toEqual({ message: "Request Entity Too Large" });

  // 4.8 MB of binary is 6.4 MB once base64-encoded into the event.
  const overLambda = await fetch(`${url}/classify`, {
    method: "POST",
    body: Buffer.alloc(4_800_000),
    headers: { "content-type": "image/jpeg" },
  });
  expect(overLambda.status).toBe(413);
  expect(events).toHaveLength(0);
});

it.each<[string, () => InvokeOutcome]>([
  ["throws", () => ({ kind: "error", error: new Error("boom"), durationMs: 1 })],
  ["times out", () => ({ kind: "timeout", durationMs: 28000 })],
  ["returns a malformed response", () => ({ kind: "result", value: { statusCode: "oops" }, durationMs: 1 })],
])("answers 500 Internal Server Error when the function %s, and keeps serving", async (name, outcome) => {
  const stderr = jest.spyOn(console, "error").mockImplementation(() => undefined);
  next = outcome;
  const failed = await fetch(`${url}/embed`, { method: "POST", body: "x", headers: { "content-type": "image/jpeg" } });
  expect(failed.status).toBe(500);
  expect(await failed.json()).toEqual({ message: "Internal Server Error" });
  // A thrown error is reported on stderr like Lambda's own log line (the other outcomes log their own way).
  if (name === "throws") expect(stderr).toHaveBeenCalledWith(expect.stringContaining("function error:"), expect.any(Error));
  stderr.mockRestore();

  next = () => ({ kind: "result", value: { statusCode: 200, body: "fine" }, durationMs: 1 });
  const after = await fetch(`${url}/embed`, { method: "POST", body: "x", headers: { "content-type": "image/jpeg" } });
  expect(after.status).toBe(200);
  expect(await after.text()).toBe("fine");
});

it("decodes base64 response bodies and turns cookies into set-cookie headers", async () => {
  next = () => ({
    kind: "result",
    value: { statusCode: 201, isBase64Encoded: true, body: Buffer.from("bytes").toString("base64"), cookies: ["a=1", "b=2"] },
    durationMs: 1,
  });
  const response = await fetch(`${url}/classify`, { method: "POST", body: "x", headers: { "content-type": "image/jpeg" } });
  expect(response.status).toBe(201);
  expect(await response.text()).toBe("bytes");
  expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
});

/** Writes raw bytes on a fresh connection and collects what comes back until the server closes it (or `waitMs`). */
function rawExchange(
  bytes: string | Buffer,
  waitMs: number,
  closeAfterWrite = false,
): Promise<{ text: string; closedByServer: boolean; elapsedMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect((server.address() as AddressInfo).port, "127.0.0.1");
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedByServer: false, elapsedMs: Date.now() - started });
    }, waitMs);
    socket.on("data", (chunk) => (text += chunk.toString()));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text, closedByServer: true, elapsedMs: Date.now() - started });
    });
    socket.on("error", () => undefined);
    socket.write(bytes, () => {
      if (closeAfterWrite) socket.destroy();
    });
  });
}

it("gives up on a body shorter than its Content-Length, answers 408 and closes, without calling the function", async () => {
  // Act: 1000 bytes announced, 10 sent, then silence
  const exchange = await rawExchange(
    "POST /classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 1000\r\n\r\n0123456789",
    10_000,
  );

  // Assess
  expect(exchange.closedByServer).toBe(true);
  expect(exchange.text).toMatch(/^HTTP\/1\.1 408/);
  expect(exchange.text).toContain('{"message":"Request Timeout"}');
  expect(exchange.elapsedMs).toBeLessThan(BODY_TIMEOUT_MS + 2_000);
  expect(events).toHaveLength(0);
});

it("answers 431 when the request line and header values pass API Gateway's 10240 bytes, without calling the function", async () => {
  // Prepare: 10 300 bytes of header value is under Node's own limit (16 KiB), over API Gateway's
  const headers = { "content-type": "image/jpeg", "x-padding": "a".repeat(10_300) };

  // Act
  const over = await fetch(`${url}/classify`, { method: "POST", body: "x", headers });
  const under = await fetch(`${url}/classify`, { method: "POST", body: "x", headers: { ...headers, "x-padding": "a".repeat(9_000) } });

  // Assess
  expect(over.status).toBe(431);
  expect(await over.json()).toEqual({ message: "Request Header Fields Too Large" });
  expect(under.status).toBe(200);
  expect(events).toHaveLength(1);
});

it("logs a client that aborts its upload as a closed connection, not as a failure with a stack trace", async () => {
  // Prepare
  const errors = jest.spyOn(console, "error").mockImplementation(() => undefined);
  try {
    // Act: half the body, then the client goes away
    await rawExchange(
      "POST /classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 1000\r\n\r\n0123456789",
      2_000,
      true,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Assess
    expect(errors).not.toHaveBeenCalled();
    expect(accessLines).toEqual([expect.objectContaining({ status: 0, clientClosed: expect.stringContaining("closed the connection") })]);
    expect(events).toHaveLength(0);
    expect((await fetch(`${url}/classify`, { method: "POST", body: "x", headers: { "content-type": "image/jpeg" } })).status).toBe(200);
  } finally {
    errors.mockRestore();
  }
});

it("answers API Gateway's 500 when the function is throttled (every execution environment busy)", async () => {
  next = () => ({ kind: "throttled", durationMs: 0 });
  const response = await fetch(`${url}/classify`, { method: "POST", body: "x", headers: { "content-type": "image/jpeg" } });
  expect(response.status).toBe(500);
  expect(await response.json()).toEqual({ message: "Internal Server Error" });
  expect(accessLines[0]).toMatchObject({ integrationError: expect.stringContaining("throttled") });
});
