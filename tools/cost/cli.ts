/**
 * `npm run cost -- --requests-per-second 5 [--mode realtime|serverless] [--config file]`
 *
 * Prints the monthly cost of the configured stack at that request rate (line items + total) and whether the
 * configured capacity sustains it. The arithmetic lives in tools/cost/ (pure, unit-tested); this only wires
 * options, config and prices together. Exit codes: 0 ok, 2 bad options or config.
 */
import * as fs from "fs";
import { capacityChecks } from "./capacity";
import { DEFAULT_TRANSFORM_STARTUP_MINUTES, embedThroughApi, TransformOption, transformOption } from "./catalogue-estimate";
import { formatCatalogueReport } from "./format-catalogue";
import { parseCostArgs, USAGE } from "./cli-options";
import { deploymentFromConfig } from "./deployment-from-config";
import { estimateMonthlyCost } from "./estimate";
import { formatInstanceTypeTable, formatReport } from "./format-report";
import { DEFAULT_CANDIDATE_TYPES, costPerImageTable, instanceTypePerformance } from "./instance-performance";
import { DeploymentShape, PLACEHOLDER_MODEL_MS_PER_IMAGE, Workload, defaultWorkload } from "./inputs";
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
  if (options.catalogueImages !== undefined) {
    if (!bench) fail(`--catalogue needs the model benchmark (${benchPath}: npm run bench:model) for each instance type's ms per image`);
    printCatalogueEstimate(options.catalogueImages, options.transformStartupMinutes ?? DEFAULT_TRANSFORM_STARTUP_MINUTES, {
      loaded,
      bench,
      prices,
      deployment: deploymentFromConfig(loaded.config, "realtime"),
      modelMs,
    });
    return;
  }
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

/** --catalogue: Batch Transform per instance type and count, next to the same images through POST /embed. */
function printCatalogueEstimate(
  images: number,
  startupMinutes: number,
  inputs: {
    loaded: ReturnType<typeof loadCostConfig>;
    bench: ModelBenchmark;
    prices: PriceList;
    deployment: DeploymentShape;
    modelMs: number;
  },
): void {
  const { loaded, bench, prices, deployment, modelMs } = inputs;
  if (!Number.isInteger(images)) fail(`--catalogue: must be a whole number of images, got ${images}`);
  const configured = loaded.config.catalogue?.instance;
  const types = [...new Set([...DEFAULT_CANDIDATE_TYPES, ...(configured ? [configured.type] : [])])];
  const counts = [...new Set([1, 2, 4, ...(configured ? [configured.count] : [])])].sort((a, b) => a - b);
  const options: TransformOption[] = [];
  for (const type of types) {
    const performance = instanceTypePerformance(type, bench, prices);
    const hourly = prices.sagemakerInstanceHourly[type];
    if (!performance || hourly === undefined) continue;
    for (const count of counts) {
      options.push(
        transformOption(images, performance, count, hourly, startupMinutes, type === configured?.type && count === configured.count),
      );
    }
  }
  options.sort((a, b) => a.usd - b.usd || a.wallSeconds - b.wallSeconds);
  const api = embedThroughApi(images, deployment, { ...defaultWorkload(1, modelMs) }, prices);
  process.stdout.write(
    formatCatalogueReport(options, api, {
      images,
      startupMinutes,
      benchSource: `model benchmark of ${bench.date} on ${bench.machine.cpu}, per type as in npm run cost's instance table`,
      configSource: loaded.config.source,
      endpoint: `${deployment.realtime.instanceCount} x ${deployment.realtime.instanceType} at ${modelMs} ms per image, throttle ${deployment.apiThrottleRatePerSecond ?? "none"} req/s`,
    }),
  );
}

main();
