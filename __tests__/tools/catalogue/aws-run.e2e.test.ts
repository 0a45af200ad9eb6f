/**
 * The AWS half of the catalogue runner against the AWS emulator (moto + tools/deploy/emulator/workarounds.py): S3 listing
 * with ETags, the manifest, CreateTransformJob / DescribeTransformJob on a real model, the assembly read back from S3,
 * the pointer. moto runs no container, so the `.out` objects the job's instances would write are written by the test
 * (FakeInstances) before the real executor creates the job; everything else is the runner's own code.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateModelCommand, DescribeTransformJobCommand } from "@aws-sdk/client-sagemaker";
import { catalogueSection } from "../../../src/config/catalogue";
import { runCatalogue } from "../../../tools/catalogue/catalogue-run";
import { SageMakerTransformExecutor } from "../../../tools/catalogue/sagemaker-transform";
import { S3Store } from "../../../tools/catalogue/s3-store";
import { TransformExecutor, TransformJobRequest, TransformProgress } from "../../../tools/catalogue/transform-job";
import { AwsClients, destroyClients, emulatorClients } from "../../../tools/deploy/aws-clients";
import { AwsEmulator, startAwsEmulator } from "../../../tools/deploy/aws-emulator";
import { EXAMPLE_ACCOUNT_ID } from "../../example-account";

jest.setTimeout(120_000);

let emulator: AwsEmulator;
let clients: AwsClients;
const settings = catalogueSection.parse({ source: "s3://acme-products/images/", maxConcurrentTransforms: 2 })!;

/** What the job's instances would do: embed each manifest image (a vector named by its first byte) or answer an error object. */
class FakeInstances implements TransformExecutor {
  constructor(
    private readonly source: S3Store,
    private readonly output: S3Store,
    private readonly sagemakerExecutor: SageMakerTransformExecutor,
  ) {}

  async run(request: TransformJobRequest, onProgress: (p: TransformProgress) => void) {
    for (const key of request.keys) {
      const first = (await this.source.get(key))![0];
      const answer =
        first === 0
          ? { error: { code: "undecodable_image", message: "truncated" } }
          : { embedding: [Math.cos(first), Math.sin(first)], dim: 2 };
      await this.output.put(`${request.outputPrefix}${key}.out`, JSON.stringify(answer), "application/json");
    }
    return this.sagemakerExecutor.run(request, onProgress);
  }
}

beforeAll(async () => {
  emulator = await startAwsEmulator();
  clients = emulatorClients(emulator.url);
  for (const bucket of ["acme-products", "acme-catalogue"]) await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [key, first] of [
    ["a.jpg", 1],
    ["b.jpg", 2],
    ["shoes/c.png", 3],
    ["broken.jpg", 0],
    ["notes.txt", 9],
  ] as const) {
    await clients.s3.send(new PutObjectCommand({ Bucket: "acme-products", Key: `images/${key}`, Body: Buffer.from([first, 7, 7]) }));
  }
  await clients.sagemaker.send(
    new CreateModelCommand({
      ModelName: "vit-classifier-model",
      ExecutionRoleArn: `arn:aws:iam::${EXAMPLE_ACCOUNT_ID}:role/vit-classifier-sagemaker-execution`,
      PrimaryContainer: { Image: "image", ModelDataUrl: "s3://acme-products/model.tar.gz" },
    }),
  );
}, 120_000);

afterAll(async () => {
  if (clients) destroyClients(clients);
  await emulator?.stop();
});

describe("catalogue run on the AWS emulator", () => {
  const source = () => new S3Store(clients.s3, settings.source);
  const output = () => new S3Store(clients.s3, { bucket: "acme-catalogue", prefix: "catalogue/" });
  const run = () => {
    const executor = new SageMakerTransformExecutor({
      sagemaker: clients.sagemaker,
      output: output(),
      modelName: "vit-classifier-model",
      namePrefix: "vit-classifier",
      settings,
      pollMs: 10,
    });
    return runCatalogue({
      source: source(),
      output: output(),
      executor: new FakeInstances(source(), output(), executor),
      modelFingerprint: "sha256:m",
      maxPayloadBytes: 6 << 20,
    });
  };

  it("creates the job on the model over the run's manifest, assembles from S3 and moves the pointer", async () => {
    // Act
    const result = await run();

    // Assess
    if (result.kind !== "indexed") throw new Error(result.kind);
    const { metadata } = result;
    expect(metadata).toMatchObject({ count: 3, dim: 2, source: "s3://acme-products/images/" });
    expect(metadata.run).toMatchObject({
      embedded: 4,
      skipped: 1,
      failed: [expect.objectContaining({ key: "broken.jpg", code: "undecodable_image" })],
    });
    const job = await clients.sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: metadata.run.job }));
    expect(job).toMatchObject({
      ModelName: "vit-classifier-model",
      Environment: { INFERENCE_TASK: "embed", INFERENCE_BATCH_MODE: "1" },
      TransformInput: {
        DataSource: {
          S3DataSource: { S3DataType: "ManifestFile", S3Uri: `s3://acme-catalogue/catalogue/runs/${metadata.id}/manifest.json` },
        },
      },
      TransformOutput: { S3OutputPath: `s3://acme-catalogue/catalogue/runs/${metadata.id}/out/` },
    });
    const manifest = JSON.parse((await output().get(`runs/${metadata.id}/manifest.json`))!.toString());
    expect(manifest).toEqual([{ prefix: "s3://acme-products/images/" }, "a.jpg", "b.jpg", "broken.jpg", "shoes/c.png"]);
    const pointer = await clients.s3.send(new GetObjectCommand({ Bucket: "acme-catalogue", Key: "catalogue/latest.json" }));
    expect(JSON.parse(await pointer.Body!.transformToString())).toMatchObject({ index: metadata.id, count: 3 });
  });

  it("embeds only the changed image on the next run (S3's ETags)", async () => {
    await clients.s3.send(new PutObjectCommand({ Bucket: "acme-products", Key: "images/b.jpg", Body: Buffer.from([5, 1, 1]) }));

    const result = await run();

    expect(result.kind === "indexed" && result.metadata.run).toMatchObject({
      mode: "incremental",
      embedded: 1,
      reused: 2,
      failedBefore: 1,
    });
  });
});
