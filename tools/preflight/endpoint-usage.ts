/**
 * What the account's other SageMaker endpoints in the region already hold: instances by type, and serverless
 * endpoints with their concurrency. ListEndpoints, then per endpoint DescribeEndpoint (current and desired counts,
 * and an update in progress, which holds its new fleet beside the old one) and DescribeEndpointConfig (instance
 * types and serverless settings, by variant). Failed endpoints hold nothing and are left out.
 */
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  ProductionVariant,
  ProductionVariantSummary,
  PendingProductionVariantSummary,
  SageMakerClient,
  paginateListEndpoints,
} from "@aws-sdk/client-sagemaker";

export interface EndpointUsage {
  readonly endpointName: string;
  /** One entry per real-time fleet (variant, shadow variant, fleet of an update in progress). */
  readonly instances: readonly { readonly instanceType: string; readonly count: number }[];
  /** Max concurrency of each serverless variant. */
  readonly serverlessConcurrency: readonly number[];
}

/** Every endpoint but `exclude` (this stack's own, which a rollout replaces rather than adds to). */
export async function otherEndpointsUsage(sagemaker: SageMakerClient, exclude: string): Promise<EndpointUsage[]> {
  const names: string[] = [];
  for await (const page of paginateListEndpoints({ client: sagemaker }, { MaxResults: 100 })) {
    for (const endpoint of page.Endpoints ?? []) {
      if (endpoint.EndpointName && endpoint.EndpointName !== exclude && endpoint.EndpointStatus !== "Failed")
        names.push(endpoint.EndpointName);
    }
  }
  const usages: EndpointUsage[] = [];
  for (const name of names) usages.push(await endpointUsage(sagemaker, name));
  return usages;
}

async function endpointUsage(sagemaker: SageMakerClient, endpointName: string): Promise<EndpointUsage> {
  const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
  const config = endpoint.EndpointConfigName
    ? await sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }))
    : undefined;
  const configured = new Map<string, ProductionVariant>(
    [...(config?.ProductionVariants ?? []), ...(config?.ShadowProductionVariants ?? [])].map((v) => [v.VariantName ?? "", v]),
  );
  const instances: { instanceType: string; count: number }[] = [];
  const serverlessConcurrency: number[] = [];
  for (const summary of [...(endpoint.ProductionVariants ?? []), ...(endpoint.ShadowProductionVariants ?? [])]) {
    const variant = configured.get(summary.VariantName ?? "");
    const serverless = summary.CurrentServerlessConfig ?? variant?.ServerlessConfig;
    if (serverless) serverlessConcurrency.push(serverless.MaxConcurrency ?? 0);
    else if (variant?.InstanceType) instances.push({ instanceType: variant.InstanceType, count: instanceCount(summary, variant) });
  }
  for (const pending of endpoint.PendingDeploymentSummary?.ProductionVariants ?? []) {
    if (pending.InstanceType) instances.push({ instanceType: pending.InstanceType, count: instanceCount(pending) });
  }
  return { endpointName, instances, serverlessConcurrency };
}

/** The larger of the running and the desired count (a scale-out under way holds both); else the configured count. */
function instanceCount(summary: ProductionVariantSummary | PendingProductionVariantSummary, variant?: ProductionVariant): number {
  const counts = [summary.CurrentInstanceCount, summary.DesiredInstanceCount].filter((c): c is number => c !== undefined);
  return counts.length > 0 ? Math.max(...counts) : (variant?.InitialInstanceCount ?? 0);
}

export function instancesOfType(usages: readonly EndpointUsage[], instanceType: string): number {
  return sum(usages.flatMap((u) => u.instances.filter((i) => i.instanceType === instanceType).map((i) => i.count)));
}

export function allInstances(usages: readonly EndpointUsage[]): number {
  return sum(usages.flatMap((u) => u.instances.map((i) => i.count)));
}

export function serverlessEndpoints(usages: readonly EndpointUsage[]): EndpointUsage[] {
  return usages.filter((u) => u.serverlessConcurrency.length > 0);
}

export function serverlessConcurrency(usages: readonly EndpointUsage[]): number {
  return sum(usages.flatMap((u) => u.serverlessConcurrency));
}

/** "a (3), b (1)": who holds what, for the report. */
export function holders(usages: readonly EndpointUsage[], count: (u: EndpointUsage) => number): string {
  return usages
    .map((u) => [u.endpointName, count(u)] as const)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} (${n})`)
    .join(", ");
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
