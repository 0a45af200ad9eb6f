/**
 * Unit tests of the handler with aws-sdk-client-mock: every input kind, event shape, top_k bound and error kind.
 * (The same handler over real HTTP is in handler.http.test.ts.)
 */
import {
  InternalDependencyException,
  InternalFailure,
  InvokeEndpointCommand,
  ModelError,
  ModelNotReadyException,
  SageMakerRuntimeClient,
  SageMakerRuntimeServiceException,
  ServiceUnavailable,
  ValidationError,
} from "@aws-sdk/client-sagemaker-runtime";
import { mockClient } from "aws-sdk-client-mock";
import { handler } from "../../lambda/handler";
import {
  binaryEvent,
  BMP,
  bodyOf,
  curlMultipart,
  formDataMultipart,
  GIF_1X1,
  httpEvent,
  JPEG,
  lambdaContext,
  PDF,
  PNG_1X1,
  Shape,
  TEXT,
  TIFF,
  WEBP,
} from "./fixtures";
import { captureLogs, CapturedLogs, summaryLine } from "./logs";
import { EXAMPLE_ACCOUNT_ID } from "../example-account";

const sagemaker = mockClient(SageMakerRuntimeClient);
const REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef";
const SHAPES: Shape[] = ["http-api-v2", "rest-api-v1", "function-url"];
const PREDICTIONS = {
  predictions: [
    { label: "b", score: 0.2 },
    { label: "a", score: 0.7 },
    { label: "c", score: 0.1 },
  ],
};
const MAX = 6_291_456;
let logs: CapturedLogs;

const answer = (body: unknown) => ({ Body: new TextEncoder().encode(JSON.stringify(body)) as any, ContentType: "application/json" });
const invoke = (event: unknown, context = lambdaContext()) => handler(event as any, context);
const sentInput = () => sagemaker.commandCalls(InvokeEndpointCommand)[0].args[0].input;
const expectError = (result: { statusCode: number; body: string }, status: number, code: string) => {
  expect(result.statusCode).toBe(status);
  expect(bodyOf(result)).toEqual({ error: { code, message: expect.any(String) }, requestId: REQUEST_ID });
};

beforeEach(() => {
  sagemaker.reset();
  sagemaker.on(InvokeEndpointCommand).resolves(answer(PREDICTIONS));
  process.env.SAGEMAKER_ENDPOINT_NAME = "test-endpoint";
  process.env.AWS_REGION = "eu-west-1";
  delete process.env.INVOKE_BUDGET_MS;
  delete process.env.TOP_K_MAX;
  delete process.env.MAX_IMAGE_BYTES;
  logs = captureLogs();
});
afterEach(() => logs.restore());

describe("Lambda handler: event shapes and routes", () => {
  it.each(SHAPES)("classifies a base64 binary body from a %s event", async (shape) => {
    // Prepare
    const event = binaryEvent(shape, JPEG, "image/jpeg");

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({
      "content-type": "application/json",
      "x-request-id": REQUEST_ID,
      "x-content-type-options": "nosniff",
    });
    expect(bodyOf(result)).toEqual({
      predictions: [
        { label: "a", score: 0.7 },
        { label: "b", score: 0.2 },
        { label: "c", score: 0.1 },
      ],
    });
    expect(sagemaker).toHaveReceivedCommandWith(InvokeEndpointCommand, {
      EndpointName: "test-endpoint",
      ContentType: "image/jpeg",
      Accept: "application/json",
      CustomAttributes: "task=classify",
    });
    expect(Buffer.from(sentInput().Body as Uint8Array).equals(JPEG)).toBe(true);
    expect(summaryLine(logs).eventShape).toBe(shape);
  });

  it.each(SHAPES)("routes /embed from a %s event", async (shape) => {
    // Prepare
    sagemaker.on(InvokeEndpointCommand).resolves(answer({ embedding: [0.1, 0.2, 0.3], dim: 3 }));

    // Act
    const result = await invoke(binaryEvent(shape, PNG_1X1, "image/png", { path: "/embed" }));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ embedding: [0.1, 0.2, 0.3], dim: 3 });
    expect(sentInput().CustomAttributes).toBe("task=embed");
  });

  it.each([
    ["a stage prefix in the raw path", { ...httpEvent("function-url"), rawPath: "/prod/classify" }, "classify"],
    ["a trailing slash", { ...httpEvent("function-url"), rawPath: "/embed/" }, "embed"],
    ["a REST {proxy+} resource", { ...httpEvent("rest-api-v1"), resource: "/{proxy+}", path: "/v1/embed" }, "embed"],
    ["an HTTP API route key", { ...httpEvent("http-api-v2"), routeKey: "POST /embed", rawPath: "/prod/embed" }, "embed"],
  ])("reads the route from %s", async (_name, base, task) => {
    // Prepare
    const event = { ...base, headers: {}, body: JPEG.toString("base64"), isBase64Encoded: true };
    if (task === "embed") sagemaker.on(InvokeEndpointCommand).resolves(answer({ embedding: [1], dim: 1 }));

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(sentInput().CustomAttributes).toBe(`task=${task}`);
  });

  it.each(SHAPES)("answers 404 for an unknown path (%s)", async (shape) => {
    // Act
    const result = await invoke(binaryEvent(shape, JPEG, "image/jpeg", { path: "/predict" }));

    // Assess
    expectError(result, 404, "route_not_found");
    expect(result.headers?.["x-content-type-options"]).toBe("nosniff");
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointCommand);
  });

  it.each(SHAPES)("answers 405 with Allow: POST for GET (%s)", async (shape) => {
    // Act
    const result = await invoke(httpEvent(shape, { method: "GET" }));

    // Assess
    expectError(result, 405, "method_not_allowed");
    expect(result.headers?.allow).toBe("POST");
  });

  it("answers 400 for an event that is not an HTTP request", async () => {
    // Act
    const result = await invoke({ hello: "world" });

    // Assess
    expectError(result, 400, "bad_request");
  });
});

describe("Lambda handler: input kinds", () => {
  it.each([
    ["JPEG", JPEG, "image/jpeg"],
    ["PNG", PNG_1X1, "image/png"],
    ["WebP", WEBP, "image/webp"],
    ["GIF", GIF_1X1, "image/gif"],
    ["BMP", BMP, "image/bmp"],
  ])("accepts raw %s bytes and sends the detected type", async (_name, bytes, mime) => {
    // Act
    const result = await invoke(binaryEvent("http-api-v2", bytes, mime));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(sentInput().ContentType).toBe(mime);
  });

  it.each([
    ["application/octet-stream", "application/octet-stream"],
    ["no content type", undefined],
    ["a label that disagrees with the bytes (image/png on a JPEG)", "image/png"],
    ["a label with parameters", "image/jpeg; charset=binary"],
  ])("trusts the magic bytes with %s", async (_name, contentType) => {
    // Act
    const result = await invoke(binaryEvent("rest-api-v1", JPEG, contentType));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(sentInput().ContentType).toBe("image/jpeg");
  });

  it("reads headers in any case (REST API keeps the sender's case)", async () => {
    // Prepare: a multipart body, which only parses if Content-Type (with its boundary) is found.
    const form = curlMultipart(PNG_1X1, "image/png");
    const event = {
      ...httpEvent("rest-api-v1"),
      headers: { "CONTENT-TYPE": form.contentType },
      multiValueHeaders: { "CONTENT-TYPE": [form.contentType] },
      body: form.body.toString("base64"),
      isBase64Encoded: true,
    };

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(sentInput().ContentType).toBe("image/png");
  });

  it.each(SHAPES)("accepts multipart/form-data as curl -F image=@cat.jpg sends it (%s)", async (shape) => {
    // Prepare
    const form = curlMultipart(JPEG, "image/jpeg");

    // Act
    const result = await invoke(binaryEvent(shape, form.body, form.contentType));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(Buffer.from(sentInput().Body as Uint8Array).equals(JPEG)).toBe(true);
    expect(summaryLine(logs)).toMatchObject({ inputKind: "multipart", imageBytes: JPEG.length, bodyBytes: form.body.length });
  });

  it("accepts multipart with text fields besides the file (FormData encoding)", async () => {
    // Prepare
    const form = await formDataMultipart([
      { field: "note", value: "hello" },
      { field: "file", bytes: PNG_1X1 },
    ]);

    // Act
    const result = await invoke(binaryEvent("http-api-v2", form.body, form.contentType));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(Buffer.from(sentInput().Body as Uint8Array).equals(PNG_1X1)).toBe(true);
  });

  it.each([
    ["before", 0],
    ["after", 20],
  ])("accepts the documented most: one file and 20 text fields (file %s the fields)", async (_where, fileAt) => {
    // Prepare: 21 parts in all, the documented limit
    const parts: Array<{ field: string; value?: string; bytes?: Buffer }> = Array.from({ length: 20 }, (_, i) => ({
      field: `f${i}`,
      value: String(i),
    }));
    parts.splice(fileAt, 0, { field: "image", bytes: PNG_1X1 });
    const form = await formDataMultipart(parts);

    // Act
    const result = await invoke(binaryEvent("http-api-v2", form.body, form.contentType));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(Buffer.from(sentInput().Body as Uint8Array).equals(PNG_1X1)).toBe(true);
  });

  it("answers 400 invalid_multipart for a 21st text field, naming the limit", async () => {
    // Prepare
    const fields = Array.from({ length: 21 }, (_, i) => ({ field: `f${i}`, value: String(i) }));
    const form = await formDataMultipart([{ field: "image", bytes: PNG_1X1 }, ...fields]);

    // Act
    const result = await invoke(binaryEvent("http-api-v2", form.body, form.contentType));

    // Assess
    expectError(result, 400, "invalid_multipart");
    expect(bodyOf(result).error.message).toContain("at most 20 text fields");
    expect(summaryLine(logs)).toMatchObject({ errorDetail: { reason: "more than 20 text fields" } });
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointCommand);
  });

  it.each([
    [
      "two file parts",
      async () =>
        formDataMultipart([
          { field: "a", bytes: PNG_1X1 },
          { field: "b", bytes: PNG_1X1 },
        ]),
    ],
    ["no file part", async () => formDataMultipart([{ field: "image", value: "not a file" }])],
    ["no boundary", async () => ({ body: curlMultipart(JPEG).body, contentType: "multipart/form-data" })],
    ["a truncated body", async () => ({ ...curlMultipart(JPEG), body: curlMultipart(JPEG).body.subarray(0, 120) })],
  ])("answers 400 invalid_multipart for %s", async (_name, makeForm) => {
    // Prepare
    const form = await makeForm();

    // Act
    const result = await invoke(binaryEvent("http-api-v2", form.body, form.contentType));

    // Assess
    expectError(result, 400, "invalid_multipart");
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointCommand);
  });

  it('accepts JSON {"image": "<base64>"} sent as text', async () => {
    // Prepare
    const event = httpEvent("rest-api-v1", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ image: GIF_1X1.toString("base64") }),
    });

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(sentInput().ContentType).toBe("image/gif");
    expect(Buffer.from(sentInput().Body as Uint8Array).equals(GIF_1X1)).toBe(true);
  });

  it.each([
    ["JSON", "application/json", () => Buffer.from(JSON.stringify({ image: GIF_1X1.toString("base64") })), GIF_1X1],
    ["multipart", curlMultipart(PNG_1X1, "image/png").contentType, () => curlMultipart(PNG_1X1, "image/png").body, PNG_1X1],
  ])("accepts %s sent with a repeated Content-Type header (API Gateway joins repeats with commas)", async (_name, type, body, image) => {
    // Prepare: `curl -H 'Content-Type: application/json' -H 'Content-Type: application/json'` through an HTTP API.
    for (const joined of [`${type},${type}`, `${type}, ${type}`]) {
      sagemaker.resetHistory();

      // Act
      const result = await invoke(binaryEvent("http-api-v2", body(), joined));

      // Assess
      expect({ joined, status: result.statusCode }).toEqual({ joined, status: 200 });
      expect(Buffer.from(sentInput().Body as Uint8Array).equals(image)).toBe(true);
    }
  });

  it("does not merge two different Content-Type values into either one", async () => {
    // Act: a JSON body declared as both JSON and text is not read as JSON; its bytes are not an image.
    const result = await invoke(
      binaryEvent("http-api-v2", Buffer.from(JSON.stringify({ image: GIF_1X1.toString("base64") })), "application/json,text/plain"),
    );

    // Assess
    expectError(result, 415, "unsupported_media_type");
  });

  it("accepts JSON with a data: URL, and a JSON body that API Gateway base64-encoded", async () => {
    // Prepare: the data: URL claims PNG but holds a JPEG (the bytes win).
    const json = JSON.stringify({ image: `data:image/png;base64,${JPEG.toString("base64")}` });
    const event = binaryEvent("http-api-v2", Buffer.from(json), "application/json; charset=utf-8");

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(sentInput().ContentType).toBe("image/jpeg");
    expect(summaryLine(logs).inputKind).toBe("json");
  });

  it.each([
    ["malformed JSON", "{image:", 400, "invalid_json"],
    ["a JSON array", "[1,2]", 400, "invalid_json"],
    ["JSON without an image field", '{"picture":"abc"}', 400, "invalid_json"],
    ["a non-string image", '{"image":42}', 400, "invalid_json"],
    ["an empty image string", '{"image":""}', 400, "empty_body"],
    ["image that is not base64", '{"image":"this is not base64!"}', 400, "invalid_base64"],
    ["a data: URL that is not base64", '{"image":"data:image/png,%89PNG"}', 400, "invalid_base64"],
    ["base64 of a PDF", JSON.stringify({ image: PDF.toString("base64") }), 415, "unsupported_media_type"],
  ])("answers JSON with %s", async (_name, body, status, code) => {
    // Act
    const result = await invoke(httpEvent("http-api-v2", { headers: { "content-type": "application/json" }, body }));

    // Assess
    expectError(result, status, code);
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointCommand);
  });

  it.each([
    ["no body", httpEvent("http-api-v2", { headers: { "content-type": "image/jpeg" } })],
    ["an empty body", httpEvent("rest-api-v1", { headers: { "content-type": "image/jpeg" }, body: "" })],
    ["an empty base64 body", httpEvent("function-url", { body: "", isBase64Encoded: true })],
  ])("answers 400 empty_body for %s", async (_name, event) => {
    // Act
    const result = await invoke(event);

    // Assess
    expectError(result, 400, "empty_body");
  });

  it("answers 400 invalid_base64 when the base64 body is broken", async () => {
    // Act
    const result = await invoke(
      httpEvent("http-api-v2", { headers: { "content-type": "image/jpeg" }, body: "/9j/4AAQ$$$", isBase64Encoded: true }),
    );

    // Assess
    expectError(result, 400, "invalid_base64");
  });

  it.each([
    ["TIFF", TIFF, "image/tiff"],
    ["PDF", PDF, "application/pdf"],
    ["text", TEXT, "text/plain"],
    ["text labelled as JPEG", TEXT, "image/jpeg"],
  ])("answers 415 listing the accepted types for %s", async (_name, bytes, contentType) => {
    // Act
    const result = await invoke(binaryEvent("http-api-v2", bytes, contentType));

    // Assess
    expectError(result, 415, "unsupported_media_type");
    expect(bodyOf(result).error.message).toContain("image/jpeg, image/png, image/webp, image/gif, image/bmp");
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointCommand);
  });

  it("answers 415 telling the caller to set a content type when an image arrives as form-urlencoded text", async () => {
    // Prepare: curl --data-binary without -H; API Gateway passes that type as text, so the bytes reach us mangled
    const mangled = Buffer.from(JPEG.toString("utf8"), "utf8");

    // Act
    const result = await invoke(
      httpEvent("http-api-v2", { headers: { "content-type": "application/x-www-form-urlencoded" }, body: mangled.toString("utf8") }),
    );

    // Assess
    expectError(result, 415, "unsupported_media_type");
    expect(bodyOf(result).error.message).toContain("Content-Type: image/jpeg");
    expect(bodyOf(result).error.message).toContain("image/jpeg, image/png, image/webp, image/gif, image/bmp");
  });

  it("answers 415 for raw text sent without base64", async () => {
    // Act
    const result = await invoke(httpEvent("rest-api-v1", { headers: { "content-type": "text/plain" }, body: "hello" }));

    // Assess
    expectError(result, 415, "unsupported_media_type");
  });
});

describe("Lambda handler: size limit", () => {
  const jpegOfSize = (size: number) => Buffer.concat([JPEG.subarray(0, 20), Buffer.alloc(size - 20, 0x11)]);

  it("answers 413 for a decoded image over 6,291,456 bytes, before calling SageMaker", async () => {
    // Act
    const result = await invoke(binaryEvent("http-api-v2", jpegOfSize(MAX + 1), "image/jpeg"));

    // Assess
    expectError(result, 413, "image_too_large");
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointCommand);
  });

  it("sends an image of exactly 6,291,456 bytes", async () => {
    // Act
    const result = await invoke(binaryEvent("http-api-v2", jpegOfSize(MAX), "image/jpeg"));

    // Assess: its base64 form (8.4 MB) was over the limit; the decoded size is what counts.
    expect(result.statusCode).toBe(200);
    expect((sentInput().Body as Uint8Array).length).toBe(MAX);
  });

  it("honours MAX_IMAGE_BYTES (4 MB for a serverless endpoint) and names the limit in the message", async () => {
    // Prepare
    process.env.MAX_IMAGE_BYTES = "4194304";

    // Act
    const over = await invoke(binaryEvent("http-api-v2", jpegOfSize(4_194_305), "image/jpeg"));
    const exact = await invoke(binaryEvent("http-api-v2", jpegOfSize(4_194_304), "image/jpeg"));

    // Assess: only the image at the limit reached SageMaker.
    expectError(over, 413, "image_too_large");
    expect(bodyOf(over).error.message).toContain("4194304 bytes");
    expect(exact.statusCode).toBe(200);
    expect(sagemaker.commandCalls(InvokeEndpointCommand)).toHaveLength(1);
    expect((sentInput().Body as Uint8Array).length).toBe(4_194_304);
  });

  it("honours MAX_IMAGE_BYTES for a file part in multipart/form-data", async () => {
    // Prepare
    process.env.MAX_IMAGE_BYTES = "4194304";
    const form = curlMultipart(jpegOfSize(4_194_305));

    // Act
    const result = await invoke(binaryEvent("function-url", form.body, form.contentType));

    // Assess
    expectError(result, 413, "image_too_large");
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointCommand);
  });

  it.each(["0", "6291457", "4MB"])("answers 500 misconfigured for MAX_IMAGE_BYTES=%j", async (value) => {
    // Prepare
    process.env.MAX_IMAGE_BYTES = value;

    // Act
    const result = await invoke(binaryEvent("http-api-v2", JPEG, "image/jpeg"));

    // Assess
    expectError(result, 500, "misconfigured");
    expect(summaryLine(logs).errorDetail.problems).toEqual([`MAX_IMAGE_BYTES must be an integer from 1 to 6291456 (got "${value}")`]);
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointCommand);
  });

  it.each([
    ["multipart", (b: Buffer) => curlMultipart(b)],
    ["JSON", (b: Buffer) => ({ body: Buffer.from(JSON.stringify({ image: b.toString("base64") })), contentType: "application/json" })],
  ])("answers 413 for an oversized image inside %s", async (_name, wrap) => {
    // Prepare
    const wrapped = wrap(jpegOfSize(MAX + 1));

    // Act
    const result = await invoke(binaryEvent("rest-api-v1", wrapped.body, wrapped.contentType));

    // Assess
    expectError(result, 413, "image_too_large");
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointCommand);
  });
});

describe("Lambda handler: top_k", () => {
  it.each([
    ["1", 1],
    ["3", 3],
    ["1000", 1000],
  ])("passes top_k=%s to the endpoint", async (value, expected) => {
    // Act
    const result = await invoke(binaryEvent("http-api-v2", JPEG, "image/jpeg", { query: { top_k: value } }));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(sentInput().CustomAttributes).toBe(`top_k=${expected},task=classify`);
  });

  it("sends no top_k when the caller gave none, and answers every label of a model with fewer than 5", async () => {
    // Prepare: a 3-label model answers with all its labels
    sagemaker.on(InvokeEndpointCommand).resolves(answer(PREDICTIONS));

    // Act
    const result = await invoke(binaryEvent("rest-api-v1", JPEG, "image/jpeg"));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(sentInput().CustomAttributes).toBe("task=classify");
    expect(sentInput().CustomAttributes).not.toContain("top_k");
    expect(bodyOf(result).predictions).toHaveLength(3);
  });

  it("keeps at most 5 predictions without top_k, even if the endpoint sends more", async () => {
    // Prepare
    const seven = Array.from({ length: 7 }, (_, i) => ({ label: `l${i}`, score: (i + 1) / 100 }));
    sagemaker.on(InvokeEndpointCommand).resolves(answer({ predictions: seven }));

    // Act
    const result = await invoke(binaryEvent("http-api-v2", JPEG, "image/jpeg"));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).predictions.map((p: { label: string }) => p.label)).toEqual(["l6", "l5", "l4", "l3", "l2"]);
  });

  it("cuts the answer to top_k even if the endpoint sends more", async () => {
    // Act
    const result = await invoke(binaryEvent("function-url", JPEG, "image/jpeg", { query: { top_k: "2" } }));

    // Assess
    expect(bodyOf(result).predictions).toEqual([
      { label: "a", score: 0.7 },
      { label: "b", score: 0.2 },
    ]);
  });

  it.each(["0", "-1", "abc", "5.0", "1e2", "", " 5", "3,4"])("answers 400 bad_top_k for top_k=%j", async (value) => {
    // Act
    const result = await invoke(binaryEvent("http-api-v2", JPEG, "image/jpeg", { query: { top_k: value } }));

    // Assess: without TOP_K_MAX the function does not know the label count and names none
    expectError(result, 400, "bad_top_k");
    expect(bodyOf(result).error.message).toBe("top_k must be an integer from 1 to the number of labels.");
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointCommand);
  });

  it("leaves a top_k above 1000 to the endpoint, which knows its label count, and passes on the count it answers", async () => {
    // Prepare: the container's bad_top_k body names its label count (docs/contracts.md, "Endpoint error bodies")
    const body = JSON.stringify({
      code: "bad_top_k",
      message: "top_k must be an integer from 1 to 6, the number of labels.",
      label_count: 6,
    });
    sagemaker
      .on(InvokeEndpointCommand)
      .rejects(new ModelError({ message: "Received client error (400)", $metadata: {}, OriginalStatusCode: 400, OriginalMessage: body }));

    // Act
    const result = await invoke(binaryEvent("http-api-v2", JPEG, "image/jpeg", { query: { top_k: "1001" } }));

    // Assess
    expect(sentInput().CustomAttributes).toBe("top_k=1001,task=classify");
    expectError(result, 400, "bad_top_k");
    expect(bodyOf(result).error.message).toBe("top_k must be an integer from 1 to 6, the number of labels.");
  });

  it.each([
    ["no count", JSON.stringify({ code: "bad_top_k", message: "top_k must be at most 6" })],
    ["a count that is no count", JSON.stringify({ code: "bad_top_k", message: "x", label_count: "6; see http://evil" })],
  ])("answers an endpoint's bad_top_k with %s without inventing a number", async (_name, body) => {
    // Prepare
    sagemaker
      .on(InvokeEndpointCommand)
      .rejects(new ModelError({ message: "Received client error (400)", $metadata: {}, OriginalStatusCode: 400, OriginalMessage: body }));

    // Act
    const result = await invoke(binaryEvent("http-api-v2", JPEG, "image/jpeg", { query: { top_k: "7" } }));

    // Assess
    expectError(result, 400, "bad_top_k");
    expect(bodyOf(result).error.message).toBe("top_k must be an integer from 1 to the number of labels.");
  });

  it.each(["abc", "0", "3", "3&top_k=4"])("ignores top_k on /embed, which has no use for it (top_k=%s)", async (value) => {
    // Prepare
    const event = { ...binaryEvent("http-api-v2", JPEG, "image/jpeg", { path: "/embed" }), rawQueryString: `top_k=${value}` };
    sagemaker.on(InvokeEndpointCommand).resolves(answer({ embedding: [0.6, 0.8], dim: 2 }));

    // Act
    const result = await invoke(event);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(sentInput().CustomAttributes).toBe("task=embed");
  });

  it("says a top_k given twice behind an HTTP API was given twice (payload 2.0 joins the values with a comma)", async () => {
    // Prepare: ?top_k=3&top_k=3 as API Gateway HTTP API passes it
    const event = {
      ...binaryEvent("http-api-v2", JPEG, "image/jpeg"),
      rawQueryString: "top_k=3&top_k=3",
      queryStringParameters: { top_k: "3,3" },
    };

    // Act
    const result = await invoke(event);

    // Assess
    expectError(result, 400, "bad_top_k");
    expect(bodyOf(result).error.message).toBe("top_k was given 2 times; give it once.");
  });

  it("answers 400 bad_top_k for a repeated top_k (REST multi-value)", async () => {
    // Prepare
    const event = { ...binaryEvent("rest-api-v1", JPEG, "image/jpeg"), multiValueQueryStringParameters: { top_k: ["3", "4"] } };

    // Act
    const result = await invoke(event);

    // Assess
    expectError(result, 400, "bad_top_k");
  });

  it("honours TOP_K_MAX", async () => {
    // Prepare
    process.env.TOP_K_MAX = "10";

    // Act
    const ok = await invoke(binaryEvent("http-api-v2", JPEG, "image/jpeg", { query: { top_k: "10" } }));
    const tooBig = await invoke(binaryEvent("http-api-v2", JPEG, "image/jpeg", { query: { top_k: "11" } }));

    // Assess: TOP_K_MAX is the model's label count, and the message says so
    expect(ok.statusCode).toBe(200);
    expectError(tooBig, 400, "bad_top_k");
    expect(bodyOf(tooBig).error.message).toBe("top_k must be an integer from 1 to 10, the number of labels.");
  });
});

describe("Lambda handler: a file sent with curl -d (which drops its CR and LF bytes)", () => {
  const undecodable = () =>
    new ModelError({
      message: "Received client error (422)",
      $metadata: {},
      OriginalStatusCode: 422,
      OriginalMessage: '{"code":"undecodable_image","message":"broken data stream"}',
    });
  // A photo holds CR and LF bytes like any binary file (about 1 in 128 bytes); curl -d @photo.jpg sends it without them.
  const photo = Buffer.concat([JPEG.subarray(0, 20), Buffer.from([0x0d, 0x0a, 0x0a, 0x42]), JPEG.subarray(20)]);
  const stripped = (bytes: Buffer) => Buffer.from(bytes.filter((byte) => byte !== 0x0d && byte !== 0x0a));

  it("says to use --data-binary when the endpoint cannot decode a raw image that holds no CR or LF byte at all", async () => {
    // Prepare
    sagemaker.on(InvokeEndpointCommand).rejects(undecodable());

    // Act
    const result = await invoke(binaryEvent("http-api-v2", stripped(photo), "image/jpeg"));

    // Assess
    expectError(result, 422, "undecodable_image");
    expect(bodyOf(result).error.message).toContain("--data-binary");
    expect(bodyOf(result).error.message).toContain("curl -d");
  });

  it.each([
    ["a raw image that holds line-break bytes", () => binaryEvent("http-api-v2", photo, "image/jpeg")],
    [
      "a multipart upload (curl -F keeps every byte)",
      () => {
        const form = curlMultipart(stripped(photo));
        return binaryEvent("http-api-v2", form.body, form.contentType);
      },
    ],
  ])("keeps the plain message for %s", async (_name, event) => {
    // Prepare
    sagemaker.on(InvokeEndpointCommand).rejects(undecodable());

    // Act
    const result = await invoke(event());

    // Assess
    expectError(result, 422, "undecodable_image");
    expect(bodyOf(result).error.message).toBe("The image could not be decoded: the file looks damaged or truncated.");
  });

  it("says to use --data-binary for a PNG whose signature lost its CR and LF bytes (no format is recognised then)", async () => {
    // Act
    const result = await invoke(binaryEvent("http-api-v2", stripped(PNG_1X1), "image/png"));

    // Assess
    expectError(result, 415, "unsupported_media_type");
    expect(bodyOf(result).error.message).toContain("--data-binary");
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointCommand);
  });

  it("keeps the plain 415 for bytes that are no image and hold no line break", async () => {
    // Act
    const result = await invoke(binaryEvent("http-api-v2", Buffer.from("not an image at all"), "image/jpeg"));

    // Assess
    expectError(result, 415, "unsupported_media_type");
    expect(bodyOf(result).error.message).not.toContain("--data-binary");
  });
});

describe("Lambda handler: SageMaker errors", () => {
  const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode, requestId: "sm-1" } });
  const modelError = (OriginalStatusCode: number, OriginalMessage: string) =>
    new ModelError({
      message: `Received error (${OriginalStatusCode}) from primary with message "${OriginalMessage}"`,
      OriginalStatusCode,
      OriginalMessage,
      LogStreamArn: "arn:log",
      ...meta(424),
    });
  const serviceError = (name: string, status: number, message?: string) =>
    new SageMakerRuntimeServiceException({
      name,
      $fault: status >= 500 ? "server" : "client",
      message: message as string,
      ...meta(status),
    });

  it.each([
    [
      "ModelError with stable code undecodable_image",
      () => modelError(400, '{"code":"undecodable_image","message":"PIL says no"}'),
      422,
      "undecodable_image",
      1,
    ],
    [
      "ModelError with stable code bad_top_k",
      () => modelError(400, '{"code":"bad_top_k","message":"top_k 900 > 10"}'),
      400,
      "bad_top_k",
      1,
    ],
    ["ModelError 4xx without code", () => modelError(400, "ValueError: nope"), 400, "bad_request", 1],
    ["ModelError 422 without code", () => modelError(422, "nope"), 422, "undecodable_image", 1],
    ["ModelError 413 without code", () => modelError(413, "nope"), 413, "image_too_large", 1],
    ["ModelError 5xx", () => modelError(500, "Traceback (most recent call last): boom"), 502, "model_error", 1],
    ["ModelError 0 (container timeout)", () => modelError(0, "timed out waiting for container"), 502, "model_error", 1],
    ["ModelError with an unknown string code and 5xx", () => modelError(500, '{"code":"oom","message":"x"}'), 502, "model_error", 1],
    [
      "ModelError 503 from a model server whose queue is full",
      () => modelError(503, '{"code":503,"type":"ServiceUnavailableException","message":"No worker is available to serve request: model"}'),
      503,
      "endpoint_throttled",
      3,
    ],
    ["ModelError 429 from the container", () => modelError(429, "Too Many Requests"), 503, "endpoint_throttled", 3],
    ["ModelError 502 from the container", () => modelError(502, "Bad Gateway"), 502, "model_error", 1],
    ["ThrottlingException (400, null message)", () => serviceError("ThrottlingException", 400), 503, "endpoint_throttled", 3],
    ["ServiceUnavailable", () => new ServiceUnavailable({ message: "down", ...meta(503) }), 503, "endpoint_unavailable", 3],
    ["ModelNotReadyException", () => new ModelNotReadyException({ message: "warming", ...meta(429) }), 503, "endpoint_not_ready", 3],
    ["InternalFailure", () => new InternalFailure({ message: "oops", ...meta(500) }), 502, "model_error", 3],
    ["InternalDependencyException", () => new InternalDependencyException({ message: "dep", ...meta(530) }), 502, "model_error", 1],
    [
      "ValidationError",
      () => new ValidationError({ message: `Endpoint x of account ${EXAMPLE_ACCOUNT_ID} not found.`, ...meta(400) }),
      500,
      "misconfigured",
      1,
    ],
    [
      "ValidationError for an oversize body (serverless 4 MB limit)",
      () => new ValidationError({ message: `Request ${EXAMPLE_ACCOUNT_ID}-abc has oversize body.`, ...meta(400) }),
      413,
      "image_too_large",
      1,
    ],
    ["AccessDeniedException", () => serviceError("AccessDeniedException", 403, "not authorized"), 500, "misconfigured", 1],
    ["an unmodelled 4xx", () => serviceError("SomethingNew", 404, "?"), 500, "misconfigured", 1],
    ["an unmodelled 504", () => serviceError("GatewayTimeout", 504, "?"), 503, "endpoint_unavailable", 3],
    [
      "a connection refused",
      () => Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:443"), { code: "ECONNREFUSED" }),
      503,
      "endpoint_unavailable",
      3,
    ],
    [
      "a connect timeout (not our budget)",
      () => Object.assign(new Error("did not establish a connection"), { name: "TimeoutError" }),
      504,
      "endpoint_timeout",
      3,
    ],
    [
      "a socket reset",
      () => Object.assign(new Error("socket hang up"), { name: "TimeoutError", code: "ECONNRESET" }),
      503,
      "endpoint_unavailable",
      3,
    ],
    ["an unexpected error", () => new TypeError("x is not a function"), 500, "internal_error", 1],
  ])("maps %s", async (_name, makeError, status, code, attempts) => {
    // Prepare
    sagemaker.on(InvokeEndpointCommand).callsFake(async () => {
      throw makeError();
    });

    // Act
    const result = await invoke(binaryEvent("http-api-v2", JPEG, "image/jpeg"));

    // Assess: status, code, attempts, and nothing of the endpoint's text reaches the caller.
    expectError(result, status, code);
    expect(sagemaker.commandCalls(InvokeEndpointCommand)).toHaveLength(attempts);
    expect(result.body).not.toMatch(new RegExp(`Traceback|primary|${EXAMPLE_ACCOUNT_ID}|PIL|not authorized|ECONNREFUSED`));
    if (status === 503) expect(Number(result.headers?.["retry-after"])).toBeGreaterThan(0);
    else expect(result.headers?.["retry-after"]).toBeUndefined();
  });

  // multi-model-server's (and TorchServe's) answer when the worker running the request dies (killed, OOM): another
  // worker, or the restarted one, can serve the same request, and inference has no side effects.
  const WORKER_DIED = '{"code":500,"type":"InternalServerException","message":"Worker died."}';

  it("retries once when the model server's worker died during the request, and answers from the next worker", async () => {
    // Prepare
    sagemaker.on(InvokeEndpointCommand).rejectsOnce(modelError(500, WORKER_DIED)).resolves(answer(PREDICTIONS));

    // Act
    const result = await invoke(binaryEvent("http-api-v2", JPEG, "image/jpeg"));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(sagemaker.commandCalls(InvokeEndpointCommand)).toHaveLength(2);
    expect(summaryLine(logs)).toMatchObject({ status: 200, attempts: 2 });
  });

  it("retries a dead worker only once: a second death is a 502 model_error", async () => {
    // Prepare
    sagemaker.on(InvokeEndpointCommand).rejects(modelError(500, WORKER_DIED));

    // Act
    const result = await invoke(binaryEvent("http-api-v2", JPEG, "image/jpeg"));

    // Assess
    expectError(result, 502, "model_error");
    expect(sagemaker.commandCalls(InvokeEndpointCommand)).toHaveLength(2);
  });

  it("gives up retrying when the budget cannot fit another attempt", async () => {
    // Prepare: throttled every time, but only 400 ms of budget.
    process.env.INVOKE_BUDGET_MS = "400";
    sagemaker.on(InvokeEndpointCommand).callsFake(async () => {
      throw serviceError("ThrottlingException", 400);
    });

    // Act
    const result = await invoke(binaryEvent("http-api-v2", JPEG, "image/jpeg"));

    // Assess: the last real failure (throttled) is reported, not a made-up timeout.
    expectError(result, 503, "endpoint_throttled");
    expect(sagemaker.commandCalls(InvokeEndpointCommand).length).toBeLessThan(3);
  });

  it("answers 504 without calling SageMaker when the function has no time left", async () => {
    // Act
    const result = await invoke(binaryEvent("http-api-v2", JPEG, "image/jpeg"), lambdaContext({ remainingMs: 600 }));

    // Assess
    expectError(result, 504, "endpoint_timeout");
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointCommand);
  });

  it.each([
    ["not JSON", "<html>"],
    ["no predictions", '{"result":[]}'],
    ["a prediction without a score", '{"predictions":[{"label":"x"}]}'],
  ])("answers 502 bad_model_response when the endpoint's answer is %s", async (_name, text) => {
    // Prepare
    sagemaker.on(InvokeEndpointCommand).resolves({ Body: new TextEncoder().encode(text) as any });

    // Act
    const result = await invoke(binaryEvent("http-api-v2", JPEG, "image/jpeg"));

    // Assess
    expectError(result, 502, "bad_model_response");
  });
});

describe("Lambda handler: configuration and logs", () => {
  it("answers 500 misconfigured without SAGEMAKER_ENDPOINT_NAME and logs it as ERROR", async () => {
    // Prepare
    delete process.env.SAGEMAKER_ENDPOINT_NAME;

    // Act
    const result = await invoke(binaryEvent("http-api-v2", JPEG, "image/jpeg"));

    // Assess
    expectError(result, 500, "misconfigured");
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointCommand);
    const line = summaryLine(logs);
    expect(line.level).toBe("ERROR");
    expect(line.errorDetail.problems).toEqual(["SAGEMAKER_ENDPOINT_NAME is not set"]);
  });

  it("writes one structured summary line with the documented fields and never the image", async () => {
    // Act
    await invoke(binaryEvent("http-api-v2", JPEG, "image/jpeg", { query: { top_k: "2" } }));

    // Assess
    const line = summaryLine(logs);
    expect(line).toMatchObject({
      level: "INFO",
      requestId: REQUEST_ID,
      function_request_id: REQUEST_ID,
      route: "classify",
      contentType: "image/jpeg",
      detectedType: "image/jpeg",
      imageBytes: JPEG.length,
      topK: 2,
      status: 200,
      attempts: 1,
    });
    expect(line.endpointLatencyMs).toEqual(expect.any(Number));
    expect(line.totalLatencyMs).toEqual(expect.any(Number));
    expect(logs.raw()).not.toContain(JPEG.toString("base64").slice(0, 40));
  });
});
