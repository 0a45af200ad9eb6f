/**
 * The function's environment as the stack sets it (docs/contracts.md, "Lambda environment"): the deployed function
 * (InferenceFunction) and the local stack's function (local/stack.ts) both take it from here.
 */
export interface FunctionSettings {
  /** The endpoint's name (a Terraform reference in the stack, a literal locally). */
  readonly endpointName: string;
  readonly invokeBudgetMs: number;
  readonly maxImageBytes: number;
  readonly serviceName: string;
  readonly logLevel: string;
}

export function functionEnvironment(settings: FunctionSettings): Record<string, string> {
  return {
    SAGEMAKER_ENDPOINT_NAME: settings.endpointName,
    INVOKE_BUDGET_MS: String(settings.invokeBudgetMs),
    MAX_IMAGE_BYTES: String(settings.maxImageBytes),
    // Stack traces in CloudWatch point at the TypeScript sources (the bundle ships its source map).
    NODE_OPTIONS: "--enable-source-maps",
    POWERTOOLS_SERVICE_NAME: settings.serviceName,
    POWERTOOLS_LOG_LEVEL: settings.logLevel,
  };
}
