/**
 * The CloudWatch dashboard body (as an object; the construct serialises it) for the request path.
 *
 * Rows: latency split p50 and p95 in milliseconds (API Gateway Latency and IntegrationLatency, Lambda
 * Duration, SageMaker ModelLatency and OverheadLatency converted from microseconds with metric math),
 * traffic, error counts per hop, then instance utilisation (real-time) or cold-start setup time
 * (serverless), and the alarms' states when there are alarms.
 * Reading it: API Latency ~= IntegrationLatency ~= Lambda Duration ~= SageMaker Model + Overhead latency +
 * the Lambda's own work; the hop whose share grows is the one to look at.
 */
import {
  Dimensions,
  MICROSECONDS_PER_MS,
  MonitoredResources,
  NAMESPACE,
  apiDimensions,
  endpointDimensions,
  lambdaDimensions,
} from "./metrics";

export interface DashboardBodyProps extends MonitoredResources {
  /** Region the metrics live in (widgets must name it). */
  readonly region: string;
  readonly serverless: boolean;
  /** ARNs for the alarm-status widget. @default no widget */
  readonly alarmArns?: readonly string[];
  /** Graph period in seconds. @default 60 */
  readonly periodSeconds?: number;
}

/** One `metrics` row of a metric widget: [namespace, name, dim1, value1, ..., options] or an expression row. */
type MetricRow = Array<string | Record<string, unknown>>;

const WIDTH = 12;
const HEIGHT = 6;

function metricRow(namespace: string, metricName: string, dimensions: Dimensions, options: Record<string, unknown>): MetricRow {
  return [namespace, metricName, ...Object.entries(dimensions).flat(), options];
}

/** Latency rows for one statistic, all in milliseconds. */
function latencyRows(r: MonitoredResources, stat: string): MetricRow[] {
  const sm = endpointDimensions(r);
  return [
    metricRow(NAMESPACE.api, "Latency", apiDimensions(r), { stat, label: "API Gateway total (ms)" }),
    metricRow(NAMESPACE.api, "IntegrationLatency", apiDimensions(r), { stat, label: "API Gateway -> Lambda (ms)" }),
    metricRow(NAMESPACE.lambda, "Duration", lambdaDimensions(r), { stat, label: "Lambda duration (ms)" }),
    // SageMaker latencies are microseconds: fetch hidden, show divided by 1000.
    metricRow(NAMESPACE.sagemaker, "ModelLatency", sm, { stat, id: "modelUs", visible: false }),
    metricRow(NAMESPACE.sagemaker, "OverheadLatency", sm, { stat, id: "overheadUs", visible: false }),
    [{ expression: `modelUs / ${MICROSECONDS_PER_MS}`, label: "SageMaker model (ms)", id: "modelMs" }],
    [{ expression: `overheadUs / ${MICROSECONDS_PER_MS}`, label: "SageMaker overhead (ms)", id: "overheadMs" }],
  ];
}

export function inferenceDashboardBody(props: DashboardBodyProps): { widgets: unknown[] } {
  const r = props;
  const period = props.periodSeconds ?? 60;
  const sm = endpointDimensions(r);
  const graph = (title: string, metrics: MetricRow[], extra: Record<string, unknown> = {}) => ({
    type: "metric",
    width: WIDTH,
    height: HEIGHT,
    properties: { title, region: props.region, view: "timeSeries", stacked: false, period, metrics, ...extra },
  });
  const msAxis = { yAxis: { left: { label: "ms", showUnits: false, min: 0 } } };
  const countAxis = { yAxis: { left: { label: "count", showUnits: false, min: 0 } } };

  const widgets: Array<Record<string, unknown>> = [
    graph("Latency split p50 (ms)", latencyRows(r, "p50"), msAxis),
    graph("Latency split p95 (ms)", latencyRows(r, "p95"), msAxis),
    graph(
      "Requests",
      [
        metricRow(NAMESPACE.api, "Count", apiDimensions(r), { stat: "Sum", label: "API requests" }),
        metricRow(NAMESPACE.lambda, "Invocations", lambdaDimensions(r), { stat: "Sum", label: "Lambda invocations" }),
        metricRow(NAMESPACE.sagemaker, "Invocations", sm, { stat: "Sum", label: "SageMaker invocations" }),
      ],
      countAxis,
    ),
    graph(
      "Errors",
      [
        metricRow(NAMESPACE.api, "4xx", apiDimensions(r), { stat: "Sum", label: "API 4xx" }),
        metricRow(NAMESPACE.api, "5xx", apiDimensions(r), { stat: "Sum", label: "API 5xx" }),
        metricRow(NAMESPACE.lambda, "Errors", lambdaDimensions(r), { stat: "Sum", label: "Lambda errors" }),
        metricRow(NAMESPACE.lambda, "Throttles", lambdaDimensions(r), { stat: "Sum", label: "Lambda throttles" }),
        metricRow(NAMESPACE.sagemaker, "Invocation4XXErrors", sm, { stat: "Sum", label: "SageMaker 4xx" }),
        metricRow(NAMESPACE.sagemaker, "Invocation5XXErrors", sm, { stat: "Sum", label: "SageMaker 5xx" }),
        metricRow(NAMESPACE.sagemaker, "InvocationModelErrors", sm, { stat: "Sum", label: "SageMaker model errors" }),
      ],
      countAxis,
    ),
  ];

  if (props.serverless) {
    widgets.push(
      graph(
        "Serverless cold starts: ModelSetupTime (ms)",
        [
          metricRow(NAMESPACE.sagemaker, "ModelSetupTime", sm, { stat: "Maximum", id: "setupUs", visible: false }),
          [{ expression: `setupUs / ${MICROSECONDS_PER_MS}`, label: "model setup, max (ms)", id: "setupMs" }],
        ],
        msAxis,
      ),
    );
  } else {
    widgets.push(
      graph(
        "Endpoint instances (%; CPU is summed over vCPUs)",
        [
          metricRow(NAMESPACE.endpointInstances, "CPUUtilization", sm, { stat: "Average", label: "CPU" }),
          metricRow(NAMESPACE.endpointInstances, "MemoryUtilization", sm, { stat: "Average", label: "memory" }),
          metricRow(NAMESPACE.endpointInstances, "DiskUtilization", sm, { stat: "Average", label: "disk" }),
        ],
        { yAxis: { left: { label: "%", showUnits: false, min: 0 } } },
      ),
    );
  }

  if (props.alarmArns && props.alarmArns.length > 0) {
    widgets.push({
      type: "alarm",
      width: WIDTH,
      height: HEIGHT,
      properties: { title: "Alarms", alarms: [...props.alarmArns] },
    });
  }

  // Two columns, rows in order.
  return {
    widgets: widgets.map((widget, index) => ({ ...widget, x: (index % 2) * WIDTH, y: Math.floor(index / 2) * HEIGHT })),
  };
}
