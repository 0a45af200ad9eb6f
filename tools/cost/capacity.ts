/**
 * Can the configured deployment sustain the request rate? Little's law on each hop: concurrency needed =
 * rate x time per request, compared with what the config provides, keeping `targetUtilization` headroom
 * (queues grow without bound as utilization nears 100 %).
 */
import { DeploymentShape, Workload } from "./inputs";

export interface CapacityCheck {
  readonly hop: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Lambda billed duration per request: waits for the model, plus its own overhead. */
export function lambdaDurationMs(workload: Workload, mode: DeploymentShape["mode"]): number {
  const model = mode === "serverless" ? workload.serverlessMsPerImage : workload.modelMsPerImage;
  return model + workload.lambdaOverheadMs;
}

const pct = (value: number) => `${(value * 100).toFixed(0)}%`;

/** Images per second one real-time instance sustains at the measured time per image. */
export function imagesPerSecondPerInstance(workload: Workload): number {
  return 1000 / workload.modelMsPerImage;
}

/** Instances needed to serve the rate at no more than the target utilization (at least 1). */
export function requiredInstances(workload: Workload): number {
  const exact = workload.requestsPerSecond / (imagesPerSecondPerInstance(workload) * workload.targetUtilization);
  // Round away float noise (e.g. 1.0000000000000002) before taking the ceiling.
  return Math.max(1, Math.ceil(Number(exact.toFixed(9))));
}

/** Without autoscaling, the configured count; with it, what target tracking settles on within [min, max]. */
export function instancesToBill(deployment: DeploymentShape, workload: Workload): number {
  const scaling = deployment.realtime.autoscaling;
  if (!scaling) return deployment.realtime.instanceCount;
  return Math.min(scaling.maxCapacity, Math.max(scaling.minCapacity, requiredInstances(workload)));
}

/**
 * Whatever the rate: the stage should not let in more than the fleet at its largest serves. Requests beyond that
 * queue in the model server until they time out (504 after the function's budget, billed all along); the stage's
 * own 429 answers them at once, and the client can back off.
 */
/** Instances of the real-time fleet at its largest (autoscaling's maximum, else the fixed count). */
function largestFleet(deployment: DeploymentShape): number {
  return deployment.realtime.autoscaling?.maxCapacity ?? deployment.realtime.instanceCount;
}

export function throttleAgainstFleet(deployment: DeploymentShape, workload: Workload, throttle: number): CapacityCheck {
  const most = largestFleet(deployment);
  const fleet = most * imagesPerSecondPerInstance(workload);
  return {
    hop: "API throttling vs endpoint",
    ok: throttle <= fleet,
    detail:
      `the stage lets in ${throttle} req/s, ${most} x ${deployment.realtime.instanceType} serve ${fleet.toFixed(2)} img/s` +
      (throttle <= fleet ? "" : ": the excess would queue until it times out (504); lower api.throttlingRateLimit or add instances"),
  };
}

export function capacityChecks(deployment: DeploymentShape, workload: Workload): CapacityCheck[] {
  const rate = workload.requestsPerSecond;
  const target = workload.targetUtilization;
  const checks: CapacityCheck[] = [];

  if (deployment.mode === "realtime") {
    const perInstance = imagesPerSecondPerInstance(workload);
    const most = largestFleet(deployment);
    const utilization = rate / (most * perInstance);
    const needed = requiredInstances(workload);
    checks.push({
      hop: "SageMaker real-time",
      ok: utilization <= target,
      detail:
        `${most} x ${deployment.realtime.instanceType} at ${workload.modelMsPerImage} ms/image = ${(most * perInstance).toFixed(2)} img/s; ` +
        `${rate} req/s -> ${pct(utilization)} busy (target <= ${pct(target)})` +
        (utilization <= target ? "" : `; needs ${needed} instance(s)`),
    });
  } else {
    const concurrency = rate * (workload.serverlessMsPerImage / 1000);
    const limit = deployment.serverless.maxConcurrency;
    checks.push({
      hop: "SageMaker serverless",
      ok: concurrency <= limit * target,
      detail: `${rate} req/s x ${workload.serverlessMsPerImage} ms = ${concurrency.toFixed(2)} concurrent of max ${limit} (target <= ${pct(target)}); cold starts not included`,
    });
  }

  const lambdaConcurrency = rate * (lambdaDurationMs(workload, deployment.mode) / 1000);
  const reserved = deployment.lambda.reservedConcurrency;
  checks.push(
    reserved === undefined
      ? {
          hop: "Lambda",
          ok: true,
          detail: `${lambdaConcurrency.toFixed(2)} concurrent; no reserved concurrency (shares the account's unreserved pool)`,
        }
      : {
          hop: "Lambda",
          ok: lambdaConcurrency <= reserved * target,
          detail: `${lambdaConcurrency.toFixed(2)} concurrent of reserved ${reserved} (target <= ${pct(target)})`,
        },
  );

  const throttle = deployment.apiThrottleRatePerSecond;
  if (throttle !== undefined) {
    checks.push({
      hop: "API stage throttling",
      ok: rate <= throttle,
      detail: `${rate} req/s against a steady-state limit of ${throttle} req/s (excess gets 429)`,
    });
    if (deployment.mode === "realtime") checks.push(throttleAgainstFleet(deployment, workload, throttle));
  }
  return checks;
}
