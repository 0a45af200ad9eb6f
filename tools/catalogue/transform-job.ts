/**
 * What a catalogue run asks of a Batch Transform job, whoever runs it: SageMaker (aws-transform.ts) or the local
 * container (local-transform.ts). The same model as the endpoint, switched to embedding by the job's Environment.
 */

/**
 * Merged into the container's environment for the job (CreateTransformJob's Environment): embed whatever arrives
 * without custom attributes, and answer a bad image 200 with an error object so it cannot fail the job.
 */
export const TRANSFORM_ENVIRONMENT: Readonly<Record<string, string>> = { INFERENCE_TASK: "embed", INFERENCE_BATCH_MODE: "1" };

/** The content type the job sends every image with: the container takes the format from the bytes. */
export const TRANSFORM_CONTENT_TYPE = "application/x-image";

export interface TransformJobRequest {
  readonly runId: string;
  /** Keys relative to the source location, in manifest order. */
  readonly keys: readonly string[];
  /** Output-store key of the manifest (runs/<id>/manifest.json). */
  readonly manifestKey: string;
  /** Output-store prefix the job writes `<key>.out` below (runs/<id>/out/). */
  readonly outputPrefix: string;
}

export interface TransformProgress {
  readonly done: number;
  readonly total: number;
  /** SageMaker's status (InProgress, ...) or "running" locally. */
  readonly status: string;
}

export interface TransformExecutor {
  /** Runs the job to its end; throws TransformJobFailed when it fails (then no index is written). */
  run(request: TransformJobRequest, onProgress: (progress: TransformProgress) => void): Promise<{ jobName: string }>;
}

export class TransformJobFailed extends Error {
  constructor(
    readonly jobName: string,
    readonly reason: string,
  ) {
    super(`transform job ${jobName} failed: ${reason}`);
    this.name = "TransformJobFailed";
  }
}

/** The manifest file of a ManifestFile input: the source prefix, then the keys relative to it. */
export function manifestBody(sourcePrefixUri: string, keys: readonly string[]): string {
  return `${JSON.stringify([{ prefix: sourcePrefixUri }, ...keys])}\n`;
}
