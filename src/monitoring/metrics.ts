/**
 * Where the request path's CloudWatch metrics live: namespaces and dimension sets, shared by the alarms and
 * the dashboard so both always point at the same series.
 *
 * Units worth remembering: API Gateway and Lambda latencies are milliseconds; SageMaker `ModelLatency`,
 * `OverheadLatency` and `ModelSetupTime` are MICROseconds; `CPUUtilization` is summed over vCPUs.
 */

/** The deployed resources the metrics describe (plain strings or Terraform references). */
export interface MonitoredResources {
  /** HTTP API id (`aws_apigatewayv2_api.id`). */
  readonly apiId: string;
  /** HTTP API stage name, e.g. `$default`. */
  readonly stageName: string;
  /** Lambda function name. */
  readonly functionName: string;
  /** SageMaker endpoint name. */
  readonly endpointName: string;
  /** Production variant name, e.g. `AllTraffic`. */
  readonly variantName: string;
}

export const NAMESPACE = {
  api: "AWS/ApiGateway",
  lambda: "AWS/Lambda",
  sagemaker: "AWS/SageMaker",
  /** Instance metrics of real-time endpoints (CPU, memory, disk, GPU). */
  endpointInstances: "/aws/sagemaker/Endpoints",
} as const;

export type Dimensions = Record<string, string>;

/** HTTP API metrics per stage (names: `Count`, `4xx`, `5xx`, `Latency`, `IntegrationLatency`). */
export function apiDimensions(r: MonitoredResources): Dimensions {
  return { ApiId: r.apiId, Stage: r.stageName };
}

export function lambdaDimensions(r: MonitoredResources): Dimensions {
  return { FunctionName: r.functionName };
}

/** Both `AWS/SageMaker` invocation metrics and `/aws/sagemaker/Endpoints` instance metrics use these. */
export function endpointDimensions(r: MonitoredResources): Dimensions {
  return { EndpointName: r.endpointName, VariantName: r.variantName };
}

export const MICROSECONDS_PER_MS = 1000;
