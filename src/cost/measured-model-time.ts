/**
 * The default model time per image comes from the model benchmark recorded in docs/model.md
 * (`npm run bench:model`: ViT-B/16-384 layout, our input_fn/predict_fn/output_fn, batch 1, all cores in one
 * worker), so the estimate follows the project's latest measurement instead of a number copied here.
 * Batch-1 end-to-end latency is the right figure: the Lambda sends one image per request, and one worker
 * using every core serves requests one after another, so an instance sustains 1000 / latency images per second.
 */
import * as fs from "fs";
import * as path from "path";

/** Repository copy of the benchmark write-up. */
export const MODEL_DOC_PATH = path.resolve(__dirname, "..", "..", "docs", "model.md");

/** The benchmark's line `latency  batch 1: ours    1079 ms ...` -> 1079. */
export function benchmarkMsPerImage(markdown: string): number | undefined {
  const match = /latency\s+batch 1:\s+ours\s+(\d+(?:\.\d+)?)\s*ms/.exec(markdown);
  if (!match) return undefined;
  const ms = Number(match[1]);
  return ms > 0 ? ms : undefined;
}

export function readBenchmarkMsPerImage(file = MODEL_DOC_PATH): number | undefined {
  return fs.existsSync(file) ? benchmarkMsPerImage(fs.readFileSync(file, "utf8")) : undefined;
}
