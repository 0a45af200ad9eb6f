/**
 * The catalogue end to end on loopback: `npm run catalogue:embed -- ./folder`'s code embeds a catalogue of freshly
 * generated demo images (one of them corrupt) in a container of the local model started with the job's environment,
 * writes the index, and the running local API answers POST /similar from it without a restart: the function reads
 * the index through its real S3 client from the local S3 front. Then an incremental run with 10 changed and 5 deleted
 * images embeds exactly those 10.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { IndexMetadata } from "../../common/catalogue-index";
import { modelFingerprint } from "../../common/model-fingerprint";
import { ensureDemoModel, TestImage, writeTestImages } from "../../local/model-assets";
import { paths } from "../../local/settings";
import { catalogueJobSettings } from "../../src/config/catalogue";
import { runLocalCatalogue } from "../../tools/catalogue/local-run";
import { call, imageRequest, InputKind, JsonAnswer, mapLimited } from "./support/http";
import { E2EStack, startE2EStack } from "./support/local-stack";

jest.setTimeout(600_000);

const CATALOGUE_PER_CLASS = 50; // 6 classes: 300 images, plus one corrupt file
const QUERY_PER_CLASS = 5;
const MIN_PRECISION_AT_5 = 0.9;

let stack: E2EStack;
let work: string;
let catalogueDir: string;
let sourceDir: string;
let queries: TestImage[];
const labelOf = (key: string) => key.replace(/_\d+\.jpg$/, "");

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-catalogue-"));
  catalogueDir = path.join(work, "catalogue");
  sourceDir = path.join(work, "products");
  // The catalogue: one JPEG per generated picture (fresh_demo_images.py also writes each as PNG: dropped here).
  writeTestImages(sourceDir, CATALOGUE_PER_CLASS, 7001);
  for (const file of fs.readdirSync(sourceDir)) if (file.endsWith(".png")) fs.rmSync(path.join(sourceDir, file));
  fs.writeFileSync(
    path.join(sourceDir, "corrupt_000.jpg"),
    Buffer.concat([Buffer.from("ffd8ffe000104a464946", "hex"), Buffer.alloc(64, 0x42)]),
  );
  // Held-out queries: other pictures of the same classes (another seed).
  queries = writeTestImages(path.join(work, "queries"), QUERY_PER_CLASS, 7002).images.filter((image) => image.format === "jpg");
  const modelDir = process.env.E2E_MODEL_DIR ?? ensureDemoModel();
  stack = await startE2EStack({ catalogue: { dir: catalogueDir, modelFingerprint: modelFingerprint(modelDir), refreshSeconds: 1 } });
}, 600_000);

afterAll(async () => {
  await stack?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const similar = (init: RequestInit, query = "?top_k=5") => call(`${stack.apiUrl}/similar${query}`, init);
const run = () =>
  runLocalCatalogue({
    sourceDir,
    job: catalogueJobSettings.parse({ maxConcurrentTransforms: 4 }),
    env: { ...process.env, CATALOGUE_DIR: catalogueDir, MODEL_DIR: stack.modelDir, API_PORT: new URL(stack.apiUrl).port },
    log: () => undefined,
  });

/** /similar until it answers from index `id` (the function checks the pointer once a second here). */
async function untilServed(id: string): Promise<JsonAnswer> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await similar(imageRequest(queries[0].file, "raw"));
    if (answer.status === 200 && answer.body.index.id === id) return answer;
    if (Date.now() > deadline) throw new Error(`index ${id} not served: ${answer.status} ${JSON.stringify(answer.body)}\n${stack.logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function precisionAt5(): Promise<number> {
  const answers = await mapLimited(queries, 4, (image) => similar(imageRequest(image.file, "raw")));
  let hits = 0;
  answers.forEach((answer, i) => {
    if (answer.status !== 200) throw new Error(`${answer.status} ${JSON.stringify(answer.body)}`);
    expect(answer.body.matches).toHaveLength(5);
    hits += answer.body.matches.filter((match: { key: string }) => labelOf(match.key) === queries[i].label).length;
  });
  return hits / (answers.length * 5);
}

describe("the catalogue, embedded locally and searched through the running local stack", () => {
  let first: IndexMetadata;

  it("answers 503 catalogue_not_ready before any run", async () => {
    const answer = await similar(imageRequest(queries[0].file, "raw"));
    expect([answer.status, answer.body.error?.code]).toEqual([503, "catalogue_not_ready"]);
  });

  it("embeds 300 images, reports the corrupt one, and writes files numpy reads", async () => {
    // Act
    const { result } = await run();

    // Assess
    if (result.kind !== "indexed") throw new Error(`${result.kind}: ${JSON.stringify(result)}`);
    first = result.metadata;
    expect(first).toMatchObject({ count: 300, dim: expect.any(Number), modelFingerprint: modelFingerprint(stack.modelDir) });
    expect(first.run).toMatchObject({ mode: "first run", embedded: 301, reused: 0, deleted: 0 });
    expect(first.run.failed).toEqual([expect.objectContaining({ key: "corrupt_000.jpg", code: "undecodable_image" })]);
    const check = [
      "import json, sys, numpy as np",
      "d = sys.argv[1]",
      "v = np.load(d + 'vectors.npy'); q = np.load(d + 'vectors-int8.npy'); s = np.load(d + 'scales.npy')",
      "keys = [json.loads(line)['key'] for line in open(d + 'keys.jsonl')]",
      "print(json.dumps({'shape': list(v.shape), 'dtype': str(v.dtype), 'keys': len(keys), 'norm': float(np.linalg.norm(v, axis=1).min()),",
      "  'int8_error': float(np.abs(q * s[:, None] - v).max()), 'first': keys[0]}))",
    ].join("\n");
    const numpy = JSON.parse(
      execFileSync(paths.modelPython, ["-c", check, path.join(catalogueDir, "indexes", first.id) + path.sep], { encoding: "utf8" }),
    );
    const firstKey = fs
      .readdirSync(sourceDir)
      .filter((file) => !file.startsWith("corrupt"))
      .sort()[0];
    expect(numpy).toMatchObject({ shape: [300, first.dim], dtype: "float32", keys: 300, first: firstKey });
    expect(numpy.norm).toBeCloseTo(1, 4);
    expect(numpy.int8_error).toBeLessThan(0.01);
  });

  it(`answers /similar from the new index without a restart: precision@5 of the same class >= ${MIN_PRECISION_AT_5}`, async () => {
    const served = await untilServed(first.id);
    expect(served.body.index).toEqual({ id: first.id, count: 300, created: first.created });

    const precision = await precisionAt5();

    process.stderr.write(`precision@5 of the same class over ${queries.length} held-out queries: ${precision.toFixed(3)}\n`);
    expect(precision).toBeGreaterThanOrEqual(MIN_PRECISION_AT_5);
  });

  it.each(["raw", "octet-stream", "multipart", "json-base64"] as InputKind[])("takes the query image as %s", async (kind) => {
    const reference = await similar(imageRequest(queries[3].file, "raw"));
    const answer = await similar(imageRequest(queries[3].file, kind));
    expect(answer.status).toBe(200);
    expect(answer.body.matches).toEqual(reference.body.matches);
  });

  it("runs incrementally: 10 changed and 5 deleted images, only the 10 embedded, the API serving the new index", async () => {
    // Prepare: replace 10 pictures with new ones of the same class, delete 5.
    const replacements = writeTestImages(path.join(work, "replacements"), 2, 7003).images.filter((image) => image.format === "jpg");
    const keys = fs.readdirSync(sourceDir).filter((file) => file.endsWith(".jpg") && !file.startsWith("corrupt"));
    const changed = replacements.slice(0, 10).map((image) => {
      const key = keys.find(
        (k) => labelOf(k) === image.label && !fs.readFileSync(path.join(sourceDir, k)).equals(fs.readFileSync(image.file)),
      )!;
      keys.splice(keys.indexOf(key), 1);
      fs.copyFileSync(image.file, path.join(sourceDir, key));
      return key;
    });
    const deleted = keys.slice(-5);
    for (const key of deleted) fs.rmSync(path.join(sourceDir, key));

    // Act
    const { result } = await run();

    // Assess
    if (result.kind !== "indexed") throw new Error(result.kind);
    const second = result.metadata;
    expect(second.run).toMatchObject({
      mode: "incremental",
      previousIndex: first.id,
      embedded: 10,
      reused: 285,
      deleted: 5,
      failedBefore: 1,
    });
    expect(second.count).toBe(295);
    const manifest = JSON.parse(fs.readFileSync(path.join(catalogueDir, "runs", second.id, "manifest.json"), "utf8"));
    expect(manifest.slice(1).sort()).toEqual([...changed].sort());
    const served = await untilServed(second.id);
    expect(served.body.index.count).toBe(295);
    const answers = await mapLimited(queries, 4, (image) => similar(imageRequest(image.file, "raw"), "?top_k=50"));
    for (const answer of answers) for (const match of answer.body.matches) expect(deleted).not.toContain(match.key);
    expect(await precisionAt5()).toBeGreaterThanOrEqual(MIN_PRECISION_AT_5);
  });
});
