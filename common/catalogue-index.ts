/**
 * The catalogue index's layout and metadata (docs/contracts.md, "Catalogue index"): what the catalogue runner
 * (tools/catalogue) writes and the function (lambda/similar) reads, under one output location (s3://bucket/prefix/,
 * or a folder locally):
 *
 *   latest.json                     the pointer: which index is current (written last, once an index is complete)
 *   indexes/<id>/index.json         format, model fingerprint, dim, count, dtype, source, created, the run's report
 *   indexes/<id>/vectors.npy        float32 [count, dim], L2-normalised embeddings; row i <-> line i of keys.jsonl
 *   indexes/<id>/keys.jsonl         {"key": "<source key>", "etag": "<source ETag>"} per line
 *   indexes/<id>/vectors-int8.npy   int8 [count, dim]: round(v / scale), the function's in-memory copy
 *   indexes/<id>/scales.npy         float32 [count]: scale = max|v| / 127 per row, so v ~ int8 x scale
 *   runs/<id>/manifest.json         the Batch Transform manifest of a run (the images it embedded)
 *   runs/<id>/out/<key>.out         the transform job's answer per image
 * Pure values and types only: the Lambda bundle imports this file.
 */

export const CATALOGUE_INDEX_FORMAT = "vit-classifier/catalogue-index";
export const CATALOGUE_INDEX_VERSION = 1;

export const POINTER_KEY = "latest.json";
export const INDEX_FILES = {
  metadata: "index.json",
  vectors: "vectors.npy",
  keys: "keys.jsonl",
  vectorsInt8: "vectors-int8.npy",
  scales: "scales.npy",
} as const;

/** Folder of one index, relative to the output location. */
export function indexFolder(indexId: string): string {
  return `indexes/${indexId}/`;
}

/** Folder of one run's manifest and transform output, relative to the output location. */
export function runFolder(runId: string): string {
  return `runs/${runId}/`;
}

/** Index and run ids: UTC time to the second plus a random suffix, so they sort by creation. */
export const INDEX_ID_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

/** latest.json. `index` null: no index yet (what the stack writes at deploy, before any run). */
export interface CataloguePointer {
  readonly format: typeof CATALOGUE_INDEX_FORMAT;
  readonly version: number;
  readonly index: string | null;
  /** Present with an index: copied from its index.json so a reader can refuse a mismatch before downloading. */
  readonly modelFingerprint?: string;
  readonly count?: number;
  readonly dim?: number;
  readonly created?: string;
}

/** A key the run could not embed, with the stable error code the container (or the runner) gave. */
export interface FailedKey {
  readonly key: string;
  /** The source object's ETag when it failed: an image that failed for its bytes is not sent again until they change. */
  readonly etag?: string;
  readonly code: string;
  readonly message: string;
}

/** Codes that follow from the image's bytes: the same bytes fail the same way, so a later run does not resend them. */
export const IMAGE_FAULT_CODES: readonly string[] = ["undecodable_image", "unsupported_media_type", "image_too_large", "bad_request"];

export interface RunReport {
  readonly runId: string;
  /** Why the run embedded what it did: "first run", "model changed" (everything again) or "incremental". */
  readonly mode: "first run" | "model changed" | "incremental";
  readonly previousIndex: string | null;
  /** Images sent to the model in this run (new or changed keys, or all after a model change). */
  readonly embedded: number;
  /** Rows taken over from the previous index (same key, same ETag, same model). */
  readonly reused: number;
  /** Keys of the previous index no longer in the source. */
  readonly deleted: number;
  /** Images that failed for their bytes in an earlier run and are unchanged: reported again in `failed`, not resent. */
  readonly failedBefore: number;
  /** Objects left out because their names are not image files (.jpg, .png, ...). */
  readonly skipped: number;
  readonly failed: readonly FailedKey[];
  /** Batch Transform job name (AWS) or "local". */
  readonly job: string;
  readonly startedAt: string;
  readonly finishedAt: string;
}

/** index.json */
export interface IndexMetadata {
  readonly format: typeof CATALOGUE_INDEX_FORMAT;
  readonly version: number;
  readonly id: string;
  readonly modelFingerprint: string;
  readonly dim: number;
  readonly count: number;
  /** dtype of vectors.npy (the interoperable copy). */
  readonly dtype: "float32";
  /** Where the images came from: s3://bucket/prefix/ or a local folder. */
  readonly source: string;
  readonly created: string;
  readonly files: typeof INDEX_FILES;
  readonly run: RunReport;
}
