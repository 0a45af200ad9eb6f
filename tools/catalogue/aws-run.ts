/**
 * `npm run catalogue:embed -- s3://bucket/prefix/`: the catalogue run on AWS. The source must be the configured and
 * deployed `catalogue.source` (the SageMaker role may read nothing else); the job runs on the stack's model, the index
 * goes to the stack's output location, where the function finds it within `catalogue.refreshSeconds`.
 *
 * The caller's credentials need: s3:ListBucket on the source, s3:GetObject/PutObject/ListBucket on the output prefix,
 * sagemaker:CreateTransformJob, DescribeTransformJob, StopTransformJob and AddTags (docs/catalogue.md).
 */
import { S3Client } from "@aws-sdk/client-s3";
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { POINTER_KEY } from "../../common/catalogue-index";
import { CatalogueSettings, parseS3Folder, s3FolderUri } from "../../src/config/catalogue";
import { CatalogueRunError, CatalogueRunResult, runCatalogue } from "./catalogue-run";
import { ProgressPrinter } from "./progress-printer";
import { SageMakerTransformExecutor } from "./sagemaker-transform";
import { S3Store } from "./s3-store";
import type { CatalogueStackOutputs } from "./stack-outputs";

export interface AwsRunOptions {
  /** The CLI's argument. */
  readonly sourceUri: string;
  readonly settings: CatalogueSettings;
  readonly namePrefix: string;
  /** For the hint that names the stack folder. */
  readonly stackName: string;
  readonly outputs: CatalogueStackOutputs;
  readonly s3: S3Client;
  readonly sagemaker: SageMakerClient;
  readonly log: (line: string) => void;
  /** Between status checks. @default 30000 */
  readonly pollMs?: number;
  readonly onJobCreated?: (jobName: string, stop: () => Promise<void>) => void;
}

export async function runAwsCatalogue(options: AwsRunOptions): Promise<{ result: CatalogueRunResult; pointer: string; hints: string[] }> {
  const { outputs, settings } = options;
  const requested = s3FolderUri(parseS3Folder(options.sourceUri));
  const configured = s3FolderUri(settings.source);
  if (requested !== configured || requested !== outputs.source_uri) {
    throw new CatalogueRunError(
      `${requested} is not the catalogue source the stack grants (config catalogue.source ${configured}, deployed ${outputs.source_uri}): ` +
        "the SageMaker role may read only that prefix. Set catalogue.source to the images' location and deploy first.",
    );
  }
  const source = new S3Store(options.s3, settings.source);
  const output = new S3Store(options.s3, parseS3Folder(outputs.output_uri));
  const executor = new SageMakerTransformExecutor({
    sagemaker: options.sagemaker,
    output,
    modelName: outputs.model_name,
    namePrefix: options.namePrefix,
    settings,
    pollMs: options.pollMs,
    onCreated: (jobName) => {
      options.log(
        `transform job ${jobName} created on model ${outputs.model_name} (${settings.instance.count} x ${settings.instance.type})`,
      );
      options.onJobCreated?.(jobName, () => executor.stop(jobName));
    },
  });
  options.log(
    `source ${requested}; model ${outputs.model_name} (${outputs.model_fingerprint.slice(0, 24)}...); output ${outputs.output_uri}`,
  );
  const progress = new ProgressPrinter(options.log, 0);
  const result = await runCatalogue({
    source,
    output,
    executor,
    modelFingerprint: outputs.model_fingerprint,
    maxPayloadBytes: settings.maxPayloadMb * 1024 * 1024,
    onProgress: (p) => progress.update(p),
    log: options.log,
  });
  progress.finish();
  const hints =
    result.kind === "nothing indexed"
      ? []
      : [
          `POST /similar serves it within ${settings.refreshSeconds} s; try:`,
          `  curl -s --data-binary @image.jpg -H 'Content-Type: image/jpeg' "$(terraform -chdir=cdktf.out/stacks/<stack> output -raw similar_url)?top_k=5"`.replace(
            "<stack>",
            options.stackName,
          ),
        ];
  return { result, pointer: output.locationOf(POINTER_KEY), hints };
}
