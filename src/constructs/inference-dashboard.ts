/**
 * One CloudWatch dashboard, `<namePrefix>-<region>-inference` (dashboards are global per account), showing the
 * request path (see `inferenceDashboardBody`).
 * The region comes from the stack's AWS context (the `aws_region` data source), never from source.
 */
import { Construct } from "constructs";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { inferenceDashboardBody } from "../monitoring/dashboard-body";
import type { AwsContext } from "../support/aws-context";
import { MonitoredResources } from "../monitoring/metrics";

export interface InferenceDashboardProps extends MonitoredResources {
  /** Dashboard name (letters, digits, `-` and `_` only; unique in the account, across regions). */
  readonly dashboardName: string;
  readonly serverless: boolean;
  /** Alarms to show in an alarm-status widget; undefined: no such widget. */
  readonly alarmArns?: readonly string[];
  /** Graph period in seconds. */
  readonly periodSeconds: number;
  readonly aws: AwsContext;
}

export class InferenceDashboard extends Construct {
  public readonly dashboardName: string;

  constructor(scope: Construct, id: string, props: InferenceDashboardProps) {
    super(scope, id);
    const dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: props.dashboardName,
      // JSON.stringify keeps Terraform references (apiId, endpointName, region) as ${...} strings inside the
      // body, which Terraform interpolates at apply time.
      dashboardBody: JSON.stringify(inferenceDashboardBody({ ...props, region: props.aws.region })),
    });
    this.dashboardName = dashboard.dashboardName;
  }
}
