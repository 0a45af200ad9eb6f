/**
 * The SageMaker container's environment the stack sets, derived from the config once (config resolution), and the
 * fingerprint of everything that defines the model besides its tarball.
 */
import { shortHash } from "../support/content-hash";

export interface ContainerSettings {
  /** SAGEMAKER_CONTAINER_LOG_LEVEL. */
  readonly containerLogLevel: string;
  /** SAGEMAKER_MODEL_SERVER_WORKERS; undefined keeps the model server's own default (one worker per vCPU). */
  readonly serverWorkers: number | undefined;
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
    SAGEMAKER_CONTAINER_LOG_LEVEL: settings.containerLogLevel,
    // Everything is in model.tar.gz: never reach for the Hub (the container may have no network at all).
    HF_HUB_OFFLINE: "1",
    TRANSFORMERS_OFFLINE: "1",
    INFERENCE_DEADLINE_MS: String(settings.inferenceDeadlineMs),
    ...serverWorkersEnvironment(settings.serverWorkers, settings.serverless),
  };
}

/** Serverless memory holds one model copy, so it gets one worker unless told otherwise; real-time keeps the server's default. */
export function serverWorkersEnvironment(serverWorkers: number | undefined, serverless: boolean): Record<string, string> {
  const workers = serverWorkers ?? (serverless ? 1 : undefined);
  return workers === undefined ? {} : { SAGEMAKER_MODEL_SERVER_WORKERS: String(workers) };
}

/** Container variables the stack sets itself: `model.environment` may not override them. */
export const STACK_CONTAINER_ENV_KEYS: readonly string[] = [
  ...Object.keys(
    containerEnvironment({ containerLogLevel: "20", serverWorkers: 1, serverless: false, inferenceDeadlineMs: 1, extraEnvironment: {} }),
  ),
  "SAGEMAKER_REGION",
];

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
