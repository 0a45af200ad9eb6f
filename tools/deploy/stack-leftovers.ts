/**
 * After a destroy: what of the stack is still in the account, found with the services' own list calls (not the
 * Terraform state, which only knows what Terraform thinks it deleted). Every resource the stack creates is named
 * from `namePrefix`, so the prefix finds them; the clients are the copy's region's, and what is listed account-wide
 * (IAM roles, dashboards, buckets) is narrowed to this copy's region, so another copy of the stack (the same prefix
 * elsewhere) is never taken for a leftover.
 */
import { GetApisCommand } from "@aws-sdk/client-apigatewayv2";
import { DescribeAlarmsCommand, ListDashboardsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ListRolesCommand } from "@aws-sdk/client-iam";
import { ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { GetBucketLocationCommand, ListBucketsCommand } from "@aws-sdk/client-s3";
import { ListEndpointConfigsCommand, ListEndpointsCommand, ListModelsCommand } from "@aws-sdk/client-sagemaker";
import { accountWideNamePrefix } from "../../common/facts";
import type { AwsClients } from "./aws-clients";

/** Every kind listStackLeftovers reports ("<kind> <name>"). */
export const LEFTOVER_KINDS = [
  "S3 bucket",
  "IAM role",
  "Lambda function",
  "SageMaker model",
  "SageMaker endpoint configuration",
  "SageMaker endpoint",
  "HTTP API",
  "CloudWatch alarm",
  "CloudWatch dashboard",
  "log group",
] as const;

export interface StackIdentity {
  readonly namePrefix: string;
  readonly endpointName: string;
  /** The region the copy was deployed to (the clients' region). */
  readonly region: string;
}

export async function listStackLeftovers(clients: AwsClients, stack: StackIdentity): Promise<string[]> {
  const { namePrefix, endpointName, region } = stack;
  const ours = (name: string | undefined) => name !== undefined && name.startsWith(namePrefix);
  const accountWide = (name: string | undefined) => name !== undefined && name.startsWith(accountWideNamePrefix(namePrefix, region));
  const found: string[] = [];
  const add = (kind: string, names: (string | undefined)[], filter = ours) =>
    found.push(...names.filter(filter).map((n) => `${kind} ${n}`));

  const buckets = ((await clients.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name).filter(ours);
  add("S3 bucket", await inRegion(clients, buckets, region));
  add(
    "IAM role",
    ((await clients.iam.send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName),
    accountWide,
  );
  add(
    "Lambda function",
    ((await clients.lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName),
  );
  add(
    "SageMaker model",
    ((await clients.sagemaker.send(new ListModelsCommand({ NameContains: namePrefix }))).Models ?? []).map((m) => m.ModelName),
  );
  add(
    "SageMaker endpoint configuration",
    ((await clients.sagemaker.send(new ListEndpointConfigsCommand({ NameContains: namePrefix }))).EndpointConfigs ?? []).map(
      (c) => c.EndpointConfigName,
    ),
  );
  const endpoints = (await clients.sagemaker.send(new ListEndpointsCommand({}))).Endpoints ?? [];
  found.push(...endpoints.filter((e) => e.EndpointName === endpointName).map((e) => `SageMaker endpoint ${e.EndpointName}`));
  add(
    "HTTP API",
    ((await clients.apigateway.send(new GetApisCommand({}))).Items ?? []).map((a) => a.Name),
  );
  add(
    "CloudWatch alarm",
    ((await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: namePrefix }))).MetricAlarms ?? []).map(
      (a) => a.AlarmName,
    ),
  );
  add(
    "CloudWatch dashboard",
    ((await clients.cloudwatch.send(new ListDashboardsCommand({ DashboardNamePrefix: namePrefix }))).DashboardEntries ?? []).map(
      (d) => d.DashboardName,
    ),
    accountWide,
  );
  const groups = (await clients.logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? [];
  found.push(
    ...groups
      .filter((g) => g.logGroupName?.includes(`/${namePrefix}`) || g.logGroupName?.endsWith(`/${endpointName}`))
      .map((g) => `log group ${g.logGroupName}`),
  );
  return found;
}

/** The buckets (names listed account-wide) that live in `region`; GetBucketLocation says "" or null for us-east-1. */
async function inRegion(clients: AwsClients, buckets: (string | undefined)[], region: string): Promise<string[]> {
  const kept: string[] = [];
  for (const bucket of buckets) {
    if (bucket === undefined) continue;
    const { LocationConstraint } = await clients.s3.send(new GetBucketLocationCommand({ Bucket: bucket }));
    if ((LocationConstraint || "us-east-1") === region) kept.push(bucket);
  }
  return kept;
}
