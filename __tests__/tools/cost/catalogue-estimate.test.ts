import { embedThroughApi, transformOption } from "../../../tools/cost/catalogue-estimate";
import { defaultWorkload, DeploymentShape } from "../../../tools/cost/inputs";
import { DEFAULT_PRICES } from "../../../tools/cost/prices";
import { InstanceTypePerformance } from "../../../tools/cost/instance-performance";

const performance: InstanceTypePerformance = {
  instanceType: "ml.c7i.xlarge",
  precision: "bfloat16",
  msPerImage: 200,
  imagesPerSecond: 5,
  provenance: "measured",
  basis: "test",
};
const deployment: DeploymentShape = {
  mode: "realtime",
  realtime: { instanceType: "ml.c7i.xlarge", instanceCount: 1 },
  serverless: { memoryMb: 4096, maxConcurrency: 5 },
  lambda: { memoryMb: 512, architecture: "arm64" },
  apiThrottleRatePerSecond: 2,
  logRetentionDays: 30,
  alarmMetrics: 0,
  dashboard: false,
  kmsKeys: 0,
};

describe("catalogue cost", () => {
  it("a job's wall time is start-up plus the images over the instances' rate, billed per instance for all of it", () => {
    const one = transformOption(36_000, performance, 1, 0.36, 5, true);
    const four = transformOption(36_000, performance, 4, 0.36, 5, false);

    expect(one).toMatchObject({ imagesPerSecond: 5, wallSeconds: 300 + 7200, configured: true });
    expect(one.usd).toBeCloseTo((7500 * 0.36) / 3600, 6);
    expect(four.wallSeconds).toBe(300 + 1800);
    expect(four.usd).toBeCloseTo((4 * 2100 * 0.36) / 3600, 6); // more instances: faster, and start-up four times
  });

  it("through POST /embed the slower of throttle and endpoint sets the pace, and every image pays the request path", () => {
    const workload = defaultWorkload(1, 200);
    const api = embedThroughApi(36_000, deployment, workload, DEFAULT_PRICES);

    expect(api).toMatchObject({ imagesPerSecond: 2, limitedBy: "API throttling", wallSeconds: 18_000 });
    expect(api.endpointUsd).toBeCloseTo((18_000 * DEFAULT_PRICES.sagemakerInstanceHourly["ml.c7i.xlarge"]) / 3600, 6);
    expect(api.apiUsd).toBeCloseTo(0.036 * DEFAULT_PRICES.httpApiPerMillionRequests, 6);
    expect(api.usd).toBeCloseTo(api.endpointUsd + api.lambdaUsd + api.apiUsd + api.dataUsd, 9);

    const unthrottled = embedThroughApi(36_000, { ...deployment, apiThrottleRatePerSecond: 100 }, workload, DEFAULT_PRICES);
    expect(unthrottled).toMatchObject({ imagesPerSecond: 5, limitedBy: "endpoint instances" });
  });
});
