import { DEFAULT_INSTANCE_TYPE } from "../../../src/config/instance-types";
import { instanceSection } from "../../../src/config/schema";
import {
  CPU_FAMILIES,
  DEFAULT_CANDIDATE_TYPES,
  cheapestInstanceType,
  costPerImageTable,
  instanceTypePerformance,
  measuredEfficiency,
} from "../../../tools/cost/instance-performance";
import { readModelBenchmark } from "../../../tools/cost/model-benchmark";
import { DEFAULT_PRICES } from "../../../tools/cost/prices";
import { BENCH, PRICES } from "./fixtures";

const prices = { ...PRICES, sagemakerInstanceHourly: { "ml.c6i.xlarge": 0.2, "ml.c7i.xlarge": 0.22, "ml.m5.xlarge": 0.25 } };

describe("ms per image by instance type", () => {
  it("reads the run's efficiency: forward GFLOP/s over the GEMM peak of the same format", () => {
    expect(measuredEfficiency(BENCH, "float32")).toBeCloseTo(100 / 0.5 / 250, 9); // 0.8
    expect(measuredEfficiency(BENCH, "bfloat16")).toBeCloseTo(100 / 0.2 / 1000, 9); // 0.5
  });

  it("estimates an fp32 family from this run's efficiency and the family's GEMM rate, plus the measured overhead", () => {
    // Act
    const c6i = instanceTypePerformance("ml.c6i.xlarge", BENCH, prices);

    // Assess: 100 GFLOP / (307 GFLOP/s x 0.8) = 407.2 ms, + 20 ms decode/preprocess.
    expect(c6i).toMatchObject({ precision: "float32", provenance: "estimated", hourlyUsd: 0.2 });
    expect(c6i?.msPerImage).toBeCloseTo((100 / (307 * 0.8)) * 1000 + 20, 0);
    expect(c6i?.basis).toContain("Test CPU");
    // $ per million = hourly / (images per hour) x 10^6
    expect(c6i?.usdPerMillionImages).toBeCloseTo((0.2 / ((1000 / (c6i?.msPerImage as number)) * 3600)) * 1e6, 9);
  });

  it("uses the AMX reference measurement for c7i/m7i when this run had no AMX, and says so", () => {
    const c7i = instanceTypePerformance("ml.c7i.xlarge", BENCH, prices);

    expect(c7i).toMatchObject({ precision: "bfloat16", provenance: "reference", msPerImage: 152 + 20 });
    expect(c7i?.basis).toContain("AMX reference");
  });

  it("scales with physical cores (vCPUs / 2)", () => {
    const xlarge = instanceTypePerformance("ml.c7i.xlarge", BENCH) as { msPerImage: number };
    const twoXlarge = instanceTypePerformance("ml.c7i.2xlarge", BENCH) as { msPerImage: number };

    expect(twoXlarge.msPerImage).toBeCloseTo(152 / 2 + 20, 1);
    expect(xlarge.msPerImage).toBeGreaterThan(twoXlarge.msPerImage);
  });

  it("uses this run's own bf16 time for AMX families when the run was on an AMX CPU", () => {
    const amxRun = { ...BENCH, machine: { ...BENCH.machine, amx: true } };

    expect(instanceTypePerformance("ml.m7i.xlarge", amxRun)).toMatchObject({ provenance: "estimated", msPerImage: 220 });
  });

  it("calls a number measured only when the benchmark ran on that instance type", () => {
    const onC6i = { ...BENCH, machine: { ...BENCH.machine, instanceType: "ml.c6i.xlarge" } };

    expect(instanceTypePerformance("ml.c6i.xlarge", onC6i)).toMatchObject({ provenance: "measured", msPerImage: 220 });
    expect(instanceTypePerformance("ml.c5.xlarge", onC6i)?.provenance).toBe("estimated");
  });

  it("has no estimate for GPU or unknown families (measure those)", () => {
    expect(instanceTypePerformance("ml.g4dn.xlarge", BENCH, DEFAULT_PRICES)).toBeUndefined();
    expect(instanceTypePerformance("ml.r5.xlarge", BENCH)).toBeUndefined();
  });

  it("sorts priced candidates by cost per image and skips unpriced ones", () => {
    const rows = costPerImageTable(BENCH, prices);

    expect(rows.map((r) => r.instanceType)).toEqual(["ml.c7i.xlarge", "ml.c6i.xlarge", "ml.m5.xlarge"]);
    expect(cheapestInstanceType(BENCH, { ...prices, sagemakerInstanceHourly: { "ml.c7i.xlarge": 5, "ml.c6i.xlarge": 0.2 } })).toBe(
      "ml.c6i.xlarge",
    );
  });
});

describe("the default instance type", () => {
  it("considers at least m5, c5, c6i, c7i and m7i, each with a dated price", () => {
    for (const type of ["ml.m5.xlarge", "ml.c5.xlarge", "ml.c6i.xlarge", "ml.c7i.xlarge", "ml.m7i.xlarge"]) {
      expect(DEFAULT_CANDIDATE_TYPES).toContain(type);
      expect(DEFAULT_PRICES.sagemakerInstanceHourly[type]).toBeGreaterThan(0);
    }
    expect(Object.keys(CPU_FAMILIES)).toEqual(expect.arrayContaining(["m5", "c5", "m6i", "c6i", "m7i", "c7i"]));
  });

  it("is the cheapest per classification from the committed benchmark and the default prices", () => {
    // Prepare
    const bench = readModelBenchmark();

    // Act / Assess
    expect(bench).toBeDefined();
    expect(cheapestInstanceType(bench!, DEFAULT_PRICES)).toBe(DEFAULT_INSTANCE_TYPE);
    expect(instanceSection.parse({}).type).toBe(DEFAULT_INSTANCE_TYPE);
  });
});
