/**
 * The request path's alarms as plain data: which metric, statistic, threshold and comparison, and what
 * missing data means for each. `InferenceAlarms` turns these into `aws_cloudwatch_metric_alarm`s; the cost
 * estimate counts them. Pure, so the thresholds' arithmetic (ms -> us, % of timeout, % of vCPUs) is unit-tested.
 *
 * treat_missing_data, the rule used below: request-driven metrics (API, Lambda, SageMaker invocations) only
 * exist while requests arrive, so a gap means "no traffic", which is not an error -> `notBreaching`.
 * Real-time instance metrics are published every minute while an instance runs, so a gap means nothing is
 * reporting; that is not "CPU high" either, so it stays visible as INSUFFICIENT_DATA -> `missing`.
 */
import { AlarmSettings } from "../config/alarms";
import { instanceVcpus } from "../../common/instance-types";
import {
  Dimensions,
  MICROSECONDS_PER_MS,
  MonitoredResources,
  NAMESPACE,
  apiDimensions,
  endpointDimensions,
  lambdaDimensions,
} from "./metrics";

export type ComparisonOperator = "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold";
export type TreatMissingData = "notBreaching" | "missing";

export interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Dimensions;
}

interface AlarmSpecBase {
  /** Alarm name suffix and construct id, e.g. `lambda-errors`. */
  readonly id: string;
  readonly description: string;
  readonly comparisonOperator: ComparisonOperator;
  readonly threshold: number;
  readonly treatMissingData: TreatMissingData;
}

export interface SingleMetricAlarmSpec extends AlarmSpecBase {
  readonly kind: "metric";
  readonly metric: MetricRef;
  /** Either a plain statistic ... */
  readonly statistic?: "Sum" | "Average" | "Maximum";
  /** ... or a percentile such as `p95`. */
  readonly extendedStatistic?: string;
}

export interface MathAlarmSpec extends AlarmSpecBase {
  readonly kind: "math";
  readonly expression: string;
  readonly label: string;
  /** Inputs of `expression`, each fetched with `stat` over the alarm period. */
  readonly inputs: ReadonlyArray<{ readonly id: string; readonly stat: string; readonly metric: MetricRef }>;
}

export type AlarmSpec = SingleMetricAlarmSpec | MathAlarmSpec;

export interface InferenceAlarmSpecsProps {
  readonly resources: MonitoredResources;
  /** Lambda timeout; the duration alarm fires at `lambdaDurationPercentOfTimeout` of it. */
  readonly functionTimeoutSeconds: number;
  /** Serverless endpoints have no instance metrics, so the CPU/memory alarms are left out. */
  readonly serverless: boolean;
  /** Real-time instance type (sets the CPU threshold's vCPU multiplier). Required unless serverless. */
  readonly instanceType?: string;
  readonly settings: AlarmSettings;
}

export function inferenceAlarmSpecs(props: InferenceAlarmSpecsProps): AlarmSpec[] {
  const { resources: r, settings: s } = props;
  const api = (metricName: string): MetricRef => ({ namespace: NAMESPACE.api, metricName, dimensions: apiDimensions(r) });
  const lambda = (metricName: string): MetricRef => ({ namespace: NAMESPACE.lambda, metricName, dimensions: lambdaDimensions(r) });
  const sagemaker = (metricName: string): MetricRef => ({ namespace: NAMESPACE.sagemaker, metricName, dimensions: endpointDimensions(r) });
  const instance = (metricName: string): MetricRef => ({
    namespace: NAMESPACE.endpointInstances,
    metricName,
    dimensions: endpointDimensions(r),
  });

  const specs: AlarmSpec[] = [
    {
      kind: "math",
      id: "api-5xx-rate",
      description: `More than ${s.api5xxRatePercent}% of API requests returned 5xx (periods with fewer than ${s.api5xxMinRequests} requests count as 0).`,
      // FILL: the 5xx series can lack a point where Count has one; IF: a tiny sample must not page anyone.
      expression: `IF(requests >= ${s.api5xxMinRequests}, 100 * FILL(errors, 0) / requests, 0)`,
      label: "API 5xx rate (%)",
      inputs: [
        { id: "errors", stat: "Sum", metric: api("5xx") },
        { id: "requests", stat: "Sum", metric: api("Count") },
      ],
      comparisonOperator: "GreaterThanThreshold",
      threshold: s.api5xxRatePercent,
      treatMissingData: "notBreaching", // no requests -> no rate; silence is not an outage of this alarm's kind
    },
    {
      kind: "metric",
      id: "lambda-errors",
      description: "The classify/embed Lambda failed (unhandled error or timeout); client errors are 4xx responses and do not count.",
      metric: lambda("Errors"),
      statistic: "Sum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: s.lambdaErrors,
      treatMissingData: "notBreaching", // Lambda publishes Errors only while invoked
    },
    {
      kind: "metric",
      id: "lambda-throttles",
      description: "Lambda invocations were throttled: reserved concurrency (or the account limit) is too low for the traffic.",
      metric: lambda("Throttles"),
      statistic: "Sum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: s.lambdaThrottles,
      treatMissingData: "notBreaching", // published only while invoked
    },
    {
      kind: "metric",
      id: "lambda-duration",
      description: `Lambda p99 duration is above ${s.lambdaDurationPercentOfTimeout}% of its ${props.functionTimeoutSeconds} s timeout: requests are about to time out.`,
      metric: lambda("Duration"),
      extendedStatistic: "p99", // p99, not Maximum: one cold start should not page, a slow tail should
      comparisonOperator: "GreaterThanThreshold",
      threshold: (props.functionTimeoutSeconds * 1000 * s.lambdaDurationPercentOfTimeout) / 100,
      treatMissingData: "notBreaching", // published only while invoked
    },
    {
      kind: "metric",
      id: "sagemaker-5xx",
      description: "The SageMaker endpoint returned 5xx errors (model server failures, timeouts, capacity).",
      metric: sagemaker("Invocation5XXErrors"),
      statistic: "Sum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: s.sagemaker5xxErrors,
      treatMissingData: "notBreaching", // published only while invoked
    },
    {
      kind: "metric",
      id: "model-latency-p95",
      description: `SageMaker ModelLatency p95 is above ${s.modelLatencyP95Ms} ms (the metric is in microseconds).`,
      metric: sagemaker("ModelLatency"),
      extendedStatistic: "p95",
      comparisonOperator: "GreaterThanThreshold",
      threshold: s.modelLatencyP95Ms * MICROSECONDS_PER_MS,
      treatMissingData: "notBreaching", // published only while invoked
    },
  ];
  if (props.serverless) return specs;

  const vcpus = props.instanceType === undefined ? undefined : instanceVcpus(props.instanceType);
  if (vcpus === undefined) {
    throw new Error(
      `monitoring: cannot tell the vCPU count of instance type ${JSON.stringify(props.instanceType)} (expected ml.<family>.<size>)`,
    );
  }
  specs.push(
    {
      kind: "metric",
      id: "endpoint-cpu",
      description: `Endpoint instances average more than ${s.cpuUtilizationPercent}% CPU (${vcpus} vCPUs, so ${s.cpuUtilizationPercent * vcpus}% in CloudWatch's summed units): add instances or enable autoscaling.`,
      metric: instance("CPUUtilization"),
      statistic: "Average",
      comparisonOperator: "GreaterThanThreshold",
      threshold: s.cpuUtilizationPercent * vcpus,
      treatMissingData: "missing", // running instances always report; a gap is "no data", not "CPU high"
    },
    {
      kind: "metric",
      id: "endpoint-memory",
      description: `Endpoint instances average more than ${s.memoryUtilizationPercent}% memory: risk of the model server being OOM-killed.`,
      metric: instance("MemoryUtilization"),
      statistic: "Average",
      comparisonOperator: "GreaterThanThreshold",
      threshold: s.memoryUtilizationPercent,
      treatMissingData: "missing", // as for CPU
    },
  );
  return specs;
}

/** CloudWatch bills alarms per metric they read: a metric-math alarm costs one unit per input metric. */
export function alarmMetricCount(specs: readonly AlarmSpec[]): number {
  return specs.reduce((sum, spec) => sum + (spec.kind === "math" ? spec.inputs.length : 1), 0);
}
