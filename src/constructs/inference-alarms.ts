/**
 * CloudWatch alarms on the request path (API Gateway -> Lambda -> SageMaker), one per `inferenceAlarmSpecs`
 * entry, named `<namePrefix>-<spec id>`.
 *
 * Defaults: every alarm evaluates `datapointsToAlarm` of the last `evaluationPeriods` periods of
 * `periodSeconds` (3 of 5 one-minute periods), so a single bad minute does not page but a sustained problem
 * does within ~3 minutes. With a notification topic, both ALARM and OK transitions are sent to it.
 */
import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { AlarmSettings } from "../config/alarms";
import { AlarmSpec, inferenceAlarmSpecs } from "../monitoring/alarm-specs";
import { MonitoredResources } from "../monitoring/metrics";

export interface InferenceAlarmsProps extends MonitoredResources {
  /** Prefix of every alarm name. */
  readonly namePrefix: string;
  /** Lambda timeout in seconds (plain number, not a token: the duration threshold is computed from it). */
  readonly functionTimeoutSeconds: number;
  /** Serverless endpoint: no instance CPU/memory alarms. */
  readonly serverless: boolean;
  /** Real-time instance type, e.g. `ml.m5.xlarge`. Required unless `serverless`. */
  readonly instanceType?: string;
  /** Thresholds and evaluation windows (validated config). */
  readonly settings: AlarmSettings;
  /** SNS topic ARN notified on ALARM and OK. @default no notifications (state visible in the console) */
  readonly notificationTopicArn?: string;
}

export class InferenceAlarms extends Construct {
  /** The alarms, keyed by spec id (e.g. `lambda-errors`). */
  public readonly alarms: Readonly<Record<string, CloudwatchMetricAlarm>>;
  /** ARNs of all alarms, for the dashboard's alarm-status widget. */
  public readonly alarmArns: string[];

  constructor(scope: Construct, id: string, props: InferenceAlarmsProps) {
    super(scope, id);
    const specs = inferenceAlarmSpecs({
      resources: props,
      functionTimeoutSeconds: props.functionTimeoutSeconds,
      serverless: props.serverless,
      instanceType: props.instanceType,
      settings: props.settings,
    });
    const actions = props.notificationTopicArn === undefined ? undefined : [props.notificationTopicArn];
    const alarms: Record<string, CloudwatchMetricAlarm> = {};
    for (const spec of specs) {
      alarms[spec.id] = new CloudwatchMetricAlarm(this, spec.id, {
        alarmName: `${props.namePrefix}-${spec.id}`,
        alarmDescription: spec.description,
        comparisonOperator: spec.comparisonOperator,
        threshold: spec.threshold,
        treatMissingData: spec.treatMissingData,
        evaluationPeriods: props.settings.evaluationPeriods,
        datapointsToAlarm: props.settings.datapointsToAlarm,
        alarmActions: actions,
        okActions: actions,
        ...metricOf(spec, props.settings.periodSeconds),
      });
    }
    this.alarms = alarms;
    this.alarmArns = Object.values(alarms).map((alarm) => alarm.arn);
  }
}

/** The metric part of an alarm: a single metric with its statistic, or metric-math queries. */
function metricOf(spec: AlarmSpec, period: number) {
  if (spec.kind === "metric") {
    return {
      namespace: spec.metric.namespace,
      metricName: spec.metric.metricName,
      dimensions: spec.metric.dimensions,
      statistic: spec.statistic,
      extendedStatistic: spec.extendedStatistic,
      period,
    };
  }
  return {
    metricQuery: [
      { id: "result", expression: spec.expression, label: spec.label, returnData: true },
      ...spec.inputs.map((input) => ({
        id: input.id,
        returnData: false,
        metric: { ...input.metric, stat: input.stat, period },
      })),
    ],
  };
}
