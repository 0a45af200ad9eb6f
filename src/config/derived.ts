/**
 * Values the stack needs that follow from several settings, worked out once when the config is resolved
 * (load-config.ts) so constructs take them as they are and never default or derive them again.
 */
import { invokeBudgetMs, integrationTimeoutMs, maxImageBytes } from "../../common/facts";
import { containerEnvironment, modelSettingsFingerprint } from "./container-environment";
import { CorsSettings, corsSettings } from "./cors";
import { defaultNamePrefix, defaultNetworkIsolation, defaultStateKey, defaultTags } from "./defaults";
import type { ParsedConfig } from "./schema";
import { instanceSection } from "./schema";

export type EndpointVariant =
  | {
      readonly kind: "realtime";
      readonly instanceType: string;
      readonly instanceCount: number;
      /** Seconds for model download + load + first /ping on a new instance. */
      readonly startupHealthCheckTimeoutSeconds: number;
    }
  | {
      readonly kind: "serverless";
      readonly memorySizeMb: number;
      readonly maxConcurrency: number;
      /** Instances kept warm (no cold start for that many concurrent requests); undefined: none. */
      readonly provisionedConcurrency?: number;
    };

export type ApiAuth =
  | { readonly mode: "none" }
  | { readonly mode: "iam" }
  | { readonly mode: "jwt"; readonly issuer: string; readonly audience: string[]; readonly scopes?: string[] };

export interface DerivedConfig {
  /** Prefix of every resource name (defaults to the stackName in lower case). */
  readonly namePrefix: string;
  /** The S3 backend with its key resolved (defaults to `<stackName>/terraform.tfstate`); undefined: local state. */
  readonly backend: (NonNullable<ParsedConfig["backend"]> & { readonly key: string }) | undefined;
  /** Endpoint name (defaults to namePrefix). */
  readonly endpointName: string;
  /** True for a serverless endpoint, false for real-time instances. */
  readonly serverless: boolean;
  readonly variant: EndpointVariant;
  /** Network isolation after applying the mode-dependent default. */
  readonly networkIsolation: boolean;
  /** The container environment (without SAGEMAKER_REGION, a plan-time reference). */
  readonly containerEnvironment: Readonly<Record<string, string>>;
  /** Hash of every model setting besides the tarball: a change is a rollout. */
  readonly modelSettingsFingerprint: string;
  readonly functionName: string;
  /** MAX_IMAGE_BYTES of the function: the endpoint's own body limit. */
  readonly maxImageBytes: number;
  /** INVOKE_BUDGET_MS of the function. */
  readonly invokeBudgetMs: number;
  readonly integrationTimeoutMs: number;
  readonly apiAuth: ApiAuth;
  /** The HTTP API's CORS configuration, complete (api.cors plus what the API needs); undefined: no CORS. */
  readonly apiCors: CorsSettings | undefined;
  /** Provider default tags after merging config tags over the defaults. */
  readonly defaultTags: Record<string, string>;
}

export function deriveConfig(c: ParsedConfig): DerivedConfig {
  const namePrefix = c.namePrefix ?? defaultNamePrefix(c.stackName);
  const serverless = c.endpoint.serverless !== undefined;
  const networkIsolation = c.model.networkIsolation ?? defaultNetworkIsolation(serverless);
  const environment = containerEnvironment({
    serving: c.model.serving,
    serverless,
    inferenceDeadlineMs: invokeBudgetMs(c.lambda.timeoutSeconds),
    extraEnvironment: c.model.environment,
  });
  return {
    namePrefix,
    backend: c.backend && { ...c.backend, key: c.backend.key ?? defaultStateKey(c.stackName) },
    endpointName: c.endpoint.name ?? namePrefix,
    serverless,
    variant: endpointVariant(c),
    networkIsolation,
    containerEnvironment: environment,
    modelSettingsFingerprint: modelSettingsFingerprint({
      imageRepository: c.model.imageRepository,
      imageTag: c.model.imageTag,
      networkIsolation,
      environment,
    }),
    functionName: `${namePrefix}-api`,
    maxImageBytes: maxImageBytes(serverless),
    invokeBudgetMs: invokeBudgetMs(c.lambda.timeoutSeconds),
    integrationTimeoutMs: integrationTimeoutMs(c.lambda.timeoutSeconds),
    apiAuth: apiAuth(c),
    apiCors: c.api.cors && corsSettings(c.api.cors, c.auth.mode),
    defaultTags: { ...defaultTags(namePrefix), ...c.tags },
  };
}

export function endpointVariant(c: ParsedConfig): EndpointVariant {
  if (c.endpoint.serverless) {
    const { memorySizeMb, maxConcurrency, provisionedConcurrency } = c.endpoint.serverless;
    return { kind: "serverless", memorySizeMb, maxConcurrency, provisionedConcurrency };
  }
  // Neither set: a real-time variant with the instance section's defaults.
  const instance = c.endpoint.instance ?? instanceSection.parse({});
  // Every model rollout is a new endpoint configuration, and SageMaker starts its variant at the configuration's
  // initial count (UpdateEndpoint does not keep a scaled-out count): never start below the autoscaling minimum.
  const instanceCount = c.autoscaling.enabled ? Math.max(instance.count, c.autoscaling.minInstances) : instance.count;
  return {
    kind: "realtime",
    instanceType: instance.type,
    instanceCount,
    startupHealthCheckTimeoutSeconds: instance.startupHealthCheckTimeoutSeconds,
  };
}

export function apiAuth(c: ParsedConfig): ApiAuth {
  const a = c.auth;
  if (a.mode === "jwt") return { mode: "jwt", issuer: a.jwtIssuer!, audience: a.jwtAudience!, scopes: a.jwtScopes };
  return { mode: a.mode };
}
