// The local API server over real HTTP on loopback, with a recording fake in place of the Lambda bundle.
import * as net from "net";
import type { AddressInfo } from "net";
import type { Server } from "http";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { createApiServer, LambdaInvoker } from "../../local/api-server";
import { STOPPING_RETRY_AFTER_SECONDS } from "../../local/graceful-stop";
import type { InvokeOutcome } from "../../local/lambda-runtime";
import { exchangeRaw, RawAfter } from "./raw-http";

let server: Server;
let url: string;
let events: APIGatewayProxyEventV2[];
let next: (event: APIGatewayProxyEventV2) => InvokeOutcome;
let accessLines: Record<string, unknown>[];
const BODY_TIMEOUT_MS = 400;

let invokeDelayMs: number;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const fakeLambda: LambdaInvoker = {
  async invoke(event) {
    events.push(event as APIGatewayProxyEventV2);
    if (invokeDelayMs > 0) await sleep(invokeDelayMs);
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
  invokeDelayMs = 0;
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

/** Raw bytes to this file's server on a fresh connection (./raw-http.ts). */
const rawExchange = (bytes: string | Buffer, waitMs: number, after?: RawAfter) =>
  exchangeRaw((server.address() as AddressInfo).port, bytes, waitMs, after);

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
      "destroy",
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

describe("connections as clients really use them", () => {
  const request = "POST /classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 1\r\n\r\nx";

  it("answers a client that half-closes its side after a complete request (as `curl -T` or a shell pipe may)", async () => {
    // Prepare: the FIN arrives while the function runs
    invokeDelayMs = 200;

    // Act
    const exchange = await rawExchange(request, 5_000, "half-close");

    // Assess
    expect(exchange.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(exchange.text.endsWith('{"ok":true}')).toBe(true);
    expect(exchange.closedByServer).toBe(true);
    expect(events).toHaveLength(1);
  });

  it("answers CONNECT with a status line and API Gateway's JSON, then closes", async () => {
    // Act
    const exchange = await rawExchange("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 5_000);

    // Assess
    expect(exchange.text).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(exchange.text.endsWith('{"message":"Not Found"}')).toBe(true);
    expect(exchange.closedByServer).toBe(true);
    expect(accessLines).toEqual([expect.objectContaining({ status: 404, method: "CONNECT" })]);
    expect(events).toHaveLength(0);
  });

  it.each([
    ["a method HTTP does not know", "BREW /classify HTTP/1.1\r\nHost: x\r\n\r\n"],
    ["an HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"],
    ["a request line that is no HTTP", "hello\r\n\r\n"],
  ])("answers %s with a JSON 400 and closes", async (_name, bytes) => {
    // Act
    const exchange = await rawExchange(bytes, 5_000);

    // Assess
    expect(exchange.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(exchange.text).toMatch(/\r\ncontent-type: application\/json\r\n/i);
    expect(exchange.text.endsWith('{"message":"Bad Request"}')).toBe(true);
    expect(exchange.closedByServer).toBe(true);
    expect(accessLines).toEqual([expect.objectContaining({ status: 400, clientError: expect.any(String) })]);
  });

  it("keeps the answer of a valid request when the next one in the same packet is malformed", async () => {
    // Prepare: the function takes a moment, so the malformed bytes are parsed while the first request runs
    invokeDelayMs = 200;

    // Act
    const exchange = await rawExchange(`${request}GARBAGE\r\n\r\n`, 5_000);

    // Assess: the first answer, then the 400, then the close
    expect(exchange.text).toMatch(
      /^HTTP\/1\.1 200 OK\r\n[\s\S]*\{"ok":true\}HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\{"message":"Bad Request"\}$/,
    );
    expect(exchange.closedByServer).toBe(true);
    expect(events).toHaveLength(1);
  });
});

describe("stopping (SIGINT/SIGTERM in api-main.ts) without losing an answer", () => {
  /** A server of its own (stopping closes it) whose function answers 200 after `delayMs`. */
  async function startServer(delayMs: number) {
    const invoked: unknown[] = [];
    const lines: Record<string, unknown>[] = [];
    const own = createApiServer({
      routeKeys: ["POST /classify"],
      lambda: {
        async invoke(event) {
          invoked.push(event);
          // Unref'd: a function still "running" after its test must not keep the Jest worker alive.
          await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
          return { kind: "result", value: { statusCode: 200, body: '{"ok":true}' }, durationMs: delayMs };
        },
      },
      accessLog: (entry) => lines.push(entry),
    });
    await new Promise<void>((resolve) => own.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(own.address() as AddressInfo).port}`;
    const send = () => fetch(`${base}/classify`, { method: "POST", body: "x", headers: { "content-type": "image/jpeg" } });
    const untilInvoked = async (count: number) => {
      while (invoked.length < count) await sleep(5);
    };
    return { own, send, untilInvoked, lines, invoked };
  }

  it("finishes the requests in flight, answers new ones with a JSON 503 and Retry-After, then closes its port", async () => {
    // Prepare: five requests inside the function
    const { own, send, untilInvoked, invoked } = await startServer(400);
    const inFlight = Array.from({ length: 5 }, () => send());
    await untilInvoked(5);

    // Act
    const started = Date.now();
    const stopped = own.stopGracefully(10_000);
    const during = await send();
    const answers = await Promise.all(inFlight);
    await stopped;

    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ ok: true });
      expect(answer.headers.get("connection")).toBe("close");
    }
    expect(during.status).toBe(503);
    expect(await during.json()).toEqual({ message: "Service Unavailable" });
    expect(during.headers.get("retry-after")).toBe(String(STOPPING_RETRY_AFTER_SECONDS));
    expect(invoked).toHaveLength(5);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(own.listening).toBe(false);
    await expect(send()).rejects.toThrow();
  });

  it("answers a request still running when the wait ends with a JSON 503 and Retry-After", async () => {
    // Prepare
    const { own, send, untilInvoked, lines } = await startServer(5_000);
    const slow = send();
    await untilInvoked(1);

    // Act
    const started = Date.now();
    await own.stopGracefully(300);
    const answer = await slow;

    // Assess
    expect(answer.status).toBe(503);
    expect(await answer.json()).toEqual({ message: "Service Unavailable" });
    expect(answer.headers.get("retry-after")).toBe(String(STOPPING_RETRY_AFTER_SECONDS));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(lines).toEqual([
      expect.objectContaining({ status: 503, integrationError: expect.stringContaining("stopped before the function answered") }),
    ]);
  });

  it("reads the whole body of a request that arrives while stopping before it answers, so the client sees no reset", async () => {
    // Prepare: a stopping server (one slow request keeps it draining) and a client whose body comes after its headers
    const { own, send, untilInvoked } = await startServer(1_000);
    const slow = send();
    await untilInvoked(1);
    const stopped = own.stopGracefully(5_000);
    // allowHalfOpen: like an HTTP client, it goes on sending its body whatever the server does meanwhile
    const socket = net.connect({ port: (own.address() as AddressInfo).port, host: "127.0.0.1", allowHalfOpen: true });
    let text = "";
    let error: string | undefined;
    socket.on("data", (chunk) => (text += chunk.toString()));
    socket.on("error", (err: NodeJS.ErrnoException) => (error = err.code));
    const closed = new Promise((resolve) => socket.on("close", resolve));

    // Act: headers and half the body, then the rest a moment later
    socket.write("POST /classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 2000000\r\n\r\n");
    socket.write(Buffer.alloc(100_000, 1));
    await sleep(200);
    socket.write(Buffer.alloc(1_900_000, 1));
    socket.end();
    await closed;

    // Assess
    expect(error).toBeUndefined();
    expect(text).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n[\s\S]*\{"message":"Service Unavailable"\}$/);
    expect((await slow).status).toBe(200);
    await stopped;
  });

  it("stops waiting when asked again (a second Ctrl-C)", async () => {
    // Prepare
    const { own, send, untilInvoked } = await startServer(5_000);
    const slow = send();
    await untilInvoked(1);

    // Act
    const started = Date.now();
    const first = own.stopGracefully(10_000);
    await sleep(100);
    await own.stopGracefully();
    await first;

    // Assess
    expect((await slow).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
