/**
 * The local API process as `npm run local` and the end-to-end tests start it (local/stack.ts startApi: Node.js 22,
 * the Lambda's environment, the real bundle) in front of a fake SageMaker Runtime, over real HTTP: what the function
 * sees of the Lambda runtime (cold starts) and where each kind of output goes.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FakeSageMakerRuntime, startFakeSageMakerRuntime } from "../../testing/fake-sagemaker-runtime";
import { freePort } from "../../dev-runtime/ports";
import type { ManagedProcess } from "../../dev-runtime/processes";
import { startApi } from "../../local/stack";
import { bundleLambda, LambdaBundle } from "../../src/support/lambda-bundle";
import { JPEG } from "../lambda/fixtures";

jest.setTimeout(60_000);

let work: string;
let bundle: LambdaBundle;
let fake: FakeSageMakerRuntime;
let api: ManagedProcess | undefined;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "api-process-test-"));
  bundle = bundleLambda({ outdir: path.join(work, "bundle") });
  fake = await startFakeSageMakerRuntime();
}, 60_000);
afterEach(async () => {
  await api?.stop();
  api = undefined;
});
afterAll(async () => {
  await fake.close();
  fs.rmSync(work, { recursive: true, force: true });
});

async function start(options: { functionLogFile?: string } = {}): Promise<ManagedProcess> {
  api = await startApi({
    port: await freePort(),
    bundleFile: bundle.file,
    endpointUrl: fake.url,
    endpointName: "local-vit",
    ...options,
  });
  return api;
}

async function classify(url: string): Promise<number> {
  const response = await fetch(`${url}/classify`, { method: "POST", headers: { "content-type": "image/jpeg" }, body: JPEG });
  await response.text();
  return response.status;
}

/** Lines of a process's output (or a file) that parse as JSON objects. */
function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function waitFor<T>(read: () => T[], count: number): Promise<T[]> {
  for (let i = 0; i < 50 && read().length < count; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  return read();
}

it("reports a cold start on an execution environment's first invocation only, as Lambda's on-demand environments do", async () => {
  // Prepare
  const process = await start();

  // Act: one after the other, so both run in the same environment
  const statuses = [await classify(process.ready), await classify(process.ready)];

  // Assess
  expect(statuses).toEqual([200, 200]);
  const handlerLines = await waitFor(() => jsonLines(process.output()).filter((line) => line.message === "request completed"), 2);
  expect(handlerLines.map((line) => line.cold_start)).toEqual([true, false]);
});

it("writes one access-log line per request to its output and the function's own log lines to the function log", async () => {
  // Prepare
  const functionLog = path.join(work, "function.log");
  const process = await start({ functionLogFile: functionLog });

  // Act
  const statuses = [await classify(process.ready), await classify(process.ready)];

  // Assess
  expect(statuses).toEqual([200, 200]);
  const logged = await waitFor(() => jsonLines(fs.readFileSync(functionLog, "utf8")), 2);
  expect(logged.map((line) => line.message)).toEqual(["request completed", "request completed"]);
  await waitFor(() => jsonLines(process.output()), 2); // each access line is written once its answer is sent
  const output = process.output().trim().split("\n");
  expect(output[0]).toMatch(/^LOCAL_API_READY http:\/\/127\.0\.0\.1:\d+$/);
  expect(output.slice(1).map((line) => JSON.parse(line))).toEqual([
    expect.objectContaining({ source: "local-api", routeKey: "POST /classify", status: 200 }),
    expect.objectContaining({ source: "local-api", routeKey: "POST /classify", status: 200 }),
  ]);
});
