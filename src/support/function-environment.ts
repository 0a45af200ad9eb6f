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
  /** The catalogue /similar searches (docs/catalogue.md); unset: none, /similar answers 501. */
  readonly catalogue?: FunctionCatalogueSettings;
}

export interface FunctionCatalogueSettings {
  /** s3://bucket/prefix/ holding latest.json and indexes/. */
  readonly indexUri: string;
  /** The deployed model's fingerprint (common/model-fingerprint.ts). */
  readonly modelFingerprint: string;
  /** Seconds between conditional GETs of latest.json. */
  readonly refreshSeconds: number;
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
    ...(settings.catalogue
      ? {
          CATALOGUE_INDEX_URI: settings.catalogue.indexUri,
          MODEL_FINGERPRINT: settings.catalogue.modelFingerprint,
          CATALOGUE_REFRESH_SECONDS: String(settings.catalogue.refreshSeconds),
        }
      : {}),
  };
}
