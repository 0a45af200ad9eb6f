/**
 * Ctrl-C on `npm run local` while clients are sending (what people do first): local/run.ts is started as the npm
 * script starts it, eight clients classify in a loop, and run.ts gets SIGINT, as a terminal sends it. No request
 * may lose its answer: those in flight finish (the API stops first, the endpoint after it), later ones get the
 * API's JSON 503 with Retry-After or find the port closed; run.ts stops and frees both ports.
 */
import * as path from "path";
import { REPO_ROOT } from "../../common/repo-root";
import { ensureDemoModel } from "../../local/model-assets";
import { STOPPING_RETRY_AFTER_SECONDS } from "../../local/graceful-stop";
import { assertPortFree, freePort } from "../../dev-runtime/ports";
import { startProcess } from "../../dev-runtime/processes";
import { pngRgba } from "./support/bad-images";

jest.setTimeout(300_000);

const CLIENTS = 8;
/** A picture that keeps a model server worker busy for a moment, so requests are still inside the endpoint at the signal. */
const IMAGE = pngRgba(2500, 2500);
/** Answers to see before the signal: every client past its cold start, so all eight are in flight at the signal. */
const ANSWERS_BEFORE_SIGNAL = 3 * CLIENTS;

interface Outcome {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: unknown;
  /** The cause's code when no answer came (ECONNREFUSED: the port was closed, the request never sent). */
  readonly error?: string;
}

it("answers every request on Ctrl-C with eight clients sending, then stops with both ports free", async () => {
  // Prepare: the local stack as `npm run local` runs it (ts-node on local/run.ts), on free ports
  const apiPort = await freePort();
  const endpointPort = await freePort();
  const run = await startProcess({
    name: "local",
    command: process.execPath,
    args: [path.join(REPO_ROOT, "node_modules", "ts-node", "dist", "bin.js"), "--transpile-only", path.join(REPO_ROOT, "local", "run.ts")],
    cwd: REPO_ROOT,
    env: { ...process.env, API_PORT: String(apiPort), ENDPOINT_PORT: String(endpointPort), MODEL_DIR: ensureDemoModel() },
    readyLine: /API\s+(http:\/\/\S+)/,
    readyTimeoutMs: 240_000,
  });
  const outcomes: Outcome[] = [];
  const send = async (): Promise<Outcome> => {
    try {
      const response = await fetch(`${run.ready}/classify`, { method: "POST", body: IMAGE, headers: { "content-type": "image/png" } });
      const text = await response.text();
      return { status: response.status, retryAfter: response.headers.get("retry-after"), body: JSON.parse(text) };
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { status: 0, retryAfter: null, body: null, error: cause?.code ?? cause?.message ?? String(error) };
    }
  };
  // Each client sends again as soon as it has an answer, until the stack turns it away.
  const clients = Array.from({ length: CLIENTS }, async () => {
    for (;;) {
      const outcome = await send();
      outcomes.push(outcome);
      if (outcome.status !== 200) return;
    }
  });
  const warming = Date.now();
  while (outcomes.length < ANSWERS_BEFORE_SIGNAL && Date.now() - warming < 120_000) await new Promise((resolve) => setTimeout(resolve, 20));
  const beforeSignal = outcomes.length;

  // Act
  process.kill(run.pid, "SIGINT");
  await Promise.all(clients);
  const started = Date.now();
  while (run.running() && Date.now() - started < 60_000) await new Promise((resolve) => setTimeout(resolve, 100));

  // Assess: every request got an answer (200, or the API's stopping 503), or found the port already closed
  const context = `\n${run.output().slice(-4000)}`;
  expect(outcomes.slice(0, beforeSignal).every((outcome) => outcome.status === 200)).toBe(true);
  for (const outcome of outcomes) {
    if (outcome.status === 200) continue;
    const stopping = { status: 503, retryAfter: String(STOPPING_RETRY_AFTER_SECONDS), body: { message: "Service Unavailable" } };
    const refused = { status: 0, retryAfter: null, body: null, error: "ECONNREFUSED" };
    expect([stopping, refused]).toContainEqual(outcome);
  }
  // The requests in flight when the signal came were answered by the model, after the signal.
  expect(outcomes.slice(beforeSignal).filter((outcome) => outcome.status === 200).length).toBeGreaterThanOrEqual(1);
  expect(run.running()).toBe(false);
  expect(run.output()).toMatch(/\[local\].*stopped/);
  expect(run.output()).not.toMatch(/^\s+at |Traceback/m);
  await expect(assertPortFree(apiPort, "API_PORT")).resolves.toBeUndefined();
  await expect(assertPortFree(endpointPort, "ENDPOINT_PORT")).resolves.toBeUndefined();
  if (outcomes.some((outcome) => outcome.status !== 200 && outcome.status !== 503 && outcome.error !== "ECONNREFUSED")) {
    throw new Error(context);
  }
});
