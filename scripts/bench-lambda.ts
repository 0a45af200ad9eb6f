/**
 * `npm run bench:lambda`: numbers for the Lambda bundle, measured in one run (timings on a shared machine are
 * noisy, so only ratios against a baseline from the same run mean anything):
 *   1. bundle size (the file Terraform uploads, built by src/support/lambda-bundle.ts), against its 400 KB bound;
 *   2. cold module load over bare Node.js 22, against its 50 ms bound: wall time of a fresh `node` process that
 *      requires the bundle minus that of a bare `node -e ""` (alternated, median), and the in-process require time;
 *   3. the handler's own overhead per request against a local endpoint that answers instantly, as a ratio to a
 *      direct HTTP POST of the same bytes to that endpoint;
 *   4. POST /similar: index load, memory and search p50/p99 for 10k, 100k and the largest catalogue the default
 *      function memory holds, with recall@10 of the int8 rows against float32 (scripts/bench-catalogue.ts).
 * Options: --runs N (cold starts, default 21), --requests N (per variant, default 300), --only-catalogue (section 4),
 * --skip-catalogue (sections 1-3).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { startFakeSageMakerRuntime } from "../testing/fake-sagemaker-runtime";
import { invokeBundle } from "../testing/invoke-bundle";
import { lambdaNode } from "../local/settings";
import { bundleLambda } from "../src/support/lambda-bundle";
import { LAMBDA_MEMORY_MB } from "../local/stack";
import { benchCatalogue } from "./bench-catalogue";

/** Bounds for the deployed bundle (docs/decisions.md, performance targets): index.js, which every cold start loads (the
 * S3 client of /similar is beside it). */
const BUNDLE_BOUND_KB = 400;
const COLD_LOAD_BOUND_MS = 50;
const NODE22 = lambdaNode().file; // Node.js 22 for this platform (local/node-runtime.ts)
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.95))];
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

async function main(): Promise<void> {
  const runs = arg("runs", 21);
  const requests = arg("requests", 300);
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-lambda-"));
  const fake = await startFakeSageMakerRuntime();
  try {
    // 1. Bundle size
    const bundle = bundleLambda({ outdir: path.join(workdir, "bundle") });
    if (process.argv.includes("--only-catalogue")) {
      await benchCatalogue({ bundleFile: bundle.file, memoryMb: LAMBDA_MEMORY_MB, log: (line) => console.log(line) });
      return;
    }
    const size = fs.statSync(bundle.file).size;
    const mapSize = fs.statSync(`${bundle.file}.map`).size;
    const s3ReaderSize = fs.statSync(path.join(bundle.outdir, "s3-get.js")).size;
    const KB = 1024;
    console.log(
      `bundle: ${(size / KB).toFixed(1)} KB minified (bound ${BUNDLE_BOUND_KB} KB: ${size <= BUNDLE_BOUND_KB * KB ? "within" : "OVER"}); source map ${(mapSize / KB).toFixed(0)} KB beside it; ` +
        `s3-get.js ${(s3ReaderSize / KB).toFixed(1)} KB, loaded by the first /similar request only`,
    );

    // 2. Cold init in Node 22: a fresh process per run, loading the bundle as Lambda does (testing/invoke-bundle.ts).
    const coldMs: number[] = [];
    const baselineMs: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      // Baseline in the same run: requiring a built-in module, i.e. the cost of an empty cold start.
      baselineMs.push(
        Number(
          execFileSync(NODE22, [
            "-e",
            `const t=process.hrtime.bigint();require("node:http");process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`,
          ]).toString(),
        ),
      );
      coldMs.push((await invokeBundle({ bundleFile: bundle.file, events: [], env: {}, node: NODE22 })).initMs);
    }
    console.log(
      `cold init (Node ${execFileSync(NODE22, ["--version"]).toString().trim()}, ${runs} runs): median ${fmt(median(coldMs))}, min ${fmt(Math.min(...coldMs))}, max ${fmt(Math.max(...coldMs))}; baseline require("node:http") median ${fmt(median(baselineMs))}`,
    );
    // Whole-process wall time, bare Node 22 vs Node 22 loading the bundle, alternated so load hits both alike.
    const bareMs: number[] = [];
    const withBundleMs: number[] = [];
    const wall = (args: string[]) => {
      const t = process.hrtime.bigint();
      execFileSync(NODE22, args, { env: { PATH: process.env.PATH ?? "" } });
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    for (let i = 0; i < runs; i += 1) {
      bareMs.push(wall(["-e", ""]));
      withBundleMs.push(wall(["-e", `require(${JSON.stringify(bundle.file)})`]));
    }
    const over = median(withBundleMs) - median(bareMs);
    console.log(
      `cold module load over bare Node 22: ${fmt(over)} (bound ${COLD_LOAD_BOUND_MS} ms: ${over <= COLD_LOAD_BOUND_MS ? "within" : "OVER"}); process wall time median ${fmt(median(withBundleMs))} vs bare ${fmt(median(bareMs))}`,
    );

    // 3. Per-request overhead against an endpoint that answers instantly.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: fake.url,
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "AKIDBENCH",
      AWS_SECRET_ACCESS_KEY: "bench",
      AWS_CONFIG_FILE: "/nonexistent",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
      SAGEMAKER_ENDPOINT_NAME: "bench-endpoint",
      POWERTOOLS_LOG_LEVEL: "INFO",
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- in-process on purpose: the timing is the handler's own
    const { handler } = require(bundle.file);
    const image = Buffer.concat([Buffer.from("ffd8ffe000104a464946000101", "hex"), Buffer.alloc(50_000, 0x42)]);
    const event = {
      version: "2.0",
      routeKey: "POST /classify",
      rawPath: "/classify",
      headers: { "content-type": "image/jpeg" },
      requestContext: { http: { method: "POST" } },
      body: image.toString("base64"),
      isBase64Encoded: true,
    };
    const context = { awsRequestId: "bench", getRemainingTimeInMillis: () => 28_000 };
    const agent = new http.Agent({ keepAlive: true });
    const direct = () =>
      new Promise<void>((resolve, reject) => {
        const req = http.request(
          `${fake.url}/endpoints/bench-endpoint/invocations`,
          { method: "POST", agent, headers: { "content-type": "image/jpeg", accept: "application/json" } },
          (res) => {
            res.resume();
            res.on("end", () => resolve());
          },
        );
        req.on("error", reject);
        req.end(image);
      });
    const viaHandler = async () => {
      const result = await handler(event, context);
      if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode}: ${result.body}`);
    };
    const time = async (fn: () => Promise<void>) => {
      const samples: number[] = [];
      for (let i = 0; i < requests; i += 1) {
        const t = process.hrtime.bigint();
        await fn();
        samples.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      return samples;
    };
    // Warm-up both paths (JIT, connections, credentials), muted like the measurement.
    await time(direct);
    const muted = process.stdout.write.bind(process.stdout);
    process.stdout.write = (() => true) as typeof process.stdout.write;
    await time(viaHandler).finally(() => (process.stdout.write = muted));
    // Alternate the two measurements so drift on a shared machine hits both equally. The handler's log line is
    // formatted as in production, but stdout is muted while timing so the numbers are not the terminal's.
    const directMs: number[] = [];
    const handlerMs: number[] = [];
    const write = process.stdout.write.bind(process.stdout);
    for (let round = 0; round < 2; round += 1) {
      directMs.push(...(await time(direct)));
      process.stdout.write = (() => true) as typeof process.stdout.write;
      try {
        handlerMs.push(...(await time(viaHandler)));
      } finally {
        process.stdout.write = write;
      }
    }
    agent.destroy();
    const d = median(directMs);
    const h = median(handlerMs);
    console.log(`per request (${image.length}-byte JPEG, ${directMs.length} samples each, Node ${process.version} in-process):`);
    console.log(`  direct HTTP POST to the endpoint:  median ${fmt(d)}, p95 ${fmt(p95(directMs))}`);
    console.log(`  handler (decode, SDK, checks, log): median ${fmt(h)}, p95 ${fmt(p95(handlerMs))}`);
    console.log(`  handler overhead: ${fmt(h - d)} per request; ratio handler/direct = ${(h / d).toFixed(2)}x`);

    // 4. POST /similar over catalogue indexes of growing size.
    if (!process.argv.includes("--skip-catalogue")) {
      await benchCatalogue({ bundleFile: bundle.file, memoryMb: LAMBDA_MEMORY_MB, log: (line) => console.log(line) });
    }
  } finally {
    await fake.close();
    fs.rmSync(workdir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
