import { parseTransformRecord } from "../../../tools/catalogue/transform-records";

describe("parseTransformRecord", () => {
  it("reads an embedding", () => {
    const record = parseTransformRecord(Buffer.from(JSON.stringify({ embedding: [0.6, 0.8], dim: 2 })));
    expect(record).toEqual({ kind: "embedding", vector: Float32Array.from([0.6, 0.8]) });
  });

  it("reads the container's error object (batch mode)", () => {
    const record = parseTransformRecord(Buffer.from(JSON.stringify({ error: { code: "undecodable_image", message: "truncated" } })));
    expect(record).toEqual({ kind: "error", code: "undecodable_image", message: "truncated" });
  });

  it.each([
    ["a missing .out", undefined, "no_output"],
    ["not JSON", Buffer.from("<html>"), "bad_output"],
    ["no embedding", Buffer.from("{}"), "bad_output"],
    ["a non-finite value", Buffer.from('{"embedding": [1, "x"]}'), "bad_output"],
    ["a wrong dim", Buffer.from('{"embedding": [1, 0], "dim": 3}'), "bad_output"],
  ])("reports %s as a failure of that image", (_name, body, code) => {
    expect(parseTransformRecord(body)).toEqual(expect.objectContaining({ kind: "error", code }));
  });
});
