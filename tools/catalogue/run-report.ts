/** The lines a finished run prints: what the index holds, what the run did, and every image it could not embed. */
import type { CatalogueRunResult } from "./catalogue-run";

const SHOWN_FAILURES = 20;

export function formatRunResult(result: CatalogueRunResult, pointerLocation: string): string[] {
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
  ];
}

function failures(failed: readonly { key: string; code: string; message: string }[]): string[] {
  const lines = failed.slice(0, SHOWN_FAILURES).map((f) => `  failed: ${f.key}  ${f.code}  ${f.message}`);
  if (failed.length > SHOWN_FAILURES) lines.push(`  ... and ${failed.length - SHOWN_FAILURES} more (all in index.json, run.failed)`);
  return lines;
}
