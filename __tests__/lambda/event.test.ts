import { normaliseEvent } from "../../lambda/event";
import { httpEvent } from "./fixtures";

describe("normaliseEvent", () => {
  it("reads an HTTP API (payload 2.0) event", () => {
    // Prepare
    const event = httpEvent("http-api-v2", {
      path: "/embed",
      headers: { "content-type": "image/png" },
      body: "eA==",
      isBase64Encoded: true,
      query: { top_k: "3" },
    });

    // Act
    const request = normaliseEvent(event);

    // Assess
    expect(request).toEqual({
      shape: "http-api-v2",
      method: "POST",
      task: "embed",
      path: "/embed",
      headers: { "content-type": "image/png" },
      query: { top_k: ["3"] },
      body: "eA==",
      isBase64Encoded: true,
      gatewayRequestId: "gw-req-2",
    });
  });

  it("reads a REST API (payload 1.0) event, lower-casing header names", () => {
    // Prepare
    const event = httpEvent("rest-api-v1", {
      headers: { "content-type": "image/png", "x-custom": "1" },
      body: "raw",
      query: { top_k: "2" },
    });

    // Act
    const request = normaliseEvent(event);

    // Assess
    expect(request).toMatchObject({
      shape: "rest-api-v1",
      method: "POST",
      task: "classify",
      headers: { "content-type": "image/png", "x-custom": "1" },
      query: { top_k: ["2"] },
      body: "raw",
      isBase64Encoded: false,
    });
    expect(event.headers).toHaveProperty("Content-Type");
  });

  it("recognises a function URL event (payload 2.0 with $default route)", () => {
    // Act
    const request = normaliseEvent(httpEvent("function-url", { path: "/classify" }));

    // Assess
    expect(request).toMatchObject({ shape: "function-url", task: "classify", query: {} });
  });

  it("keeps every value of a repeated REST query parameter", () => {
    // Prepare
    const event = {
      ...httpEvent("rest-api-v1"),
      queryStringParameters: { top_k: "4" },
      multiValueQueryStringParameters: { top_k: ["3", "4"] },
    };

    // Act / Assess
    expect(normaliseEvent(event).query).toEqual({ top_k: ["3", "4"] });
  });

  it.each([
    ["a repeated parameter", "top_k=3&top_k=3", { top_k: "3,3" }, { top_k: ["3", "3"] }],
    ["one value holding a comma", "top_k=3,3", { top_k: "3,3" }, { top_k: ["3,3"] }],
    ["percent-encoded values", "top_k=%33&note=a%20b", { top_k: "3", note: "a b" }, { top_k: ["3"], note: ["a b"] }],
  ])(
    "reads %s from a payload 2.0 event's rawQueryString (queryStringParameters joins repeats with commas)",
    (_name, raw, joined, expected) => {
      // Prepare: what API Gateway HTTP API sends for ?<raw>
      const event = { ...httpEvent("http-api-v2"), rawQueryString: raw, queryStringParameters: joined };

      // Act / Assess
      expect(normaliseEvent(event).query).toEqual(expected);
    },
  );

  it.each([null, "string", 42, {}])("refuses %j as not an HTTP event", (event) => {
    // Act / Assess
    expect(() => normaliseEvent(event)).toThrow(expect.objectContaining({ code: "bad_request" }));
  });

  it("leaves the task undefined for another path", () => {
    // Act / Assess
    expect(normaliseEvent(httpEvent("http-api-v2", { path: "/classify/extra" })).task).toBeUndefined();
  });
});
