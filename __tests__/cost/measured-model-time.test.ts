import { MODEL_DOC_PATH, benchmarkMsPerImage, readBenchmarkMsPerImage } from "../../src/cost/measured-model-time";

describe("benchmarkMsPerImage", () => {
  it("reads the batch-1 latency of our serving code from the benchmark output", () => {
    const doc = [
      "== ours vs transformers pipeline (same model, same JPEG bytes, 640x480) ==",
      "latency  batch 1: ours    1079 ms   pipeline    1079 ms   pipeline/ours 1.00x",
      "throughput batch 8: ours   0.78 img/s  pipeline   0.78 img/s  ours/pipeline 1.00x",
    ].join("\n");

    expect(benchmarkMsPerImage(doc)).toBe(1079);
    expect(benchmarkMsPerImage("latency  batch 1: ours  412.5 ms")).toBe(412.5);
  });

  it("returns nothing when there is no benchmark line (the command then says it uses a placeholder)", () => {
    expect(benchmarkMsPerImage("## Benchmark\n\nBENCHMARK_RESULTS\n")).toBeUndefined();
    expect(benchmarkMsPerImage("latency  batch 1: ours    0 ms")).toBeUndefined();
    expect(readBenchmarkMsPerImage("/nonexistent/model.md")).toBeUndefined();
  });

  it("finds the number in the repository's docs/model.md (guards against the write-up changing format)", () => {
    expect(readBenchmarkMsPerImage(MODEL_DOC_PATH)).toBeGreaterThan(0);
  });
});
