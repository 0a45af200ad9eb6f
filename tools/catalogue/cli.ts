/**
 * `npm run catalogue:embed -- <source>`: embeds every image under <source> and moves the catalogue pointer to the new
 * index (docs/catalogue.md).
 *   ./folder             locally: a container of the local model, index in CATALOGUE_DIR (npm run local serves it)
 *   s3://bucket/prefix/  on AWS: a SageMaker Batch Transform job on the deployed stack's model (catalogue.source)
 * Exit codes: 0 indexed or up to date, 1 the run failed or indexed nothing, 2 bad arguments or config.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { ClassifierConfig, readConfigFile, resolveConfig } from "../../src/config/load-config";
import { runAwsCatalogue } from "./aws-run";
import { readCatalogueOutputs } from "./stack-outputs";
import { catalogueJobSettings, CatalogueJobSettings } from "../../src/config/catalogue";
import { UserFacingError } from "../../src/config/errors";
import { CatalogueRunError } from "./catalogue-run";
import { LAMBDA_MEMORY_MB } from "../../local/stack";
import { runLocalCatalogue } from "./local-run";
import { formatRunResult } from "./run-report";
import { TransformJobFailed } from "./transform-job";

const USAGE = `usage: npm run catalogue:embed -- <./folder | s3://bucket/prefix/>

  ./folder             embed the images of a local folder with the local model (MODEL_DIR, default the demo model);
                       the index goes to CATALOGUE_DIR (default dist/local-catalogue), which npm run local serves
  s3://bucket/prefix/  embed catalogue.source with a SageMaker Batch Transform job on the deployed stack's model
`;

const say = (line: string) => console.log(`[catalogue] ${line}`);

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((arg) => arg !== "--");
  if (args.length !== 1 || args[0] === "--help" || args[0] === "-h") {
    process.stderr.write(USAGE);
    return args.length === 1 ? 0 : 2;
  }
  const file = readConfigFile(process.env.CLASSIFIER_CONFIG, "CLASSIFIER_CONFIG points to a file that does not exist");
  const config = resolveConfig(file.raw, { baseDir: file.baseDir, source: file.source, requireArtifact: false });
  const job: CatalogueJobSettings = config.catalogue ?? catalogueJobSettings.parse({});
  const target = args[0];
  const { result, pointer, hints } = target.startsWith("s3://")
    ? await runOnAws(target, config)
    : await runLocalCatalogue({ sourceDir: target, job, log: say });
  // The function that will load the index: the deployed one's memory, or the local stack's (the default config's).
  const functionMemoryMb = target.startsWith("s3://") ? config.lambda.memoryMb : LAMBDA_MEMORY_MB;
  for (const line of [...formatRunResult(result, pointer, functionMemoryMb), ...hints]) say(line);
  return result.kind === "nothing indexed" ? 1 : 0;
}

async function runOnAws(sourceUri: string, config: ClassifierConfig) {
  if (!config.catalogue) {
    throw new UserFacingError(
      `${config.source} has no catalogue section: add one with "source": "${sourceUri}" and deploy (docs/catalogue.md)`,
    );
  }
  const region = config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const s3 = new S3Client({ region });
  const sagemaker = new SageMakerClient({ region });
  let stopJob: (() => Promise<void>) | undefined;
  process.once("SIGINT", () => {
    // The job bills until it ends: stop it rather than leave it running without anyone waiting for it.
    say(stopJob ? "stopping the transform job..." : "interrupted");
    void (stopJob?.() ?? Promise.resolve()).finally(() => process.exit(130));
  });
  return runAwsCatalogue({
    sourceUri,
    settings: config.catalogue,
    namePrefix: config.namePrefix,
    stackName: config.stackName,
    outputs: readCatalogueOutputs(config.stackName),
    s3,
    sagemaker,
    log: say,
    onJobCreated: (_name, stop) => (stopJob = stop),
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UserFacingError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof CatalogueRunError || error instanceof TransformJobFailed) {
      process.stderr.write(`[catalogue] ${error.message}; the pointer stays\n`);
      process.exit(1);
    }
    console.error(error);
    process.exit(1);
  },
);
