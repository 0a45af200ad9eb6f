/**
 * Monthly cost of one deployment at a steady request rate: one line item per billed dimension, each with
 * the formula it used, and the total. Pure arithmetic on its inputs (docs/cost.md has the formulas).
 */
import { DeploymentShape, Workload } from "./inputs";
import { PriceList } from "./prices";
import { instancesToBill, lambdaDurationMs } from "./capacity";

export interface LineItem {
  readonly service: string;
  readonly item: string;
  /** Human-readable usage, e.g. "13,140,000 requests". */
  readonly usage: string;
  /** The formula with its numbers, for the printed table. */
  readonly formula: string;
  readonly monthlyUsd: number;
}

export interface CostEstimate {
  readonly mode: DeploymentShape["mode"];
  readonly monthlyRequests: number;
  readonly lineItems: LineItem[];
  readonly totalUsd: number;
}

const KB_PER_GB = 1024 * 1024;
const BYTES_PER_GB = 1024 * 1024 * 1024;
/** HTTP API requests are metered in 512 KB increments: a 600 KB upload bills as two requests. */
const HTTP_API_METERING_KB = 512;

const n = (value: number, digits = 0) => value.toLocaleString("en-US", { maximumFractionDigits: digits });

export function monthlyRequests(workload: Workload): number {
  return workload.requestsPerSecond * 3600 * workload.hoursPerMonth;
}

export function estimateMonthlyCost(deployment: DeploymentShape, workload: Workload, prices: PriceList): CostEstimate {
  const requests = monthlyRequests(workload);
  const items: LineItem[] = [];
  const add = (service: string, item: string, usage: string, formula: string, monthlyUsd: number) =>
    items.push({ service, item, usage, formula, monthlyUsd });

  // SageMaker
  if (deployment.mode === "realtime") {
    const { instanceType } = deployment.realtime;
    const hourly = prices.sagemakerInstanceHourly[instanceType];
    if (hourly === undefined) {
      throw new Error(`no hourly price for ${instanceType}: add it under "sagemakerInstanceHourly" in a --prices file`);
    }
    const instances = instancesToBill(deployment, workload);
    add(
      "SageMaker",
      `real-time ${instanceType}`,
      `${instances} instance(s) x ${workload.hoursPerMonth} h`,
      `${instances} x ${workload.hoursPerMonth} h x $${hourly}/h`,
      instances * workload.hoursPerMonth * hourly,
    );
  } else {
    const gbSeconds = requests * (workload.serverlessMsPerImage / 1000) * (deployment.serverless.memoryMb / 1024);
    add(
      "SageMaker",
      `serverless compute ${deployment.serverless.memoryMb} MB`,
      `${n(gbSeconds)} GB-s`,
      `${n(requests)} req x ${workload.serverlessMsPerImage} ms x ${deployment.serverless.memoryMb / 1024} GB x $${prices.sagemakerServerlessPerGbSecond}/GB-s`,
      gbSeconds * prices.sagemakerServerlessPerGbSecond,
    );
  }
  const processedGb = (requests * (workload.requestKb + workload.responseKb)) / KB_PER_GB;
  add(
    "SageMaker",
    "data processed (in + out)",
    `${n(processedGb, 2)} GB`,
    `${n(requests)} req x (${workload.requestKb} + ${workload.responseKb}) KB x $${prices.sagemakerDataProcessedPerGb}/GB`,
    processedGb * prices.sagemakerDataProcessedPerGb,
  );

  // Lambda
  add(
    "Lambda",
    "requests",
    `${n(requests)} requests`,
    `${n(requests / 1e6, 4)} M x $${prices.lambdaPerMillionRequests}/M`,
    (requests / 1e6) * prices.lambdaPerMillionRequests,
  );
  const durationMs = lambdaDurationMs(workload, deployment.mode);
  const lambdaGbSeconds = requests * (durationMs / 1000) * (deployment.lambda.memoryMb / 1024);
  const lambdaRate = deployment.lambda.architecture === "arm64" ? prices.lambdaArm64PerGbSecond : prices.lambdaX86PerGbSecond;
  add(
    "Lambda",
    `compute ${deployment.lambda.architecture} ${deployment.lambda.memoryMb} MB`,
    `${n(lambdaGbSeconds)} GB-s`,
    `${n(requests)} req x ${durationMs} ms x ${deployment.lambda.memoryMb / 1024} GB x $${lambdaRate}/GB-s`,
    lambdaGbSeconds * lambdaRate,
  );

  // API Gateway and data transfer
  const meteredPerRequest = Math.max(1, Math.ceil(workload.requestKb / HTTP_API_METERING_KB));
  add(
    "API Gateway",
    "HTTP API requests",
    `${n(requests * meteredPerRequest)} metered requests`,
    `${n(requests / 1e6, 4)} M x ${meteredPerRequest} (512 KB units) x $${prices.httpApiPerMillionRequests}/M`,
    ((requests * meteredPerRequest) / 1e6) * prices.httpApiPerMillionRequests,
  );
  const outGb = (requests * workload.responseKb) / KB_PER_GB;
  add(
    "Data transfer",
    "responses to the internet",
    `${n(outGb, 2)} GB`,
    `${n(requests)} req x ${workload.responseKb} KB x $${prices.dataTransferOutPerGb}/GB`,
    outGb * prices.dataTransferOutPerGb,
  );

  // Storage and observability
  add(
    "S3",
    "model artifact",
    `${n(workload.modelArtifactGb, 3)} GB`,
    `${n(workload.modelArtifactGb, 3)} GB x $${prices.s3StandardPerGbMonth}/GB-month`,
    workload.modelArtifactGb * prices.s3StandardPerGbMonth,
  );
  const logGb = (requests * workload.logBytesPerRequest) / BYTES_PER_GB;
  add(
    "CloudWatch",
    "logs ingestion",
    `${n(logGb, 2)} GB`,
    `${n(requests)} req x ${workload.logBytesPerRequest} B x $${prices.logsIngestionPerGb}/GB`,
    logGb * prices.logsIngestionPerGb,
  );
  // Steady state: a retention of D days keeps D/30 months of ingestion (uncompressed size: an upper bound).
  const storedGb = logGb * (deployment.logRetentionDays / 30);
  add(
    "CloudWatch",
    `logs storage (${deployment.logRetentionDays} d retention)`,
    `${n(storedGb, 2)} GB`,
    `${n(logGb, 2)} GB/month x ${deployment.logRetentionDays}/30 x $${prices.logsStoragePerGbMonth}/GB-month`,
    storedGb * prices.logsStoragePerGbMonth,
  );
  if (deployment.alarmMetrics > 0) {
    add(
      "CloudWatch",
      "alarms",
      `${deployment.alarmMetrics} alarm metrics`,
      `${deployment.alarmMetrics} x $${prices.alarmPerMetricMonth}`,
      deployment.alarmMetrics * prices.alarmPerMetricMonth,
    );
  }
  if (deployment.dashboard) {
    add("CloudWatch", "dashboard", "1 dashboard", `1 x $${prices.dashboardPerMonth}`, prices.dashboardPerMonth);
  }
  if (deployment.kmsKeys > 0) {
    add(
      "KMS",
      "alarm topic key",
      `${deployment.kmsKeys} key(s)`,
      `${deployment.kmsKeys} x $${prices.kmsKeyPerMonth}`,
      deployment.kmsKeys * prices.kmsKeyPerMonth,
    );
  }

  return {
    mode: deployment.mode,
    monthlyRequests: requests,
    lineItems: items,
    totalUsd: items.reduce((sum, item) => sum + item.monthlyUsd, 0),
  };
}
