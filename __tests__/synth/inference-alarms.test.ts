import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { AlarmSettings, defaultAlarmSettings } from "../../src/config/alarms";
import { InferenceAlarms, InferenceAlarmsProps } from "../../src/constructs/inference-alarms";
import { EXAMPLE_ACCOUNT_ID } from "../example-account";

const base: InferenceAlarmsProps = {
  namePrefix: "vit",
  apiId: "a1b2c3",
  stageName: "$default",
  functionName: "vit-classify",
  functionTimeoutSeconds: 28,
  endpointName: "vit-endpoint",
  variantName: "AllTraffic",
  serverless: false,
  instanceType: "ml.m5.xlarge",
  settings: defaultAlarmSettings(),
};

function synth(props: Partial<InferenceAlarmsProps> = {}): string {
  return Testing.synthScope((scope) => {
    new InferenceAlarms(scope, "alarms", { ...base, ...props });
  });
}

function alarmsByName(json: string): Record<string, Record<string, unknown>> {
  const alarms = JSON.parse(json).resource?.aws_cloudwatch_metric_alarm ?? {};
  return Object.fromEntries(Object.values(alarms).map((a) => [(a as { alarm_name: string }).alarm_name, a as Record<string, unknown>]));
}

const endpointDims = { EndpointName: "vit-endpoint", VariantName: "AllTraffic" };
const evaluation = { period: 60, evaluation_periods: 5, datapoints_to_alarm: 3 };

describe("Construct: InferenceAlarms", () => {
  it.each([
    [
      "vit-lambda-errors",
      {
        namespace: "AWS/Lambda",
        metric_name: "Errors",
        dimensions: { FunctionName: "vit-classify" },
        statistic: "Sum",
        threshold: 1,
        comparison_operator: "GreaterThanOrEqualToThreshold",
      },
    ],
    [
      "vit-lambda-throttles",
      {
        namespace: "AWS/Lambda",
        metric_name: "Throttles",
        dimensions: { FunctionName: "vit-classify" },
        statistic: "Sum",
        threshold: 1,
        comparison_operator: "GreaterThanOrEqualToThreshold",
      },
    ],
    [
      "vit-lambda-duration",
      {
        namespace: "AWS/Lambda",
        metric_name: "Duration",
        dimensions: { FunctionName: "vit-classify" },
        extended_statistic: "p99",
        threshold: 22400,
        comparison_operator: "GreaterThanThreshold",
      },
    ],
    [
      "vit-sagemaker-5xx",
      {
        namespace: "AWS/SageMaker",
        metric_name: "Invocation5XXErrors",
        dimensions: endpointDims,
        statistic: "Sum",
        threshold: 1,
        comparison_operator: "GreaterThanOrEqualToThreshold",
      },
    ],
    [
      "vit-model-latency-p95",
      {
        namespace: "AWS/SageMaker",
        metric_name: "ModelLatency",
        dimensions: endpointDims,
        extended_statistic: "p95",
        threshold: 1000000,
        comparison_operator: "GreaterThanThreshold",
      },
    ],
    [
      "vit-endpoint-cpu",
      {
        namespace: "/aws/sagemaker/Endpoints",
        metric_name: "CPUUtilization",
        dimensions: endpointDims,
        statistic: "Average",
        threshold: 320,
        comparison_operator: "GreaterThanThreshold",
        treat_missing_data: "missing",
      },
    ],
    [
      "vit-endpoint-memory",
      {
        namespace: "/aws/sagemaker/Endpoints",
        metric_name: "MemoryUtilization",
        dimensions: endpointDims,
        statistic: "Average",
        threshold: 85,
        comparison_operator: "GreaterThanThreshold",
        treat_missing_data: "missing",
      },
    ],
  ])("creates %s on the right metric, statistic, threshold and period", (alarmName, expected) => {
    // Prepare / Act
    const json = synth();

    // Assess
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: alarmName, ...evaluation, ...expected });
  });

  it("computes the API 5xx rate with metric math on the stage's 5xx and Count", () => {
    const json = synth();

    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: "vit-api-5xx-rate",
      comparison_operator: "GreaterThanThreshold",
      threshold: 5,
      evaluation_periods: 5,
      datapoints_to_alarm: 3,
      treat_missing_data: "notBreaching",
      metric_query: [
        {
          id: "result",
          expression: "IF(requests >= 10, 100 * FILL(errors, 0) / requests, 0)",
          label: "API 5xx rate (%)",
          return_data: true,
        },
        {
          id: "errors",
          return_data: false,
          metric: {
            namespace: "AWS/ApiGateway",
            metric_name: "5xx",
            dimensions: { ApiId: "a1b2c3", Stage: "$default" },
            stat: "Sum",
            period: 60,
          },
        },
        {
          id: "requests",
          return_data: false,
          metric: {
            namespace: "AWS/ApiGateway",
            metric_name: "Count",
            dimensions: { ApiId: "a1b2c3", Stage: "$default" },
            stat: "Sum",
            period: 60,
          },
        },
      ],
    });
    const rate = alarmsByName(json)["vit-api-5xx-rate"];
    // A metric-math alarm must not also carry a top-level metric.
    expect(rate.metric_name).toBeUndefined();
    expect(rate.statistic).toBeUndefined();
  });

  it("uses the thresholds and windows from the settings", () => {
    const settings: AlarmSettings = {
      ...defaultAlarmSettings(),
      periodSeconds: 300,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      lambdaErrors: 5,
      modelLatencyP95Ms: 800,
      memoryUtilizationPercent: 70,
    };

    const alarms = alarmsByName(synth({ settings }));

    expect(alarms["vit-lambda-errors"]).toMatchObject({ threshold: 5, period: 300, evaluation_periods: 3, datapoints_to_alarm: 2 });
    expect(alarms["vit-model-latency-p95"]).toMatchObject({ threshold: 800000, period: 300 });
    expect(alarms["vit-endpoint-memory"]).toMatchObject({ threshold: 70 });
  });

  it("creates no instance alarms for a serverless endpoint", () => {
    const alarms = alarmsByName(synth({ serverless: true, instanceType: undefined }));

    expect(Object.keys(alarms).sort()).toEqual(
      [
        "vit-api-5xx-rate",
        "vit-lambda-duration",
        "vit-lambda-errors",
        "vit-lambda-throttles",
        "vit-model-latency-p95",
        "vit-sagemaker-5xx",
      ].sort(),
    );
  });

  it("notifies the topic on ALARM and OK when one is given", () => {
    const arn = `arn:aws:sns:eu-west-1:${EXAMPLE_ACCOUNT_ID}:ops`;

    const alarms = Object.values(alarmsByName(synth({ notificationTopicArn: arn })));

    expect(alarms).toHaveLength(8);
    for (const alarm of alarms) {
      expect(alarm.alarm_actions).toEqual([arn]);
      expect(alarm.ok_actions).toEqual([arn]);
    }
  });

  it("has no actions without a topic", () => {
    const alarms = Object.values(alarmsByName(synth()));

    for (const alarm of alarms) {
      expect(alarm.alarm_actions).toBeUndefined();
      expect(alarm.ok_actions).toBeUndefined();
    }
  });
});
