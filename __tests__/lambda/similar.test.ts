/**
 * POST /similar through the handler, with S3 and SageMaker mocked (aws-sdk-client-mock): the index's life cycle in one
 * execution environment (cold load, conditional pointer checks, reload when the pointer moves) and every refusal.
 * The same code against the local stack's S3 front over real HTTP is in __tests__/e2e/catalogue.e2e.test.ts.
 */
import { Readable } from "stream";
import { GetObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { mockClient } from "aws-sdk-client-mock";
import { CATALOGUE_INDEX_FORMAT, IndexMetadata, INDEX_FILES } from "../../common/catalogue-index";
import { handler } from "../../lambda/handler";
import { resetCurrentIndex } from "../../lambda/similar/current-index";
import { writeIndex } from "../../tools/catalogue/index-files";
import type { ObjectStore } from "../../tools/catalogue/object-store";
import { binaryEvent, bodyOf, JPEG, lambdaContext } from "./fixtures";
import { captureLogs, CapturedLogs } from "./logs";

const s3 = mockClient(S3Client);
const sagemaker = mockClient(SageMakerRuntimeClient);
const FINGERPRINT = "sha256:" + "ab".repeat(32);
const BUCKET = "catalogue-bucket";
let logs: CapturedLogs;

/** An in-memory bucket the tests write indexes into with the runner's own writer, served by the S3 mock. */
class MemoryBucket implements ObjectStore {
  readonly location = `s3://${BUCKET}/catalogue/`;
  readonly objects = new Map<string, { body: Buffer; etag: string }>();
  private version = 0;
  async *list() {}
  async get(key: string) {
    return this.objects.get(`catalogue/${key}`)?.body;
  }
  async put(key: string, body: Buffer | string) {
    this.version += 1;
    this.objects.set(`catalogue/${key}`, { body: Buffer.from(body), etag: `"v${this.version}"` });
  }
  locationOf(key: string) {
    return `${this.location}${key}`;
  }
}
let bucket: MemoryBucket;

function serveBucket(): void {
  s3.on(GetObjectCommand).callsFake(async (input: { Bucket: string; Key: string; IfNoneMatch?: string }) => {
    const object = input.Bucket === BUCKET ? bucket.objects.get(input.Key) : undefined;
    if (object === undefined)
      throw new S3ServiceException({ name: "NoSuchKey", $fault: "client", $metadata: { httpStatusCode: 404 }, message: "no key" });
    if (input.IfNoneMatch === object.etag)
      throw new S3ServiceException({ name: "304", $fault: "client", $metadata: { httpStatusCode: 304 }, message: "" });
    const chunks = [object.body.subarray(0, 100), object.body.subarray(100)]; // a stream that splits the header
    return {
      ETag: object.etag,
      ContentLength: object.body.length,
      Body: Object.assign(Readable.from(chunks), { transformToByteArray: async () => new Uint8Array(object.body) }) as any,
    };
  });
}

/** Three items on a circle: the query at angle 0 is closest to "a", then "b", then "c". */
async function writeCatalogue(id: string, keys = ["a.jpg", "b.jpg", "c.jpg"], fingerprint = FINGERPRINT): Promise<void> {
  const angles = [0.1, 0.8, 2.5];
  const vectors = Float32Array.from(keys.flatMap((_, i) => [Math.cos(angles[i]), Math.sin(angles[i]), 0, 0]));
  const metadata: IndexMetadata = {
    format: CATALOGUE_INDEX_FORMAT,
    version: 1,
    id,
    modelFingerprint: fingerprint,
    dim: 4,
    count: keys.length,
    dtype: "float32",
    source: "s3://products/images/",
    created: "2026-12-03T10:00:00.000Z",
    files: INDEX_FILES,
    run: {
      runId: id,
      mode: "first run",
      previousIndex: null,
      embedded: 3,
      reused: 0,
      deleted: 0,
      failedBefore: 0,
      skipped: 0,
      failed: [],
      job: "j",
      startedAt: "",
      finishedAt: "",
    },
  };
  await writeIndex(bucket, { metadata, keys, etags: keys.map(() => '"e"'), vectors });
}

const embedding = (vector: number[]) => ({
  Body: new TextEncoder().encode(JSON.stringify({ embedding: vector, dim: vector.length })) as any,
});
const similar = (query: Record<string, string> = {}) =>
  handler(binaryEvent("http-api-v2", JPEG, "image/jpeg", { path: "/similar", query }) as any, lambdaContext());
const pointerReads = () => s3.commandCalls(GetObjectCommand).filter((c) => c.args[0].input.Key === "catalogue/latest.json");

beforeEach(() => {
  s3.reset();
  sagemaker.reset();
  resetCurrentIndex();
  bucket = new MemoryBucket();
  serveBucket();
  sagemaker.on(InvokeEndpointCommand).resolves(embedding([1, 0, 0, 0]));
  Object.assign(process.env, {
    SAGEMAKER_ENDPOINT_NAME: "test-endpoint",
    AWS_REGION: "eu-west-1",
    CATALOGUE_INDEX_URI: `s3://${BUCKET}/catalogue/`,
    MODEL_FINGERPRINT: FINGERPRINT,
    CATALOGUE_REFRESH_SECONDS: "10",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
  });
  logs = captureLogs();
});
afterEach(() => {
  logs.restore();
  for (const name of [
    "CATALOGUE_INDEX_URI",
    "MODEL_FINGERPRINT",
    "CATALOGUE_REFRESH_SECONDS",
    "SIMILAR_TOP_K_MAX",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  ])
    delete process.env[name];
});

describe("POST /similar", () => {
  it("embeds the query with task=embed and answers the catalogue's nearest items, best first", async () => {
    // Prepare
    await writeCatalogue("index-1");

    // Act
    const result = await similar({ top_k: "2" });

    // Assess
    expect(result.statusCode).toBe(200);
    const body = bodyOf(result);
    expect(body.matches.map((m: { key: string }) => m.key)).toEqual(["a.jpg", "b.jpg"]);
    expect(body.matches[0].score).toBeCloseTo(Math.cos(0.1), 2);
    expect(body.index).toEqual({ id: "index-1", count: 3, created: "2026-12-03T10:00:00.000Z" });
    expect(sagemaker.commandCalls(InvokeEndpointCommand)[0].args[0].input.CustomAttributes).toBe("task=embed");
    expect(logs.lines().some((line) => line.message === "catalogue index loaded" && line.count === 3)).toBe(true);
  });

  it("answers 10 matches without top_k, or all of a smaller catalogue", async () => {
    await writeCatalogue("index-1");
    expect(bodyOf(await similar()).matches).toHaveLength(3);
  });

  it("checks the pointer at most once per refresh interval, with If-None-Match, and loads the index once", async () => {
    // Prepare
    await writeCatalogue("index-1");
    const clock = jest.spyOn(Date, "now");
    const start = 1_800_000_000_000;

    // Act
    clock.mockReturnValue(start);
    await similar();
    clock.mockReturnValue(start + 5_000);
    await similar();
    clock.mockReturnValue(start + 11_000);
    const third = await similar();
    clock.mockRestore();

    // Assess
    expect(third.statusCode).toBe(200);
    expect(pointerReads().map((c) => c.args[0].input.IfNoneMatch)).toEqual([undefined, bucket.objects.get("catalogue/latest.json")!.etag]);
    expect(s3.commandCalls(GetObjectCommand).filter((c) => c.args[0].input.Key!.endsWith("vectors-int8.npy"))).toHaveLength(1);
  });

  it("serves the new index once the pointer moved, without a new execution environment", async () => {
    await writeCatalogue("index-1");
    process.env.CATALOGUE_REFRESH_SECONDS = "0";
    expect(bodyOf(await similar()).index.id).toBe("index-1");

    await writeCatalogue("index-2", ["x.jpg", "y.jpg", "z.jpg"]);
    const body = bodyOf(await similar());

    expect(body.index.id).toBe("index-2");
    expect(body.matches[0].key).toBe("x.jpg");
  });

  it.each([
    ["without a catalogue", () => delete process.env.CATALOGUE_INDEX_URI, 501, "catalogue_not_configured"],
    ["before any run (no latest.json)", async () => undefined, 503, "catalogue_not_ready"],
    [
      "while latest.json names no index (as the stack writes it)",
      async () => bucket.put("latest.json", JSON.stringify({ format: CATALOGUE_INDEX_FORMAT, version: 1, index: null })),
      503,
      "catalogue_not_ready",
    ],
    [
      "for an index of another model",
      () => writeCatalogue("index-1", undefined, "sha256:" + "cd".repeat(32)),
      503,
      "catalogue_model_mismatch",
    ],
  ])("refuses a query %s, before calling the model", async (_name, prepare, status, code) => {
    // Prepare
    await prepare();

    // Act
    const result = await similar();

    // Assess
    expect(result.statusCode).toBe(status);
    expect(bodyOf(result).error.code).toBe(code);
    expect(bodyOf(result).error.message).toMatch(/catalogue/);
    expect(sagemaker.commandCalls(InvokeEndpointCommand)).toHaveLength(0);
  });

  it("answers 503 with Retry-After when S3 fails, and loads the index on the next request", async () => {
    await writeCatalogue("index-1");
    s3.on(GetObjectCommand, { Key: "catalogue/latest.json" }).rejectsOnce(
      Object.assign(new Error("socket hang up"), { name: "TimeoutError" }),
    );

    const failed = await similar();
    serveBucket();
    const recovered = await similar();

    expect(failed.statusCode).toBe(503);
    expect(bodyOf(failed).error.code).toBe("catalogue_unavailable");
    expect(failed.headers?.["retry-after"]).toBe("5");
    expect(recovered.statusCode).toBe(200);
  });

  it("answers 500 catalogue_unreadable when a file the pointer names is missing or not in the format", async () => {
    await writeCatalogue("index-1");
    bucket.objects.delete("catalogue/indexes/index-1/keys.jsonl");
    const missing = await similar();
    await writeCatalogue("index-2");
    bucket.objects.set("catalogue/indexes/index-2/vectors-int8.npy", { body: Buffer.from("not numpy"), etag: '"x"' });
    process.env.CATALOGUE_REFRESH_SECONDS = "0";
    const garbled = await similar();

    expect([missing.statusCode, bodyOf(missing).error.code]).toEqual([500, "catalogue_unreadable"]);
    expect([garbled.statusCode, bodyOf(garbled).error.code]).toEqual([500, "catalogue_unreadable"]);
  });

  /** Rewrites index.json and latest.json of `id` to claim `count` rows of `dim` values (the files stay small). */
  async function claimSize(id: string, count: number, dim: number): Promise<void> {
    for (const key of [`indexes/${id}/index.json`, "latest.json"]) {
      const json = JSON.parse(bucket.objects.get(`catalogue/${key}`)!.body.toString());
      await bucket.put(key, JSON.stringify({ ...json, count, dim }));
    }
  }
  const reads = (file: string) => s3.commandCalls(GetObjectCommand).filter((c) => c.args[0].input.Key!.endsWith(file)).length;

  it("refuses an index larger than the function's memory holds, before downloading it, and names the memory it needs", async () => {
    // Prepare: a million 768-value rows (about 800 MB loaded) for a function of 512 MB.
    await writeCatalogue("index-1");
    await claimSize("index-1", 1_000_000, 768);

    // Act
    const first = await similar();
    const second = await similar();

    // Assess: a clear error, logged for the operators, no model call, and no download of keys or vectors, ever.
    expect([first.statusCode, bodyOf(first).error.code]).toEqual([500, "catalogue_too_large"]);
    expect(bodyOf(first).error.message).toMatch(/lambda\.memoryMb/);
    expect([second.statusCode, bodyOf(second).error.code]).toEqual([500, "catalogue_too_large"]);
    expect(sagemaker.commandCalls(InvokeEndpointCommand)).toHaveLength(0);
    expect([reads("keys.jsonl"), reads("vectors-int8.npy"), reads("index.json")]).toEqual([0, 0, 1]);
    const logged = logs.lines().find((line) => line.errorCode === "catalogue_too_large");
    expect(logged?.level).toBe("ERROR");
    expect(logged?.errorDetail).toMatchObject({ index: "index-1", count: 1_000_000, dim: 768, functionMemoryMb: 512 });
    expect(logged?.errorDetail.memoryMbNeeded).toBeGreaterThan(512);
  });

  it("refuses an index whose keys alone would not fit, without reading them", async () => {
    // Prepare: three rows, but a keys.jsonl of 400 MB (S3 says so before any byte is read).
    await writeCatalogue("index-1");
    const unread = new Readable({
      read() {
        this.destroy(new Error("the body was read"));
      },
    });
    s3.on(GetObjectCommand, { Key: "catalogue/indexes/index-1/keys.jsonl" }).resolves({
      ContentLength: 400 * 1024 * 1024,
      Body: unread as any,
    });

    // Act
    const result = await similar();

    // Assess
    expect([result.statusCode, bodyOf(result).error.code]).toEqual([500, "catalogue_too_large"]);
    expect(unread.destroyed).toBe(true);
    expect(reads("vectors-int8.npy")).toBe(0);
  });

  it("loads an index that fits once the pointer moves to it, after refusing one that did not", async () => {
    await writeCatalogue("index-1");
    await claimSize("index-1", 1_000_000, 768);
    process.env.CATALOGUE_REFRESH_SECONDS = "0";
    expect(bodyOf(await similar()).error.code).toBe("catalogue_too_large");

    await writeCatalogue("index-2");
    const result = await similar();

    expect([result.statusCode, bodyOf(result).index.id]).toEqual([200, "index-2"]);
  });

  it("refuses an embedding whose dimension is not the index's", async () => {
    await writeCatalogue("index-1");
    sagemaker.on(InvokeEndpointCommand).resolves(embedding([1, 0, 0, 0, 0, 0]));

    const result = await similar();

    expect([result.statusCode, bodyOf(result).error.code]).toEqual([503, "catalogue_model_mismatch"]);
  });

  it.each(["0", "101", "ten"])("refuses top_k=%s (1 to SIMILAR_TOP_K_MAX, 100 by default)", async (topK) => {
    await writeCatalogue("index-1");
    const result = await similar({ top_k: topK });
    expect([result.statusCode, bodyOf(result).error.code]).toEqual([400, "bad_top_k"]);
  });
});
