/**
 * What the cost estimate needs to know: the deployment (from the stack config) and the workload (from the
 * command line), with documented defaults.
 */

export type DeploymentMode = "realtime" | "serverless";

/** The parts of the stack config that cost money. */
export interface DeploymentShape {
  readonly mode: DeploymentMode;
  readonly realtime: {
    readonly instanceType: string;
    readonly instanceCount: number;
    /** Target-tracking autoscaling bounds, when enabled. */
    readonly autoscaling?: { readonly minCapacity: number; readonly maxCapacity: number };
  };
  readonly serverless: { readonly memoryMb: number; readonly maxConcurrency: number };
  readonly lambda: {
    readonly memoryMb: number;
    readonly architecture: "arm64" | "x86_64";
    /** Reserved concurrency, when set. */
    readonly reservedConcurrency?: number;
  };
  /** Stage throttling steady-state rate (requests per second), when set. */
  readonly apiThrottleRatePerSecond?: number;
  /** Retention of the Lambda and API access log groups. */
  readonly logRetentionDays: number;
  /** Number of alarm metrics CloudWatch bills (0 when alarms are off). */
  readonly alarmMetrics: number;
  readonly dashboard: boolean;
  /** An e-mail alarm topic creates one KMS key. */
  readonly kmsKeys: number;
}

export interface Workload {
  /** Average request rate over the month. */
  readonly requestsPerSecond: number;
  /** @default 730 (hours in an average month) */
  readonly hoursPerMonth: number;
  /**
   * Instance-milliseconds per image on the real-time instance type at saturation, i.e.
   * 1000 / (images per second one instance sustains). Measured single-stream with all cores, it is the
   * single-request latency. Also the single-request model latency used for Lambda's duration.
   */
  readonly modelMsPerImage: number;
  /**
   * Billed duration per request on serverless inference.
   * @default modelMsPerImage (measure yours: serverless CPU share is not published)
   */
  readonly serverlessMsPerImage: number;
  /** Lambda time beyond the model: decode, SDK call, SageMaker overhead latency. @default 40 */
  readonly lambdaOverheadMs: number;
  /** Average request body. @default 150 (a typical JPEG photo upload) */
  readonly requestKb: number;
  /** Average response body. @default 1 (top-5 labels JSON) */
  readonly responseKb: number;
  /** CloudWatch Logs bytes per request: Lambda platform + handler lines, API access log, endpoint log. @default 1500 */
  readonly logBytesPerRequest: number;
  /** Model artifact in S3 (versioning keeps old versions too: multiply by versions kept). @default 0.35 (ViT-B/16-384 tarball) */
  readonly modelArtifactGb: number;
  /** Highest share of capacity the capacity check accepts before saying "add capacity". @default 0.7 */
  readonly targetUtilization: number;
}

/**
 * PLACEHOLDER, not a measurement: ViT-B/16-384 (577 tokens x 12 layers: ~55 G multiply-adds, ~110 GFLOPs per
 * image) on the 2 physical cores of a 4-vCPU ml.m5.xlarge at an assumed ~220 GFLOP/s effective fp32 (AVX-512).
 * Replace with the number measured on the reference architecture
 * (`--model-ms-per-image`, see docs/cost.md).
 */
export const PLACEHOLDER_MODEL_MS_PER_IMAGE = 500;

export function defaultWorkload(requestsPerSecond: number, modelMsPerImage = PLACEHOLDER_MODEL_MS_PER_IMAGE): Workload {
  return {
    requestsPerSecond,
    hoursPerMonth: 730,
    modelMsPerImage,
    serverlessMsPerImage: modelMsPerImage,
    lambdaOverheadMs: 40,
    requestKb: 150,
    responseKb: 1,
    logBytesPerRequest: 1500,
    modelArtifactGb: 0.35,
    targetUtilization: 0.7,
  };
}
