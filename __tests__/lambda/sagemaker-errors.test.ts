import { ModelError, ServiceUnavailable } from "@aws-sdk/client-sagemaker-runtime";
import { classifyInvokeError } from "../../lambda/sagemaker-errors";

const modelError = (OriginalStatusCode: number | undefined, OriginalMessage: string | undefined) =>
  new ModelError({ message: "Received error", OriginalStatusCode, OriginalMessage, $metadata: { httpStatusCode: 424 } });

describe("classifyInvokeError", () => {
  it.each([
    ["a top-level stable code", 400, '{"code":"unsupported_media_type","message":"x"}', "unsupported_media_type"],
    ["a stable code inside the model server's message", 400, JSON.stringify({ code: 400, type: "X", message: '{"code":"image_too_large"}' }), "image_too_large"],
    ["a stable code under error", 500, '{"error":{"code":"undecodable_image"}}', "undecodable_image"],
    ["our JSON followed by a traceback (PyTorch toolkit)", 415, '{"code":"unsupported_media_type","message":"x"}\nTraceback (most recent call last):\n  File "x.py"', "unsupported_media_type"],
    ["the model's internal_error reported as 400 (Hugging Face toolkit)", 400, '{"code":"internal_error","message":"x"}', "model_error"],
    ["a numeric code only (model server)", 400, '{"code":400,"type":"InternalServerException","message":"boom"}', "bad_request"],
    ["an unknown stable code with 4xx", 409, '{"code":"conflict"}', "bad_request"],
    ["plain text with 5xx", 503, "busy", "model_error"],
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
    const failure = classifyInvokeError(Object.assign(new Error(""), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } }), false);

    // Assess
    expect(failure).toMatchObject({ retryable: true, throttled: true, error: expect.objectContaining({ code: "endpoint_throttled", retryAfterSeconds: 1 }) });
  });
});
