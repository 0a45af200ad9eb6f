import { capacityChecks, imagesPerSecondPerInstance, instancesToBill, requiredInstances } from "../../../tools/cost/capacity";
import { REALTIME, SERVERLESS, WORKLOAD } from "./fixtures";

const byHop = (checks: ReturnType<typeof capacityChecks>) => Object.fromEntries(checks.map((c) => [c.hop, c]));

describe("capacity", () => {
  it("derives per-instance throughput from the time per image", () => {
    expect(imagesPerSecondPerInstance(WORKLOAD)).toBe(5);
  });

  it.each([
    [1, 1], // 1 / (5 x 0.7) = 0.29 -> 1
    [3.5, 1], // exactly 70 % of one instance
    [3.6, 2],
    [5, 2], // 1.43 -> 2
    [20, 6], // 5.71 -> 6
  ])("needs enough instances for %d req/s at <= 70 %% busy: %d", (rate, instances) => {
    expect(requiredInstances({ ...WORKLOAD, requestsPerSecond: rate })).toBe(instances);
  });

  it("bills the configured count without autoscaling", () => {
    expect(instancesToBill(REALTIME, { ...WORKLOAD, requestsPerSecond: 100 })).toBe(2);
  });

  it("says two instances at 200 ms/image sustain 5 req/s at 50 % busy", () => {
    const check = byHop(capacityChecks(REALTIME, WORKLOAD))["SageMaker real-time"];

    expect(check.ok).toBe(true);
    expect(check.detail).toBe("2 x ml.m5.xlarge at 200 ms/image = 10.00 img/s; 5 req/s -> 50% busy (target <= 70%)");
  });

  it("says one instance is too small for 5 req/s and how many are needed", () => {
    const one = { ...REALTIME, realtime: { ...REALTIME.realtime, instanceCount: 1 } };

    const check = byHop(capacityChecks(one, WORKLOAD))["SageMaker real-time"];

    expect(check.ok).toBe(false);
    expect(check.detail).toBe("1 x ml.m5.xlarge at 200 ms/image = 5.00 img/s; 5 req/s -> 100% busy (target <= 70%); needs 2 instance(s)");
  });

  it("checks autoscaling against its maximum", () => {
    const scaled = { ...REALTIME, realtime: { ...REALTIME.realtime, instanceCount: 1, autoscaling: { minCapacity: 1, maxCapacity: 4 } } };

    expect(byHop(capacityChecks(scaled, { ...WORKLOAD, requestsPerSecond: 14 }))["SageMaker real-time"].ok).toBe(true); // 70 % of 20
    expect(byHop(capacityChecks(scaled, { ...WORKLOAD, requestsPerSecond: 15 }))["SageMaker real-time"].ok).toBe(false);
  });

  it("checks serverless concurrency (rate x billed duration) against max concurrency", () => {
    expect(byHop(capacityChecks(SERVERLESS, WORKLOAD))["SageMaker serverless"]).toEqual({
      hop: "SageMaker serverless",
      ok: true,
      detail: "5 req/s x 300 ms = 1.50 concurrent of max 5 (target <= 70%); cold starts not included",
    });
    const small = { ...SERVERLESS, serverless: { memoryMb: 4096, maxConcurrency: 2 } };
    expect(byHop(capacityChecks(small, WORKLOAD))["SageMaker serverless"].ok).toBe(false); // 1.5 > 1.4
  });

  it("checks Lambda concurrency against reserved concurrency", () => {
    expect(byHop(capacityChecks(REALTIME, WORKLOAD)).Lambda).toEqual({
      hop: "Lambda",
      ok: true,
      detail: "1.20 concurrent of reserved 10 (target <= 70%)",
    });
    const tight = { ...REALTIME, lambda: { ...REALTIME.lambda, reservedConcurrency: 1 } };
    expect(byHop(capacityChecks(tight, WORKLOAD)).Lambda.ok).toBe(false);
    const unreserved = { ...REALTIME, lambda: { ...REALTIME.lambda, reservedConcurrency: undefined } };
    expect(byHop(capacityChecks(unreserved, WORKLOAD)).Lambda.detail).toContain("no reserved concurrency");
  });

  it("checks the rate against stage throttling, when set", () => {
    expect(byHop(capacityChecks(REALTIME, { ...WORKLOAD, requestsPerSecond: 10 }))["API stage throttling"].ok).toBe(true);
    expect(byHop(capacityChecks(REALTIME, { ...WORKLOAD, requestsPerSecond: 12 }))["API stage throttling"].ok).toBe(false);
    expect(byHop(capacityChecks({ ...REALTIME, apiThrottleRatePerSecond: undefined }, WORKLOAD))["API stage throttling"]).toBeUndefined();
  });

  it("checks the stage throttling against what the fleet serves at its largest, whatever the rate", () => {
    // 2 x 5 img/s = 10 img/s; REALTIME's stage lets in 10 req/s.
    expect(byHop(capacityChecks(REALTIME, { ...WORKLOAD, requestsPerSecond: 1 }))["API throttling vs endpoint"]).toEqual({
      hop: "API throttling vs endpoint",
      ok: true,
      detail: "the stage lets in 10 req/s, 2 x ml.m5.xlarge serve 10.00 img/s",
    });
    const wide = { ...REALTIME, apiThrottleRatePerSecond: 25 };
    expect(byHop(capacityChecks(wide, WORKLOAD))["API throttling vs endpoint"].detail).toContain(
      "the excess would queue until it times out (504)",
    );
    const scaled = { ...wide, realtime: { ...wide.realtime, autoscaling: { minCapacity: 1, maxCapacity: 5 } } };
    expect(byHop(capacityChecks(scaled, WORKLOAD))["API throttling vs endpoint"].ok).toBe(true);
    expect(byHop(capacityChecks(SERVERLESS, WORKLOAD))["API throttling vs endpoint"]).toBeUndefined();
  });
});
