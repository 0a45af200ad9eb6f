/**
 * Whether the account may run this config's endpoint: the region offers the instance type for endpoints (its
 * "<type> for endpoint usage" quota exists there), and the quotas leave room for what the config needs beyond what
 * the account's other endpoints already hold. This stack's own endpoint is not counted as "other": a rollout
 * replaces its fleet, and the rollout figure below already counts both fleets.
 *
 * Real-time needs, in instances: the count to deploy; twice it during a rollout (blue/green starts the new fleet
 * beside the old one); with autoscaling, its maximum, and the maximum plus the count for a rollout while scaled out.
 * Too few to deploy is a failure (CreateEndpoint fails after the bucket, roles and model exist); too few for the
 * rest is a warning (the deploy works; rollouts or scale-outs fail later).
 */
import type { EndpointVariant } from "../../src/config/derived";
import { PreflightClients } from "./aws-clients";
import { notChecked } from "./aws-errors";
import { CheckResult, fail, pass, warn } from "./check-result";
import {
  EndpointUsage,
  allInstances,
  holders,
  instancesOfType,
  otherEndpointsUsage,
  serverlessConcurrency,
  serverlessEndpoints,
} from "./endpoint-usage";
import { QuotaRef, QuotaValue, describeQuotaValue, listQuotasByName, quotaIncreaseFix, quotaValue } from "./service-quotas";

/** SageMaker's quota names in Service Quotas (service code `sagemaker`). */
export const SAGEMAKER_QUOTA_NAMES = {
  instanceType: (instanceType: string) => `${instanceType} for endpoint usage`,
  instancesAcrossEndpoints: "Number of instances across active endpoints",
  instancesPerEndpoint: "Maximum number of instances per endpoint",
  serverlessEndpoints: "Maximum number of serverless endpoints",
  serverlessConcurrency: "Maximum total concurrency that can be allocated across all serverless endpoints",
} as const;

const QUOTA_READ_ACTIONS = [
  "servicequotas:ListAWSDefaultServiceQuotas",
  "servicequotas:GetServiceQuota",
  "servicequotas:GetAWSDefaultServiceQuota",
];
const ENDPOINT_READ_ACTIONS = ["sagemaker:ListEndpoints", "sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig"];

export interface EndpointQuotaInput {
  readonly clients: Pick<PreflightClients, "serviceQuotas" | "sagemaker">;
  readonly variant: EndpointVariant;
  readonly autoscaling: { readonly enabled: boolean; readonly maxInstances: number };
  /** This stack's endpoint: not counted among the others. */
  readonly endpointName: string;
  readonly region: string;
  readonly partition: string;
}

/** A figure the config needs, and whether falling short of it fails the deploy or only a later rollout / scale-out. */
export interface Need {
  readonly count: number;
  readonly when: string;
  readonly severity: "fail" | "warn";
  /** Held only while a rollout runs (both fleets). */
  readonly duringRollout?: boolean;
}

export function realtimeNeeds(instanceCount: number, autoscaling: EndpointQuotaInput["autoscaling"]): Need[] {
  const needs: Need[] = [
    { count: instanceCount, when: "to deploy", severity: "fail" },
    { count: 2 * instanceCount, when: "during a rollout", severity: "warn", duringRollout: true },
  ];
  if (autoscaling.enabled) {
    needs.push({ count: autoscaling.maxInstances, when: "at autoscaling's maximum", severity: "warn" });
    needs.push({
      count: autoscaling.maxInstances + instanceCount,
      when: "for a rollout while scaled out",
      severity: "warn",
      duringRollout: true,
    });
  }
  return needs;
}

export async function endpointQuotaChecks(input: EndpointQuotaInput): Promise<CheckResult[]> {
  let quotas: Map<string, QuotaRef>;
  try {
    quotas = await listQuotasByName(input.clients.serviceQuotas, "sagemaker");
  } catch (error) {
    return [notChecked("endpoint quotas", "SageMaker's quotas", error, QUOTA_READ_ACTIONS)];
  }
  const results: CheckResult[] = [];
  const variant = input.variant;
  const typeQuota = variant.kind === "realtime" ? quotas.get(SAGEMAKER_QUOTA_NAMES.instanceType(variant.instanceType)) : undefined;
  if (variant.kind === "realtime") results.push(offeredCheck(variant.instanceType, typeQuota, input.region));
  if (variant.kind === "realtime" && !typeQuota) return results;

  let others: EndpointUsage[];
  try {
    others = await otherEndpointsUsage(input.clients.sagemaker, input.endpointName);
  } catch (error) {
    return [...results, notChecked("endpoint quotas", "the quotas against the account's other endpoints", error, ENDPOINT_READ_ACTIONS)];
  }
  const check = (check: string, quota: QuotaRef | undefined, othersUse: (u: EndpointUsage) => number, needs: Need[]) =>
    capacityCheck(input, check, quota, others, othersUse, needs);

  if (variant.kind === "realtime") {
    const needs = realtimeNeeds(variant.instanceCount, input.autoscaling);
    results.push(await check("endpoint quota", typeQuota, (u) => instancesOfType([u], variant.instanceType), needs));
    results.push(
      await check("instances quota", quotas.get(SAGEMAKER_QUOTA_NAMES.instancesAcrossEndpoints), (u) => allInstances([u]), needs),
    );
    results.push(
      await check(
        "instances per endpoint",
        quotas.get(SAGEMAKER_QUOTA_NAMES.instancesPerEndpoint),
        () => 0,
        // Each fleet is an endpoint's own; whether SageMaker counts a rollout's two fleets against it is not documented.
        needs.filter((n) => !n.duringRollout),
      ),
    );
  } else {
    results.push(
      await check("serverless endpoints", quotas.get(SAGEMAKER_QUOTA_NAMES.serverlessEndpoints), (u) => serverlessEndpoints([u]).length, [
        { count: 1, when: "to deploy", severity: "fail" },
      ]),
    );
    results.push(
      await check("serverless concurrency", quotas.get(SAGEMAKER_QUOTA_NAMES.serverlessConcurrency), (u) => serverlessConcurrency([u]), [
        { count: variant.maxConcurrency, when: "to deploy (endpoint.serverless.maxConcurrency)", severity: "fail" },
      ]),
    );
  }
  return results;
}

function offeredCheck(instanceType: string, quota: QuotaRef | undefined, region: string): CheckResult {
  if (quota) return pass("instance type", `${region} offers ${instanceType} for endpoints (quota "${quota.name}", ${quota.code})`);
  return fail(
    "instance type",
    `${region} lists no quota "${SAGEMAKER_QUOTA_NAMES.instanceType(instanceType)}": SageMaker does not offer ${instanceType} for endpoints there`,
    `set endpoint.instance.type to a type the region offers (aws service-quotas list-aws-default-service-quotas --service-code sagemaker ` +
      `--region ${region} --query "Quotas[?ends_with(QuotaName, 'for endpoint usage')].QuotaName"), or deploy to another region`,
  );
}

async function capacityCheck(
  input: EndpointQuotaInput,
  check: string,
  quota: QuotaRef | undefined,
  others: readonly EndpointUsage[],
  othersUse: (u: EndpointUsage) => number,
  needs: readonly Need[],
): Promise<CheckResult> {
  if (!quota) {
    return warn(
      check,
      `${input.region} lists no such SageMaker quota: not checked`,
      "nothing to do unless CreateEndpoint fails with ResourceLimitExceeded; then compare the SageMaker quotas in the Service Quotas console with the config",
    );
  }
  let value: QuotaValue;
  try {
    value = await quotaValue(input.clients.serviceQuotas, quota);
  } catch (error) {
    return notChecked(check, `"${quota.name}"`, error, QUOTA_READ_ACTIONS);
  }
  const used = others.reduce((total, u) => total + othersUse(u), 0);
  const room = value.value - used;
  const usedBy = used > 0 ? ` (${holders(others, othersUse)})` : "";
  const needed = needs.map((n) => `${n.count} ${n.when}`).join(", ");
  const detail = `"${quota.name}" is ${describeQuotaValue(value)}; other endpoints hold ${used}${usedBy}; this config needs ${needed}`;
  const short = needs.filter((n) => n.count > room);
  if (short.length === 0) return pass(check, detail);
  const desired = Math.max(...needs.map((n) => n.count)) + used;
  const fix = quotaIncreaseFix(quota, desired, input.region, input.partition);
  const missing = `: ${room <= 0 ? "no room" : `room for ${room}`}, too few ${short.map((n) => n.when).join(" and ")}`;
  return short.some((n) => n.severity === "fail") ? fail(check, detail + missing, fix) : warn(check, detail + missing, fix);
}
