import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BenchmarkError, DEFAULT_BENCHMARK_PATH, parseModelBenchmark, readModelBenchmark } from "../../../tools/cost/model-benchmark";
import { BENCH } from "./fixtures";

describe("model benchmark JSON", () => {
  it("parses what bench:model writes (extra fields are kept out of the way)", () => {
    const text = JSON.stringify({ ...BENCH, batchingImagesPerSecond: { "1": 4.5 }, command: "npm run bench:model" });

    expect(parseModelBenchmark(text, "bench.json")).toEqual(BENCH);
  });

  it("lists every problem of a file that is not a benchmark", () => {
    const broken = { ...BENCH, date: "yesterday", serving: { ...BENCH.serving, msPerImage: -1 } };

    expect(() => parseModelBenchmark(JSON.stringify(broken), "bench.json")).toThrow(BenchmarkError);
    try {
      parseModelBenchmark(JSON.stringify(broken), "bench.json");
    } catch (error) {
      expect((error as Error).message).toContain("date");
      expect((error as Error).message).toContain("serving.msPerImage");
    }
    expect(() => parseModelBenchmark("{not json", "bench.json")).toThrow(/not valid JSON/);
  });

  it("reads a file, and returns nothing when there is none", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-json-"));
    const file = path.join(dir, "b.json");
    fs.writeFileSync(file, JSON.stringify(BENCH));

    expect(readModelBenchmark(file)?.serving.msPerImage).toBe(220);
    expect(readModelBenchmark(path.join(dir, "none.json"))).toBeUndefined();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the repository's benchmark (model/bench/model-bench.json) is valid", () => {
    expect(readModelBenchmark(DEFAULT_BENCHMARK_PATH)?.serving.imagesPerSecond).toBeGreaterThan(0);
  });
});
