/**
 * The model time per image the cost figures use, and where it comes from: a value given on the command line, else
 * the model benchmark's figure for the instance type, else a placeholder (said so wherever it is printed).
 */
import { PLACEHOLDER_MODEL_MS_PER_IMAGE } from "./inputs";
import { InstanceTypePerformance, instanceTypePerformance } from "./instance-performance";
import { ModelBenchmark } from "./model-benchmark";
import { PriceList } from "./prices";

export interface ModelTime {
  readonly msPerImage: number;
  /** Where msPerImage came from, for the report. */
  readonly source: string;
  /** True when msPerImage is the placeholder, not a measurement or an estimate from one. */
  readonly placeholder: boolean;
  /** The benchmark's row for the instance type, when it has one. */
  readonly performance?: InstanceTypePerformance;
}

export function modelTimePerImage(
  instanceType: string,
  bench: ModelBenchmark | undefined,
  prices: PriceList,
  benchPath: string,
  override?: number,
): ModelTime {
  const performance = bench ? instanceTypePerformance(instanceType, bench, prices) : undefined;
  if (override !== undefined) return { msPerImage: override, source: "--model-ms-per-image", placeholder: false, performance };
  if (performance && bench) {
    return {
      msPerImage: performance.msPerImage,
      source: `${performance.provenance} for ${instanceType} (${performance.precision}) from the model benchmark of ${bench.date} on ${bench.machine.cpu}`,
      placeholder: false,
      performance,
    };
  }
  return {
    msPerImage: PLACEHOLDER_MODEL_MS_PER_IMAGE,
    source: bench
      ? `PLACEHOLDER: the benchmark has no estimate for ${instanceType} (measure it and pass --model-ms-per-image)`
      : `PLACEHOLDER, not measured (no ${benchPath})`,
    placeholder: true,
  };
}
