// How the local API turns a Lambda result into the HTTP answer (payload 2.0 response rules).
import { fromLambdaResult } from "../../local/apigw-response";

describe("fromLambdaResult", () => {
  it("uses statusCode, headers and cookies of a structured response", () => {
    // Act
    const converted = fromLambdaResult({
      statusCode: 415,
      headers: { "Content-Type": "application/json", "X-Request-Id": "abc" },
      cookies: ["a=1; Path=/", "b=2"],
      body: '{"error":{}}',
    });
    // Assess
    expect(converted).toEqual({
      answer: {
        status: 415,
        headers: { "content-type": ["application/json"], "x-request-id": ["abc"], "set-cookie": ["a=1; Path=/", "b=2"] },
        body: Buffer.from('{"error":{}}'),
      },
    });
  });

  it("decodes a base64 body when isBase64Encoded is true", () => {
    const converted = fromLambdaResult({ statusCode: 200, body: Buffer.from([1, 2, 3]).toString("base64"), isBase64Encoded: true });
    expect("answer" in converted && converted.answer.body).toEqual(Buffer.from([1, 2, 3]));
  });

  it("treats any other JSON value as a 200 application/json body", () => {
    const converted = fromLambdaResult({ predictions: [] });
    expect(converted).toEqual({
      answer: { status: 200, headers: { "content-type": ["application/json"] }, body: Buffer.from('{"predictions":[]}') },
    });
  });

  it.each([
    [undefined, "returned nothing"],
    [{ statusCode: "200" }, "not an HTTP status"],
    [{ statusCode: 200, body: { a: 1 } }, "body is not a string"],
    [{ statusCode: 200, headers: { a: ["x"] } }, "header a is not a string"],
    [{ statusCode: 200, cookies: "a=1" }, "cookies is not a list"],
  ])("reports a malformed result (%j)", (result, reason) => {
    const converted = fromLambdaResult(result);
    expect("malformed" in converted && converted.malformed).toContain(reason);
  });
});
