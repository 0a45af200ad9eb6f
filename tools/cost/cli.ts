/**
 * `npm run cost -- --requests-per-second 5 [--mode realtime|serverless] [--config file]`
 *
 * Prints the monthly cost of the configured stack at that request rate (line items + total) and whether the
 * configured capacity sustains it. The arithmetic lives in tools/cost/ (pure, unit-tested); this only wires
 * options, config and prices together. Exit codes: 0 ok, 2 bad options or config.
 */
import * as fs from "fs";
import { capacityChecks } from "./capacity";
import { parseCostArgs, USAGE } from "./cli-options";
import { deploymentFromConfig } from "./deployment-from-config";
import { estimateMonthlyCost } from "./estimate";
import { formatInstanceTypeTable, formatReport } from "./format-report";
import { DEFAULT_CANDIDATE_TYPES, costPerImageTable } from "./instance-performance";
import { PLACEHOLDER_MODEL_MS_PER_IMAGE, Workload, defaultWorkload } from "./inputs";
import { loadCostConfig } from "./load-cost-config";
import { modelTimePerImage } from "./model-time";
import { DEFAULT_BENCHMARK_PATH, ModelBenchmark, readModelBenchmark } from "./model-benchmark";
import { DEFAULT_PRICES, PRICE_SOURCES, PriceList, mergePrices, priceOverrideProblems } from "./prices";

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function main(): void {
  const { options, problems } = parseCostArgs(process.argv.slice(2));
  if (!options) fail(`${problems.map((p) => `error: ${p}`).join("\n")}\n\n${USAGE}`);
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }

  let loaded;
  try {
    loaded = loadCostConfig(options.configPath);
  } catch (error) {
    fail((error as Error).message);
  }
  let prices: PriceList = DEFAULT_PRICES;
  if (options.pricesPath) {
    let override: unknown;
    try {
      override = JSON.parse(fs.readFileSync(options.pricesPath, "utf8"));
    } catch (error) {
      fail(`--prices ${options.pricesPath}: ${(error as Error).message}`);
    }
    const priceProblems = priceOverrideProblems(override);
    if (priceProblems.length > 0) fail(`--prices ${options.pricesPath}:\n${priceProblems.map((p) => `  - ${p}`).join("\n")}`);
    prices = mergePrices(DEFAULT_PRICES, override as Partial<PriceList>);
  }

  // --model-ms-per-image, else the model benchmark's JSON for the config's instance type, else the placeholder.
  const benchPath = options.benchPath ?? DEFAULT_BENCHMARK_PATH;
  let bench: ModelBenchmark | undefined;
  try {
    bench = readModelBenchmark(benchPath);
  } catch (error) {
    fail((error as Error).message);
  }
  if (options.benchPath && !bench) fail(`--bench ${options.benchPath}: file not found`);
  const deployment = deploymentFromConfig(loaded.config, options.mode);
  const modelTime = modelTimePerImage(deployment.realtime.instanceType, bench, prices, benchPath, options.modelMsPerImage);
  const modelMs = modelTime.msPerImage;
  const base = defaultWorkload(options.requestsPerSecond, modelMs);
  const workload: Workload = {
    ...base,
    serverlessMsPerImage: options.serverlessMsPerImage ?? modelMs,
    requestKb: options.requestKb ?? base.requestKb,
    responseKb: options.responseKb ?? base.responseKb,
    logBytesPerRequest: options.logBytesPerRequest ?? base.logBytesPerRequest,
    hoursPerMonth: options.hoursPerMonth ?? base.hoursPerMonth,
    targetUtilization: options.targetUtilization ?? base.targetUtilization,
    modelArtifactGb: loaded.modelArtifactGb ?? base.modelArtifactGb,
  };

  let estimate;
  try {
    estimate = estimateMonthlyCost(deployment, workload, prices);
  } catch (error) {
    fail((error as Error).message);
  }
  const checks = capacityChecks(deployment, workload);
  const types = [
    ...new Set([...DEFAULT_CANDIDATE_TYPES, deployment.realtime.instanceType, ...Object.keys(prices.sagemakerInstanceHourly)]),
  ];
  const perInstanceType = bench ? costPerImageTable(bench, prices, types) : [];

  if (options.json) {
    process.stdout.write(
      JSON.stringify(
        { deployment, workload, prices, estimate, capacity: checks, modelMsSource: modelTime.source, perInstanceType },
        null,
        2,
      ) + "\n",
    );
    return;
  }
  const notes: string[] = [];
  if (modelTime.placeholder) {
    notes.push(
      `model time per image is a PLACEHOLDER (${PLACEHOLDER_MODEL_MS_PER_IMAGE} ms), not a measurement: pass --model-ms-per-image`,
    );
  }
  const unverified = Object.entries(PRICE_SOURCES).filter(([, source]) => !source.verified).length;
  if (unverified > 0 && !options.pricesPath) {
    notes.push(
      `${unverified} default prices could not be checked on AWS's own pages; verify before budgeting (docs/cost.md, "Default prices")`,
    );
  }
  process.stdout.write(
    formatReport(estimate, checks, {
      configSource: loaded.config.source,
      requestsPerSecond: options.requestsPerSecond,
      modelMsPerImage: modelMs,
      modelMsSource: modelTime.source,
      prices,
      notes,
    }) +
      (perInstanceType.length > 0 && bench
        ? `\n${formatInstanceTypeTable(perInstanceType, {
            current: deployment.realtime.instanceType,
            benchSource: `model benchmark ${bench.date}, torch ${bench.machine.torch}`,
            measuredHere: `${bench.serving.msPerImage} ms per image (${bench.serving.imagesPerSecond} images/s) on ${bench.machine.cpu}, ${bench.machine.threads} cores, ${bench.defaultPrecision} prepacked${bench.machine.instanceType ? ` (${bench.machine.instanceType})` : " (not a SageMaker instance)"}`,
          })}`
        : ""),
  );
}

main();
