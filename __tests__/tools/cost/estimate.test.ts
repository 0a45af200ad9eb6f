import { CostEstimate, estimateMonthlyCost, monthlyRequests } from "../../../tools/cost/estimate";
import { DEFAULT_PRICES, PRICE_SOURCES, mergePrices, priceOverrideProblems } from "../../../tools/cost/prices";
import { MONTHLY_REQUESTS, PRICES, REALTIME, SERVERLESS, WORKLOAD } from "./fixtures";

/** "service / item" -> monthly USD */
function byItem(estimate: CostEstimate): Record<string, number> {
  return Object.fromEntries(estimate.lineItems.map((i) => [`${i.service} / ${i.item}`, i.monthlyUsd]));
}

describe("estimateMonthlyCost", () => {
  it("counts requests per month from the rate and the hours", () => {
    expect(monthlyRequests(WORKLOAD)).toBe(MONTHLY_REQUESTS);
  });

  it("prices every line of a real-time deployment", () => {
    // Prepare / Act
    const items = byItem(estimateMonthlyCost(REALTIME, WORKLOAD, PRICES));

    // Assess: hand-computed from the fixtures (R = 13,140,000 requests).
    const expected: Record<string, number> = {
      "SageMaker / real-time ml.m5.xlarge": 2 * 730 * 0.25, // 365
      "SageMaker / data processed (in + out)": ((13_140_000 * 101) / 1_048_576) * 0.02, // 25.3131866...
      "Lambda / requests": 13.14 * 0.2, // 2.628
      "Lambda / compute arm64 512 MB": 13_140_000 * 0.24 * 0.5 * 0.00001, // 15.768 (200 ms model + 40 ms overhead)
      "API Gateway / HTTP API requests": 13.14, // one 512 KB unit per request
      "Data transfer / responses to the internet": (13_140_000 / 1_048_576) * 0.1, // 1.2531...
      "S3 / model artifact": 0.01,
      "CloudWatch / logs ingestion": ((13_140_000 * 1000) / 1024 ** 3) * 0.5, // 6.1187...
      "CloudWatch / logs storage (30 d retention)": ((13_140_000 * 1000) / 1024 ** 3) * 0.03, // 0.3671...
      "CloudWatch / alarms": 0.9,
      "CloudWatch / dashboard": 3,
    };
    expect(Object.keys(items)).toEqual(Object.keys(expected));
    for (const [key, value] of Object.entries(expected)) expect(items[key]).toBeCloseTo(value, 9);
  });

  it("totals the line items", () => {
    const estimate = estimateMonthlyCost(REALTIME, WORKLOAD, PRICES);

    expect(estimate.totalUsd).toBeCloseTo(433.49823137140265, 9);
    expect(estimate.monthlyRequests).toBe(MONTHLY_REQUESTS);
    expect(estimate.mode).toBe("realtime");
  });

  it("prices serverless by memory x billed duration instead of instance hours", () => {
    const items = byItem(estimateMonthlyCost(SERVERLESS, WORKLOAD, PRICES));

    expect(items["SageMaker / serverless compute 4096 MB"]).toBeCloseTo(13_140_000 * 0.3 * 4 * 0.00002, 9); // 315.36
    expect(items["SageMaker / real-time ml.m5.xlarge"]).toBeUndefined();
    // The Lambda waits for the serverless latency (300 ms) plus its overhead.
    expect(items["Lambda / compute arm64 512 MB"]).toBeCloseTo(13_140_000 * 0.34 * 0.5 * 0.00001, 9); // 22.338
    expect(items["CloudWatch / alarms"]).toBeCloseTo(0.7, 9);
  });

  it("meters HTTP API requests in 512 KB units", () => {
    const items = byItem(estimateMonthlyCost(REALTIME, { ...WORKLOAD, requestKb: 600 }, PRICES));

    expect(items["API Gateway / HTTP API requests"]).toBeCloseTo(26.28, 9);
  });

  it("uses the x86_64 duration price for x86 functions", () => {
    const x86 = { ...REALTIME, lambda: { ...REALTIME.lambda, architecture: "x86_64" as const } };

    expect(byItem(estimateMonthlyCost(x86, WORKLOAD, PRICES))["Lambda / compute x86_64 512 MB"]).toBeCloseTo(31.536, 9);
  });

  it("bills the autoscaled instance count: what the rate needs, within min and max", () => {
    const scaled = { ...REALTIME, realtime: { ...REALTIME.realtime, autoscaling: { minCapacity: 1, maxCapacity: 4 } } };

    // 5 img/s per instance at 200 ms; 5 req/s at <= 70 % busy needs 2; 20 req/s would need 6, capped at 4.
    expect(byItem(estimateMonthlyCost(scaled, WORKLOAD, PRICES))["SageMaker / real-time ml.m5.xlarge"]).toBeCloseTo(2 * 730 * 0.25, 9);
    expect(
      byItem(estimateMonthlyCost(scaled, { ...WORKLOAD, requestsPerSecond: 20 }, PRICES))["SageMaker / real-time ml.m5.xlarge"],
    ).toBeCloseTo(4 * 730 * 0.25, 9);
  });

  it("adds a KMS key line for an e-mail alarm topic and drops alarm and dashboard lines when off", () => {
    const items = byItem(estimateMonthlyCost({ ...REALTIME, kmsKeys: 1, alarmMetrics: 0, dashboard: false }, WORKLOAD, PRICES));

    expect(items["KMS / alarm topic key"]).toBe(1);
    expect(items["CloudWatch / alarms"]).toBeUndefined();
    expect(items["CloudWatch / dashboard"]).toBeUndefined();
  });

  it("keeps log storage proportional to retention", () => {
    const items = byItem(estimateMonthlyCost({ ...REALTIME, logRetentionDays: 90 }, WORKLOAD, PRICES));

    expect(items["CloudWatch / logs storage (90 d retention)"]).toBeCloseTo(((13_140_000 * 1000) / 1024 ** 3) * 3 * 0.03, 9);
  });

  it("refuses an instance type it has no price for, saying how to add one", () => {
    const unknown = { ...REALTIME, realtime: { ...REALTIME.realtime, instanceType: "ml.c5.2xlarge" } };

    expect(() => estimateMonthlyCost(unknown, WORKLOAD, PRICES)).toThrow(
      'no hourly price for ml.c5.2xlarge: add it under "sagemakerInstanceHourly" in a --prices file',
    );
  });

  it("shows each formula with its numbers", () => {
    const item = estimateMonthlyCost(REALTIME, WORKLOAD, PRICES).lineItems[0];

    expect(item.formula).toBe("2 x 730 h x $0.25/h");
    expect(item.usage).toBe("2 instance(s) x 730 h");
  });
});

describe("prices", () => {
  it("document a source for every default price", () => {
    const priced = Object.keys(DEFAULT_PRICES).filter((k) => k !== "asOf" && k !== "region");

    expect(Object.keys(PRICE_SOURCES).sort()).toEqual(priced.sort());
    for (const source of Object.values(PRICE_SOURCES)) expect(source.where.length).toBeGreaterThan(10);
  });

  it("default the reference instance types", () => {
    expect(Object.keys(DEFAULT_PRICES.sagemakerInstanceHourly)).toEqual(
      expect.arrayContaining([
        "ml.c5.xlarge",
        "ml.g4dn.xlarge",
        "ml.m5.xlarge",
        "ml.c6i.xlarge",
        "ml.m6i.xlarge",
        "ml.c7i.xlarge",
        "ml.m7i.xlarge",
      ]),
    );
  });

  it("merge overrides over the defaults, instance prices key by key", () => {
    const merged = mergePrices(DEFAULT_PRICES, { lambdaPerMillionRequests: 0.25, sagemakerInstanceHourly: { "ml.c5.2xlarge": 0.408 } });

    expect(merged.lambdaPerMillionRequests).toBe(0.25);
    expect(merged.sagemakerInstanceHourly["ml.c5.2xlarge"]).toBe(0.408);
    expect(merged.sagemakerInstanceHourly["ml.m5.xlarge"]).toBe(DEFAULT_PRICES.sagemakerInstanceHourly["ml.m5.xlarge"]);
    expect(merged.httpApiPerMillionRequests).toBe(DEFAULT_PRICES.httpApiPerMillionRequests);
  });

  it("check a price file and list every problem in it", () => {
    expect(priceOverrideProblems({ lambdaPerMillionRequests: 0.25, sagemakerInstanceHourly: { "ml.c5.2xlarge": 0.408 } })).toEqual([]);
    expect(priceOverrideProblems({ lambdaPerMilion: 1, httpApiPerMillionRequests: "1", sagemakerInstanceHourly: { "ml.x": -1 } })).toEqual([
      expect.stringMatching(/^lambdaPerMilion: unknown price \(known: asOf, region, sagemakerInstanceHourly, /),
      "httpApiPerMillionRequests: must be a number >= 0",
      "sagemakerInstanceHourly.ml.x: must be a number >= 0",
    ]);
    expect(priceOverrideProblems([1])).toEqual(["must be a JSON object"]);
  });
});
