/**
 * The lines a finished run prints: what the index holds, what the run did, every image it could not embed, and a
 * warning when the function that serves /similar cannot hold the index (common/catalogue-memory.ts).
 */
import { indexFitsMemory, largestIndexRows, memoryMbFor } from "../../common/catalogue-memory";
import type { CatalogueRunResult } from "./catalogue-run";

const SHOWN_FAILURES = 20;

/** `functionMemoryMb`: the memory size of the function that will load the index (lambda.memoryMb). */
export function formatRunResult(result: CatalogueRunResult, pointerLocation: string, functionMemoryMb: number): string[] {
  if (result.kind === "up to date") {
    return [`index ${result.indexId} is up to date (${result.count} images): nothing new, changed or deleted; the pointer stays`];
  }
  if (result.kind === "nothing indexed") {
    return [`nothing indexed: ${result.reason}; the pointer stays`, ...failures(result.failed)];
  }
  const { metadata } = result;
  const run = metadata.run;
  return [
    `index ${metadata.id}: ${metadata.count} images, dim ${metadata.dim} (${run.mode}; job ${run.job})`,
    `  embedded ${run.embedded}, reused ${run.reused}, deleted ${run.deleted}, failed ${run.failed.length}` +
      `${run.failedBefore > 0 ? ` (${run.failedBefore} unchanged since an earlier run, not resent)` : ""}, skipped ${run.skipped} (not images)`,
    ...failures(run.failed),
    `pointer moved: ${pointerLocation}`,
    ...memoryWarning(result.metadata.count, result.metadata.dim, result.keysBytes, functionMemoryMb),
  ];
}

function memoryWarning(count: number, dim: number, keysBytes: number, memoryMb: number): string[] {
  if (indexFitsMemory(memoryMb, count, dim, keysBytes)) return [];
  const largest = largestIndexRows(memoryMb, dim, count === 0 ? 0 : keysBytes / count);
  const needed = memoryMbFor(count, dim, keysBytes);
  const remedy =
    needed === undefined
      ? "at any lambda.memoryMb: serve the index from a vector database"
      : `until lambda.memoryMb is at least ${needed} and deployed, or serve the index from a vector database`;
  return [
    `warning: ${count} images are more than a function of ${memoryMb} MB holds (about ${largest} with these keys): ` +
      `POST /similar answers 500 catalogue_too_large ${remedy} (docs/catalogue.md, How large a catalogue the function holds)`,
  ];
}

function failures(failed: readonly { key: string; code: string; message: string }[]): string[] {
  const lines = failed.slice(0, SHOWN_FAILURES).map((f) => `  failed: ${f.key}  ${f.code}  ${f.message}`);
  if (failed.length > SHOWN_FAILURES) lines.push(`  ... and ${failed.length - SHOWN_FAILURES} more (all in index.json, run.failed)`);
  return lines;
}
