/** Fixed, round inputs for the cost tests, so expected values can be worked out by hand. */
import { DeploymentShape, Workload } from "../../src/cost/inputs";
import { PriceList } from "../../src/cost/prices";

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
