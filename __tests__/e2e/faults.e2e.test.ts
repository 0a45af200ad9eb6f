/**
 * Faults between the Lambda and the endpoint, through the whole local chain. The API process is started once and
 * never restarted: the same warm "execution environment" has to ride out the endpoint going away, turning slow and
 * coming back. The tests run in order; each leaves the stack as the next one expects it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { modelScriptEnvironment, writeTestImages } from "../../local/model-assets";
import { REPO_ROOT } from "../../common/repo-root";
import { paths } from "../../local/settings";
import { descendantPids } from "../../dev-runtime/process-tree";
import { pngRgba } from "./support/bad-images";
import { call, imageRequest } from "./support/http";
import { E2EStack, startE2EStack } from "./support/local-stack";

jest.setTimeout(180_000);

/** API Gateway HTTP API's hard limit: an answer must come before it or the caller sees API Gateway's own error. */
const API_GATEWAY_LIMIT_MS = 30_000;

let stack: E2EStack;
let work: string;
let image: string;
let label: string;
let apiPid: number;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-faults-"));
  ({ file: image, label } = writeTestImages(work, 1).images[0]);
  stack = await startE2EStack();
  apiPid = stack.api.pid;
}, 600_000);

afterAll(async () => {
  await stack?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

const classify = () => call(`${stack.apiUrl}/classify`, imageRequest(image, "raw"));

it("serves normally before any fault", async () => {
  expect((await classify()).status).toBe(200);
});

it("answers from a fresh worker when the worker running a request dies (one retry within the budget)", async () => {
  // Prepare: pictures that keep a worker busy for a while (RGBA at the 100 MB inflated ceiling), more of them than
  // there are workers so both are busy, and the worker processes (children of the model server's Python fork
  // server, which restarts them)
  const busy = pngRgba(4900, 4900);
  const isWorker = (pid: number) => /model_service_worker/.test(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8"));
  const workers = descendantPids(stack.endpoint.pid).filter((pid) => {
    try {
      return isWorker(pid) && isWorker(Number(fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[1]));
    } catch {
      return false;
    }
  });
  expect(workers.length).toBeGreaterThanOrEqual(1);

  // Act: kill every worker while the first requests are being decoded
  const pending = Array.from({ length: 4 }, () =>
    call(`${stack.apiUrl}/classify`, { method: "POST", body: busy, headers: { "content-type": "image/png" } }),
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const pid of workers) process.kill(pid, "SIGKILL");
  const answers = await Promise.all(pending);

  // Assess: every request is answered; those in flight got multi-model-server's "Worker died." (500) once and the
  // Lambda sent them again
  for (const answer of answers)
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { predictions: expect.any(Array) } });
  const ids = new Set(answers.map((answer) => answer.headers.get("x-request-id")));
  const summaries = stack.api
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{") && line.includes('"request completed"'))
    .map((line) => JSON.parse(line) as { requestId: string; attempts: number })
    .filter((line) => ids.has(line.requestId));
  expect(summaries).toHaveLength(4);
  expect(summaries.filter((line) => line.attempts === 2).length).toBeGreaterThanOrEqual(1);
  expect(stack.api.output()).toMatch(/endpoint attempt failed.*Worker died\./);
});

it("answers a fast 503 endpoint_unavailable with Retry-After while the endpoint is down", async () => {
  // Prepare
  await stack.stopEndpoint();
  // Act
  const answer = await classify();
  // Assess: connection refused is retried within the budget, then reported as unavailable (lambda/errors.ts).
  expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({ status: 503, code: "endpoint_unavailable" });
  expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(answer.body.error.message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|Traceback/);
  expect(answer.elapsedMs).toBeLessThan(5_000);
});

it("answers 504 before API Gateway's 30 s when the endpoint is slower than the invoke budget", async () => {
  // Prepare: the endpoint now takes 40 s per request (below SageMaker's 60 s container limit).
  await stack.startEndpoint({ testDelayMs: 40_000 });
  // Act
  const answer = await classify();
  // Assess
  expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({ status: 504, code: "endpoint_timeout" });
  expect(answer.elapsedMs).toBeLessThan(API_GATEWAY_LIMIT_MS);
});

it("recovers when the endpoint comes back (from a model.tar.gz this time), with no restart of the API", async () => {
  // Prepare: serve the packaged SageMaker artifact of the same model, as the stack deploys it.
  await stack.stopEndpoint();
  const tarball = path.join(work, "model.tar.gz");
  execFileSync(paths.modelPython, [path.join(REPO_ROOT, "model", "scripts", "package_model.py"), stack.modelDir, tarball], {
    cwd: REPO_ROOT,
    env: modelScriptEnvironment(),
    stdio: "ignore",
  });
  await stack.startEndpoint({ modelDir: tarball });
  // Act
  const answer = await classify();
  // Assess
  expect(answer.status).toBe(200);
  expect(answer.body.predictions[0].label).toBe(label);
  expect(stack.api.pid).toBe(apiPid);
  expect(stack.api.running()).toBe(true);
});
