// The default deployment's numbers are sized together against what one instance serves (the committed model
// benchmark through the cost tool): stage throttling, its burst, the autoscaling target and the latency alarm.
import { invokeBudgetMs } from "../../../common/facts";
import { resolveConfig } from "../../../src/config/load-config";
import { instanceTypePerformance } from "../../../tools/cost/instance-performance";
import { readModelBenchmark } from "../../../tools/cost/model-benchmark";

const config = resolveConfig({}, { requireArtifact: false });
const instanceType = config.endpoint.instance?.type ?? "ml.c7i.xlarge";
const performance = instanceTypePerformance(instanceType, readModelBenchmark()!)!;
const fleetImagesPerSecond = performance.imagesPerSecond * 1; // one instance by default

describe("Default sizing against the default instance's throughput", () => {
  it(`lets in no more than the fleet serves, and not much less (${instanceType}: ${performance.imagesPerSecond} images/s)`, () => {
    expect(config.api.throttlingRateLimit).toBeLessThanOrEqual(fleetImagesPerSecond);
    expect(config.api.throttlingRateLimit).toBeGreaterThanOrEqual(0.5 * fleetImagesPerSecond);
  });

  it("drains a full burst well within the function's budget for one request", () => {
    const drainMs = (config.api.throttlingBurstLimit / fleetImagesPerSecond) * 1000;
    expect(drainMs).toBeLessThan(invokeBudgetMs(config.lambda.timeoutSeconds) / 4);
  });

  it("scales out at 50-80 % of what an instance serves per minute", () => {
    const perMinute = performance.imagesPerSecond * 60;
    expect(config.autoscaling.targetInvocationsPerInstance / perMinute).toBeGreaterThanOrEqual(0.5);
    expect(config.autoscaling.targetInvocationsPerInstance / perMinute).toBeLessThanOrEqual(0.8);
  });

  it("alarms on model latency a few times the time per image (queueing), not on one slow image", () => {
    const ratio = config.alarms.modelLatencyP95Ms / performance.msPerImage;
    expect(ratio).toBeGreaterThanOrEqual(3);
    expect(ratio).toBeLessThanOrEqual(10);
  });
});
