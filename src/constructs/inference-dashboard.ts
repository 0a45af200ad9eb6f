/**
 * One CloudWatch dashboard, `<namePrefix>-inference`, showing the request path (see `inferenceDashboardBody`).
 * The region comes from the provider (`aws_region` data source), never from source.
 */
import { Construct } from "constructs";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { inferenceDashboardBody } from "../support/dashboard-body";
import { MonitoredResources } from "../support/metrics";

export interface InferenceDashboardProps extends MonitoredResources {
  /** Dashboard name prefix (letters, digits, `-` and `_` only). */
  readonly namePrefix: string;
  readonly serverless: boolean;
  /** Alarms to show in an alarm-status widget. @default none */
  readonly alarmArns?: readonly string[];
  /** Graph period in seconds. @default 60 */
  readonly periodSeconds?: number;
}

export class InferenceDashboard extends Construct {
  public readonly dashboardName: string;

  constructor(scope: Construct, id: string, props: InferenceDashboardProps) {
    super(scope, id);
    const region = new DataAwsRegion(this, "region").name;
    const dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: `${props.namePrefix}-inference`,
      // JSON.stringify keeps Terraform references (apiId, endpointName, region) as ${...} strings inside the
      // body, which Terraform interpolates at apply time.
      dashboardBody: JSON.stringify(inferenceDashboardBody({ ...props, region })),
    });
    this.dashboardName = dashboard.dashboardName;
  }
}
