/**
 * The catalogue part of `npm run bench:lambda`: POST /similar with a catalogue index of 10k, 100k and the largest
 * number of 768-value vectors (ViT-B/16's embedding) the function's default memory holds.
 *
 * For each size: the index is written by the catalogue runner's own writer into a folder served by the local S3 front,
 * then a fresh Node.js 22 process loads the Lambda bundle and answers one cold /similar request (the index load from
 * S3) and warm ones against a fake endpoint that answers at once; its resident memory is read after the load and at
 * its peak (VmHWM, scripts/peak-rss.js). The search alone (the WebAssembly kernel and the top-k) is timed in this
 * process over the same rows, against a baseline measured in the same run: the same int8 rows scored by a plain
 * JavaScript loop. Its recall@10 is checked against an exact float32 search. The vectors are synthetic: clusters of
 * unit vectors, so that neighbours are near-ties as in a real catalogue (many near-duplicate products).
 *
 * The largest size is the bound the function itself enforces at the default memory (common/catalogue-memory.ts):
 * the bench loads an index of exactly that many rows and shows the estimate against the measured peak.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { CATALOGUE_INDEX_FORMAT, IndexMetadata, INDEX_FILES } from "../common/catalogue-index";
import { indexPeakBytes, largestIndexRows, MEMORY_SHARE } from "../common/catalogue-memory";
import { startFakeSageMakerRuntime } from "../testing/fake-sagemaker-runtime";
import { startS3FolderFront } from "../local/s3-folder-front";
import { lambdaNode } from "../local/settings";
import { Int8Matrix } from "../lambda/similar/int8-matrix";
import { FolderStore } from "../tools/catalogue/folder-store";
import { writeIndex } from "../tools/catalogue/index-files";
import { quantizeRows } from "../tools/catalogue/int8-rows";

const run = promisify(execFile);
const DIM = 768;
const MB = 1024 * 1024;
const FINGERPRINT = `sha256:${"be".repeat(32)}`;
/** Lambda: "At 1,769 MB, a function has the equivalent of one vCPU" (docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html). */
const ONE_VCPU_MB = 1769;

export interface CatalogueBenchOptions {
  readonly bundleFile: string;
  /** The function's memory (MB): the bound the largest size must stay under. */
  readonly memoryMb: number;
  /** Sizes measured before the largest one the function holds. @default [10000, 100000] */
  readonly sizes?: number[];
  /** Searches timed per size (the plain JavaScript baseline: a tenth as many). @default 200 */
  readonly searches?: number;
  /** Queries whose recall@10 is checked against an exact float32 search. @default 50 */
  readonly recallQueries?: number;
  readonly log: (line: string) => void;
}

interface SizeResult {
  readonly count: number;
  readonly loadMs: number;
  readonly handlerP50: number;
  readonly handlerP99: number;
  readonly searchP50: number;
  readonly searchP99: number;
  /** The same rows scored by a plain JavaScript loop (the baseline), p50. */
  readonly baselineP50: number;
  readonly recallAt10?: number;
  readonly rssAfterLoadMb: number;
  readonly peakRssMb: number;
  /** What common/catalogue-memory.ts estimates for this index (the function's own check). */
  readonly estimatedPeakMb: number;
}

/** mulberry32: a small seeded generator, so every run measures the same vectors. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

function normalise(values: Float32Array, start: number, dim: number): void {
  let norm = 0;
  for (let i = start; i < start + dim; i += 1) norm += values[i] * values[i];
  const scale = 1 / Math.sqrt(norm);
  for (let i = start; i < start + dim; i += 1) values[i] *= scale;
}

/** `count` unit vectors in clusters of about 50 (cosine to their centre ~0.8), and queries near some of them. */
function clusteredVectors(count: number, queries: number, seed: number): { rows: Float32Array; queries: Float32Array } {
  const next = random(seed);
  const centres = new Float32Array(Math.max(1, Math.floor(count / 50)) * DIM);
  for (let i = 0; i < centres.length; i += 1) centres[i] = gaussian(next);
  for (let c = 0; c < centres.length / DIM; c += 1) normalise(centres, c * DIM, DIM);
  const rows = new Float32Array(count * DIM);
  const spread = 0.75 / Math.sqrt(DIM);
  for (let r = 0; r < count; r += 1) {
    const centre = Math.floor(next() * (centres.length / DIM)) * DIM;
    for (let i = 0; i < DIM; i += 1) rows[r * DIM + i] = centres[centre + i] + spread * gaussian(next);
    normalise(rows, r * DIM, DIM);
  }
  const query = new Float32Array(queries * DIM);
  for (let q = 0; q < queries; q += 1) {
    const row = Math.floor(next() * count) * DIM;
    for (let i = 0; i < DIM; i += 1) query[q * DIM + i] = rows[row + i] + 0.3 * spread * gaussian(next);
    normalise(query, q * DIM, DIM);
  }
  return { rows, queries: query };
}

/** The baseline: the kernel's work (int8 rows x quantised query, times each row's scale, best 10) in plain JavaScript. */
function plainSearch(values: Int8Array, scales: Float32Array, query: Float32Array): number[] {
  const queryValues = Int16Array.from(query, (v) => Math.round(v * 16_000));
  const best: { row: number; score: number }[] = [];
  for (let r = 0; r < scales.length; r += 1) {
    let dot = 0;
    for (let i = 0, at = r * DIM; i < DIM; i += 1, at += 1) dot += values[at] * queryValues[i];
    const score = dot * scales[r];
    if (best.length < 10 || score > best[9].score) {
      best.push({ row: r, score });
      best.sort((a, b) => b.score - a.score);
      if (best.length > 10) best.pop();
    }
  }
  return best.map((b) => b.row);
}

function exactTop10(rows: Float32Array, query: Float32Array): Set<number> {
  const count = rows.length / DIM;
  const scores = new Float32Array(count);
  for (let r = 0; r < count; r += 1) {
    let dot = 0;
    for (let i = 0; i < DIM; i += 1) dot += rows[r * DIM + i] * query[i];
    scores[r] = dot;
  }
  return new Set(
    Array.from(scores.keys())
      .sort((a, b) => scores[b] - scores[a])
      .slice(0, 10),
  );
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

async function measureSize(count: number, options: CatalogueBenchOptions, withRecall: boolean): Promise<SizeResult> {
  const searches = options.searches ?? 200;
  const recallQueries = withRecall ? (options.recallQueries ?? 50) : 0;
  const { rows, queries } = clusteredVectors(count, Math.max(searches, recallQueries), count);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-catalogue-"));
  const keys = Array.from({ length: count }, benchKey);
  const metadata: IndexMetadata = {
    format: CATALOGUE_INDEX_FORMAT,
    version: 1,
    id: `bench-${count}`,
    modelFingerprint: FINGERPRINT,
    dim: DIM,
    count,
    dtype: "float32",
    source: "synthetic",
    created: new Date().toISOString(),
    files: INDEX_FILES,
    run: {
      runId: `bench-${count}`,
      mode: "first run",
      previousIndex: null,
      embedded: count,
      reused: 0,
      deleted: 0,
      failedBefore: 0,
      skipped: 0,
      failed: [],
      job: "bench",
      startedAt: "",
      finishedAt: "",
    },
  };
  await writeIndex(new FolderStore(work), { metadata, keys, etags: keys.map(() => '"0"'), vectors: rows });
  const s3 = await startS3FolderFront("bench-catalogue", work);
  const query = Array.from(queries.subarray(0, DIM));
  const sagemaker = await startFakeSageMakerRuntime({
    status: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ embedding: query, dim: DIM }),
  });
  try {
    // 1. The bundle in a fresh Node.js 22 process: cold load of the index from S3, warm requests, memory.
    const eventFile = path.join(work, "event.json");
    const resultFile = path.join(work, "result.json");
    const image = Buffer.concat([Buffer.from("ffd8ffe000104a464946000101", "hex"), Buffer.alloc(50_000, 0x42)]);
    fs.writeFileSync(
      eventFile,
      JSON.stringify({
        version: "2.0",
        routeKey: "POST /similar",
        rawPath: "/similar",
        headers: { "content-type": "image/jpeg" },
        requestContext: { http: { method: "POST" } },
        body: image.toString("base64"),
        isBase64Encoded: true,
      }),
    );
    await run(lambdaNode().file, [path.join(__dirname, "bench-similar-runner.js"), options.bundleFile, eventFile, "100", resultFile], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "bench",
        AWS_SECRET_ACCESS_KEY: "bench",
        AWS_CONFIG_FILE: "/nonexistent",
        AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
        AWS_ENDPOINT_URL_S3: s3.url,
        AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: sagemaker.url,
        SAGEMAKER_ENDPOINT_NAME: "bench-endpoint",
        CATALOGUE_INDEX_URI: "s3://bench-catalogue/",
        MODEL_FINGERPRINT: FINGERPRINT,
        POWERTOOLS_LOG_LEVEL: "WARN",
      },
      maxBuffer: 64 * MB,
      timeout: 600_000,
    });
    const child = JSON.parse(fs.readFileSync(resultFile, "utf8"));
    if (child.indexCount !== count) throw new Error(`the function loaded ${child.indexCount} rows, not ${count}`);

    // 2. The search alone, in this process, over the same int8 rows; recall@10 against exact float32.
    const { values, scales } = quantizeRows(rows, DIM);
    const matrix = new Int8Matrix(count, DIM);
    matrix.writeRowBytes(new Uint8Array(values.buffer), 0);
    matrix.setScales(scales);
    for (let i = 0; i < 5; i += 1) matrix.search(queries.subarray(0, DIM), 10);
    const timed = (search: (query: Float32Array) => unknown, times: number) => {
      const ms: number[] = [];
      for (let q = 0; q < times; q += 1) {
        const started = process.hrtime.bigint();
        search(queries.subarray(q * DIM, (q + 1) * DIM));
        ms.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      return ms;
    };
    const searchMs = timed((query) => matrix.search(query, 10), searches);
    const baselineMs = timed((query) => plainSearch(values, scales, query), Math.max(3, Math.ceil(searches / 10)));
    let recall: number | undefined;
    if (recallQueries > 0) {
      let hits = 0;
      for (let q = 0; q < recallQueries; q += 1) {
        const probe = queries.subarray(q * DIM, (q + 1) * DIM);
        const exact = exactTop10(rows, probe);
        hits += matrix.search(probe, 10).filter((m) => exact.has(m.row)).length;
      }
      recall = hits / (recallQueries * 10);
    }
    return {
      count,
      loadMs: child.coldMs,
      handlerP50: percentile(child.warmMs, 0.5),
      handlerP99: percentile(child.warmMs, 0.99),
      searchP50: percentile(searchMs, 0.5),
      searchP99: percentile(searchMs, 0.99),
      baselineP50: percentile(baselineMs, 0.5),
      recallAt10: recall,
      rssAfterLoadMb: child.rss.afterIndexLoad / MB,
      peakRssMb: child.maxRssBytes / MB,
      estimatedPeakMb: indexPeakBytes(count, DIM, keyFileBytes(keys)) / MB,
    };
  } finally {
    await s3.close();
    await sagemaker.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The bench's keys: product-like paths of 38 characters. */
const benchKey = (_: unknown, i: number) => `products/category-${String(i % 500).padStart(3, "0")}/item-${String(i).padStart(7, "0")}.jpg`;
/** keys.jsonl's size as the runner writes it (common/catalogue-index.ts). */
const keyFileBytes = (keys: readonly string[]) =>
  keys.reduce((sum, key) => sum + Buffer.byteLength(`${JSON.stringify({ key, etag: '"0"' })}\n`), 0);

export async function benchCatalogue(options: CatalogueBenchOptions): Promise<void> {
  const { log, memoryMb } = options;
  const sizes = options.sizes ?? [10_000, 100_000];
  const largest = largestIndexRows(memoryMb, DIM, keyFileBytes([benchKey(undefined, 0)]));
  const results: SizeResult[] = [];
  const mb = (value: number) => `${value.toFixed(0).padStart(4)} MB`;
  const ms = (value: number) => value.toFixed(1).padStart(6);
  const line = (r: SizeResult, note = "") =>
    log(
      `  ${r.count.toLocaleString("en-US").padStart(9)}  ${r.loadMs.toFixed(0).padStart(6)} ms  ${mb(r.rssAfterLoadMb)}  ${mb(r.peakRssMb)} ` +
        `(${((100 * r.peakRssMb) / memoryMb).toFixed(0).padStart(2)} %)  ${mb(r.estimatedPeakMb)}  ` +
        `${ms(r.searchP50)} / ${ms(r.searchP99)} ms  ${ms(r.baselineP50)} ms ${(r.baselineP50 / r.searchP50).toFixed(1).padStart(5)}x  ` +
        `${ms(r.handlerP50)} / ${ms(r.handlerP99)} ms  ${r.recallAt10 === undefined ? "    -" : r.recallAt10.toFixed(3)}${note}`,
    );
  log(
    `POST /similar over ${DIM}-value vectors (synthetic clusters), the bundle in a fresh Node.js 22 process, function memory ${memoryMb} MB:`,
  );
  log(
    "       rows    cold load  RSS after  peak RSS (of memory)  estimate  search p50 / p99    plain JS p50 (ratio)  handler p50 / p99    recall@10 int8 vs float32",
  );
  for (const count of [...sizes.filter((size) => size < largest), largest]) {
    const result = await measureSize(count, options, count !== largest);
    results.push(result);
    const fits = result.peakRssMb <= memoryMb;
    line(result, count === largest ? `  <- the bound at ${memoryMb} MB: ${fits ? "fits" : "DOES NOT FIT"}` : "");
  }
  const under = results.filter((r) => r.peakRssMb > r.estimatedPeakMb);
  log(
    `  the function refuses an index whose estimate exceeds ${(MEMORY_SHARE * 100).toFixed(0)} % of its memory (catalogue_too_large): ` +
      `largest here ${largest.toLocaleString("en-US")} rows; estimate ${under.length === 0 ? "at or above every measured peak" : `BELOW the measured peak at ${under.map((r) => r.count).join(", ")} rows`}`,
  );
  const at100k = results.find((r) => r.count === 100_000);
  if (at100k) {
    log(`  search p50 at 100,000 rows: ${at100k.searchP50.toFixed(1)} ms (target <= 50 ms: ${at100k.searchP50 <= 50 ? "met" : "NOT met"})`);
    if (memoryMb < ONE_VCPU_MB) {
      const factor = ONE_VCPU_MB / memoryMb;
      log(
        `  measured on one full core; Lambda gives ${memoryMb} MB ${(memoryMb / ONE_VCPU_MB).toFixed(2)} of a vCPU (one at ${ONE_VCPU_MB} MB): ` +
          `expect ~${factor.toFixed(1)}x there, search p50 at 100,000 rows ~${(at100k.searchP50 * factor).toFixed(0)} ms`,
      );
    }
  }
}
