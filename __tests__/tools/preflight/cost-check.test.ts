/** The cost line: the cost tool's own figures for the config (idle month, per million images), or why there are none. */
import { resolveConfig } from "../../../src/config/load-config";
import { configCostSummary } from "../../../tools/cost/config-cost-summary";
import { estimateMonthlyCost } from "../../../tools/cost/estimate";
import { deploymentFromConfig } from "../../../tools/cost/deployment-from-config";
import { defaultWorkload } from "../../../tools/cost/inputs";
import { formatCheck } from "../../../tools/preflight/check-result";
import { costCheck } from "../../../tools/preflight/cost-check";
import { BENCH, PRICES } from "../cost/fixtures";

const config = (raw: Record<string, unknown>) => resolveConfig(raw, { requireArtifact: false });

describe("Preflight: cost", () => {
  it("gives the idle month and what a million images add, as npm run cost works them out", () => {
    // Prepare: 2 x ml.m5.xlarge at $0.25 an hour.
    const c = config({ endpoint: { instance: { type: "ml.m5.xlarge", count: 2 } } });
    const workload = (rps: number) => ({ ...defaultWorkload(rps, 500), modelArtifactGb: 0.5 });

    // Act
    const summary = configCostSummary(c, { prices: PRICES, modelArtifactGb: 0.5 });

    // Assess
    const idle = estimateMonthlyCost(deploymentFromConfig(c), workload(0), PRICES).totalUsd;
    const million = estimateMonthlyCost(deploymentFromConfig(c), workload(1e6 / (3600 * 730)), PRICES).totalUsd;
    expect(summary.idleMonthlyUsd).toBeCloseTo(idle, 9);
    expect(summary.idleItems[0]).toMatchObject({ item: "real-time ml.m5.xlarge", monthlyUsd: 2 * 730 * 0.25 });
    expect(summary.perMillionImagesUsd).toBeCloseTo(million - idle, 9);
    expect(summary.modelTime.placeholder).toBe(true);
    expect(summary.busyInstance).toBeUndefined();
  });

  it("prints them on one line, with the busy instance's price per million images from the model benchmark", () => {
    // Prepare
    const c = config({ endpoint: { instance: { type: "ml.m5.xlarge", count: 1 } } });
    const summary = configCostSummary(c, { prices: PRICES, bench: BENCH });

    // Act
    const line = formatCheck(costCheck(c, { prices: PRICES, bench: BENCH }));

    // Assess
    expect(summary.busyInstance).toBeDefined();
    expect(line).toBe(
      `PASS  cost: $${summary.idleMonthlyUsd.toFixed(2)} a month idle (SageMaker real-time ml.m5.xlarge $182.50, CloudWatch dashboard $3.00, ` +
        `CloudWatch alarms $0.90), + $${summary.perMillionImagesUsd.toFixed(2)} per million images; one instance serves ` +
        `~${summary.busyInstance!.imagesPerSecond.toFixed(1)} images/s: $${summary.busyInstance!.usdPerMillionImages.toFixed(2)} of instance time ` +
        "per million images when kept busy; test-region-1 list prices of 2000-01-01; npm run cost -- --requests-per-second <rate> for your traffic",
    );
  });

  it("prices a serverless endpoint by use: nothing for the endpoint while idle", () => {
    // Act
    const summary = configCostSummary(config({ endpoint: { serverless: {} } }), { prices: PRICES, bench: BENCH });

    // Assess
    expect(summary.idleItems.map((i) => i.service)).not.toContain("SageMaker");
    expect(summary.perMillionImagesUsd).toBeGreaterThan(0);
    expect(summary.busyInstance).toBeUndefined();
  });

  it("warns that serverless provisioned concurrency, billed while idle, is not in the figures", () => {
    // Act
    const line = formatCheck(
      costCheck(config({ endpoint: { serverless: { provisionedConcurrency: 2 } } }), { prices: PRICES, bench: BENCH }),
    );

    // Assess
    expect(line).toMatch(
      /^WARN {2}cost: \$[\d.]+ a month idle .*; NOT included: endpoint\.serverless\.provisionedConcurrency 2, billed around the clock\n/,
    );
    expect(line).toContain(
      'fix: price it on https://aws.amazon.com/sagemaker/pricing/ ("Serverless Inference", "Provisioned Concurrency") before deploying',
    );
  });

  it("says when the model time is a placeholder", () => {
    // Act
    const line = formatCheck(costCheck(config({ endpoint: { instance: { type: "ml.m5.xlarge" } } }), { prices: PRICES }));

    // Assess
    expect(line).toContain("per million images (model time per image: PLACEHOLDER, not measured (no ");
  });

  it("warns, with the command to price it, when the price list has no hourly price for the instance type", () => {
    // Act
    const line = formatCheck(costCheck(config({ endpoint: { instance: { type: "ml.r7i.large" } } }), { prices: PRICES }));

    // Assess
    expect(line).toBe(
      'WARN  cost: not estimated: no hourly price for ml.r7i.large: add it under "sagemakerInstanceHourly" in a --prices file\n' +
        "      fix: npm run cost -- --requests-per-second 1 --prices <file.json> with the instance type's hourly price (docs/cost.md)",
    );
  });
});
