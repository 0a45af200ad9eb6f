import { resolveConfig } from "../../../src/config/load-config";
import { deploymentFromConfig } from "../../../tools/cost/deployment-from-config";

/** Validates a config without touching a model tarball (the cost estimate never needs one). */
const config = (raw: Record<string, unknown>) => resolveConfig(raw, { requireArtifact: false });

describe("deploymentFromConfig", () => {
  it("reads the default config as one real-time ml.c7i.xlarge (cheapest per image) with all monitoring on", () => {
    expect(deploymentFromConfig(config({}))).toEqual({
      mode: "realtime",
      realtime: { instanceType: "ml.c7i.xlarge", instanceCount: 1, autoscaling: undefined },
      serverless: { memoryMb: 4096, maxConcurrency: 5 },
      lambda: { memoryMb: 512, architecture: "arm64", reservedConcurrency: undefined },
      apiThrottleRatePerSecond: 5,
      logRetentionDays: 30,
      alarmMetrics: 9,
      dashboard: true,
      kmsKeys: 0,
    });
  });

  it("follows the configured instance, autoscaling, Lambda and API settings", () => {
    const shape = deploymentFromConfig(
      config({
        endpoint: { instance: { type: "ml.c5.xlarge", count: 2 }, logRetentionDays: 90 },
        autoscaling: { enabled: true, minInstances: 2, maxInstances: 6 },
        lambda: { memoryMb: 1024, architecture: "x86_64", reservedConcurrency: null },
        api: { throttlingRateLimit: 50, throttlingBurstLimit: 100 },
      }),
    );

    expect(shape.realtime).toEqual({ instanceType: "ml.c5.xlarge", instanceCount: 2, autoscaling: { minCapacity: 2, maxCapacity: 6 } });
    expect(shape.lambda).toEqual({ memoryMb: 1024, architecture: "x86_64", reservedConcurrency: undefined });
    expect(shape.apiThrottleRatePerSecond).toBe(50);
    expect(shape.logRetentionDays).toBe(90);
  });

  it("reads a serverless config, which has no instance alarms", () => {
    const shape = deploymentFromConfig(config({ endpoint: { serverless: { memorySizeMb: 6144, maxConcurrency: 20 } } }));

    expect(shape.mode).toBe("serverless");
    expect(shape.serverless).toEqual({ memoryMb: 6144, maxConcurrency: 20 });
    expect(shape.alarmMetrics).toBe(7);
  });

  it("switches mode on request, taking the other mode's defaults", () => {
    const shape = deploymentFromConfig(config({}), "serverless");

    expect(shape.mode).toBe("serverless");
    expect(shape.serverless).toEqual({ memoryMb: 4096, maxConcurrency: 5 });
  });

  it("prices the monitoring the alarms section creates", () => {
    expect(deploymentFromConfig(config({ alarms: { email: "oncall@example.com" } }))).toMatchObject({
      alarmMetrics: 9,
      dashboard: true,
      kmsKeys: 1,
    });
    expect(deploymentFromConfig(config({ alarms: { enabled: false, email: "oncall@example.com" } }))).toMatchObject({
      alarmMetrics: 0,
      kmsKeys: 0,
    });
    expect(deploymentFromConfig(config({ alarms: { dashboard: false } }))).toMatchObject({ alarmMetrics: 9, dashboard: false });
  });
});
