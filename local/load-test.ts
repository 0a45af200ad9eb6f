/**
 * `npm run bench:load`: N concurrent clients (1, 4, 16) for a bounded time each, first against the local API
 * (API Gateway emulation + Lambda bundle + SDK), then straight at the local endpoint's InvokeEndpoint route with
 * the same image and headers, in the same run. Prints req/s, p50/p95/p99 latency, errors (must be 0) and the
 * resident memory of both servers (every process of each group) at start and end.
 *
 * Options (env): LOAD_SECONDS per step (default 10), LOAD_CLIENTS (default "1,4,16"), MODEL_DIR (default: demo model).
 * Exit code 1 if any request failed. Not a test: numbers vary with the machine and whatever else runs on it.
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { bundleLambda } from "../src/support/lambda-bundle";
import { ensureDemoModel, writeTestImages } from "./model-assets";
import { freePort } from "../dev-runtime/ports";
import { treeRssMb } from "../dev-runtime/process-tree";
import { startApi, startEndpoint } from "./stack";

interface StepResult {
  readonly target: string;
  readonly clients: number;
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
}

const ENDPOINT_NAME = "local-vit";

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function post(agent: http.Agent, url: URL, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: "POST", agent, headers: { ...headers, "content-length": String(body.length) } },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

async function step(
  target: string,
  url: URL,
  headers: Record<string, string>,
  bodies: Buffer[],
  clients: number,
  seconds: number,
): Promise<StepResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latenciesMs: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const stopAt = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < stopAt) {
        const body = bodies[next++ % bodies.length];
        const sent = performance.now();
        try {
          const status = await post(agent, url, body, headers);
          if (status !== 200) errors += 1;
        } catch {
          errors += 1;
        }
        latenciesMs.push(performance.now() - sent);
      }
    }),
  );
  agent.destroy();
  return { target, clients, requests: latenciesMs.length, errors, seconds: (performance.now() - started) / 1000, latenciesMs };
}

function row(result: StepResult): string {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  const cells = [
    result.target.padEnd(9),
    String(result.clients).padStart(7),
    String(result.requests).padStart(8),
    (result.requests / result.seconds).toFixed(1).padStart(7),
    percentile(sorted, 50).toFixed(1).padStart(7),
    percentile(sorted, 95).toFixed(1).padStart(7),
    percentile(sorted, 99).toFixed(1).padStart(7),
    String(result.errors).padStart(6),
  ];
  return cells.join("  ");
}

async function main(): Promise<number> {
  const seconds = Number(process.env.LOAD_SECONDS ?? 10);
  const clientCounts = (process.env.LOAD_CLIENTS ?? "1,4,16").split(",").map(Number);
  if (!(seconds > 0) || clientCounts.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error("LOAD_SECONDS must be > 0 and LOAD_CLIENTS a comma-separated list of positive integers");
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "load-test-"));
  const modelDir = process.env.MODEL_DIR ? path.resolve(process.env.MODEL_DIR) : ensureDemoModel();
  const images = writeTestImages(path.join(work, "images"), 2).images.filter((image) => image.format === "jpg");
  const bodies = images.map((image) => fs.readFileSync(image.file));
  const bundle = bundleLambda({ outdir: path.join(work, "lambda") });

  const endpoint = await startEndpoint({ port: await freePort(), modelDir, endpointName: ENDPOINT_NAME });
  // WARN: one log line per request would make the load test measure logging to a pipe, not the chain.
  // One execution environment per client, as Lambda scales out (the local default of 10, a new account's quota,
  // would throttle the 16-client step: that is an account setting, not the layer's cost).
  const api = await startApi({
    port: await freePort(),
    bundleFile: bundle.file,
    endpointUrl: endpoint.ready,
    endpointName: ENDPOINT_NAME,
    logLevel: "WARN",
    concurrency: Math.max(...clientCounts),
  });
  try {
    const apiUrl = new URL("/classify", api.ready);
    const endpointUrl = new URL(`/endpoints/${ENDPOINT_NAME}/invocations`, endpoint.ready);
    const apiHeaders = { "content-type": "image/jpeg" };
    // What the Lambda sends (docs/contracts.md, "Lambda → endpoint request"); unsigned: the local endpoint does not check SigV4.
    const endpointHeaders = {
      "content-type": "image/jpeg",
      accept: "application/json",
      "x-amzn-sagemaker-custom-attributes": "top_k=5,task=classify",
    };

    await step("warm-up", apiUrl, apiHeaders, bodies, 2, 2);
    await step("warm-up", endpointUrl, endpointHeaders, bodies, 2, 2);
    const rssStart = { api: treeRssMb(api.pid), endpoint: treeRssMb(endpoint.pid) };

    console.log(`model ${modelDir}; ${seconds} s per step; ${os.cpus().length} CPUs (shared with whatever else runs)\n`);
    console.log("target     clients  requests    req/s  p50 ms  p95 ms  p99 ms  errors");
    const results: StepResult[] = [];
    for (const clients of clientCounts) {
      for (const [target, url, headers] of [
        ["api", apiUrl, apiHeaders],
        ["endpoint", endpointUrl, endpointHeaders],
      ] as const) {
        const result = await step(target, url, headers, bodies, clients, seconds);
        results.push(result);
        console.log(row(result));
      }
    }
    const rssEnd = { api: treeRssMb(api.pid), endpoint: treeRssMb(endpoint.pid) };

    console.log("\nAPI + Lambda layer cost (api vs endpoint at the same concurrency):");
    for (const clients of clientCounts) {
      const [viaApi, direct] = ["api", "endpoint"].map((target) => results.find((r) => r.clients === clients && r.target === target)!);
      const p50 = (r: StepResult) =>
        percentile(
          [...r.latenciesMs].sort((a, b) => a - b),
          50,
        );
      console.log(
        `  ${String(clients).padStart(2)} clients: throughput ${(viaApi.requests / viaApi.seconds / (direct.requests / direct.seconds)).toFixed(2)}x, ` +
          `p50 +${(p50(viaApi) - p50(direct)).toFixed(1)} ms (${(p50(viaApi) / p50(direct)).toFixed(2)}x)`,
      );
    }
    console.log(`\nRSS MB      start     end`);
    console.log(`api      ${rssStart.api.toFixed(0).padStart(8)} ${rssEnd.api.toFixed(0).padStart(7)}   (Node 22 + Lambda bundle)`);
    console.log(
      `endpoint ${rssStart.endpoint.toFixed(0).padStart(8)} ${rssEnd.endpoint.toFixed(0).padStart(7)}   (front + MMS Java + Python workers)`,
    );
    const errors = results.reduce((sum, r) => sum + r.errors, 0);
    console.log(`\nerrors: ${errors}`);
    return errors === 0 ? 0 : 1;
  } finally {
    await Promise.all([api.stop(), endpoint.stop()]);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
