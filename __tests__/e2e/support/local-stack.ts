/**
 * Starts the real local stack for an end-to-end test file, on free ports, and stops every process it started
 * (also when a test fails: call `stop()` in afterAll; processes.ts kills leftover groups when Jest's worker exits).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bundleLambda } from "../../../src/support/lambda-bundle";
import { ensureDemoModel } from "../../../local/model-assets";
import { freePort } from "../../../dev-runtime/ports";
import type { ManagedProcess } from "../../../dev-runtime/processes";
import { ApiOptions, startApi, startEndpoint } from "../../../local/stack";

export const ENDPOINT_NAME = "local-vit";

export interface E2EStack {
  readonly apiUrl: string;
  readonly endpointUrl: string;
  readonly modelDir: string;
  readonly api: ManagedProcess;
  endpoint: ManagedProcess;
  /** Stops the endpoint (the API keeps running). */
  stopEndpoint(): Promise<void>;
  /** Starts the endpoint again on the same port, optionally slowed down or serving another model source. */
  startEndpoint(options?: { testDelayMs?: number; modelDir?: string }): Promise<void>;
  stop(): Promise<void>;
  /** Both servers' recent output, for failure messages. */
  logs(): string;
}

export async function startE2EStack(apiOptions: Partial<ApiOptions> = {}): Promise<E2EStack> {
  // E2E_MODEL_DIR: development aid to run the suite against another model folder; unset (CI), the demo model.
  const modelDir = process.env.E2E_MODEL_DIR ?? ensureDemoModel();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-stack-"));
  const bundle = bundleLambda({ outdir: path.join(work, "lambda") });
  const endpointPort = await freePort();
  const apiPort = await freePort();

  const launchEndpoint = (options: { testDelayMs?: number; modelDir?: string } = {}) =>
    startEndpoint({
      port: endpointPort,
      modelDir: options.modelDir ?? modelDir,
      endpointName: ENDPOINT_NAME,
      testDelayMs: options.testDelayMs,
    });

  const endpoint = await launchEndpoint();
  let api: ManagedProcess;
  try {
    api = await startApi({
      port: apiPort,
      bundleFile: bundle.file,
      endpointUrl: endpoint.ready,
      endpointName: ENDPOINT_NAME,
      ...apiOptions,
    });
  } catch (error) {
    await endpoint.stop();
    throw error;
  }

  const stack: E2EStack = {
    apiUrl: api.ready,
    endpointUrl: endpoint.ready,
    modelDir,
    api,
    endpoint,
    stopEndpoint: () => stack.endpoint.stop(),
    async startEndpoint(options) {
      stack.endpoint = await launchEndpoint(options);
    },
    async stop() {
      await Promise.all([stack.api.stop(), stack.endpoint.stop()]);
      fs.rmSync(work, { recursive: true, force: true });
    },
    logs: () => `--- api ---\n${stack.api.output().slice(-4000)}\n--- endpoint ---\n${stack.endpoint.output().slice(-4000)}`,
  };
  return stack;
}
