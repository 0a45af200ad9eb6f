/**
 * The cost-relevant shape of a deployment, read from the validated stack config (src/config), optionally
 * with the endpoint mode switched to compare real-time and serverless for the same config.
 */
import type { ClassifierConfig } from "../../src/config/load-config";
import { instanceSection, serverlessSection } from "../../src/config/schema";
import { alarmMetricCount, inferenceAlarmSpecs } from "../../src/monitoring";
import { DeploymentMode, DeploymentShape } from "./inputs";

/** Placeholder resource names: only the number of alarm metrics matters here. */
const ANY_RESOURCES = { apiId: "api", stageName: "$default", functionName: "fn", endpointName: "ep", variantName: "v" };

export function deploymentFromConfig(config: ClassifierConfig, mode?: DeploymentMode): DeploymentShape {
  const chosen: DeploymentMode = mode ?? (config.serverless ? "serverless" : "realtime");
  // The section for the mode not configured takes its schema defaults (for --mode comparisons).
  const instance = config.endpoint.instance ?? instanceSection.parse({});
  const serverless = config.endpoint.serverless ?? serverlessSection.parse({});
  const alarms = config.alarms;

  const alarmMetrics = alarms.enabled
    ? alarmMetricCount(
        inferenceAlarmSpecs({
          resources: ANY_RESOURCES,
          functionTimeoutSeconds: config.lambda.timeoutSeconds,
          serverless: chosen === "serverless",
          instanceType: instance.type,
          settings: alarms,
        }),
      )
    : 0;

  return {
    mode: chosen,
    realtime: {
      instanceType: instance.type,
      instanceCount: instance.count,
      autoscaling: config.autoscaling.enabled
        ? { minCapacity: config.autoscaling.minInstances, maxCapacity: config.autoscaling.maxInstances }
        : undefined,
    },
    serverless: { memoryMb: serverless.memorySizeMb, maxConcurrency: serverless.maxConcurrency },
    lambda: {
      memoryMb: config.lambda.memoryMb,
      architecture: config.lambda.architecture,
      reservedConcurrency: config.lambda.reservedConcurrency ?? undefined,
    },
    apiThrottleRatePerSecond: config.api.throttlingRateLimit,
    // Upper bound: every log line kept as long as the longest-lived group keeps it.
    logRetentionDays: Math.max(config.lambda.logRetentionDays, config.api.logRetentionDays, config.endpoint.logRetentionDays),
    alarmMetrics,
    dashboard: alarms.dashboard,
    kmsKeys: alarms.enabled && alarms.email !== undefined ? 1 : 0,
  };
}
