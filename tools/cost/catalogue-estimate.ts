/**
 * `npm run cost -- --catalogue <images>`: what embedding a catalogue once costs and how long it takes, per instance
 * type and count of a Batch Transform job, next to the same work sent image by image through POST /embed of the
 * configured stack. Pure arithmetic on its inputs (formulas in docs/cost.md, "Embedding a catalogue").
 */
import type { DeploymentShape, Workload } from "./inputs";
import type { InstanceTypePerformance } from "./instance-performance";
import type { PriceList } from "./prices";

/**
 * Minutes from CreateTransformJob until images flow: instances start, pull the image, download and load the model.
 * An assumption (SageMaker publishes no figure and nothing was measured on AWS here); billed like the rest of the job.
 */
export const DEFAULT_TRANSFORM_STARTUP_MINUTES = 5;

export interface TransformOption {
  readonly instanceType: string;
  readonly count: number;
  readonly imagesPerSecond: number;
  readonly wallSeconds: number;
  readonly usd: number;
  readonly configured: boolean;
}

export interface EmbedThroughApi {
  readonly imagesPerSecond: number;
  /** What limits the rate: the stage's throttling or the endpoint's instances. */
  readonly limitedBy: "API throttling" | "endpoint instances";
  readonly wallSeconds: number;
  readonly endpointUsd: number;
  readonly lambdaUsd: number;
  readonly apiUsd: number;
  readonly dataUsd: number;
  readonly usd: number;
}

/** One job: every instance starts, then the images are split evenly between them. */
export function transformOption(
  images: number,
  performance: InstanceTypePerformance,
  count: number,
  hourlyUsd: number,
  startupMinutes: number,
  configured: boolean,
): TransformOption {
  const imagesPerSecond = performance.imagesPerSecond * count;
  const wallSeconds = startupMinutes * 60 + images / imagesPerSecond;
  return {
    instanceType: performance.instanceType,
    count,
    imagesPerSecond,
    wallSeconds,
    usd: (count * wallSeconds * hourlyUsd) / 3600,
    configured,
  };
}

/**
 * The same images sent one by one through POST /embed as fast as the configured stack lets them in: the endpoint's
 * instances bill for the whole time, each image also pays API Gateway, Lambda and SageMaker's data processing.
 */
export function embedThroughApi(images: number, deployment: DeploymentShape, workload: Workload, prices: PriceList): EmbedThroughApi {
  const fleet = deployment.realtime.autoscaling?.maxCapacity ?? deployment.realtime.instanceCount;
  const endpointRate = (fleet * 1000) / workload.modelMsPerImage;
  const throttle = deployment.apiThrottleRatePerSecond ?? Infinity;
  const imagesPerSecond = Math.min(throttle, endpointRate);
  const wallSeconds = images / imagesPerSecond;
  const hourly = prices.sagemakerInstanceHourly[deployment.realtime.instanceType] ?? 0;
  const endpointUsd = (fleet * wallSeconds * hourly) / 3600;
  const durationS = (workload.modelMsPerImage + workload.lambdaOverheadMs) / 1000;
  const gbSecondRate = deployment.lambda.architecture === "arm64" ? prices.lambdaArm64PerGbSecond : prices.lambdaX86PerGbSecond;
  const lambdaUsd =
    (images / 1e6) * prices.lambdaPerMillionRequests + images * durationS * (deployment.lambda.memoryMb / 1024) * gbSecondRate;
  const apiUsd = (images / 1e6) * prices.httpApiPerMillionRequests * Math.max(1, Math.ceil(workload.requestKb / 512));
  const dataUsd = ((images * (workload.requestKb + workload.responseKb)) / (1024 * 1024)) * prices.sagemakerDataProcessedPerGb;
  return {
    imagesPerSecond,
    limitedBy: throttle < endpointRate ? "API throttling" : "endpoint instances",
    wallSeconds,
    endpointUsd,
    lambdaUsd,
    apiUsd,
    dataUsd,
    usd: endpointUsd + lambdaUsd + apiUsd + dataUsd,
  };
}
