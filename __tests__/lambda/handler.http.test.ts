/**
 * The real handler with the real SDK over real HTTP: a fake SageMaker Runtime on 127.0.0.1 speaks the
 * InvokeEndpoint wire protocol, and the SDK finds it through AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME.
 * Proves the endpoint override works, statuses map as documented, retries stop and timeouts abort.
 */
import { InvokeEndpointCommand } from "@aws-sdk/client-sagemaker-runtime";
import {
  classifyAnswer,
  embedAnswer,
  errorAnswer,
  FakeSageMakerRuntime,
  internalFailureAnswer,
  limitBodySize,
  modelErrorAnswer,
  modelNotReadyAnswer,
  modelServerBusyAnswer,
  serviceUnavailableAnswer,
  startFakeSageMakerRuntime,
  throttlingAnswer,
  validationErrorAnswer,
  workerDiedAnswer,
} from "../../testing/fake-sagemaker-runtime";
import { SERVERLESS_INVOKE_MAX_BYTES } from "../../common/facts";
import { useLocalEndpointEnv } from "./env";
import { binaryEvent, bodyOf, JPEG, lambdaContext, PNG_1X1 } from "./fixtures";
import { captureLogs, CapturedLogs, summaryLine } from "./logs";

let fake: FakeSageMakerRuntime;
let logs: CapturedLogs;
// Imported after the environment is set: the module-scope client resolves the endpoint on first use.
let handlerModule: typeof import("../../lambda/handler");
let clients: typeof import("../../lambda/clients");

beforeAll(async () => {
  fake = await startFakeSageMakerRuntime();
  useLocalEndpointEnv(fake.url);
  handlerModule = await import("../../lambda/handler");
  clients = await import("../../lambda/clients");
});

afterAll(async () => {
  clients.sagemakerClient.destroy();
  await fake.close();
});

beforeEach(() => {
  fake.requests.length = 0;
  fake.respondWith(classifyAnswer());
  delete process.env.INVOKE_BUDGET_MS;
  delete process.env.MAX_IMAGE_BYTES;
  logs = captureLogs();
});

afterEach(() => logs.restore());

const classify = (query?: Record<string, string>, context = lambdaContext()) =>
  handlerModule.handler(binaryEvent("http-api-v2", PNG_1X1, "image/jpeg", { query }) as any, context);

describe("Lambda handler over real HTTP against a fake SageMaker Runtime", () => {
  it("sends the decoded image with the contract headers and answers sorted predictions", async () => {
    // Prepare: a PNG labelled image/jpeg (the bytes must win) and top_k=3.
    // Act
    const result = await classify({ top_k: "3" });

    // Assess: the answer
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ "content-type": "application/json", "x-request-id": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" });
    expect(bodyOf(result)).toEqual({
      predictions: [
        { label: "tabby, tabby cat", score: 0.93 },
        { label: "tiger cat", score: 0.05 },
      ],
    });
    // Assess: what the endpoint saw on the wire
    expect(fake.requests).toHaveLength(1);
    const [seen] = fake.requests;
    expect(seen.method).toBe("POST");
    expect(seen.path).toBe("/endpoints/test-endpoint/invocations");
    expect(seen.headers["content-type"]).toBe("image/png");
    expect(seen.headers.accept).toBe("application/json");
    expect(seen.headers["x-amzn-sagemaker-custom-attributes"]).toBe("top_k=3,task=classify");
    expect(seen.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTESTFAKEKEY\/\d{8}\/eu-west-1\/sagemaker\/aws4_request/);
    expect(seen.body.equals(PNG_1X1)).toBe(true);
    // Assess: the summary log line has the fields operators need and no image bytes.
    const line = summaryLine(logs);
    expect(line).toMatchObject({ status: 200, route: "classify", contentType: "image/jpeg", detectedType: "image/png", attempts: 1 });
    expect(line.imageBytes).toBe(PNG_1X1.length);
    expect(typeof line.endpointLatencyMs).toBe("number");
    expect(typeof line.totalLatencyMs).toBe("number");
    expect(logs.raw()).not.toContain(PNG_1X1.toString("base64"));
  });

  it("sends task=classify without top_k when the caller gave none", async () => {
    // Act
    const result = await classify();

    // Assess
    expect(result.statusCode).toBe(200);
    expect(fake.requests[0].headers["x-amzn-sagemaker-custom-attributes"]).toBe("task=classify");
  });

  it("reuses the connection between invocations (keep-alive)", async () => {
    // Act
    await classify();
    await classify();

    // Assess
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1].remotePort).toBe(fake.requests[0].remotePort);
  });

  it("routes /embed with task=embed and no top_k", async () => {
    // Prepare
    fake.respondWith(embedAnswer([0.6, 0.8]));

    // Act
    const result = await handlerModule.handler(binaryEvent("http-api-v2", JPEG, undefined, { path: "/embed" }) as any, lambdaContext());

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ embedding: [0.6, 0.8], dim: 2 });
    expect(fake.requests[0].headers["x-amzn-sagemaker-custom-attributes"]).toBe("task=embed");
    expect(fake.requests[0].headers["content-type"]).toBe("image/jpeg");
  });

  const modelErrors: Array<[string, number, string, number, string]> = [
    [
      "stable code in OriginalMessage wins over status",
      400,
      '{"code":"undecodable_image","message":"cannot identify image file"}',
      422,
      "undecodable_image",
    ],
    [
      "stable code wrapped by the model server's JSON",
      400,
      JSON.stringify({ code: 400, type: "InternalServerException", message: '{"code":"bad_top_k","message":"top_k 2000 > 1000 labels"}' }),
      400,
      "bad_top_k",
    ],
    ["stable code unsupported_media_type", 400, '{"code":"unsupported_media_type","message":"x"}', 415, "unsupported_media_type"],
    ["stable code image_too_large", 400, '{"code":"image_too_large","message":"x"}', 413, "image_too_large"],
    ["no stable code, container 4xx", 400, "Traceback (most recent call last): ValueError: bad input", 400, "bad_request"],
    ["no stable code, container 415", 415, "unsupported", 415, "unsupported_media_type"],
    [
      "container 5xx with a traceback",
      500,
      'Traceback (most recent call last):\n  File "inference.py", line 3\nRuntimeError: CUDA',
      502,
      "model_error",
    ],
    [
      "container did not answer SageMaker (status 0)",
      0,
      "Your invocation timed out while waiting for a response from container primary.",
      502,
      "model_error",
    ],
  ];

  it.each(modelErrors)("maps ModelError (424): %s", async (_name, originalStatus, originalMessage, status, code) => {
    // Prepare
    fake.respondWith(modelErrorAnswer(originalStatus, originalMessage));

    // Act
    const result = await classify();

    // Assess: our code and message, never the endpoint's text; a model error is never retried.
    expect(result.statusCode).toBe(status);
    expect(bodyOf(result)).toEqual({ error: { code, message: expect.any(String) }, requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" });
    expect(result.body).not.toContain("Traceback");
    expect(result.body).not.toContain("primary");
    expect(fake.requests).toHaveLength(1);
    // The endpoint's text stays in the logs for operators.
    expect(summaryLine(logs).errorDetail).toMatchObject({
      originalStatusCode: originalStatus,
      logStreamArn: expect.stringContaining("arn:aws:logs"),
    });
  });

  it.each([
    ["ThrottlingException (HTTP 400, null message)", throttlingAnswer(), 503, "endpoint_throttled", "1"],
    ["ServiceUnavailable (503)", serviceUnavailableAnswer(), 503, "endpoint_unavailable", "2"],
    ["ModelNotReadyException (429)", modelNotReadyAnswer(), 503, "endpoint_not_ready", "5"],
  ])("retries %s up to 3 attempts, then answers 503 with Retry-After", async (_name, answer, status, code, retryAfter) => {
    // Prepare
    fake.respondWith(answer);

    // Act
    const result = await classify();

    // Assess
    expect(result.statusCode).toBe(status);
    expect(result.headers?.["retry-after"]).toBe(retryAfter);
    expect(bodyOf(result).error.code).toBe(code);
    expect(fake.requests).toHaveLength(3);
    expect(summaryLine(logs)).toMatchObject({ attempts: 3, errorCode: code });
  });

  it.each([
    ["multi-model-server (503)", modelServerBusyAnswer(503)],
    ["a container answering 429", modelServerBusyAnswer(429)],
  ])("retries a ModelError from a busy model server, %s, then answers 503 endpoint_throttled with Retry-After", async (_name, answer) => {
    // Prepare
    fake.respondWith(answer);

    // Act
    const result = await classify();

    // Assess: not blamed on the model (502), retried within the budget, and the caller told when to retry.
    expect(result.statusCode).toBe(503);
    expect(bodyOf(result).error.code).toBe("endpoint_throttled");
    expect(result.headers?.["retry-after"]).toBe("1");
    expect(result.body).not.toContain("No worker");
    expect(fake.requests).toHaveLength(3);
    expect(summaryLine(logs)).toMatchObject({
      attempts: 3,
      errorCode: "endpoint_throttled",
      errorDetail: expect.objectContaining({ originalStatusCode: expect.any(Number) }),
    });
  });

  it("sends the request again once when the model server's worker died, and answers from the next worker", async () => {
    // Prepare
    fake.respondWith([workerDiedAnswer(), classifyAnswer()]);

    // Act
    const result = await classify();

    // Assess
    expect(result.statusCode).toBe(200);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1].body.equals(fake.requests[0].body)).toBe(true);
  });

  it("answers once a busy model server has room again", async () => {
    // Prepare: queue full twice, then an answer.
    fake.respondWith([modelServerBusyAnswer(), modelServerBusyAnswer(), classifyAnswer()]);

    // Act
    const result = await classify();

    // Assess
    expect(result.statusCode).toBe(200);
    expect(fake.requests).toHaveLength(3);
    expect(summaryLine(logs).attempts).toBe(3);
  });

  it("answers 413 image_too_large, not 500, when the endpoint refuses the body as oversize", async () => {
    // Prepare: a serverless endpoint (4 MB) behind a function left at the real-time limit.
    fake.respondWith(limitBodySize(SERVERLESS_INVOKE_MAX_BYTES));
    const image = Buffer.concat([JPEG.subarray(0, 20), Buffer.alloc(SERVERLESS_INVOKE_MAX_BYTES + 1 - 20, 0x11)]);

    // Act
    const result = await handlerModule.handler(binaryEvent("http-api-v2", image, "image/jpeg") as any, lambdaContext());

    // Assess: the caller's image is too large for this endpoint; never retried; operators see why.
    expect(result.statusCode).toBe(413);
    expect(bodyOf(result).error.code).toBe("image_too_large");
    expect(result.body).not.toContain("oversize");
    expect(fake.requests).toHaveLength(1);
    expect(summaryLine(logs)).toMatchObject({
      level: "INFO",
      errorDetail: expect.objectContaining({ reason: expect.stringContaining("MAX_IMAGE_BYTES") }),
    });
  });

  it("answers 413 before calling the endpoint when MAX_IMAGE_BYTES matches its limit", async () => {
    // Prepare
    process.env.MAX_IMAGE_BYTES = String(SERVERLESS_INVOKE_MAX_BYTES);
    fake.respondWith(limitBodySize(SERVERLESS_INVOKE_MAX_BYTES));
    const image = Buffer.concat([JPEG.subarray(0, 20), Buffer.alloc(SERVERLESS_INVOKE_MAX_BYTES + 1 - 20, 0x11)]);

    // Act
    const result = await handlerModule.handler(binaryEvent("http-api-v2", image, "image/jpeg") as any, lambdaContext());

    // Assess
    expect(result.statusCode).toBe(413);
    expect(bodyOf(result).error.message).toContain("4194304 bytes");
    expect(fake.requests).toHaveLength(0);
  });

  it("stops retrying as soon as an attempt succeeds", async () => {
    // Prepare: throttled once, then an answer.
    fake.respondWith([throttlingAnswer(), classifyAnswer()]);

    // Act
    const result = await classify();

    // Assess
    expect(result.statusCode).toBe(200);
    expect(fake.requests).toHaveLength(2);
  });

  it("retries InternalFailure, then answers 502", async () => {
    // Prepare
    fake.respondWith(internalFailureAnswer());

    // Act
    const result = await classify();

    // Assess
    expect(result.statusCode).toBe(502);
    expect(bodyOf(result).error.code).toBe("model_error");
    expect(fake.requests).toHaveLength(3);
  });

  it("answers ValidationError (our request or endpoint name is wrong) with 500 misconfigured, no retry, logged as ERROR", async () => {
    // Prepare
    fake.respondWith(validationErrorAnswer());

    // Act
    const result = await classify();

    // Assess
    expect(result.statusCode).toBe(500);
    expect(bodyOf(result).error.code).toBe("misconfigured");
    expect(result.body).not.toContain("000000000000");
    expect(fake.requests).toHaveLength(1);
    expect(summaryLine(logs).level).toBe("ERROR");
  });

  it("maps an unmodelled 5xx error type by its status", async () => {
    // Prepare
    fake.respondWith(errorAnswer(502, "BadGateway", "upstream"));

    // Act
    const result = await classify();

    // Assess: 502/503/504 from the service are transient: retried, then 503.
    expect(result.statusCode).toBe(503);
    expect(fake.requests).toHaveLength(3);
  });

  it("aborts a slow endpoint at the budget (INVOKE_BUDGET_MS) and answers 504 without retrying", async () => {
    // Prepare: the endpoint would answer after 5 s; the budget is 800 ms.
    process.env.INVOKE_BUDGET_MS = "800";
    fake.respondWith({ ...classifyAnswer(), delayMs: 5000 });
    const started = Date.now();

    // Act
    const result = await classify();

    // Assess
    const elapsed = Date.now() - started;
    expect(result.statusCode).toBe(504);
    expect(bodyOf(result).error.code).toBe("endpoint_timeout");
    expect(elapsed).toBeLessThan(3000);
    expect(fake.requests).toHaveLength(1);
    await waitFor(() => fake.requests[0].aborted);
    expect(fake.requests[0].aborted).toBe(true);
  });

  it("ends the budget before the function's own timeout (context.getRemainingTimeInMillis)", async () => {
    // Prepare: 25 s budget, but only 1.3 s left in the invocation.
    fake.respondWith({ ...classifyAnswer(), delayMs: 5000 });
    const started = Date.now();

    // Act
    const result = await classify(undefined, lambdaContext({ remainingMs: 1300 }));

    // Assess: answered before the function would be killed, with the reserve kept.
    expect(result.statusCode).toBe(504);
    expect(Date.now() - started).toBeLessThan(1300);
  });

  it("aborts a response whose body stalls after the headers", async () => {
    // Prepare
    process.env.INVOKE_BUDGET_MS = "800";
    fake.respondWith({ ...classifyAnswer(), stallBodyMs: 5000 });

    // Act
    const result = await classify();

    // Assess
    expect(result.statusCode).toBe(504);
    await waitFor(() => fake.requests[0]?.aborted);
    expect(fake.requests[0].aborted).toBe(true);
  });

  it("answers 502 bad_model_response when the endpoint's 200 body is not the contract", async () => {
    // Prepare
    fake.respondWith({ status: 200, headers: { "content-type": "application/json" }, body: "<html>oops</html>" });

    // Act
    const result = await classify();

    // Assess
    expect(result.statusCode).toBe(502);
    expect(bodyOf(result).error.code).toBe("bad_model_response");
    expect(result.body).not.toContain("oops");
  });
});

describe("SageMaker client configuration", () => {
  it("throws on requestTimeout (throwOnRequestTimeout) instead of only warning", async () => {
    // Prepare: our client factory with a 300 ms request timeout, no abort signal; the endpoint needs 3 s.
    fake.respondWith({ ...classifyAnswer(), delayMs: 3000 });
    const client = clients.createSageMakerClient({ requestTimeoutMs: 300 });
    const started = Date.now();

    // Act
    const outcome = await client
      .send(new InvokeEndpointCommand({ EndpointName: "test-endpoint", Body: PNG_1X1, ContentType: "image/png" }))
      .then(
        () => "answered",
        (err: Error) => err,
      );
    client.destroy();

    // Assess: a TimeoutError well before the 3 s answer, and the server saw the connection go.
    expect(outcome).toMatchObject({ name: "TimeoutError", code: "ETIMEDOUT" });
    expect(Date.now() - started).toBeLessThan(2000);
    await waitFor(() => fake.requests[0]?.aborted);
    expect(fake.requests[0].aborted).toBe(true);
  });

  it("answers 503 endpoint_unavailable when nothing listens at the endpoint, after 3 attempts", async () => {
    // Prepare: a port that was just closed, and a fresh module (its own client) pointed at it.
    const gone = await startFakeSageMakerRuntime();
    const deadUrl = gone.url;
    await gone.close();
    const previous = process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME;
    process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME = deadUrl;
    let isolated!: typeof import("../../lambda/handler");
    jest.isolateModules(() => {
      isolated = require("../../lambda/handler");
    });

    // Act
    const result = await isolated.handler(binaryEvent("http-api-v2", PNG_1X1, "image/png") as any, lambdaContext());
    process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME = previous;

    // Assess
    expect(result.statusCode).toBe(503);
    expect(bodyOf(result).error.code).toBe("endpoint_unavailable");
    expect(result.headers?.["retry-after"]).toBe("2");
    expect(summaryLine(logs).attempts).toBe(3);
  });
});

async function waitFor(condition: () => boolean | undefined, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}
