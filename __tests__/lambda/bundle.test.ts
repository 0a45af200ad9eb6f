/**
 * The deployable bundle, built by the same function the stack uses (src/support/lambda-bundle.ts), run the way Lambda
 * runs it (testing/invoke-bundle.ts): loaded by Node.js 22 in a fresh process, `handler` called with API Gateway events, talking
 * to a fake SageMaker Runtime over HTTP through AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME. Also required in-process.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CATALOGUE_INDEX_FORMAT, IndexMetadata, INDEX_FILES } from "../../common/catalogue-index";
import { invokeBundle } from "../../testing/invoke-bundle";
import { lambdaNode } from "../../local/settings";
import { bundleLambda, LambdaBundle } from "../../src/support/lambda-bundle";
import {
  classifyAnswer,
  embedAnswer,
  FakeSageMakerRuntime,
  modelErrorAnswer,
  startFakeSageMakerRuntime,
} from "../../testing/fake-sagemaker-runtime";
import { startS3FolderFront } from "../../local/s3-folder-front";
import { FolderStore } from "../../tools/catalogue/folder-store";
import { writeIndex } from "../../tools/catalogue/index-files";
import { useLocalEndpointEnv } from "./env";
import { binaryEvent, curlMultipart, JPEG, PNG_1X1, TIFF } from "./fixtures";

function smallIndexMetadata(id: string, modelFingerprint: string): IndexMetadata {
  return {
    format: CATALOGUE_INDEX_FORMAT,
    version: 1,
    id,
    modelFingerprint,
    dim: 0,
    count: 0,
    dtype: "float32",
    source: "test",
    created: "2026-12-03T10:00:00.000Z",
    files: INDEX_FILES,
    run: {
      runId: id,
      mode: "first run",
      previousIndex: null,
      embedded: 0,
      reused: 0,
      deleted: 0,
      failedBefore: 0,
      skipped: 0,
      failed: [],
      job: "local",
      startedAt: "",
      finishedAt: "",
    },
  };
}

const NODE22 = lambdaNode().file; // Node.js 22 for this platform (local/node-runtime.ts)

let workdir: string;
let bundle: LambdaBundle;
let fake: FakeSageMakerRuntime;

beforeAll(async () => {
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-bundle-test-"));
  bundle = bundleLambda({ outdir: path.join(workdir, "bundle") });
  // Answers keyed by what the handler sent, so one fake serves every case.
  fake = await startFakeSageMakerRuntime((request) => {
    const attributes = String(request.headers["x-amzn-sagemaker-custom-attributes"]);
    if (attributes.includes("task=embed")) return embedAnswer([0.6, 0.8]);
    if (attributes.startsWith("top_k=7,")) return modelErrorAnswer(400, '{"code":"undecodable_image","message":"truncated"}');
    if (attributes.startsWith("top_k=9,")) return { ...classifyAnswer(), delayMs: 5000 };
    return classifyAnswer();
  });
}, 60_000);

afterAll(async () => {
  await fake.close();
  fs.rmSync(workdir, { recursive: true, force: true });
});

const runInNode22 = (events: unknown[], env: Record<string, string>) =>
  invokeBundle({ bundleFile: bundle.file, events, env, node: NODE22 });

const localEnv = () => {
  const env = useLocalEndpointEnv(fake.url, { INVOKE_BUDGET_MS: "1000" });
  return env;
};

describe("Lambda bundle (dist/lambda/index.js as deployed)", () => {
  it("is one CommonJS file with a source map and the stack's handler name", () => {
    // Assess
    expect(bundle.handler).toBe("index.handler");
    expect(fs.existsSync(bundle.file)).toBe(true);
    expect(fs.existsSync(`${bundle.file}.map`)).toBe(true);
  });

  it("answers real requests when run by Node.js 22 against an endpoint on loopback", async () => {
    // Prepare
    const form = curlMultipart(JPEG);
    const events = [
      binaryEvent("http-api-v2", PNG_1X1, "image/png", { query: { top_k: "2" } }),
      binaryEvent("rest-api-v1", form.body, form.contentType, { path: "/embed" }),
      binaryEvent("function-url", JPEG, "image/jpeg", { query: { top_k: "7" } }),
      binaryEvent("http-api-v2", TIFF, "image/tiff"),
      binaryEvent("http-api-v2", JPEG, "image/jpeg", { query: { top_k: "9" } }),
    ];
    fake.requests.length = 0;

    // Act
    const out = await runInNode22(events, localEnv());

    // Assess
    expect(out.node).toMatch(/^v22\./);
    const [classify, embed, modelError, tiff, slow] = out.results;
    expect(classify.statusCode).toBe(200);
    expect(classify.headers).toMatchObject({ "content-type": "application/json", "x-request-id": "bundle-req-0" });
    expect(JSON.parse(classify.body).predictions[0]).toEqual({ label: "tabby, tabby cat", score: 0.93 });
    expect(embed.statusCode).toBe(200);
    expect(JSON.parse(embed.body)).toEqual({ embedding: [0.6, 0.8], dim: 2 });
    expect(modelError.statusCode).toBe(422);
    expect(JSON.parse(modelError.body).error.code).toBe("undecodable_image");
    expect(tiff.statusCode).toBe(415);
    expect(slow.statusCode).toBe(504);
    // The TIFF never reached the endpoint; the others did, with the contract's attributes.
    expect(fake.requests.map((r) => r.headers["x-amzn-sagemaker-custom-attributes"])).toEqual([
      "top_k=2,task=classify",
      "task=embed",
      "top_k=7,task=classify",
      "top_k=9,task=classify",
    ]);
  }, 60_000);

  it("answers /similar by loading s3-get.js beside index.js, from an index on an S3 front on loopback", async () => {
    // Prepare: a two-row index written by the catalogue runner's writer, served as S3 (local/s3-folder-front.ts).
    const folder = fs.mkdtempSync(path.join(workdir, "catalogue-"));
    const fingerprint = `sha256:${"ab".repeat(32)}`;
    await writeIndex(new FolderStore(folder), {
      metadata: { ...smallIndexMetadata("index-1", fingerprint), count: 2, dim: 2 },
      keys: ["far.jpg", "near.jpg"],
      etags: ['"1"', '"2"'],
      vectors: Float32Array.from([1, 0, 0.6, 0.8]),
    });
    const s3 = await startS3FolderFront("catalogue-bucket", folder);

    // Act
    const out = await runInNode22([binaryEvent("http-api-v2", JPEG, "image/jpeg", { path: "/similar" })], {
      ...localEnv(),
      AWS_ENDPOINT_URL_S3: s3.url,
      CATALOGUE_INDEX_URI: "s3://catalogue-bucket/",
      MODEL_FINGERPRINT: fingerprint,
    }).finally(() => s3.close());

    // Assess: the fake endpoint's embedding is [0.6, 0.8].
    expect(out.results[0].statusCode).toBe(200);
    expect(JSON.parse(out.results[0].body).matches.map((m: { key: string }) => m.key)).toEqual(["near.jpg", "far.jpg"]);
  }, 60_000);

  it("loads without SAGEMAKER_ENDPOINT_NAME and answers 500 misconfigured", async () => {
    // Prepare
    const { SAGEMAKER_ENDPOINT_NAME: _omitted, ...env } = localEnv();

    // Act
    const out = await runInNode22([binaryEvent("http-api-v2", PNG_1X1, "image/png")], env);

    // Assess
    expect(out.handlerType).toBe("function");
    expect(out.results[0].statusCode).toBe(500);
    expect(JSON.parse(out.results[0].body).error.code).toBe("misconfigured");
  }, 60_000);

  it("can be required in-process and answers through the fake endpoint", async () => {
    // Prepare
    localEnv();
    const { handler } = require(bundle.file);
    const write = jest.spyOn(process.stdout, "write").mockImplementation(() => true);

    // Act
    const result = await handler(binaryEvent("http-api-v2", JPEG, "image/jpeg"), {
      awsRequestId: "in-process",
      getRemainingTimeInMillis: () => 28_000,
    });
    write.mockRestore();

    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).predictions).toHaveLength(2);
  });
});
