/**
 * The names this stack gives things that must be unique in the account (IAM roles) or in the account's region (log
 * groups, functions, the endpoint, the dashboard, alarms, the alarm topic), read from the synthesized stack, so they
 * are whatever the constructs make of the config. Names that are Terraform references to the stack's own account,
 * partition and region data sources are resolved; any other reference is only known at apply and is left out.
 */
import { SynthesizedStack } from "./synthesized-stack";

export interface AccountWideNameKind {
  /** The resource's name attribute in Terraform JSON. */
  readonly attribute: string;
  /** What it is called in the report. */
  readonly kind: string;
  /** IAM is global to the account; the rest is per region. */
  readonly scope: "account" | "region";
}

export const ACCOUNT_WIDE_NAMES: Readonly<Record<string, AccountWideNameKind>> = {
  aws_iam_role: { attribute: "name", kind: "IAM role", scope: "account" },
  aws_lambda_function: { attribute: "function_name", kind: "Lambda function", scope: "region" },
  aws_cloudwatch_log_group: { attribute: "name", kind: "log group", scope: "region" },
  aws_sagemaker_endpoint: { attribute: "name", kind: "SageMaker endpoint", scope: "region" },
  aws_cloudwatch_dashboard: { attribute: "dashboard_name", kind: "dashboard", scope: "region" },
  aws_cloudwatch_metric_alarm: { attribute: "alarm_name", kind: "alarm", scope: "region" },
  aws_sns_topic: { attribute: "name", kind: "SNS topic", scope: "region" },
};

/** Named resources whose names need no check, and why (a test keeps every named resource type in one list or the other). */
export const NOT_ACCOUNT_WIDE: Readonly<Record<string, string>> = {
  aws_iam_role_policy: "an inline policy's name is unique within its role only",
  aws_apigatewayv2_api: "API names need not be unique",
  aws_apigatewayv2_stage: "unique within its API only",
  aws_apigatewayv2_authorizer: "unique within its API only",
  aws_appautoscaling_policy: "unique within its scalable target only",
  aws_sagemaker_model: "carries the model revision, made at apply: new on every rollout",
  aws_sagemaker_endpoint_configuration: "a name prefix: SageMaker completes it uniquely",
  aws_s3_bucket: "a name prefix: S3 completes it uniquely",
};

export interface StackName {
  readonly type: string;
  readonly name: string;
}

export interface AwsContextValues {
  readonly region: string;
  readonly account: string;
  readonly partition: string;
}

export function accountWideNames(stack: SynthesizedStack, context: AwsContextValues): { names: StackName[]; unresolved: StackName[] } {
  const names: StackName[] = [];
  const unresolved: StackName[] = [];
  for (const [type, kind] of Object.entries(ACCOUNT_WIDE_NAMES)) {
    for (const resource of Object.values(stack.resource?.[type] ?? {})) {
      const value = resource[kind.attribute];
      if (typeof value !== "string") continue;
      const name = resolveContext(value, context);
      (name.includes("${") ? unresolved : names).push({ type, name });
    }
  }
  return { names, unresolved };
}

/** Replaces references to the stack's account, partition and region data sources with their values. */
export function resolveContext(value: string, context: AwsContextValues): string {
  return value
    .replace(/\$\{data\.aws_region\.[\w-]+\.(?:name|region|id)\}/g, context.region)
    .replace(/\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}/g, context.account)
    .replace(/\$\{data\.aws_partition\.[\w-]+\.partition\}/g, context.partition);
}

export const NAME_ATTRIBUTES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ACCOUNT_WIDE_NAMES).map(([type, kind]) => [type, kind.attribute]),
);
