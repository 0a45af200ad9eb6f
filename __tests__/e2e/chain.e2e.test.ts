/**
 * End to end on loopback: client -> local API (HTTP API payload 2.0) -> the bundled Lambda handler -> the real
 * SageMaker Runtime SDK client -> local endpoint (HF toolkit on multi-model-server) -> model/code/inference.py
 * on the demo model. Every image here is freshly generated, never seen in training.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { InvokeEndpointCommand, ModelError, SageMakerRuntimeClient, ValidationError } from "@aws-sdk/client-sagemaker-runtime";
import { TestImage, TestImageSet, writeTestImages } from "../../local/model-assets";
import { cutMultipart, pngBomb, TIFF_BYTES, truncated } from "./support/bad-images";
import { call, imageRequest, INPUT_KINDS, InputKind, JsonAnswer, mapLimited } from "./support/http";
import { E2EStack, ENDPOINT_NAME, startE2EStack } from "./support/local-stack";

jest.setTimeout(120_000);

const PER_CLASS = 8;
const MIN_ACCURACY = 0.95;
const CLIENTS = 4;

let stack: E2EStack;
let images: TestImageSet;
let imageDir: string;

beforeAll(async () => {
  imageDir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-images-"));
  images = writeTestImages(imageDir, PER_CLASS);
  stack = await startE2EStack();
}, 600_000);

afterAll(async () => {
  await stack?.stop();
  fs.rmSync(imageDir, { recursive: true, force: true });
});

const classify = (init: RequestInit, query = "") => call(`${stack.apiUrl}/classify${query}`, init);
const embed = (init: RequestInit) => call(`${stack.apiUrl}/embed`, init);
const jpegs = () => images.images.filter((image) => image.format === "jpg");

function expectOk(answer: JsonAnswer): void {
  if (answer.status !== 200) throw new Error(`expected 200, got ${answer.status} ${JSON.stringify(answer.body)}\n${stack.logs()}`);
}

async function accuracy(subset: readonly TestImage[], kind: InputKind): Promise<{ correct: number; total: number }> {
  const answers = await mapLimited(subset, CLIENTS, (image) => classify(imageRequest(image.file, kind)));
  let correct = 0;
  answers.forEach((answer, index) => {
    expectOk(answer);
    if (answer.body.predictions[0].label === subset[index].label) correct += 1;
  });
  return { correct, total: subset.length };
}

describe("classify through the whole chain", () => {
  it.each(["jpg", "png"] as const)(`labels fresh %s images of every demo class with >= ${MIN_ACCURACY * 100} %% top-1`, async (format) => {
    // Prepare
    const subset = images.images.filter((image) => image.format === format);
    expect(new Set(subset.map((image) => image.label))).toEqual(new Set(images.labels));
    // Act
    const { correct, total } = await accuracy(subset, "raw");
    // Assess
    expect(correct / total).toBeGreaterThanOrEqual(MIN_ACCURACY);
  });

  it.each(INPUT_KINDS.filter((kind) => kind !== "raw"))("gives the same quality through input kind %s", async (kind) => {
    const { correct, total } = await accuracy(images.images, kind);
    expect(correct / total).toBeGreaterThanOrEqual(MIN_ACCURACY);
  });

  it("answers the same predictions whatever the input kind", async () => {
    const image = jpegs()[0];
    const answers = await Promise.all(INPUT_KINDS.map((kind) => classify(imageRequest(image.file, kind))));
    answers.forEach(expectOk);
    for (const answer of answers.slice(1)) expect(answer.body).toEqual(answers[0].body);
  });

  it("returns JSON with content-type, a request id header and scores sorted high to low (default top 5)", async () => {
    const answer = await classify(imageRequest(jpegs()[0].file, "raw"));
    expectOk(answer);
    expect(answer.headers.get("content-type")).toBe("application/json");
    expect(answer.headers.get("x-request-id")).toMatch(/\S+/);
    const { predictions } = answer.body as { predictions: { label: string; score: number }[] };
    expect(predictions).toHaveLength(5);
    for (let i = 1; i < predictions.length; i += 1) expect(predictions[i - 1].score).toBeGreaterThanOrEqual(predictions[i].score);
    for (const prediction of predictions) expect(images.labels).toContain(prediction.label);
  });

  it.each([1, 3, 6])("honours top_k=%i", async (topK) => {
    const answer = await classify(imageRequest(jpegs()[1].file, "raw"), `?top_k=${topK}`);
    expectOk(answer);
    expect(answer.body.predictions).toHaveLength(topK);
    if (topK === images.labels.length) {
      const total = answer.body.predictions.reduce((sum: number, p: { score: number }) => sum + p.score, 0);
      expect(total).toBeCloseTo(1, 3);
    }
  });
});

describe("execution environments", () => {
  it("logs each concurrent request with its own function request id (one request per environment, as on Lambda)", async () => {
    // Act
    const answers = await Promise.all(
      jpegs()
        .slice(0, 6)
        .map((image) => classify(imageRequest(image.file, "raw"))),
    );

    // Assess: every summary line names the request it describes
    answers.forEach(expectOk);
    const ids = new Set(answers.map((answer) => answer.headers.get("x-request-id")));
    const summaries = stack.api
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{") && line.includes('"request completed"'))
      .map((line) => JSON.parse(line) as { requestId: string; function_request_id: string })
      .filter((line) => ids.has(line.requestId));
    expect(summaries).toHaveLength(6);
    for (const line of summaries) expect(line.function_request_id).toBe(line.requestId);
  });
});

describe("embed through the whole chain", () => {
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0) / (norm(a) * norm(b));
  const hiddenSize = () => JSON.parse(fs.readFileSync(path.join(stack.modelDir, "config.json"), "utf8")).hidden_size as number;

  it("returns a unit-length vector of the model's hidden size, the same for the same image", async () => {
    const image = jpegs()[0];
    const [first, second] = await Promise.all([embed(imageRequest(image.file, "raw")), embed(imageRequest(image.file, "multipart"))]);
    expectOk(first);
    expectOk(second);
    expect(first.body.dim).toBe(hiddenSize());
    expect(first.body.embedding).toHaveLength(hiddenSize());
    expect(norm(first.body.embedding)).toBeCloseTo(1, 4);
    expect(cosine(first.body.embedding, second.body.embedding)).toBeCloseTo(1, 6);
  });

  it("puts images of the same class closer together than images of different classes", async () => {
    const subset = jpegs();
    const answers = await mapLimited(subset, CLIENTS, (image) => embed(imageRequest(image.file, "raw")));
    answers.forEach(expectOk);
    const vectors = answers.map((answer) => answer.body.embedding as number[]);
    let same = 0,
      sameCount = 0,
      different = 0,
      differentCount = 0;
    for (let i = 0; i < subset.length; i += 1) {
      for (let j = i + 1; j < subset.length; j += 1) {
        const similarity = cosine(vectors[i], vectors[j]);
        if (subset[i].label === subset[j].label) {
          same += similarity;
          sameCount += 1;
        } else {
          different += similarity;
          differentCount += 1;
        }
      }
    }
    expect(same / sameCount).toBeGreaterThan(different / differentCount);
  });
});

describe("bad input through the whole chain", () => {
  const jpegBytes = () => fs.readFileSync(jpegs()[2].file);
  const badCases: [string, number, string, () => { init: RequestInit; query?: string }][] = [
    ["an empty body", 400, "empty_body", () => ({ init: { method: "POST", body: "", headers: { "content-type": "image/jpeg" } } })],
    [
      "text sent as text/plain",
      415,
      "unsupported_media_type",
      () => ({ init: { method: "POST", body: "hello world", headers: { "content-type": "text/plain" } } }),
    ],
    [
      "random bytes labelled image/jpeg",
      415,
      "unsupported_media_type",
      () => ({ init: { method: "POST", body: Buffer.from("not an image at all"), headers: { "content-type": "image/jpeg" } } }),
    ],
    [
      "a TIFF (not on the allow-list)",
      415,
      "unsupported_media_type",
      () => ({ init: { method: "POST", body: TIFF_BYTES, headers: { "content-type": "image/tiff" } } }),
    ],
    [
      "a truncated JPEG",
      422,
      "undecodable_image",
      () => ({ init: { method: "POST", body: truncated(jpegBytes()), headers: { "content-type": "image/jpeg" } } }),
    ],
    [
      "a decompression bomb PNG (20000 x 20000)",
      413,
      "image_too_large",
      () => ({ init: { method: "POST", body: pngBomb(20000, 20000), headers: { "content-type": "image/png" } } }),
    ],
    [
      "malformed JSON",
      400,
      "invalid_json",
      () => ({ init: { method: "POST", body: '{"image": ', headers: { "content-type": "application/json" } } }),
    ],
    [
      "JSON without an image field",
      400,
      "invalid_json",
      () => ({ init: { method: "POST", body: '{"picture": "x"}', headers: { "content-type": "application/json" } } }),
    ],
    [
      "JSON with invalid base64",
      400,
      "invalid_base64",
      () => ({ init: { method: "POST", body: '{"image": "@@@@"}', headers: { "content-type": "application/json" } } }),
    ],
    [
      "multipart without a file part",
      400,
      "invalid_multipart",
      () => {
        const form = new FormData();
        form.append("note", "no file here");
        return { init: { method: "POST", body: form } };
      },
    ],
    // The body ends inside the file part: this used to crash the API process (busboy's unhandled stream error).
    [
      "a multipart upload cut inside the file data",
      400,
      "invalid_multipart",
      () => {
        const form = cutMultipart(jpegBytes());
        return { init: { method: "POST", body: form.body, headers: { "content-type": form.contentType } } };
      },
    ],
    ["top_k=0", 400, "bad_top_k", () => ({ init: imageRequest(jpegs()[2].file, "raw"), query: "?top_k=0" })],
    ["top_k=abc", 400, "bad_top_k", () => ({ init: imageRequest(jpegs()[2].file, "raw"), query: "?top_k=abc" })],
    [
      "top_k above the model's label count (checked by the endpoint)",
      400,
      "bad_top_k",
      () => ({ init: imageRequest(jpegs()[2].file, "raw"), query: "?top_k=7" }),
    ],
  ];

  it.each(badCases)("answers %s with %i and code %s, then keeps serving", async (_name, status, code, build) => {
    // Prepare
    const { init, query } = build();
    // Act
    const answer = await classify(init, query);
    // Assess
    expect({ status: answer.status, body: answer.body }).toEqual({
      status,
      body: { error: { code, message: expect.any(String) }, requestId: expect.any(String) },
    });
    expect(answer.headers.get("content-type")).toBe("application/json");
    expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    expect(answer.headers.get("x-request-id")).toBe(answer.body.requestId);
    expect(answer.body.error.message).not.toMatch(/Traceback|File "|\.py|Exception/);
    const after = await classify(imageRequest(jpegs()[3].file, "raw"));
    expectOk(after);
  });

  it.each([
    // The function does not know the label count (no TOP_K_MAX, as deployed) and names no number...
    ["?top_k=0", "top_k must be an integer from 1 to the number of labels."],
    // ...the endpoint does, and the function passes its count on in the same words
    ["?top_k=7", "top_k must be an integer from 1 to 6, the number of labels."],
    ["?top_k=3&top_k=3", "top_k was given 2 times; give it once."],
  ])("answers %s with a message that states the real range", async (query, message) => {
    // Act
    const answer = await classify(imageRequest(jpegs()[2].file, "raw"), query);
    // Assess
    expect({ status: answer.status, body: answer.body.error }).toEqual({ status: 400, body: { code: "bad_top_k", message } });
    expect(images.labels).toHaveLength(6);
  });

  it.each([
    ["jpg", "image/jpeg"],
    ["png", "image/png"],
  ])("tells a caller who sent a %s with curl -d (which drops CR and LF bytes) to use --data-binary", async (format, type) => {
    // Prepare: the file as `curl -d @photo -H 'Content-Type: ...'` sends it
    const file = images.images.find((image) => image.format === format)?.file as string;
    const bytes = fs.readFileSync(file).filter((byte) => byte !== 0x0d && byte !== 0x0a);
    // Act
    const answer = await classify({ method: "POST", body: bytes, headers: { "content-type": type } });
    // Assess: a JPEG reaches the endpoint, which cannot decode it (422); a PNG's signature itself is broken (415)
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual(
      format === "jpg" ? { status: 422, code: "undecodable_image" } : { status: 415, code: "unsupported_media_type" },
    );
    expect(answer.body.error.message).toContain("--data-binary");
  });

  it("ignores top_k on /embed, whatever its value", async () => {
    const answer = await call(`${stack.apiUrl}/embed?top_k=abc`, imageRequest(jpegs()[2].file, "raw"));
    expectOk(answer);
    expect(answer.body.embedding).toHaveLength(answer.body.dim);
  });

  it("answers API Gateway's 413 for an upload over Lambda's 6 MB request payload", async () => {
    const answer = await classify({ method: "POST", body: Buffer.alloc(7 * 1024 * 1024, 1), headers: { "content-type": "image/jpeg" } });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 413, body: { message: "Request Entity Too Large" } });
  });

  it.each([
    ["GET", "/classify"],
    ["POST", "/predict"],
  ])("answers API Gateway's 404 for %s %s", async (method, route) => {
    const answer = await call(`${stack.apiUrl}${route}`, { method });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 404, body: { message: "Not Found" } });
  });
});

describe("the local endpoint on its own (SageMaker Runtime API and container contract)", () => {
  let client: SageMakerRuntimeClient;
  beforeAll(() => {
    client = new SageMakerRuntimeClient({
      endpoint: stack.endpointUrl,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 1,
    });
  });
  afterAll(() => client.destroy());

  it("serves InvokeEndpoint like SageMaker Runtime for the real SDK client", async () => {
    const output = await client.send(
      new InvokeEndpointCommand({
        EndpointName: ENDPOINT_NAME,
        Body: fs.readFileSync(jpegs()[0].file),
        ContentType: "image/jpeg",
        Accept: "application/json",
        CustomAttributes: "top_k=2,task=classify",
      }),
    );
    expect(output.ContentType).toBe("application/json");
    expect(output.InvokedProductionVariant).toBe("AllTraffic");
    const body = JSON.parse(Buffer.from(output.Body ?? new Uint8Array()).toString());
    expect(body.predictions).toHaveLength(2);
    expect(body.predictions[0].label).toBe(jpegs()[0].label);
  });

  it("wraps the container's error in ModelError (424) with OriginalStatusCode and OriginalMessage", async () => {
    const failure = await client
      .send(
        new InvokeEndpointCommand({
          EndpointName: ENDPOINT_NAME,
          Body: truncated(fs.readFileSync(jpegs()[0].file)),
          ContentType: "image/jpeg",
        }),
      )
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelError);
    const modelError = failure as ModelError;
    expect(modelError.$metadata.httpStatusCode).toBe(424);
    expect(modelError.OriginalStatusCode).toBe(422);
    expect(JSON.parse(modelError.OriginalMessage ?? "")).toMatchObject({ code: "undecodable_image" });
    expect(modelError.LogStreamArn).toContain(`/aws/sagemaker/Endpoints/${ENDPOINT_NAME}`);
    expect(modelError.message).toContain("Received client error (422) from primary");
  });

  it("answers ValidationError for an endpoint name it does not serve", async () => {
    const failure = await client
      .send(new InvokeEndpointCommand({ EndpointName: "no-such-endpoint", Body: Buffer.from("x"), ContentType: "image/jpeg" }))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ValidationError);
    expect((failure as ValidationError).$metadata.httpStatusCode).toBe(400);
  });

  it("answers /ping fast while serving concurrent invocations, and /invocations per the container contract", async () => {
    const bytes = fs.readFileSync(jpegs()[0].file);
    const burst = Array.from({ length: 16 }, () =>
      call(`${stack.endpointUrl}/invocations`, {
        method: "POST",
        body: bytes,
        headers: { "content-type": "image/jpeg", accept: "application/json" },
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const ping = await call(`${stack.endpointUrl}/ping`, { method: "GET" });
    const answers = await Promise.all(burst);
    expect(ping.status).toBe(200);
    expect(ping.elapsedMs).toBeLessThan(2000); // SageMaker's /ping timeout
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.predictions[0].label).toBe(jpegs()[0].label);
    }
  });
});
