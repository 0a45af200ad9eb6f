/**
 * SageMaker instance type names: ml.<family>.<size>, e.g. ml.c7i.xlarge. Read here once for the config checks, the
 * alarms (CPU is summed over vCPUs) and the cost tool.
 */

export interface InstanceTypeName {
  readonly family: string;
  readonly size: string;
}

const INSTANCE_TYPE_PATTERN = /^ml\.([a-z0-9]+)\.([a-z0-9]+)$/;

export function parseInstanceType(instanceType: string): InstanceTypeName | undefined {
  const match = INSTANCE_TYPE_PATTERN.exec(instanceType);
  return match ? { family: match[1], size: match[2] } : undefined;
}

/**
 * vCPU count of a SageMaker instance type, derived from its size suffix.
 *
 * Needed because `/aws/sagemaker/Endpoints` `CPUUtilization` is the SUM over cores (0-400 % on 4 vCPUs), so a
 * "CPU above 80 %" alarm must use 80 x vCPUs as its threshold. The size suffix decides the count for every
 * family SageMaker hosts (large = 2, xlarge = 4, Nxlarge = 4N; t2/t3.medium = 2), e.g. ml.m5.xlarge,
 * ml.c5.xlarge and ml.g4dn.xlarge have 4, ml.c5.9xlarge has 36.
 */
export function instanceVcpus(instanceType: string): number | undefined {
  const size = parseInstanceType(instanceType)?.size;
  const match = size === undefined ? null : /^(medium|large|(\d*)xlarge)$/.exec(size);
  if (!match) return undefined;
  if (match[1] === "medium" || match[1] === "large") return 2;
  const multiple = match[2] === "" ? 1 : Number(match[2]);
  return multiple > 0 ? 4 * multiple : undefined;
}
