/**
 * The model benchmark's JSON (`npm run bench:model` writes model/bench/model-bench.json), read and checked, so the
 * cost estimate follows the project's latest measurement instead of a number copied into prose.
 *
 * Only the fields the cost tool uses are validated; the file carries more (the whole table) for people and for
 * sizing throttles and concurrency (images per second).
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { REPO_ROOT } from "../../common/repo-root";

export const DEFAULT_BENCHMARK_PATH = path.join(REPO_ROOT, "model", "bench", "model-bench.json");

const positive = z.number().positive();
const variant = z.object({
  precision: z.string(),
  msPerImage: z.object({ "0.3MP": positive, "12MP": positive }),
  forwardMs: positive,
});

export const modelBenchmarkSchema = z.object({
  schema: z.literal(1),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  machine: z.object({
    cpu: z.string(),
    flags: z.array(z.string()),
    nativeBf16: z.boolean(),
    amx: z.boolean(),
    physicalCores: z.number().int().positive(),
    threads: z.number().int().positive(),
    torch: z.string(),
    /** The SageMaker instance type the run was made on (`--instance-type`), when it was made on one. */
    instanceType: z.string().nullable(),
  }),
  model: z.object({ name: z.string(), gflopPerImage: positive }),
  gemmPeakGflops: z.object({ float32: positive, bfloat16: positive }),
  defaultPrecision: z.enum(["float32", "bfloat16"]),
  /** Our decode + preprocess of the benchmark JPEGs, measured on their own. */
  decodePreprocessMs: z.object({ "0.3MP": positive, "12MP": positive }),
  /** fp32 / bf16 eager, with prepacked weights (the serving defaults), compiled, int8. */
  variants: z.object({ fp32: variant, fp32Packed: variant, bf16: variant, bf16Packed: variant, compiled: variant, int8: variant }),
  serving: z.object({ variant: z.enum(["fp32Packed", "bf16Packed"]), msPerImage: positive, imagesPerSecond: positive }),
});

export type ModelBenchmark = z.infer<typeof modelBenchmarkSchema>;

export class BenchmarkError extends Error {}

/** Parses and checks a benchmark file; every problem is listed in one error. */
export function parseModelBenchmark(text: string, source: string): ModelBenchmark {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new BenchmarkError(`${source}: not valid JSON: ${(error as Error).message}`);
  }
  const parsed = modelBenchmarkSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join(".") || "(file)"}: ${issue.message}`);
    throw new BenchmarkError(`${source}: not a model benchmark (npm run bench:model writes one):\n${problems.join("\n")}`);
  }
  return parsed.data;
}

/** The benchmark at `file`, or undefined when the file does not exist (the caller then says what it uses instead). */
export function readModelBenchmark(file = DEFAULT_BENCHMARK_PATH): ModelBenchmark | undefined {
  return fs.existsSync(file) ? parseModelBenchmark(fs.readFileSync(file, "utf8"), file) : undefined;
}
