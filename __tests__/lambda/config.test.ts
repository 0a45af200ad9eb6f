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
  describe("the catalogue", () => {
    const catalogueEnv = {
      SAGEMAKER_ENDPOINT_NAME: "e",
      CATALOGUE_INDEX_URI: "s3://acme-catalogue/catalogue/",
      MODEL_FINGERPRINT: "sha256:ab",
    };

    it("reads the index location, the model and the function's memory size (which bounds the index it loads)", () => {
      // Act
      const config = loadConfig({ ...catalogueEnv, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1024" });

      // Assess
      expect(config.catalogue).toEqual({
        bucket: "acme-catalogue",
        prefix: "catalogue/",
        modelFingerprint: "sha256:ab",
        refreshMs: 10_000,
        topKMax: 100,
        functionMemoryMb: 1024,
      });
    });

    it("has no memory bound outside Lambda (no AWS_LAMBDA_FUNCTION_MEMORY_SIZE)", () => {
      expect(loadConfig(catalogueEnv).catalogue?.functionMemoryMb).toBeUndefined();
    });

    it("lists every catalogue problem at once", () => {
      // Act
      const attempt = () =>
        loadConfig({
          SAGEMAKER_ENDPOINT_NAME: "e",
          CATALOGUE_INDEX_URI: "s3://acme-catalogue/no-slash",
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "lots",
        });

      // Assess
      expect(attempt).toThrow(
        'Invalid Lambda configuration: CATALOGUE_INDEX_URI "s3://acme-catalogue/no-slash" is not an S3 folder (s3://bucket/prefix/); MODEL_FINGERPRINT is not set (it must be with CATALOGUE_INDEX_URI); AWS_LAMBDA_FUNCTION_MEMORY_SIZE must be an integer from 128 to 10240 (got "lots")',
      );
    });
  });
});
