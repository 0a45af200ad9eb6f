/**
 * The local endpoint's process tree (front `serve.py` -> model server guard -> multi-model-server -> Java -> Python
 * workers) on every exit path: nothing may outlive the front, whichever way it goes (the model server and its
 * workers hold ~1 GB and the port otherwise), and dead workers must show in /ping.
 */
import * as fs from "fs";
import { ensureDemoModel } from "../../local/model-assets";
import { freePort } from "../../dev-runtime/ports";
import type { ManagedProcess } from "../../dev-runtime/processes";
import { descendantPids, isAlive } from "../../dev-runtime/process-tree";
import { startEndpoint } from "../../local/stack";
import { call } from "./support/http";

jest.setTimeout(180_000);

let endpoint: ManagedProcess | undefined;
afterEach(async () => {
  await endpoint?.stop();
  endpoint = undefined;
});

async function start(): Promise<{ endpoint: ManagedProcess; tree: number[] }> {
  endpoint = await startEndpoint({ port: await freePort(), modelDir: ensureDemoModel(), endpointName: "local-vit", workers: 2 });
  const tree = descendantPids(endpoint.pid);
  return { endpoint, tree };
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return condition();
}

function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

it("leaves no process behind when the front is killed with SIGKILL", async () => {
  // Prepare
  const { endpoint: front, tree } = await start();
  expect(tree.some((pid) => /java/.test(commandOf(pid)))).toBe(true);
  expect(tree.filter((pid) => /model_service_worker/.test(commandOf(pid))).length).toBeGreaterThanOrEqual(2);

  // Act: only the front dies, abruptly (no handler runs)
  process.kill(front.pid, "SIGKILL");

  // Assess: the model server, Java and every worker follow it
  const allGone = await waitFor(() => tree.every((pid) => !isAlive(pid)), 20_000);
  expect({ allGone, left: tree.filter(isAlive).map((pid) => `${pid} ${commandOf(pid).slice(0, 120)}`) }).toEqual({
    allGone: true,
    left: [],
  });
});

it("leaves no process behind when the front stops normally (SIGTERM)", async () => {
  // Prepare
  const { endpoint: front, tree } = await start();

  // Act
  await front.stop();

  // Assess
  expect(await waitFor(() => tree.every((pid) => !isAlive(pid)), 20_000)).toBe(true);
});

it("answers /ping with 503 once workers are dead and cannot come back", async () => {
  // Prepare
  const { endpoint: front, tree } = await start();
  expect((await call(`${front.ready}/ping`, { method: "GET" })).status).toBe(200);
  const workers = tree.filter((pid) => /model_service_worker/.test(commandOf(pid)));
  // multi-model-server 1.1 forks its workers from one Python parent: without it a dead worker stays dead.
  const forkParent = workers.find((pid) => workers.some((other) => other !== pid && descendantPids(pid).includes(other)));
  expect(forkParent).toBeDefined();

  // Act
  process.kill(forkParent as number, "SIGKILL");
  for (const pid of workers.filter((pid) => pid !== forkParent)) process.kill(pid, "SIGKILL");

  // Assess
  const unhealthy = await waitFor(async () => (await call(`${front.ready}/ping`, { method: "GET" })).status === 503, 20_000);
  expect(unhealthy).toBe(true);
  const ping = await call(`${front.ready}/ping`, { method: "GET" });
  expect(ping.body).toMatchObject({ status: "Unhealthy" });
});
