/** The AWS half of the runner with aws-sdk-client-mock: the job SageMaker is asked for, its progress, its end. */
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  CreateTransformJobCommand,
  DescribeTransformJobCommand,
  SageMakerClient,
  StopTransformJobCommand,
} from "@aws-sdk/client-sagemaker";
import { mockClient } from "aws-sdk-client-mock";
import { catalogueSection } from "../../../src/config/catalogue";
import { runAwsCatalogue } from "../../../tools/catalogue/aws-run";
import { CatalogueRunError } from "../../../tools/catalogue/catalogue-run";
import { SageMakerTransformExecutor, transformJobName } from "../../../tools/catalogue/sagemaker-transform";
import { S3Store } from "../../../tools/catalogue/s3-store";
import { parseCatalogueOutputs } from "../../../tools/catalogue/stack-outputs";

const s3 = mockClient(S3Client);
const sagemaker = mockClient(SageMakerClient);
const settings = catalogueSection.parse({
  source: "s3://acme-products/images/",
  instance: { type: "ml.c6i.2xlarge", count: 3 },
  maxConcurrentTransforms: 8,
})!;
const output = new S3Store(new S3Client({ region: "eu-west-1" }), { bucket: "acme-catalogue", prefix: "catalogue/" });
const request = {
  runId: "20261203T101500Z-1a2b3c",
  keys: ["a.jpg", "b/c.jpg"],
  manifestKey: "runs/r/manifest.json",
  outputPrefix: "runs/r/out/",
};
const executor = (pollMs = 0) =>
  new SageMakerTransformExecutor({
    sagemaker: new SageMakerClient({ region: "eu-west-1" }),
    output,
    modelName: "vit-classifier-abc-123",
    namePrefix: "vit-classifier",
    settings,
    pollMs,
    sleep: async () => undefined,
  });

beforeEach(() => {
  s3.reset();
  sagemaker.reset();
});

describe("SageMakerTransformExecutor", () => {
  it("creates one job on the stack's model, switched to embedding by its Environment, over the run's manifest", async () => {
    // Prepare
    sagemaker.on(CreateTransformJobCommand).resolves({ TransformJobArn: "arn" });
    sagemaker.on(DescribeTransformJobCommand).resolves({ TransformJobStatus: "Completed" });
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });

    // Act
    const { jobName } = await executor().run(request, () => undefined);

    // Assess
    expect(jobName).toBe("vit-classifier-cat-20261203t101500z-1a2b3c");
    expect(sagemaker.commandCalls(CreateTransformJobCommand)[0].args[0].input).toEqual({
      TransformJobName: jobName,
      ModelName: "vit-classifier-abc-123",
      MaxConcurrentTransforms: 8,
      MaxPayloadInMB: 6,
      BatchStrategy: "SingleRecord",
      ModelClientConfig: { InvocationsTimeoutInSeconds: 600, InvocationsMaxRetries: 3 },
      Environment: { INFERENCE_TASK: "embed", INFERENCE_BATCH_MODE: "1" },
      TransformInput: {
        DataSource: { S3DataSource: { S3DataType: "ManifestFile", S3Uri: "s3://acme-catalogue/catalogue/runs/r/manifest.json" } },
        ContentType: "application/x-image",
        CompressionType: "None",
        SplitType: "None",
      },
      TransformOutput: { S3OutputPath: "s3://acme-catalogue/catalogue/runs/r/out/", Accept: "application/json", AssembleWith: "None" },
      TransformResources: { InstanceType: "ml.c6i.2xlarge", InstanceCount: 3 },
      Tags: [{ Key: "catalogue-run", Value: request.runId }],
    });
  });

  it("reports progress from the .out objects written so far until the job completes", async () => {
    sagemaker.on(CreateTransformJobCommand).resolves({});
    sagemaker
      .on(DescribeTransformJobCommand)
      .resolvesOnce({ TransformJobStatus: "InProgress" })
      .resolvesOnce({ TransformJobStatus: "InProgress" })
      .resolves({ TransformJobStatus: "Completed" });
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [] })
      .resolvesOnce({ Contents: [{ Key: "catalogue/runs/r/out/a.jpg.out", ETag: '"1"', Size: 10 }] })
      .resolves({ Contents: [{ Key: "catalogue/runs/r/out/a.jpg.out" }, { Key: "catalogue/runs/r/out/b/c.jpg.out" }] });
    const progress: unknown[] = [];

    await executor().run(request, (p) => progress.push(p));

    expect(progress).toEqual([
      { done: 0, total: 2, status: "InProgress" },
      { done: 1, total: 2, status: "InProgress" },
      { done: 2, total: 2, status: "Completed" },
    ]);
  });

  it("fails the run with SageMaker's reason when the job fails", async () => {
    sagemaker.on(CreateTransformJobCommand).resolves({});
    sagemaker
      .on(DescribeTransformJobCommand)
      .resolves({ TransformJobStatus: "Failed", FailureReason: "ClientError: Access Denied for s3://acme-products/images/a.jpg" });
    s3.on(ListObjectsV2Command).resolves({});

    await expect(executor().run(request, () => undefined)).rejects.toThrow(
      "transform job vit-classifier-cat-20261203t101500z-1a2b3c failed: ClientError: Access Denied for s3://acme-products/images/a.jpg",
    );
  });

  it("stops a job on request (Ctrl-C)", async () => {
    sagemaker.on(StopTransformJobCommand).resolves({});
    await executor().stop("job-1");
    expect(sagemaker.commandCalls(StopTransformJobCommand)[0].args[0].input).toEqual({ TransformJobName: "job-1" });
  });

  it("names jobs within SageMaker's 63 characters of letters, digits and hyphens", () => {
    const name = transformJobName("a-very-long-name-prefix-x", "20261203T101500Z-1a2b3c");
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/);
  });
});

describe("S3Store", () => {
  it("lists every page, with keys relative to its prefix, and skips folder placeholders", async () => {
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({
      Contents: [
        { Key: "catalogue/", Size: 0 },
        { Key: "catalogue/a.jpg", ETag: '"a"', Size: 3 },
      ],
      IsTruncated: true,
      NextContinuationToken: "t2",
    });
    s3.on(ListObjectsV2Command, { ContinuationToken: "t2" }).resolves({ Contents: [{ Key: "catalogue/z/b.png", ETag: '"b"', Size: 4 }] });
    const seen = [];
    for await (const object of output.list()) seen.push(object);
    expect(seen).toEqual([
      { key: "a.jpg", etag: '"a"', size: 3 },
      { key: "z/b.png", etag: '"b"', size: 4 },
    ]);
  });

  it("reads a missing object as undefined and writes with the content type", async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: "no", $metadata: {} }));
    s3.on(PutObjectCommand).resolves({});
    expect(await output.get("latest.json")).toBeUndefined();
    await output.put("latest.json", "{}", "application/json");
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({
      Bucket: "acme-catalogue",
      Key: "catalogue/latest.json",
      ContentType: "application/json",
    });
  });
});

describe("runAwsCatalogue", () => {
  it("refuses a source other than the configured and deployed one: the role may read nothing else", async () => {
    const run = runAwsCatalogue({
      sourceUri: "s3://acme-products/other/",
      settings,
      namePrefix: "vit-classifier",
      stackName: "vit-classifier",
      outputs: {
        source_uri: "s3://acme-products/images/",
        output_uri: "s3://acme-catalogue/catalogue/",
        model_name: "m",
        model_fingerprint: "f",
        execution_role_arn: "r",
      },
      s3: new S3Client({ region: "eu-west-1" }),
      sagemaker: new SageMakerClient({ region: "eu-west-1" }),
      log: () => undefined,
    });
    await expect(run).rejects.toThrow(CatalogueRunError);
    await expect(run).rejects.toThrow(/s3:\/\/acme-products\/other\/ is not the catalogue source the stack grants/);
    expect(sagemaker.commandCalls(CreateTransformJobCommand)).toHaveLength(0);
  });
});

describe("parseCatalogueOutputs", () => {
  const value = {
    source_uri: "s3://a/",
    output_uri: "s3://b/catalogue/",
    model_name: "m",
    model_fingerprint: "sha256:f",
    execution_role_arn: "r",
  };

  it("reads terraform output -json and cdktf output --outputs-file alike", () => {
    expect(parseCatalogueOutputs({ catalogue: { value, type: "object", sensitive: false } }, "stack")).toEqual(value);
    expect(parseCatalogueOutputs({ catalogue: value }, "stack")).toEqual(value);
  });

  it("says what to do when the stack has no catalogue", () => {
    expect(() => parseCatalogueOutputs({ classify_url: "x" }, "the stack vit-classifier")).toThrow(
      /the stack vit-classifier has no catalogue output: add the config section catalogue/,
    );
  });
});
