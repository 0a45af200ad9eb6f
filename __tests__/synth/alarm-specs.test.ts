import { defaultAlarmSettings } from "../../src/config/alarms";
import { AlarmSpec, SingleMetricAlarmSpec, alarmMetricCount, inferenceAlarmSpecs } from "../../src/monitoring/alarm-specs";
import { instanceVcpus } from "../../common/instance-types";

const resources = { apiId: "a1b2c3", stageName: "$default", functionName: "fn", endpointName: "ep", variantName: "AllTraffic" };

function specs(overrides: Partial<Parameters<typeof inferenceAlarmSpecs>[0]> = {}): AlarmSpec[] {
  return inferenceAlarmSpecs({
    resources,
    functionTimeoutSeconds: 28,
    serverless: false,
    instanceType: "ml.m5.xlarge",
    settings: defaultAlarmSettings(),
    ...overrides,
  });
}

function single(list: AlarmSpec[], id: string): SingleMetricAlarmSpec {
  const spec = list.find((s) => s.id === id);
  if (!spec || spec.kind !== "metric") throw new Error(`no single-metric alarm ${id}`);
  return spec;
}

describe("instanceVcpus", () => {
  it.each([
    ["ml.m5.xlarge", 4],
    ["ml.c5.xlarge", 4],
    ["ml.g4dn.xlarge", 4],
    ["ml.c5.9xlarge", 36],
    ["ml.m5.large", 2],
    ["ml.t2.medium", 2],
    ["ml.g5.48xlarge", 192],
  ])("%s has %d vCPUs", (type, vcpus) => {
    expect(instanceVcpus(type)).toBe(vcpus);
  });

  it.each(["m5.xlarge", "ml.m5", "ml.m5.huge", "ml.m5.0xlarge"])("does not guess for %s", (type) => {
    expect(instanceVcpus(type)).toBeUndefined();
  });
});

describe("inferenceAlarmSpecs", () => {
  it("creates the eight real-time alarms", () => {
    expect(specs().map((s) => s.id)).toEqual([
      "api-5xx-rate",
      "lambda-errors",
      "lambda-throttles",
      "lambda-duration",
      "sagemaker-5xx",
      "model-latency-p95",
      "endpoint-cpu",
      "endpoint-memory",
    ]);
  });

  it("leaves out the instance alarms for serverless, and needs no instance type then", () => {
    const ids = specs({ serverless: true, instanceType: undefined }).map((s) => s.id);

    expect(ids).not.toContain("endpoint-cpu");
    expect(ids).not.toContain("endpoint-memory");
    expect(ids).toHaveLength(6);
  });

  it("converts the ModelLatency threshold from milliseconds to the metric's microseconds", () => {
    const spec = single(specs({ settings: { ...defaultAlarmSettings(), modelLatencyP95Ms: 750 } }), "model-latency-p95");

    expect(spec.threshold).toBe(750_000);
    expect(spec.extendedStatistic).toBe("p95");
    expect(spec.metric).toEqual({
      namespace: "AWS/SageMaker",
      metricName: "ModelLatency",
      dimensions: { EndpointName: "ep", VariantName: "AllTraffic" },
    });
  });

  it("sets the duration threshold at the configured share of the timeout, in milliseconds", () => {
    const spec = single(
      specs({ functionTimeoutSeconds: 20, settings: { ...defaultAlarmSettings(), lambdaDurationPercentOfTimeout: 75 } }),
      "lambda-duration",
    );

    expect(spec.threshold).toBe(15_000);
    expect(spec.extendedStatistic).toBe("p99");
    expect(spec.statistic).toBeUndefined();
  });

  it("scales the CPU threshold by the instance's vCPUs (CloudWatch sums cores)", () => {
    expect(single(specs({ instanceType: "ml.c5.2xlarge" }), "endpoint-cpu").threshold).toBe(80 * 8);
    expect(single(specs({ instanceType: "ml.m5.xlarge" }), "endpoint-cpu").threshold).toBe(80 * 4);
  });

  it("builds the 5xx rate from 5xx and Count with a minimum-traffic guard", () => {
    const spec = specs().find((s) => s.id === "api-5xx-rate");
    if (!spec || spec.kind !== "math") throw new Error("expected a metric-math alarm");

    expect(spec.expression).toBe("IF(requests >= 10, 100 * FILL(errors, 0) / requests, 0)");
    expect(spec.inputs.map((i) => [i.id, i.metric.metricName, i.stat])).toEqual([
      ["errors", "5xx", "Sum"],
      ["requests", "Count", "Sum"],
    ]);
    expect(spec.threshold).toBe(5);
  });

  it("treats missing request metrics as not breaching and missing instance metrics as missing", () => {
    const treat = Object.fromEntries(specs().map((s) => [s.id, s.treatMissingData]));

    expect(treat).toEqual({
      "api-5xx-rate": "notBreaching",
      "lambda-errors": "notBreaching",
      "lambda-throttles": "notBreaching",
      "lambda-duration": "notBreaching",
      "sagemaker-5xx": "notBreaching",
      "model-latency-p95": "notBreaching",
      "endpoint-cpu": "missing",
      "endpoint-memory": "missing",
    });
  });

  it("refuses a real-time instance type whose vCPU count it cannot tell", () => {
    expect(() => specs({ instanceType: "ml.m5.huge" })).toThrow('monitoring: cannot tell the vCPU count of instance type "ml.m5.huge"');
    expect(() => specs({ instanceType: undefined })).toThrow("cannot tell the vCPU count");
  });

  it("counts billed alarm metrics: two for the 5xx rate, one for each other alarm", () => {
    expect(alarmMetricCount(specs())).toBe(9);
    expect(alarmMetricCount(specs({ serverless: true }))).toBe(7);
  });
});
