/**
 * Milliseconds per image (ViT-B/16-384, batch 1, one worker using every physical core) on each x86 instance type
 * the Hugging Face CPU image runs on, and what a million classifications cost there.
 *
 * Where a number comes from is part of the answer, and is printed with it:
 *   - "measured": the benchmark JSON was made on this instance type (`npm run bench:model -- --instance-type ...`);
 *   - "reference": a measurement of the same CPU generation made elsewhere (dated and named below);
 *   - "estimated": this run's efficiency (forward GFLOP/s over the measured GEMM peak, in the format that family
 *     runs) applied to the family's expected GEMM peak.
 * Per-image time scales with physical cores (vCPUs / 2: every family here has two hyperthreads per core); the
 * decode/preprocess time measured in the benchmark is added as it is.
 */
import { instanceVcpus, parseInstanceType } from "../../common/instance-types";
import { ModelBenchmark } from "./model-benchmark";
import { PriceList } from "./prices";

export type ServingPrecision = "float32" | "bfloat16";

export interface CpuFamily {
  readonly processor: string;
  /** What serving_runtime.precision_choice picks there by default (bf16 only with AMX / AVX512-BF16). */
  readonly precision: ServingPrecision;
  /** Forward ms on 2 physical cores measured on this CPU generation, with where and when. */
  readonly reference?: { readonly forwardMs: Partial<Record<ServingPrecision, number>>; readonly source: string };
  /**
   * Expected fp32 GEMM rate of 2 physical cores (GFLOP/s): 2 cores x 64 FLOP/cycle (two 512-bit FMA units x 16 lanes
   * x 2) x AVX-512 all-core clock x 0.8, the measured/theoretical ratio of the AMX reference Xeon (307 of 384 GFLOP/s).
   */
  readonly fp32GemmGflops2Cores: number;
  readonly peakSource: string;
}

const AMX_REFERENCE =
  "AMX reference (docs/decisions.md): measured 2026-11 on the project's development machines, 2 cores of an Intel Xeon with AMX and AVX512-BF16 (Sapphire Rapids class), torch 2.13, batch 1, random-weight ViT-B/16-384";

/** x86 CPU families SageMaker hosts and the Hugging Face CPU image runs on (GPU families are not estimated: measure). */
export const CPU_FAMILIES: Readonly<Record<string, CpuFamily>> = {
  m5: {
    processor: "Intel Xeon Platinum 8175M/8259CL (Skylake/Cascade Lake): AVX-512, no bf16",
    precision: "float32",
    fp32GemmGflops2Cores: 256,
    peakSource: "2 cores x 64 FLOP/cycle x 2.5 GHz AVX-512 all-core x 0.8",
  },
  c5: {
    processor: "Intel Xeon Platinum 8124M/8275CL (Skylake/Cascade Lake): AVX-512 (VNNI on Cascade Lake), no bf16",
    precision: "float32",
    fp32GemmGflops2Cores: 307,
    peakSource: "2 cores x 64 FLOP/cycle x 3.0 GHz AVX-512 all-core x 0.8",
  },
  m6i: {
    processor: "Intel Xeon Platinum 8375C (Ice Lake): AVX-512, VNNI, no bf16",
    precision: "float32",
    fp32GemmGflops2Cores: 307,
    peakSource: "2 cores x 64 FLOP/cycle x 3.0 GHz AVX-512 all-core x 0.8",
  },
  c6i: {
    processor: "Intel Xeon Platinum 8375C (Ice Lake): AVX-512, VNNI, no bf16",
    precision: "float32",
    fp32GemmGflops2Cores: 307,
    peakSource: "2 cores x 64 FLOP/cycle x 3.0 GHz AVX-512 all-core x 0.8",
  },
  m7i: {
    processor: "Intel Xeon Platinum 8488C (Sapphire Rapids): AVX-512, AVX512-BF16, AMX",
    precision: "bfloat16",
    reference: { forwardMs: { float32: 522, bfloat16: 152 }, source: AMX_REFERENCE },
    fp32GemmGflops2Cores: 307,
    peakSource: "the AMX reference's measured fp32 GEMM peak on that Xeon (2 cores)",
  },
  c7i: {
    processor: "Intel Xeon Platinum 8488C (Sapphire Rapids): AVX-512, AVX512-BF16, AMX",
    precision: "bfloat16",
    reference: { forwardMs: { float32: 522, bfloat16: 152 }, source: AMX_REFERENCE },
    fp32GemmGflops2Cores: 307,
    peakSource: "the AMX reference's measured fp32 GEMM peak on that Xeon (2 cores)",
  },
};

/** The types the default is chosen from: one size (xlarge, 4 vCPUs) of each family above. */
export const DEFAULT_CANDIDATE_TYPES: readonly string[] = Object.keys(CPU_FAMILIES).map((family) => `ml.${family}.xlarge`);

export type Provenance = "measured" | "reference" | "estimated";

export interface InstanceTypePerformance {
  readonly instanceType: string;
  readonly precision: ServingPrecision;
  readonly msPerImage: number;
  readonly imagesPerSecond: number;
  readonly hourlyUsd?: number;
  /** USD per million images at full utilisation: hourly / images per hour x 10^6. */
  readonly usdPerMillionImages?: number;
  readonly provenance: Provenance;
  readonly basis: string;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** Decode + preprocess time around the forward pass (0.3 MP JPEG, a typical upload), measured by the benchmark. */
function overheadMs(bench: ModelBenchmark): number {
  return bench.decodePreprocessMs["0.3MP"];
}

/** The benchmark row of what serves in that format by default: prepacked weights. */
function servingRow(bench: ModelBenchmark, precision: ServingPrecision) {
  return precision === "bfloat16" ? bench.variants.bf16Packed : bench.variants.fp32Packed;
}

/** Forward GFLOP/s over the measured GEMM peak of the same format, in this benchmark run. */
export function measuredEfficiency(bench: ModelBenchmark, precision: ServingPrecision): number {
  const row = servingRow(bench, precision);
  const peak = precision === "bfloat16" ? bench.gemmPeakGflops.bfloat16 : bench.gemmPeakGflops.float32;
  return Math.min(1, bench.model.gflopPerImage / (row.forwardMs / 1000) / peak);
}

/** ms per image on `instanceType`, with where the number comes from; undefined for families not in CPU_FAMILIES. */
export function instanceTypePerformance(
  instanceType: string,
  bench: ModelBenchmark,
  prices?: PriceList,
): InstanceTypePerformance | undefined {
  const family = CPU_FAMILIES[parseInstanceType(instanceType)?.family ?? ""];
  const vcpus = instanceVcpus(instanceType);
  if (!family || !vcpus) return undefined;
  const cores = Math.max(1, vcpus / 2);
  const precision = family.precision;
  let msPerImage: number;
  let provenance: Provenance;
  let basis: string;
  if (bench.machine.instanceType === instanceType) {
    msPerImage = bench.serving.msPerImage;
    provenance = "measured";
    basis = `npm run bench:model on ${instanceType}, ${bench.date}`;
  } else if (precision === "bfloat16" && bench.machine.amx) {
    // This run was on an AMX CPU (the same class as the family): its own bf16 time, scaled to the family's cores.
    const forward = servingRow(bench, "bfloat16").forwardMs * (bench.machine.threads / cores);
    msPerImage = forward + overheadMs(bench);
    provenance = "estimated";
    basis = `this run's bf16 forward on ${bench.machine.cpu} (AMX, ${bench.machine.threads} cores, ${bench.date}) scaled to ${cores} cores + decode/preprocess`;
  } else if (family.reference?.forwardMs[precision] !== undefined) {
    const forward = (family.reference.forwardMs[precision] as number) * (2 / cores);
    msPerImage = forward + overheadMs(bench);
    provenance = "reference";
    basis = `forward ${round1(forward)} ms from ${family.reference.source}; + ${round1(overheadMs(bench))} ms decode/preprocess from this benchmark`;
  } else {
    const efficiency = measuredEfficiency(bench, precision);
    const forward = (bench.model.gflopPerImage / (family.fp32GemmGflops2Cores * (cores / 2) * efficiency)) * 1000;
    msPerImage = forward + overheadMs(bench);
    provenance = "estimated";
    basis = `${bench.model.gflopPerImage} GFLOP at ${Math.round(100 * efficiency)} % (this run's fp32 efficiency on ${bench.machine.cpu}, ${bench.date}) of ${family.fp32GemmGflops2Cores * (cores / 2)} GFLOP/s (${family.peakSource})`;
  }
  msPerImage = round1(msPerImage);
  const imagesPerSecond = 1000 / msPerImage;
  const hourlyUsd = prices?.sagemakerInstanceHourly[instanceType];
  return {
    instanceType,
    precision,
    msPerImage,
    imagesPerSecond: Math.round(imagesPerSecond * 1000) / 1000,
    hourlyUsd,
    usdPerMillionImages: hourlyUsd === undefined ? undefined : (hourlyUsd / (imagesPerSecond * 3600)) * 1e6,
    provenance,
    basis,
  };
}

/** Every priced candidate, cheapest per image first. */
export function costPerImageTable(
  bench: ModelBenchmark,
  prices: PriceList,
  types: readonly string[] = DEFAULT_CANDIDATE_TYPES,
): InstanceTypePerformance[] {
  return types
    .map((type) => instanceTypePerformance(type, bench, prices))
    .filter((row): row is InstanceTypePerformance => row !== undefined && row.usdPerMillionImages !== undefined)
    .sort((a, b) => (a.usdPerMillionImages as number) - (b.usdPerMillionImages as number));
}

/** The instance type with the lowest cost per classification among the candidates. */
export function cheapestInstanceType(bench: ModelBenchmark, prices: PriceList, types: readonly string[] = DEFAULT_CANDIDATE_TYPES): string {
  const [first] = costPerImageTable(bench, prices, types);
  if (!first) throw new Error("no priced candidate instance type");
  return first.instanceType;
}
