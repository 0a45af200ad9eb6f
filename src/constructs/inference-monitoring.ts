/**
 * Monitoring for the inference API: alarms, their notification target and the dashboard, from the
 * `alarms` config section.
 *
 * Defaults: alarms on, no notifications (alarm state is visible in the console), dashboard on.
 * `settings.snsTopicArn` notifies an existing topic; `settings.email` creates an encrypted topic with an
 * e-mail subscription (`AlarmTopic`). `settings.enabled: false` creates no alarms and no topic.
 */
import { Construct } from "constructs";
import type { AlarmSettings } from "../config/alarms";
import type { AwsContext } from "../support/aws-context";
import { AlarmTopic } from "./alarm-topic";
import { InferenceAlarms } from "./inference-alarms";
import { InferenceDashboard } from "./inference-dashboard";
import { MonitoredResources } from "../monitoring/metrics";

export interface InferenceMonitoringProps extends MonitoredResources {
  /** Prefix of alarm and topic names (regional). */
  readonly namePrefix: string;
  /** Name of the dashboard (account-wide: common/facts.ts, accountWideNames). */
  readonly dashboardName: string;
  /** Lambda timeout in seconds (a plain number). */
  readonly functionTimeoutSeconds: number;
  /** Serverless endpoint (no instance metrics) or real-time. */
  readonly serverless: boolean;
  /** Real-time instance type, e.g. `ml.m5.xlarge`. Required unless `serverless`. */
  readonly instanceType?: string;
  /** The validated `alarms` config section. */
  readonly settings: AlarmSettings;
  readonly aws: AwsContext;
}

export class InferenceMonitoring extends Construct {
  /** Undefined when alarms are disabled. */
  public readonly alarms?: InferenceAlarms;
  /** Where notifications go; undefined when there are none. */
  public readonly notificationTopicArn?: string;
  /** Undefined when the dashboard is disabled. */
  public readonly dashboard?: InferenceDashboard;

  constructor(scope: Construct, id: string, props: InferenceMonitoringProps) {
    super(scope, id);
    const { settings, aws } = props;
    const resources: MonitoredResources = {
      apiId: props.apiId,
      stageName: props.stageName,
      functionName: props.functionName,
      endpointName: props.endpointName,
      variantName: props.variantName,
    };

    if (settings.enabled) {
      this.notificationTopicArn =
        settings.email !== undefined
          ? new AlarmTopic(this, "topic", { namePrefix: props.namePrefix, email: settings.email, aws }).topicArn
          : settings.snsTopicArn;
      this.alarms = new InferenceAlarms(this, "alarms", {
        ...resources,
        namePrefix: props.namePrefix,
        functionTimeoutSeconds: props.functionTimeoutSeconds,
        serverless: props.serverless,
        instanceType: props.instanceType,
        settings,
        notificationTopicArn: this.notificationTopicArn,
      });
    }

    if (settings.dashboard) {
      this.dashboard = new InferenceDashboard(this, "dashboard", {
        ...resources,
        dashboardName: props.dashboardName,
        serverless: props.serverless,
        alarmArns: this.alarms?.alarmArns,
        periodSeconds: settings.periodSeconds,
        aws,
      });
    }
  }
}
