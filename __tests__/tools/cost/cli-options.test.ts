import { parseCostArgs } from "../../../tools/cost/cli-options";

describe("parseCostArgs", () => {
  it("reads the rate, mode, config and model time", () => {
    const { options, problems } = parseCostArgs([
      "--requests-per-second",
      "5",
      "--mode",
      "serverless",
      "--config",
      "c.json",
      "--model-ms-per-image",
      "320",
    ]);

    expect(problems).toEqual([]);
    expect(options).toMatchObject({
      requestsPerSecond: 5,
      mode: "serverless",
      configPath: "c.json",
      modelMsPerImage: 320,
      json: false,
      help: false,
    });
  });

  it("accepts fractional rates and --json", () => {
    expect(parseCostArgs(["--requests-per-second", "0.25", "--json"]).options).toMatchObject({ requestsPerSecond: 0.25, json: true });
  });

  it("lists every problem at once", () => {
    const { options, problems } = parseCostArgs(["--mode", "spot", "--model-ms-per-image", "fast", "--target-utilization", "1.5"]);

    expect(options).toBeUndefined();
    expect(problems).toEqual([
      expect.stringMatching(/^--model-ms-per-image: must be a number > 0/),
      expect.stringMatching(/^--target-utilization: must be a number > 0 and <= 1/),
      "--requests-per-second: required (or --catalogue <images>)",
      '--mode: must be realtime or serverless, got "spot"',
    ]);
  });

  it.each([["0"], ["-3"], [""], ["1e7"]])("rejects --requests-per-second %j", (value) => {
    expect(parseCostArgs([`--requests-per-second=${value}`]).problems[0]).toMatch(/^--requests-per-second: must be a number > 0/);
  });

  it("rejects unknown flags", () => {
    expect(parseCostArgs(["--requests-per-second", "5", "--region", "eu-west-1"]).problems[0]).toMatch(/Unknown option '--region'/);
  });

  it("answers --help without requiring anything else", () => {
    expect(parseCostArgs(["--help"])).toEqual({ options: expect.objectContaining({ help: true }), problems: [] });
  });
});
