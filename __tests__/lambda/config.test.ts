import { ConfigError, loadConfig } from "../../lambda/config";

describe("loadConfig", () => {
  it("applies the defaults", () => {
    // Act
    const config = loadConfig({ SAGEMAKER_ENDPOINT_NAME: "vit-endpoint" });

    // Assess
    expect(config).toEqual({ endpointName: "vit-endpoint", invokeBudgetMs: 25_000, topKMax: 1000 });
  });

  it("reads INVOKE_BUDGET_MS and TOP_K_MAX", () => {
    // Act
    const config = loadConfig({ SAGEMAKER_ENDPOINT_NAME: "e", INVOKE_BUDGET_MS: "12000", TOP_K_MAX: "10" });

    // Assess
    expect(config).toMatchObject({ invokeBudgetMs: 12_000, topKMax: 10 });
  });

  it("lists every problem at once", () => {
    // Act
    const attempt = () => loadConfig({ INVOKE_BUDGET_MS: "30000", TOP_K_MAX: "ten" });

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      'Invalid Lambda configuration: SAGEMAKER_ENDPOINT_NAME is not set; INVOKE_BUDGET_MS must be an integer from 1 to 29000 (got "30000"); TOP_K_MAX must be an integer from 1 to 100000 (got "ten")',
    );
  });

  it.each(["has_underscore", "-leading", "x".repeat(64), "trailing-"])("refuses the endpoint name %j", (name) => {
    // Act / Assess
    expect(() => loadConfig({ SAGEMAKER_ENDPOINT_NAME: name })).toThrow(/is not a valid endpoint name/);
  });
});
