/**
 * The CloudWatch log group every construct here writes operational logs to, with the two checkov
 * findings such a group always raises answered once: encryption (CloudWatch Logs already encrypts
 * at rest) and retention (a config setting rather than checkov's one-year minimum).
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Construct } from "constructs";
import { skipCheckov } from "./checkov-skip";

export interface OperationalLogGroupProps {
  readonly name: string;
  readonly retentionInDays: number;
  /** The config key that sets the retention, named in the checkov skip reason (e.g. `lambda.logRetentionDays`). */
  readonly retentionSetting: string;
}

export function operationalLogGroup(scope: Construct, id: string, props: OperationalLogGroupProps): CloudwatchLogGroup {
  const logGroup = new CloudwatchLogGroup(scope, id, { name: props.name, retentionInDays: props.retentionInDays });
  skipCheckov(logGroup, "CKV_AWS_158", "CloudWatch Logs encrypts at rest by default; a customer KMS key adds cost and key-policy coupling");
  skipCheckov(logGroup, "CKV_AWS_338", `operational logs: retention is a config setting (${props.retentionSetting}, default 30 days)`);
  return logGroup;
}
