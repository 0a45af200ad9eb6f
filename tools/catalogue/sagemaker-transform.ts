/**
 * Batch Transform on SageMaker: one CreateTransformJob on the deployed stack's model (its container and its execution
 * role, whose grants src/constructs/catalogue.ts sets), switched to embedding by the job's Environment; then
 * DescribeTransformJob until the job ends, with progress from the `.out` objects already written.
 */
import {
  CreateTransformJobCommand,
  CreateTransformJobCommandInput,
  DescribeTransformJobCommand,
  SageMakerClient,
  StopTransformJobCommand,
  TransformInstanceType,
} from "@aws-sdk/client-sagemaker";
import type { CatalogueJobSettings } from "../../src/config/catalogue";
import { listAll, ObjectStore } from "./object-store";
import {
  TRANSFORM_CONTENT_TYPE,
  TRANSFORM_ENVIRONMENT,
  TransformExecutor,
  TransformJobFailed,
  TransformJobRequest,
  TransformProgress,
} from "./transform-job";

export interface SageMakerTransformOptions {
  readonly sagemaker: SageMakerClient;
  /** The output location (where the manifest is and the `.out` objects go). */
  readonly output: ObjectStore;
  /** The stack's SageMaker model (stack output catalogue.model_name). */
  readonly modelName: string;
  /** Prefix of the job's name (namePrefix). */
  readonly namePrefix: string;
  readonly settings: CatalogueJobSettings;
  /** Between two DescribeTransformJob calls (and output listings). @default 30000 */
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called with the job's name as soon as it exists (the CLI stops it on Ctrl-C). */
  readonly onCreated?: (jobName: string) => void;
}

/** TransformJobName: 1-63 letters, digits and hyphens. */
export function transformJobName(namePrefix: string, runId: string): string {
  const id = runId.toLowerCase().replace(/[^a-z0-9-]/g, "-");
  return `${namePrefix.slice(0, 63 - id.length - 5)}-cat-${id}`.replace(/-+/g, "-");
}

/** The request CreateTransformJob gets: exposed for tests and for the deploy rehearsal. */
export function createTransformJobInput(
  options: Pick<SageMakerTransformOptions, "output" | "modelName" | "namePrefix" | "settings">,
  request: TransformJobRequest,
): CreateTransformJobCommandInput {
  const { settings } = options;
  return {
    TransformJobName: transformJobName(options.namePrefix, request.runId),
    ModelName: options.modelName,
    MaxConcurrentTransforms: settings.maxConcurrentTransforms,
    MaxPayloadInMB: settings.maxPayloadMb,
    BatchStrategy: "SingleRecord",
    ModelClientConfig: {
      InvocationsTimeoutInSeconds: settings.invocationTimeoutSeconds,
      InvocationsMaxRetries: settings.invocationMaxRetries,
    },
    Environment: { ...TRANSFORM_ENVIRONMENT },
    TransformInput: {
      DataSource: { S3DataSource: { S3DataType: "ManifestFile", S3Uri: options.output.locationOf(request.manifestKey) } },
      ContentType: TRANSFORM_CONTENT_TYPE,
      CompressionType: "None",
      // Whole images, one per request.
      SplitType: "None",
    },
    TransformOutput: { S3OutputPath: options.output.locationOf(request.outputPrefix), Accept: "application/json", AssembleWith: "None" },
    // The config checked the type (src/config/catalogue.ts, transformInstanceTypeProblem).
    TransformResources: { InstanceType: settings.instance.type as TransformInstanceType, InstanceCount: settings.instance.count },
    Tags: [{ Key: "catalogue-run", Value: request.runId }],
  };
}

export class SageMakerTransformExecutor implements TransformExecutor {
  constructor(private readonly options: SageMakerTransformOptions) {}

  async run(request: TransformJobRequest, onProgress: (progress: TransformProgress) => void): Promise<{ jobName: string }> {
    const { sagemaker, output } = this.options;
    const pollMs = this.options.pollMs ?? 30_000;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const input = createTransformJobInput(this.options, request);
    const jobName = input.TransformJobName!;
    await sagemaker.send(new CreateTransformJobCommand(input));
    this.options.onCreated?.(jobName);
    for (;;) {
      const job = await sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: jobName }));
      const status = job.TransformJobStatus ?? "Unknown";
      const done = (await listAll(output, request.outputPrefix)).filter((o) => o.key.endsWith(".out")).length;
      onProgress({ done, total: request.keys.length, status });
      if (status === "Completed") return { jobName };
      if (status === "Failed" || status === "Stopped") {
        throw new TransformJobFailed(jobName, job.FailureReason ?? status);
      }
      await sleep(pollMs);
    }
  }

  /** Ends the job (the CLI's Ctrl-C): SageMaker stops billing once it stopped. */
  async stop(jobName: string): Promise<void> {
    await this.options.sagemaker.send(new StopTransformJobCommand({ TransformJobName: jobName }));
  }
}
