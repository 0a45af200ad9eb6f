/**
 * One catalogue run, the same on AWS and locally: list the source, plan against the current index, run the transform
 * job on the new and changed images, assemble the index (kept rows + new rows, failures reported) and move the pointer.
 */
import { randomBytes } from "crypto";
import {
  CATALOGUE_INDEX_FORMAT,
  CATALOGUE_INDEX_VERSION,
  FailedKey,
  INDEX_FILES,
  IndexMetadata,
  runFolder,
} from "../../common/catalogue-index";
import { readCurrentIndex, writeIndex } from "./index-files";
import { listAll, ObjectStore, StoredObject } from "./object-store";
import { planRun, RunPlan } from "./run-plan";
import { parseTransformRecord } from "./transform-records";
import { manifestBody, TransformExecutor, TransformProgress } from "./transform-job";

export interface CatalogueRunOptions {
  /** The images (an S3 prefix or a folder). */
  readonly source: ObjectStore;
  /** The output location (latest.json, indexes/, runs/). */
  readonly output: ObjectStore;
  readonly executor: TransformExecutor;
  /** The fingerprint of the model the executor runs (common/model-fingerprint.ts). */
  readonly modelFingerprint: string;
  /** MaxPayloadInMB in bytes: larger images are reported, never sent. */
  readonly maxPayloadBytes: number;
  readonly onProgress?: (progress: TransformProgress) => void;
  readonly log?: (line: string) => void;
  /** @default now */
  readonly now?: () => Date;
}

export type CatalogueRunResult =
  | { readonly kind: "indexed"; readonly metadata: IndexMetadata; readonly keysBytes: number }
  | { readonly kind: "up to date"; readonly indexId: string; readonly count: number }
  | { readonly kind: "nothing indexed"; readonly reason: string; readonly failed: readonly FailedKey[] };

export class CatalogueRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CatalogueRunError";
  }
}

export async function runCatalogue(options: CatalogueRunOptions): Promise<CatalogueRunResult> {
  const { source, output, executor, modelFingerprint } = options;
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const runId = newId(startedAt);

  const listing = await listAll(source);
  const current = await readCurrentIndex(output, false);
  const previous = current && {
    id: current.metadata.id,
    modelFingerprint: current.metadata.modelFingerprint,
    keys: current.keys,
    etags: current.etags,
    failed: current.metadata.run?.failed ?? [],
  };
  const plan = planRun(listing, previous, modelFingerprint, options.maxPayloadBytes);
  const images = plan.embed.length + plan.reuse.length + plan.refused.length;
  if (images === 0)
    throw new CatalogueRunError(`no images under ${source.location} (${IMAGE_HINT}; ${plan.skipped} other objects skipped)`);
  log(describePlan(plan, previous?.id));
  if (current && plan.embed.length === 0 && plan.deleted.length === 0 && plan.refused.length === plan.failedBefore) {
    return { kind: "up to date", indexId: current.metadata.id, count: current.metadata.count };
  }

  let jobName = "none";
  const records = new Map<string, ReturnType<typeof parseTransformRecord>>();
  if (plan.embed.length > 0) {
    const folder = runFolder(runId);
    const keys = plan.embed.map((object) => object.key);
    const request = { runId, keys, manifestKey: `${folder}manifest.json`, outputPrefix: `${folder}out/` };
    await output.put(request.manifestKey, manifestBody(source.locationOf(""), keys), "application/json");
    jobName = (await executor.run(request, options.onProgress ?? (() => undefined))).jobName;
    const outputOf = await outputObjects(output, request.outputPrefix);
    for (const key of keys) {
      const outKey = outputOf(key);
      records.set(key, parseTransformRecord(outKey === undefined ? undefined : await output.get(outKey)));
    }
  }

  // Reused rows need the previous vectors; read them only when some rows are kept.
  const previousVectors = plan.reuse.length > 0 ? (await readCurrentIndex(output, true))?.vectors : undefined;
  const dim = dimensionOf(plan, records, current?.metadata.dim);
  const failed: FailedKey[] = [...plan.refused];
  const rows: { key: string; etag: string; vector: Float32Array }[] = [];
  for (const row of plan.reuse)
    rows.push({ key: row.key, etag: row.etag, vector: previousVectors!.subarray(row.row * dim!, (row.row + 1) * dim!) });
  for (const object of plan.embed) {
    const record = records.get(object.key)!;
    if (record.kind === "error") {
      failed.push({ key: object.key, etag: object.etag, code: record.code, message: record.message });
    } else if (record.vector.length !== dim) {
      failed.push({
        key: object.key,
        etag: object.etag,
        code: "bad_output",
        message: `dimension ${record.vector.length}, the index has ${dim}`,
      });
    } else {
      rows.push({ key: object.key, etag: object.etag, vector: record.vector });
    }
  }
  failed.sort((a, b) => compareKeys(a.key, b.key));
  if (rows.length === 0 || dim === undefined) {
    return { kind: "nothing indexed", reason: `none of the ${images} images could be embedded`, failed };
  }
  rows.sort((a, b) => compareKeys(a.key, b.key));

  const vectors = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => vectors.set(row.vector, i * dim));
  const finishedAt = now();
  const metadata: IndexMetadata = {
    format: CATALOGUE_INDEX_FORMAT,
    version: CATALOGUE_INDEX_VERSION,
    id: runId,
    modelFingerprint,
    dim,
    count: rows.length,
    dtype: "float32",
    source: source.locationOf(""),
    created: finishedAt.toISOString(),
    files: INDEX_FILES,
    run: {
      runId,
      mode: plan.mode,
      previousIndex: previous?.id ?? null,
      embedded: plan.embed.length,
      reused: plan.reuse.length,
      deleted: plan.deleted.length,
      failedBefore: plan.failedBefore,
      skipped: plan.skipped,
      failed,
      job: jobName,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
    },
  };
  const { keysBytes } = await writeIndex(output, { metadata, keys: rows.map((r) => r.key), etags: rows.map((r) => r.etag), vectors });
  return { kind: "indexed", metadata, keysBytes };
}

const IMAGE_HINT = "file names ending in .jpg, .jpeg, .png, .webp, .gif or .bmp";

/**
 * The `.out` object of each input key. SageMaker writes `<S3OutputPath>/<key relative to the manifest's prefix>.out`;
 * matching on the key's end as well keeps the assembly right if a job nests them one folder deeper.
 */
async function outputObjects(output: ObjectStore, prefix: string): Promise<(key: string) => string | undefined> {
  const written: StoredObject[] = (await listAll(output, prefix)).filter((object) => object.key.endsWith(".out"));
  const byKey = new Map(written.map((object) => [object.key.slice(prefix.length, -".out".length), object.key]));
  return (key) => byKey.get(key) ?? written.find((object) => object.key.endsWith(`/${key}.out`))?.key;
}

/** The kept rows' dimension, or the first new embedding's (a model change may change it). */
function dimensionOf(
  plan: RunPlan,
  records: Map<string, ReturnType<typeof parseTransformRecord>>,
  currentDim: number | undefined,
): number | undefined {
  if (plan.reuse.length > 0) return currentDim;
  for (const record of records.values()) if (record.kind === "embedding") return record.vector.length;
  return undefined;
}

function describePlan(plan: RunPlan, previousId: string | undefined): string {
  const head =
    plan.mode === "first run"
      ? "first run"
      : plan.mode === "model changed"
        ? `model changed since index ${previousId}: embedding everything again`
        : `incremental over index ${previousId}`;
  const tooLarge = plan.refused.length - plan.failedBefore;
  return (
    `${head}: ${plan.embed.length} to embed, ${plan.reuse.length} unchanged, ${plan.deleted.length} deleted, ` +
    `${plan.failedBefore} failed before (unchanged, not resent), ${tooLarge} too large, ${plan.skipped} not images`
  );
}

/** S3's key order (UTF-8 bytes). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** 20261203T101500Z-1a2b3c: sorts by time, unique enough for runs started the same second. */
export function newId(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}
