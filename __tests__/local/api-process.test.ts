/**
 * The local API as `npm run local` runs it: its own process under Node.js 22 (local/api-main.ts) with the deployable
 * bundle, in front of a fake SageMaker Runtime whose model takes a moment. What this file proves is about sockets
 * and signals in that process: half-closed clients, CONNECT, a malformed request pipelined after a valid one, and
 * SIGTERM / SIGINT with requests in flight.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { classifyAnswer, FakeSageMakerRuntime, startFakeSageMakerRuntime } from "../../testing/fake-sagemaker-runtime";
import { STOPPING_RETRY_AFTER_SECONDS } from "../../local/graceful-stop";
import { freePort } from "../../dev-runtime/ports";
import type { ManagedProcess } from "../../dev-runtime/processes";
import { startApi } from "../../local/stack";
import { bundleLambda, LambdaBundle } from "../../src/support/lambda-bundle";
import { JPEG } from "../lambda/fixtures";
import { exchangeRaw } from "./raw-http";

jest.setTimeout(60_000);

/** How long the fake model takes per request: long enough for requests to be in flight when a signal comes. */
const MODEL_MS = 700;

let workdir: string;
let bundle: LambdaBundle;
let fake: FakeSageMakerRuntime;

beforeAll(async () => {
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), "api-process-test-"));
  bundle = bundleLambda({ outdir: path.join(workdir, "bundle") });
  fake = await startFakeSageMakerRuntime({ ...classifyAnswer(), delayMs: MODEL_MS });
}, 60_000);

afterAll(async () => {
  await fake.close();
  fs.rmSync(workdir, { recursive: true, force: true });
});

async function startLocalApi(): Promise<{ api: ManagedProcess; port: number }> {
  const port = await freePort();
  const api = await startApi({ port, bundleFile: bundle.file, endpointUrl: fake.url, endpointName: "local-vit", logLevel: "WARN" });
  return { api, port };
}

const classifyRequest = `POST /classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: ${JPEG.length}\r\n\r\n`;
const rawClassify = Buffer.concat([Buffer.from(classifyRequest), JPEG]);

async function untilExited(api: ManagedProcess, withinMs: number): Promise<number> {
  const started = Date.now();
  while (api.running() && Date.now() - started < withinMs) await new Promise((resolve) => setTimeout(resolve, 50));
  return Date.now() - started;
}

describe("the local API process (Node.js 22) on its sockets", () => {
  let api: ManagedProcess;
  let port: number;
  beforeAll(async () => ({ api, port } = await startLocalApi()), 60_000);
  afterAll(() => api?.stop());

  it("answers a client that half-closes its side after a complete request", async () => {
    // Act
    const exchange = await exchangeRaw(port, rawClassify, 10_000, "half-close");
    // Assess
    expect(exchange.text).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*"predictions"/);
    expect(exchange.closedByServer).toBe(true);
  });

  it("answers CONNECT and an unknown method with a status line", async () => {
    // Act
    const connect = await exchangeRaw(port, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 5_000);
    const brew = await exchangeRaw(port, "BREW /classify HTTP/1.1\r\nHost: x\r\n\r\n", 5_000);
    // Assess
    expect(connect.text).toMatch(/^HTTP\/1\.1 404 Not Found\r\n[\s\S]*\{"message":"Not Found"\}$/);
    expect(brew.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\{"message":"Bad Request"\}$/);
  });

  it("keeps the answer of a valid request when the next one in the same packet is malformed", async () => {
    // Act
    const exchange = await exchangeRaw(port, Buffer.concat([rawClassify, Buffer.from("GARBAGE\r\n\r\n")]), 10_000);
    // Assess
    expect(exchange.text).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*"predictions"[\s\S]*HTTP\/1\.1 400 Bad Request\r\n/);
    expect(exchange.closedByServer).toBe(true);
  });
});

describe.each(["SIGTERM", "SIGINT"] as const)("the local API process on %s", (signal) => {
  it("answers every request in flight, answers the next with a JSON 503 and Retry-After, and exits", async () => {
    // Prepare: six clients inside the (slow) model
    const { api, port } = await startLocalApi();
    const send = () =>
      fetch(`http://127.0.0.1:${port}/classify`, { method: "POST", body: JPEG, headers: { "content-type": "image/jpeg" } }).then(
        async (response) => ({ status: response.status, retryAfter: response.headers.get("retry-after"), body: await response.json() }),
        (error: Error) => ({ status: 0, retryAfter: null, body: String(error.cause ?? error) }),
      );
    const seen = fake.requests.length;
    const inFlight = Array.from({ length: 6 }, send);
    while (fake.requests.length < seen + 6) await new Promise((resolve) => setTimeout(resolve, 10));

    // Act
    process.kill(api.pid, signal);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const during = await send();
    const answers = await Promise.all(inFlight);
    const exitedAfterMs = await untilExited(api, 15_000);

    // Assess
    expect(answers).toEqual(
      Array.from({ length: 6 }, () => expect.objectContaining({ status: 200, body: { predictions: expect.any(Array) } })),
    );
    expect(during).toEqual({ status: 503, retryAfter: String(STOPPING_RETRY_AFTER_SECONDS), body: { message: "Service Unavailable" } });
    expect(api.running()).toBe(false);
    expect(exitedAfterMs).toBeLessThan(5_000);
    expect(api.output()).toContain(`local API: ${signal}: stopping`);
    expect(api.output()).not.toMatch(/^\s+at |Traceback/m); // no stack trace
  });
});
