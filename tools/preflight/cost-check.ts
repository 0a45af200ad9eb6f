/** What the config costs before anything is deployed: the cost tool's idle month and its price per million images. */
import type { ClassifierConfig } from "../../src/config/load-config";
import { ConfigCostSummary, CostSummaryInputs, configCostSummary } from "../cost/config-cost-summary";
import { usd } from "../cost/format-report";
import { CheckResult, pass, warn } from "./check-result";

export function costCheck(config: ClassifierConfig, inputs: CostSummaryInputs): CheckResult {
  let summary: ConfigCostSummary;
  try {
    summary = configCostSummary(config, inputs);
  } catch (error) {
    return warn(
      "cost",
      `not estimated: ${(error as Error).message}`,
      "npm run cost -- --requests-per-second 1 --prices <file.json> with the instance type's hourly price (docs/cost.md)",
    );
  }
  const items = summary.idleItems
    .slice(0, 3)
    .map((item) => `${item.service} ${item.item} ${usd(item.monthlyUsd)}`)
    .join(", ");
  const busy = summary.busyInstance
    ? `; one instance serves ~${summary.busyInstance.imagesPerSecond.toFixed(1)} images/s: ${usd(summary.busyInstance.usdPerMillionImages)} ` +
      "of instance time per million images when kept busy"
    : "";
  const placeholder = summary.modelTime.placeholder ? ` (model time per image: ${summary.modelTime.source})` : "";
  const detail =
    `${usd(summary.idleMonthlyUsd)} a month idle (${items}), + ${usd(summary.perMillionImagesUsd)} per million images${busy}` +
    `${placeholder}; ${summary.prices.region} list prices of ${summary.prices.asOf}; npm run cost -- --requests-per-second <rate> for your traffic`;
  const provisioned = config.variant.kind === "serverless" ? config.variant.provisionedConcurrency : undefined;
  if (provisioned !== undefined) {
    // The cost tool has no price for provisioned concurrency: the idle month above leaves out what it bills.
    return warn(
      "cost",
      `${detail}; NOT included: endpoint.serverless.provisionedConcurrency ${provisioned}, billed around the clock`,
      'price it on https://aws.amazon.com/sagemaker/pricing/ ("Serverless Inference", "Provisioned Concurrency") before deploying',
    );
  }
  return pass("cost", detail);
}
