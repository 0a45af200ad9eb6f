/**
 * The `npm run cost` command end to end: a real child process with a config file and a price file on disk.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../../common/repo-root";
import { BENCH, PRICES } from "./fixtures";

const repoRoot = REPO_ROOT;

function runCost(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "tools/cost/cli.ts", ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, CLASSIFIER_CONFIG: "" },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run cost", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cost-command-"));
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ endpoint: { instance: { type: "ml.m5.xlarge", count: 2 } } }));
    fs.writeFileSync(path.join(dir, "prices.json"), JSON.stringify(PRICES));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("prints the estimate for the config file at the given rate", () => {
    // Act
    const run = runCost([
      "--requests-per-second",
      "5",
      "--config",
      path.join(dir, "config.json"),
      "--prices",
      path.join(dir, "prices.json"),
      "--model-ms-per-image",
      "200",
    ]);

    // Assess
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`config: ${path.join(dir, "config.json")}`);
    expect(run.stdout).toMatch(/SageMaker\s+real-time ml\.m5\.xlarge\s+2 instance\(s\) x 730 h\s+\$365\.00/);
    expect(run.stdout).toContain("[ok] SageMaker real-time: 2 x ml.m5.xlarge at 200 ms/image = 10.00 img/s; 5 req/s -> 50% busy");
    expect(run.stdout).toMatch(/TOTAL {2}\$\d[\d,]*\.\d\d per month/);
    expect(run.stdout).not.toContain("PLACEHOLDER");
  });

  it("takes the model time from the benchmark JSON by default, and emits JSON on request", () => {
    const run = runCost(["--requests-per-second", "2", "--mode", "serverless", "--config", path.join(dir, "config.json"), "--json"]);

    expect(run.status).toBe(0);
    const parsed = JSON.parse(run.stdout);
    expect(parsed.deployment.mode).toBe("serverless");
    expect(parsed.workload.requestsPerSecond).toBe(2);
    expect(parsed.estimate.totalUsd).toBeGreaterThan(0);
    expect(parsed.capacity.map((c: { hop: string }) => c.hop)).toContain("SageMaker serverless");

    const text = runCost(["--requests-per-second", "2", "--config", path.join(dir, "config.json")]);
    expect(text.stdout).toMatch(
      /model time per image: \d+(\.\d+)? ms \((measured|reference|estimated) for ml\.m5\.xlarge \(float32\) from the model benchmark of \d{4}-\d\d-\d\d/,
    );
    expect(text.stdout).not.toContain("PLACEHOLDER");
    expect(parsed.perInstanceType.map((row: { instanceType: string }) => row.instanceType)).toEqual(
      expect.arrayContaining(["ml.m5.xlarge", "ml.c5.xlarge", "ml.c6i.xlarge", "ml.c7i.xlarge", "ml.m7i.xlarge"]),
    );
    expect(parsed.perInstanceType[0].imagesPerSecond).toBeGreaterThan(0);
  });

  it("prints cost per million images per instance type, cheapest first, saying where each number comes from", () => {
    // Prepare: a benchmark file with round numbers.
    const bench = path.join(dir, "bench.json");
    fs.writeFileSync(bench, JSON.stringify(BENCH));

    // Act
    const run = runCost(["--requests-per-second", "1", "--config", path.join(dir, "config.json"), "--bench", bench]);

    // Assess
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Cost per million images by instance type");
    expect(run.stdout).toContain(
      "measured here: 220 ms per image (4.545 images/s) on Test CPU, 2 cores, bfloat16 prepacked (not a SageMaker instance)",
    );
    const rows = run.stdout.split("\n").filter((line) => /^ml\.[a-z0-9]+\.\w+( \*)?\s+\$/.test(line));
    expect(rows[0]).toMatch(/^ml\.c7i\.xlarge\s+\$0\.214\s+bfloat16\s+172\.0\s+5\.81\s+\$10\.22\s+reference$/);
    expect(rows.find((row) => row.startsWith("ml.m5.xlarge *"))).toMatch(/float32 .* estimated$/);
    expect(run.stdout).toContain("model time per image: ");
    expect(run.stdout).toMatch(/estimated for ml\.m5\.xlarge \(float32\) from the model benchmark of 2000-01-02 on Test CPU/);
  });

  it("exits 2 when --bench is missing or not a benchmark", () => {
    const bad = path.join(dir, "not-bench.json");
    fs.writeFileSync(bad, JSON.stringify({ hello: 1 }));

    expect(runCost(["--requests-per-second", "1", "--bench", path.join(dir, "none.json")]).stderr).toContain("file not found");
    const run = runCost(["--requests-per-second", "1", "--bench", bad]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("not a model benchmark");
  });

  it("--catalogue prints a transform job per instance type and count next to the same images through POST /embed", () => {
    // Prepare: a config whose catalogue runs on 3 x ml.c7i.xlarge.
    const config = path.join(dir, "catalogue.json");
    fs.writeFileSync(config, JSON.stringify({ catalogue: { source: "s3://acme-products/", instance: { count: 3 } } }));

    // Act
    const run = runCost(["--catalogue", "100000", "--config", config]);

    // Assess
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Embedding a catalogue of 100,000 images once");
    expect(run.stdout).toMatch(/ml\.c7i\.xlarge \*\s+3\s+[\d.]+\s+\d+ h \d+ min\s+\$\d/);
    for (const count of ["1", "2", "4"]) expect(run.stdout).toMatch(new RegExp(`ml\\.m5\\.xlarge\\s+${count}\\s`));
    expect(run.stdout).toMatch(/Through POST \/embed.*limited by API throttling/);
    expect(run.stdout).toMatch(/costs [\d.]+x less and is [\d.]+x faster/);
  });

  it("exits 2 listing every bad option, with the usage", () => {
    const run = runCost(["--mode", "spot"]);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain("error: --requests-per-second: required (or --catalogue <images>)");
    expect(run.stderr).toContain('error: --mode: must be realtime or serverless, got "spot"');
    expect(run.stderr).toContain("Usage: npm run cost");
    expect(run.stdout).toBe("");
  });

  it("exits 2 with the config's problems when the config is invalid", () => {
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ endpoint: { instance: { type: "m5.xlarge", count: 0 } } }));

    const run = runCost(["--requests-per-second", "1", "--config", bad]);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain("endpoint.instance.type");
    expect(run.stderr).toContain("endpoint.instance.count");
  });

  it("exits 2 listing the problems of a bad price file", () => {
    const bad = path.join(dir, "bad-prices.json");
    fs.writeFileSync(bad, JSON.stringify({ lambdaPerMilion: 1, dashboardPerMonth: -3 }));

    const run = runCost(["--requests-per-second", "1", "--config", path.join(dir, "config.json"), "--prices", bad]);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain("  - lambdaPerMilion: unknown price");
    expect(run.stderr).toContain("  - dashboardPerMonth: must be a number >= 0");
  });
});
