/** Fixed, round inputs for the cost tests, so expected values can be worked out by hand. */
import { DeploymentShape, Workload } from "../../../tools/cost/inputs";
import { ModelBenchmark } from "../../../tools/cost/model-benchmark";
import { PriceList } from "../../../tools/cost/prices";

export const PRICES: PriceList = {
  asOf: "2000-01-01",
  region: "test-region-1",
  sagemakerInstanceHourly: { "ml.m5.xlarge": 0.25 },
  sagemakerServerlessPerGbSecond: 0.00002,
  sagemakerDataProcessedPerGb: 0.02,
  lambdaPerMillionRequests: 0.2,
  lambdaArm64PerGbSecond: 0.00001,
  lambdaX86PerGbSecond: 0.00002,
  httpApiPerMillionRequests: 1.0,
  dataTransferOutPerGb: 0.1,
  s3StandardPerGbMonth: 0.02,
  logsIngestionPerGb: 0.5,
  logsStoragePerGbMonth: 0.03,
  alarmPerMetricMonth: 0.1,
  dashboardPerMonth: 3,
  kmsKeyPerMonth: 1,
};

export const REALTIME: DeploymentShape = {
  mode: "realtime",
  realtime: { instanceType: "ml.m5.xlarge", instanceCount: 2 },
  serverless: { memoryMb: 4096, maxConcurrency: 5 },
  lambda: { memoryMb: 512, architecture: "arm64", reservedConcurrency: 10 },
  apiThrottleRatePerSecond: 10,
  logRetentionDays: 30,
  alarmMetrics: 9,
  dashboard: true,
  kmsKeys: 0,
};

export const SERVERLESS: DeploymentShape = { ...REALTIME, mode: "serverless", alarmMetrics: 7 };

/** 5 req/s for 730 h = 13,140,000 requests. */
export const WORKLOAD: Workload = {
  requestsPerSecond: 5,
  hoursPerMonth: 730,
  modelMsPerImage: 200,
  serverlessMsPerImage: 300,
  lambdaOverheadMs: 40,
  requestKb: 100,
  responseKb: 1,
  logBytesPerRequest: 1000,
  modelArtifactGb: 0.5,
  targetUtilization: 0.7,
};

export const MONTHLY_REQUESTS = 13_140_000;

/**
 * A model benchmark as `npm run bench:model` writes it, with round numbers: a 2-core CPU with AVX512-BF16 but no
 * AMX, 100 GFLOP per image, prepacked fp32 forward 500 ms at a 250 GFLOP/s GEMM peak (80 % efficiency), 20 ms
 * decode/preprocess; the eager rows are slower and must not be what the estimates use.
 */
export const BENCH: ModelBenchmark = {
  schema: 1,
  date: "2000-01-02",
  machine: {
    cpu: "Test CPU",
    flags: ["avx512f", "avx512_bf16"],
    nativeBf16: true,
    amx: false,
    physicalCores: 2,
    threads: 2,
    torch: "2.13.0",
    instanceType: null,
  },
  model: { name: "ViT-B/16-384 architecture, random weights", gflopPerImage: 100 },
  gemmPeakGflops: { float32: 250, bfloat16: 1000 },
  defaultPrecision: "bfloat16",
  decodePreprocessMs: { "0.3MP": 20, "12MP": 60 },
  variants: {
    fp32: { precision: "float32", msPerImage: { "0.3MP": 820, "12MP": 860 }, forwardMs: 800 },
    fp32Packed: { precision: "float32", msPerImage: { "0.3MP": 520, "12MP": 560 }, forwardMs: 500 },
    bf16: { precision: "bfloat16", msPerImage: { "0.3MP": 320, "12MP": 360 }, forwardMs: 300 },
    bf16Packed: { precision: "bfloat16", msPerImage: { "0.3MP": 220, "12MP": 260 }, forwardMs: 200 },
    compiled: { precision: "bfloat16", msPerImage: { "0.3MP": 200, "12MP": 240 }, forwardMs: 180 },
    int8: { precision: "int8", msPerImage: { "0.3MP": 190, "12MP": 230 }, forwardMs: 170 },
  },
  serving: { variant: "bf16Packed", msPerImage: 220, imagesPerSecond: 4.545 },
};
