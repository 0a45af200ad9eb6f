/**
 * Service Quotas, read-only: which quotas a service has in a region (by name, from the list of AWS defaults, which
 * holds every quota of the region), a quota's applied value (GetServiceQuota, which answers NoSuchResource for a
 * quota nobody ever changed: then the AWS default is the value), and the request that raises one.
 */
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  ServiceQuota,
  ServiceQuotasClient,
  paginateListAWSDefaultServiceQuotas,
} from "@aws-sdk/client-service-quotas";
import { errorName } from "./aws-errors";

export interface QuotaRef {
  readonly serviceCode: string;
  readonly code: string;
  readonly name: string;
}

export interface QuotaValue extends QuotaRef {
  readonly value: number;
  /** True: a value applied to this account; false: the AWS default (nothing was ever requested). */
  readonly applied: boolean;
}

/** Every quota of a service in the client's region, by name. */
export async function listQuotasByName(client: ServiceQuotasClient, serviceCode: string): Promise<Map<string, QuotaRef>> {
  const quotas = new Map<string, QuotaRef>();
  for await (const page of paginateListAWSDefaultServiceQuotas({ client }, { ServiceCode: serviceCode, MaxResults: 100 })) {
    for (const quota of page.Quotas ?? []) {
      if (quota.QuotaName && quota.QuotaCode) quotas.set(quota.QuotaName, { serviceCode, code: quota.QuotaCode, name: quota.QuotaName });
    }
  }
  return quotas;
}

export async function quotaValue(client: ServiceQuotasClient, quota: QuotaRef): Promise<QuotaValue> {
  const key = { ServiceCode: quota.serviceCode, QuotaCode: quota.code };
  let answer: ServiceQuota | undefined;
  let applied = true;
  try {
    answer = (await client.send(new GetServiceQuotaCommand(key))).Quota;
  } catch (error) {
    if (errorName(error) !== "NoSuchResourceException") throw error;
    applied = false;
    answer = (await client.send(new GetAWSDefaultServiceQuotaCommand(key))).Quota;
  }
  return { ...quota, value: answer?.Value ?? 0, applied };
}

export function describeQuotaValue(quota: QuotaValue): string {
  return `${formatCount(quota.value)} (${quota.applied ? "applied to this account" : "the AWS default"})`;
}

function formatCount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** Console addresses per partition; partitions not listed get the console path without an address. */
const CONSOLE_HOSTS: Readonly<Record<string, (region: string) => string>> = {
  aws: (region) => `https://${region}.console.aws.amazon.com`,
  "aws-cn": () => "https://console.amazonaws.cn",
  "aws-us-gov": () => "https://console.amazonaws-us-gov.com",
};

/** The request to make, both ways: where to click in the console, and the CLI command with the real quota code. */
export function quotaIncreaseFix(quota: QuotaRef, desiredValue: number, region: string, partition: string): string {
  const host = CONSOLE_HOSTS[partition]?.(region);
  const page = host ? ` (${host}/servicequotas/home/services/${quota.serviceCode}/quotas/${quota.code})` : "";
  return (
    `request ${desiredValue}: Service Quotas console${page} → "${quota.name}" → Request increase at account level; or ` +
    `aws service-quotas request-service-quota-increase --service-code ${quota.serviceCode} --quota-code ${quota.code} ` +
    `--desired-value ${desiredValue} --region ${region}`
  );
}
