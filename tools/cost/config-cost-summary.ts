/**
 * What a config costs in two numbers, from the same arithmetic as `npm run cost`: the month when nobody calls it
 * (idle), and what each million images adds. For a real-time endpoint also what one instance's time costs per
 * million images when it is kept busy, the figure to compare instance types by.
 */
import type { ClassifierConfig } from "../../src/config/load-config";
import { deploymentFromConfig } from "./deployment-from-config";
import { CostEstimate, LineItem, estimateMonthlyCost } from "./estimate";
import { defaultWorkload } from "./inputs";
import { DEFAULT_BENCHMARK_PATH, ModelBenchmark } from "./model-benchmark";
import { ModelTime, modelTimePerImage } from "./model-time";
import { DEFAULT_PRICES, PriceList } from "./prices";

export interface ConfigCostSummary {
  readonly idleMonthlyUsd: number;
  /** The idle month's line items that cost anything, largest first. */
  readonly idleItems: readonly LineItem[];
  /** What a million images a month adds to the idle month (Lambda, API Gateway, data, logs; serverless compute). */
  readonly perMillionImagesUsd: number;
  /** Real-time: images per second one instance serves, and its instance time per million images when kept busy. */
  readonly busyInstance?: { readonly imagesPerSecond: number; readonly usdPerMillionImages: number };
  readonly prices: Pick<PriceList, "asOf" | "region">;
  readonly modelTime: ModelTime;
}

export interface CostSummaryInputs {
  /** @default DEFAULT_PRICES */
  readonly prices?: PriceList;
  /** The model benchmark (model/bench/model-bench.json); undefined: the placeholder model time. */
  readonly bench?: ModelBenchmark;
  /** Size of the model tarball in GB. @default the cost tool's default (ViT-B/16-384's tarball) */
  readonly modelArtifactGb?: number;
}

/** Throws when the price list has no hourly price for the config's instance type (as `npm run cost` does). */
export function configCostSummary(config: ClassifierConfig, inputs: CostSummaryInputs = {}): ConfigCostSummary {
  const prices = inputs.prices ?? DEFAULT_PRICES;
  const deployment = deploymentFromConfig(config);
  const modelTime = modelTimePerImage(deployment.realtime.instanceType, inputs.bench, prices, DEFAULT_BENCHMARK_PATH);
  const at = (requestsPerSecond: number): CostEstimate => {
    const base = defaultWorkload(requestsPerSecond, modelTime.msPerImage);
    return estimateMonthlyCost(deployment, { ...base, modelArtifactGb: inputs.modelArtifactGb ?? base.modelArtifactGb }, prices);
  };
  const idle = at(0);
  const hoursPerMonth = defaultWorkload(0).hoursPerMonth;
  const millionImages = at(1e6 / (3600 * hoursPerMonth));
  const usdPerMillion = modelTime.performance?.usdPerMillionImages;
  return {
    idleMonthlyUsd: idle.totalUsd,
    idleItems: idle.lineItems.filter((item) => item.monthlyUsd > 0).sort((a, b) => b.monthlyUsd - a.monthlyUsd),
    perMillionImagesUsd: millionImages.totalUsd - idle.totalUsd,
    busyInstance:
      deployment.mode === "realtime" && usdPerMillion !== undefined
        ? { imagesPerSecond: 1000 / modelTime.msPerImage, usdPerMillionImages: usdPerMillion }
        : undefined,
    prices: { asOf: prices.asOf, region: prices.region },
    modelTime,
  };
}
