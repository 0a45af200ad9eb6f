/**
 * The SageMaker container's environment the stack sets, derived from the config once (config resolution), and the
 * fingerprint of everything that defines the model besides its tarball.
 */
import { shortHash } from "../support/content-hash";
import { SERVING_SETTINGS, ServingConfig, servingEnvironment } from "./serving-settings";

export interface ContainerSettings {
  /** The config's `model.serving` (only the settings it sets). */
  readonly serving: ServingConfig;
  readonly serverless: boolean;
  /**
   * INFERENCE_DEADLINE_MS: how long one request may keep a model server worker busy. The function's INVOKE_BUDGET_MS:
   * once it has passed, the caller has its 504 and the worker's work would be thrown away.
   */
  readonly inferenceDeadlineMs: number;
  /** The config's extra variables; the stack's own keys win over them. */
  readonly extraEnvironment: Readonly<Record<string, string>>;
}

/** The environment the stack sets, without SAGEMAKER_REGION (a plan-time reference the construct adds). */
export function containerEnvironment(settings: ContainerSettings): Record<string, string> {
  return {
    ...settings.extraEnvironment,
    HF_TASK: "image-classification",
    SAGEMAKER_PROGRAM: "inference.py",
    SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code",
    SAGEMAKER_CONTAINER_LOG_LEVEL: settings.serving.logLevel ?? String(SERVING_SETTINGS.logLevel.default),
    // Everything is in model.tar.gz: never reach for the Hub (the container may have no network at all).
    HF_HUB_OFFLINE: "1",
    TRANSFORMERS_OFFLINE: "1",
    // The function's budget by default: once it has passed, the caller has its 504 and the work would be thrown away.
    INFERENCE_DEADLINE_MS: String(settings.serving.deadlineMs ?? settings.inferenceDeadlineMs),
    ...serverWorkersEnvironment(settings.serving.workers, settings.serverless),
    // Every serving setting the config sets. The three above come out the same here and keep their places.
    ...servingEnvironment(settings.serving),
  };
}

/** Serverless memory holds one model copy, so it gets one worker unless told otherwise; real-time keeps the server's default. */
export function serverWorkersEnvironment(serverWorkers: number | undefined, serverless: boolean): Record<string, string> {
  const workers = serverWorkers ?? (serverless ? 1 : undefined);
  return workers === undefined ? {} : { SAGEMAKER_MODEL_SERVER_WORKERS: String(workers) };
}

/** Container variables the stack sets itself, the serving settings' included: `model.environment` may not hold them. */
export const STACK_CONTAINER_ENV_KEYS: readonly string[] = [
  ...Object.keys(containerEnvironment({ serving: {}, serverless: false, inferenceDeadlineMs: 1, extraEnvironment: {} })),
  ...Object.values(SERVING_SETTINGS).map((spec) => spec.variable),
  "SAGEMAKER_REGION",
].filter((key, index, keys) => keys.indexOf(key) === index);

/**
 * Everything that defines the SageMaker model besides the tarball, as a short hash: the model artifact's revision
 * trigger, so a settings change is a rollout with new names, exactly like a new tarball.
 */
export function modelSettingsFingerprint(model: {
  readonly imageRepository: string;
  readonly imageTag: string;
  readonly networkIsolation: boolean;
  readonly environment: Readonly<Record<string, string>>;
}): string {
  return shortHash(
    { imageRepository: model.imageRepository, imageTag: model.imageTag, networkIsolation: model.networkIsolation, env: model.environment },
    12,
  );
}
