/**
 * Property test of the handler (fast-check, fixed seed, bounded runs and time): random events of every shape,
 * method and route, random content types (including malformed and repeated ones), bodies (random bytes, real
 * images, JSON and multipart around random or cut data), base64 flags that may or may not match the body, and
 * random queries. Whatever arrives, the answer is a documented status with the catalogue's JSON error body and
 * headers, never a 500, and the process is left without an uncaught exception or unhandled rejection.
 *
 * FUZZ_SEED and FUZZ_RUNS override the seed and the number of runs for a longer session by hand.
 */
import { InvokeEndpointCommand, ModelError, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { ERROR_CATALOGUE } from "../../lambda/errors";
import { handler } from "../../lambda/handler";
import { BMP, curlMultipart, GIF_1X1, httpEvent, JPEG, lambdaContext, PDF, PNG_1X1, Shape, TEXT, TIFF, WEBP } from "./fixtures";
import { captureLogs, CapturedLogs } from "./logs";
import { ProcessFaults, watchProcessFaults } from "./process-faults";

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const TIME_LIMIT_MS = 45_000;
jest.setTimeout(TIME_LIMIT_MS + 15_000);

/** What a caller can get when the endpoint itself behaves (200 or one of its client errors). */
const DOCUMENTED_STATUSES = new Set([200, 400, 404, 405, 413, 415, 422]);

const sagemaker = mockClient(SageMakerRuntimeClient);
let logs: CapturedLogs;
let faults: ProcessFaults;

beforeEach(() => {
  sagemaker.reset();
  process.env.SAGEMAKER_ENDPOINT_NAME = "test-endpoint";
  process.env.AWS_REGION = "eu-west-1";
  delete process.env.TOP_K_MAX;
  logs = captureLogs();
  faults = watchProcessFaults();
});
afterEach(() => {
  faults.restore();
  logs.restore();
  delete process.env.MAX_IMAGE_BYTES;
});

const IMAGES = [JPEG, PNG_1X1, GIF_1X1, WEBP, BMP];
const NOT_IMAGES = [TIFF, PDF, TEXT, Buffer.alloc(0), Buffer.from("{}")];

const bytes = fc.oneof(
  fc.constantFrom(...IMAGES, ...NOT_IMAGES),
  fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
  // An image with random damage: cut short, or random bytes after its magic.
  fc.tuple(fc.constantFrom(...IMAGES), fc.nat({ max: 300 })).map(([image, cut]) => image.subarray(0, cut)),
  fc
    .tuple(fc.constantFrom(...IMAGES), fc.uint8Array({ maxLength: 200 }))
    .map(([image, tail]) => Buffer.concat([image.subarray(0, 12), Buffer.from(tail)])),
);

const base64ish = fc.oneof(
  bytes.map((b) => b.toString("base64")),
  bytes.map((b) => b.toString("base64url")),
  bytes.map((b) => b.toString("base64").replace(/(.{60})/g, "$1\n")),
  fc.string({ maxLength: 80 }),
  bytes.map((b) => `data:image/png;base64,${b.toString("base64")}`),
  bytes.map((b) => `data:image/png,${b.toString("base64")}`),
);

const jsonBody = fc.oneof(
  base64ish.map((image) => JSON.stringify({ image })),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 60 }),
  base64ish.map((image) => JSON.stringify({ image, extra: [1, 2] })),
  fc.jsonValue({ maxDepth: 2 }).map((image) => JSON.stringify({ image })),
);

const boundary = fc.stringMatching(/^[A-Za-z0-9'()+_,\-./:=?]{1,40}$/);
const multipartBody = fc.oneof(
  fc.tuple(bytes, fc.nat({ max: 800 })).map(([file, cut]) => {
    const form = curlMultipart(file);
    return { body: form.body.subarray(0, Math.min(cut, form.body.length)), contentType: form.contentType };
  }),
  bytes.map((file) => curlMultipart(file)),
  fc.tuple(bytes, boundary).map(([file, b]) => ({ body: file, contentType: `multipart/form-data; boundary=${b}` })),
);

const contentType = fc.oneof(
  fc.constantFrom(
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "image/bmp",
    "image/tiff",
    "application/octet-stream",
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/problem+json",
    "application/json,application/json",
    "image/jpeg,image/png",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/mixed; boundary=x",
    ";",
    "",
    " ",
  ),
  fc.string({ maxLength: 40 }),
);

interface Case {
  readonly shape: Shape;
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: Buffer | string | undefined;
  readonly isBase64Encoded: boolean;
  readonly query: Record<string, string> | undefined;
  readonly maxImageBytes: number | undefined;
  readonly endpoint: "ok" | "undecodable" | "bad_top_k" | "bare_list";
}

const bodyAndType = fc.oneof(
  fc.tuple(bytes, contentType).map(([body, type]) => ({ body: body as Buffer | string, contentType: type as string | undefined })),
  fc
    .tuple(jsonBody, fc.constantFrom("application/json", "application/json; charset=utf-8", "application/vnd.api+json", "text/plain"))
    .map(([body, type]) => ({ body: body as Buffer | string, contentType: type as string | undefined })),
  multipartBody.map((form) => ({ body: form.body as Buffer | string, contentType: form.contentType as string | undefined })),
  fc.constant({ body: undefined as Buffer | string | undefined, contentType: undefined as string | undefined }),
);

const eventCase: fc.Arbitrary<Case> = fc
  .record({
    shape: fc.constantFrom<Shape>("http-api-v2", "rest-api-v1", "function-url"),
    method: fc.oneof(fc.constant("POST"), fc.constant("POST"), fc.constantFrom("GET", "PUT", "post", "OPTIONS", "")),
    path: fc.oneof(fc.constantFrom("/classify", "/embed", "/prod/classify", "/embed/", "/"), fc.webPath()),
    bodyAndType,
    // The flag may be true for a body that is not base64 at all, or false for binary: both happen with a
    // misconfigured REST API.
    encoding: fc.constantFrom("base64", "base64", "text", "text-flag-lies"),
    query: fc.option(
      fc.dictionary(
        fc.constantFrom("top_k", "TOP_K", "k", "top_k[]"),
        fc.oneof(fc.constantFrom("1", "3", "0", "-1", "1e1", "5.0", "1000", "1001", "99999999", "", "3,3"), fc.string({ maxLength: 8 })),
      ),
      { nil: undefined },
    ),
    maxImageBytes: fc.option(fc.integer({ min: 1, max: 2_000 }), { nil: undefined, freq: 3 }),
    endpoint: fc.constantFrom<Case["endpoint"]>("ok", "ok", "undecodable", "bad_top_k", "bare_list"),
  })
  .map(({ bodyAndType: bt, encoding, ...rest }) => {
    const raw = bt.body;
    let body: Buffer | string | undefined = raw;
    let isBase64Encoded = false;
    if (raw !== undefined) {
      const asBuffer = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, "utf8");
      if (encoding === "base64") {
        body = asBuffer.toString("base64");
        isBase64Encoded = true;
      } else if (encoding === "text") {
        body = asBuffer.toString("utf8");
      } else {
        body = asBuffer.toString("latin1");
        isBase64Encoded = true;
      }
    }
    return { ...rest, contentType: bt.contentType, body, isBase64Encoded };
  });

function eventFor(c: Case): unknown {
  const headers: Record<string, string> = c.contentType === undefined ? {} : { "content-type": c.contentType };
  return httpEvent(c.shape, {
    path: c.path,
    method: c.method,
    headers,
    body: typeof c.body === "string" ? c.body : undefined,
    isBase64Encoded: c.isBase64Encoded,
    query: c.query,
  });
}

function stubEndpoint(kind: Case["endpoint"]): void {
  sagemaker.reset();
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as any;
  const modelError = (status: number, code: string) =>
    new ModelError({
      message: "Received client error",
      $metadata: { httpStatusCode: 424 },
      OriginalStatusCode: status,
      OriginalMessage: JSON.stringify({ code, message: "x" }),
    });
  const command = sagemaker.on(InvokeEndpointCommand);
  const embedding = { embedding: [0.6, 0.8], dim: 2 };
  // "bare_list": the stock Hugging Face handler's classify answer, which the Lambda also accepts.
  const predictions =
    kind === "bare_list"
      ? [{ label: "a", score: 0.9 }]
      : {
          predictions: [
            { label: "a", score: 0.9 },
            { label: "b", score: 0.1 },
          ],
        };
  if (kind === "ok" || kind === "bare_list") {
    command.callsFake((input) => ({ Body: encode(input.CustomAttributes?.includes("task=embed") ? embedding : predictions) }));
  } else if (kind === "undecodable") command.rejects(modelError(422, "undecodable_image"));
  else command.rejects(modelError(400, "bad_top_k"));
}

it("answers any request with a documented status and body, never a 500 or a process fault", async () => {
  await fc.assert(
    fc.asyncProperty(eventCase, async (c) => {
      // Prepare
      stubEndpoint(c.endpoint);
      if (c.maxImageBytes === undefined) delete process.env.MAX_IMAGE_BYTES;
      else process.env.MAX_IMAGE_BYTES = String(c.maxImageBytes);

      // Act
      const result = await handler(eventFor(c) as any, lambdaContext());
      await faults.settle();

      // Assess
      expect(faults.seen()).toEqual([]);
      expect({ status: result.statusCode, documented: DOCUMENTED_STATUSES.has(result.statusCode) }).toEqual({
        status: result.statusCode,
        documented: true,
      });
      expect(result.headers).toMatchObject({
        "content-type": "application/json",
        "x-request-id": expect.any(String),
        "x-content-type-options": "nosniff",
      });
      const body = JSON.parse(result.body);
      if (result.statusCode === 200) {
        expect(body.predictions ?? body.embedding).toBeDefined();
        return;
      }
      const code = body.error.code as keyof typeof ERROR_CATALOGUE;
      expect(ERROR_CATALOGUE[code]?.status).toBe(result.statusCode);
      expect(body).toEqual({ error: { code, message: expect.any(String) }, requestId: expect.any(String) });
    }),
    { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false, endOnFailure: true },
  );
});
