import { ModelError, ServiceUnavailable, ValidationError } from "@aws-sdk/client-sagemaker-runtime";
import { classifyInvokeError } from "../../lambda/sagemaker-errors";

const modelError = (OriginalStatusCode: number | undefined, OriginalMessage: string | undefined) =>
  new ModelError({ message: "Received error", OriginalStatusCode, OriginalMessage, $metadata: { httpStatusCode: 424 } });

describe("classifyInvokeError", () => {
  it.each([
    ["a top-level stable code", 400, '{"code":"unsupported_media_type","message":"x"}', "unsupported_media_type"],
    [
      "a stable code inside the model server's message",
      400,
      JSON.stringify({ code: 400, type: "X", message: '{"code":"image_too_large"}' }),
      "image_too_large",
    ],
    ["a stable code under error", 500, '{"error":{"code":"undecodable_image"}}', "undecodable_image"],
    [
      "our JSON followed by a traceback (PyTorch toolkit)",
      415,
      '{"code":"unsupported_media_type","message":"x"}\nTraceback (most recent call last):\n  File "x.py"',
      "unsupported_media_type",
    ],
    ["the model's internal_error reported as 400 (Hugging Face toolkit)", 400, '{"code":"internal_error","message":"x"}', "model_error"],
    ["a numeric code only (model server)", 400, '{"code":400,"type":"InternalServerException","message":"boom"}', "bad_request"],
    ["an unknown stable code with 4xx", 409, '{"code":"conflict"}', "bad_request"],
    ["plain text with 5xx", 500, "boom", "model_error"],
    ["an unknown string code and 5xx", 502, '{"code":"oom","message":"x"}', "model_error"],
    ["a stable code with 503 (the code wins)", 503, '{"code":"undecodable_image","message":"x"}', "undecodable_image"],
    ["no status", undefined, undefined, "model_error"],
  ])("maps a ModelError with %s", (_name, status, message, code) => {
    // Act
    const failure = classifyInvokeError(modelError(status, message), false);

    // Assess
    expect(failure.error.code).toBe(code);
    expect(failure.retryable).toBe(false);
    expect(failure.error.message).not.toContain(message ?? "\u0000");
    expect(failure.error.detail).toMatchObject({ originalStatusCode: status, originalMessage: message });
  });

  it.each([
    [
      "multi-model-server's full job queue (503)",
      503,
      JSON.stringify({ code: 503, type: "ServiceUnavailableException", message: "No worker is available to serve request: model" }),
    ],
    [
      "TorchServe's full job queue (503)",
      503,
      JSON.stringify({
        code: 503,
        type: "ServiceUnavailableException",
        message: 'Model "model" has no worker to serve inference request.',
      }),
    ],
    ["a container answering 429 Too Many Requests", 429, "Too Many Requests"],
    ["a bare 503", 503, ""],
  ])("maps a busy model server as throttling, retryable with the longer back-off: %s", (_name, status, message) => {
    // Act
    const failure = classifyInvokeError(modelError(status, message), false);

    // Assess
    expect(failure).toMatchObject({ retryable: true, throttled: true });
    expect(failure.error).toMatchObject({ code: "endpoint_throttled", status: 503, retryAfterSeconds: 1 });
    expect(failure.error.detail).toMatchObject({ originalStatusCode: status });
  });

  it("maps a worker that died during the request as a model_error worth one more attempt", () => {
    // Prepare: multi-model-server's and TorchServe's answer (WorkerThread: "Worker died.", status 500)
    const message = JSON.stringify({ code: 500, type: "InternalServerException", message: "Worker died." });

    // Act
    const failure = classifyInvokeError(modelError(500, message), false);

    // Assess
    expect(failure).toMatchObject({ retryable: true, retryOnce: true, throttled: false });
    expect(failure.error).toMatchObject({ code: "model_error", status: 502 });
    expect(failure.error.detail).toMatchObject({ originalStatusCode: 500, reason: "the model server's worker died during the request" });
  });

  it("does not retry a 500 that only mentions a worker inside the model's own error text", () => {
    // Act: a traceback quoting the words is the model failing, not a worker process dying.
    const failure = classifyInvokeError(modelError(500, 'Traceback ... RuntimeError: "Worker died." is not a valid label'), false);

    // Assess
    expect(failure.retryable).toBe(false);
  });

  it("maps SageMaker's oversize-body ValidationError to 413 image_too_large, not misconfigured", () => {
    // Prepare: the real text, in any case
    const oversize = new ValidationError({ message: "Request 7b4a5c1e-0d2f has OverSize body.", $metadata: { httpStatusCode: 400 } });
    const notFound = new ValidationError({ message: "Endpoint x of account 000000000000 not found.", $metadata: { httpStatusCode: 400 } });

    // Act
    const tooLarge = classifyInvokeError(oversize, false);
    const wrongName = classifyInvokeError(notFound, false);

    // Assess
    expect(tooLarge).toMatchObject({ retryable: false, error: expect.objectContaining({ code: "image_too_large", status: 413 }) });
    expect(tooLarge.error.message).not.toContain("7b4a5c1e");
    expect(wrongName.error.code).toBe("misconfigured");
  });

  it("turns anything into a 504 once our budget cut the attempt", () => {
    // Act
    const failure = classifyInvokeError(new ServiceUnavailable({ message: "down", $metadata: {} }), true);

    // Assess
    expect(failure).toMatchObject({ retryable: false, error: expect.objectContaining({ code: "endpoint_timeout", status: 504 }) });
  });

  it("recognises a socket code the SDK only kept in the message", () => {
    // Act
    const failure = classifyInvokeError(new Error("AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:1"), false);

    // Assess
    expect(failure).toMatchObject({ retryable: true, error: expect.objectContaining({ code: "endpoint_unavailable" }) });
  });

  it("treats a missing region as misconfiguration", () => {
    // Act / Assess
    expect(classifyInvokeError(new Error("Region is missing"), false).error.code).toBe("misconfigured");
  });

  it("marks throttling for the longer back-off", () => {
    // Act
    const failure = classifyInvokeError(
      Object.assign(new Error(""), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } }),
      false,
    );

    // Assess
    expect(failure).toMatchObject({
      retryable: true,
      throttled: true,
      error: expect.objectContaining({ code: "endpoint_throttled", retryAfterSeconds: 1 }),
    });
  });
});
