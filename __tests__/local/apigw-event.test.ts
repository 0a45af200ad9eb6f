// The local API's event builder against the documented HTTP API payload 2.0 rules.
import { isTextContentType, newGatewayRequestId, toHttpApiEvent } from "../../local/apigw-event";

const now = new Date(Date.UTC(2026, 2, 12, 19, 3, 58, 123));

function build(overrides: Partial<Parameters<typeof toHttpApiEvent>[0]> = {}) {
  return toHttpApiEvent(
    {
      method: "POST",
      url: "/classify?top_k=3&tag=a&tag=b%20c",
      rawHeaders: [
        "Content-Type",
        "image/jpeg",
        "X-Custom",
        "one",
        "x-custom",
        "two",
        "Cookie",
        "a=1; b=2",
        "Host",
        "127.0.0.1:3000",
        "User-Agent",
        "curl/8",
      ],
      body: Buffer.from([0xff, 0xd8, 0xff, 0x00]),
      sourceIp: "127.0.0.1",
      localPort: 3000,
      ...overrides,
    },
    { routeKey: "POST /classify", requestId: "JKJaXmPLvHcESHA=", now },
  );
}

describe("toHttpApiEvent", () => {
  it("builds the payload 2.0 envelope with route, raw path and query", () => {
    // Act
    const event = build();
    // Assess
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "POST /classify",
      rawPath: "/classify",
      rawQueryString: "top_k=3&tag=a&tag=b%20c",
      queryStringParameters: { top_k: "3", tag: "a,b c" },
      cookies: ["a=1", "b=2"],
      isBase64Encoded: true,
    });
    expect(event.requestContext).toMatchObject({
      requestId: "JKJaXmPLvHcESHA=",
      routeKey: "POST /classify",
      stage: "$default",
      time: "12/Mar/2026:19:03:58 +0000",
      timeEpoch: now.getTime(),
      http: { method: "POST", path: "/classify", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "curl/8" },
    });
  });

  it("lower-cases header names, joins repeats with commas and moves cookies out of headers", () => {
    const { headers } = build();
    expect(headers["content-type"]).toBe("image/jpeg");
    expect(headers["x-custom"]).toBe("one,two");
    expect(headers).not.toHaveProperty("cookie");
    expect(headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(Object.keys(headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it("base64-encodes binary bodies and leaves text bodies as text", () => {
    const binary = build();
    expect(Buffer.from(binary.body ?? "", "base64")).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0x00]));

    const json = build({ rawHeaders: ["content-type", "application/json; charset=utf-8"], body: Buffer.from('{"image":"x"}') });
    expect(json.isBase64Encoded).toBe(false);
    expect(json.body).toBe('{"image":"x"}');
  });

  it("omits body, cookies and query parameters that were not sent", () => {
    const event = build({ url: "/classify", rawHeaders: [], body: Buffer.alloc(0) });
    expect(event).not.toHaveProperty("body");
    expect(event).not.toHaveProperty("cookies");
    expect(event).not.toHaveProperty("queryStringParameters");
    expect(event.rawQueryString).toBe("");
    expect(event.isBase64Encoded).toBe(false);
  });
});

describe("isTextContentType", () => {
  it.each([
    ["text/plain", true],
    ["application/json", true],
    ["application/problem+json", true],
    ["application/xml", true],
    ["image/jpeg", false],
    ["multipart/form-data; boundary=x", false],
    ["application/octet-stream", false],
    [undefined, false],
  ])("%s -> %s", (type, expected) => {
    expect(isTextContentType(type)).toBe(expected);
  });
});

it("request ids look like API Gateway's (11 random bytes, base64)", () => {
  const id = newGatewayRequestId();
  expect(id).toMatch(/^[A-Za-z0-9+/]{15}=$/);
  expect(newGatewayRequestId()).not.toBe(id);
});
