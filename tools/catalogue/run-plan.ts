/**
 * What a run has to do, from the source listing and the current index: which images to embed, which rows to keep,
 * which keys are gone. Keys are compared with their ETags, so a re-uploaded image is embedded again; a different model
 * fingerprint makes every image new (embeddings of two models do not compare).
 */
import { FailedKey, IMAGE_FAULT_CODES, RunReport } from "../../common/catalogue-index";
import type { StoredObject } from "./object-store";

/** File names the runner sends to the model; anything else under the source (metadata, .DS_Store) is skipped. */
export const IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp"] as const;

export function isImageKey(key: string): boolean {
  const lower = key.toLowerCase();
  return IMAGE_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** The current index as far as planning needs it: its keys (row order), their ETags, its model. */
export interface PreviousIndex {
  readonly id: string;
  readonly modelFingerprint: string;
  readonly keys: readonly string[];
  readonly etags: readonly string[];
  /** What the run that made it could not embed. */
  readonly failed: readonly FailedKey[];
}

export interface RunPlan {
  readonly mode: RunReport["mode"];
  /** New or changed images, in key order: the run's manifest. */
  readonly embed: StoredObject[];
  /** Rows of the previous index to keep as they are: key, ETag and row number there. */
  readonly reuse: { readonly key: string; readonly etag: string; readonly row: number }[];
  /** Keys of the previous index that are no longer in the source. */
  readonly deleted: string[];
  /** Objects whose names are not images. */
  readonly skipped: number;
  /**
   * Images not sent: larger than the job's MaxPayloadInMB (one such record would fail the job), or unchanged since an
   * earlier run failed on their bytes (IMAGE_FAULT_CODES). Reported as failed again.
   */
  readonly refused: FailedKey[];
  /** How many of `refused` failed in an earlier run. */
  readonly failedBefore: number;
}

export function planRun(
  listing: readonly StoredObject[],
  previous: PreviousIndex | undefined,
  modelFingerprint: string,
  maxPayloadBytes: number,
): RunPlan {
  const mode: RunReport["mode"] =
    previous === undefined ? "first run" : previous.modelFingerprint === modelFingerprint ? "incremental" : "model changed";
  const previousRows = new Map<string, { etag: string; row: number }>();
  const previousFaults = new Map<string, FailedKey>();
  if (mode === "incremental") {
    previous!.keys.forEach((key, row) => previousRows.set(key, { etag: previous!.etags[row], row }));
    for (const failed of previous!.failed)
      if (failed.etag !== undefined && IMAGE_FAULT_CODES.includes(failed.code)) previousFaults.set(failed.key, failed);
  }

  const embed: StoredObject[] = [];
  const reuse: RunPlan["reuse"] = [];
  const refused: FailedKey[] = [];
  const present = new Set<string>();
  let skipped = 0;
  let failedBefore = 0;
  for (const object of listing) {
    if (!isImageKey(object.key)) {
      skipped += 1;
      continue;
    }
    present.add(object.key);
    const before = previousRows.get(object.key);
    const fault = previousFaults.get(object.key);
    if (before !== undefined && before.etag === object.etag) {
      reuse.push({ key: object.key, etag: object.etag, row: before.row });
    } else if (fault !== undefined && fault.etag === object.etag) {
      refused.push(fault);
      failedBefore += 1;
    } else if (object.size > maxPayloadBytes) {
      refused.push({
        key: object.key,
        etag: object.etag,
        code: "image_too_large",
        message: `${object.size} bytes: over the job's MaxPayloadInMB (${maxPayloadBytes} bytes); such a record would fail the whole job`,
      });
    } else {
      embed.push(object);
    }
  }
  const deleted = previous === undefined ? [] : previous.keys.filter((key) => !present.has(key));
  return { mode, embed, reuse, deleted, skipped, refused, failedBefore };
}
