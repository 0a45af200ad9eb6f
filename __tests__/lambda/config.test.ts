import { ConfigError, loadConfig } from "../../lambda/config";

describe("loadConfig", () => {
  it("applies the defaults", () => {
    // Act
    const config = loadConfig({ SAGEMAKER_ENDPOINT_NAME: "vit-endpoint" });

    // Assess
    expect(config).toEqual({ endpointName: "vit-endpoint", invokeBudgetMs: 25_000, topKMax: undefined, maxImageBytes: 6_291_456 });
  });

  it("reads INVOKE_BUDGET_MS and TOP_K_MAX", () => {
    // Act
    const config = loadConfig({ SAGEMAKER_ENDPOINT_NAME: "e", INVOKE_BUDGET_MS: "12000", TOP_K_MAX: "10" });

    // Assess
    expect(config).toMatchObject({ invokeBudgetMs: 12_000, topKMax: 10 });
  });

  it("reads MAX_IMAGE_BYTES (a serverless endpoint takes 4 MB)", () => {
    // Act
    const config = loadConfig({ SAGEMAKER_ENDPOINT_NAME: "e", MAX_IMAGE_BYTES: "4194304" });

    // Assess
    expect(config.maxImageBytes).toBe(4_194_304);
  });

  it.each(["0", "6291457", "4MB", "-1", "4194304.5"])("refuses MAX_IMAGE_BYTES=%j", (value) => {
    // Act
    const attempt = () => loadConfig({ SAGEMAKER_ENDPOINT_NAME: "e", MAX_IMAGE_BYTES: value });

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(`MAX_IMAGE_BYTES must be an integer from 1 to 6291456 (got "${value}")`);
  });

  it("lists every problem at once", () => {
    // Act
    const attempt = () => loadConfig({ INVOKE_BUDGET_MS: "30000", TOP_K_MAX: "ten", MAX_IMAGE_BYTES: "7000000" });

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      'Invalid Lambda configuration: SAGEMAKER_ENDPOINT_NAME is not set; INVOKE_BUDGET_MS must be an integer from 1 to 29000 (got "30000"); TOP_K_MAX must be an integer from 1 to 100000 (got "ten"); MAX_IMAGE_BYTES must be an integer from 1 to 6291456 (got "7000000")',
    );
  });

  it.each(["has_underscore", "-leading", "x".repeat(64), "trailing-"])("refuses the endpoint name %j", (name) => {
    // Act / Assess
    expect(() => loadConfig({ SAGEMAKER_ENDPOINT_NAME: name })).toThrow(/is not a valid endpoint name/);
  });
});
