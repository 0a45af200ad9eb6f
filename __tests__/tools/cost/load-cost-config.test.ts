import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { defaultConfigFilePath, huggingFaceArtifactPath } from "../../../src/config/defaults";
import { ConfigError } from "../../../src/config/load-config";
import { loadCostConfig } from "../../../tools/cost/load-cost-config";

describe("loadCostConfig", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cost-config-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    return file;
  };

  it("validates the config without needing the model tarball", () => {
    const file = write("missing-tarball.json", { modelArtifact: { path: "nowhere/model.tar.gz" }, lambda: { memoryMb: 1024 } });

    const { config, modelArtifactGb } = loadCostConfig(file);

    expect(config.lambda.memoryMb).toBe(1024);
    expect(config.source).toBe(file);
    expect(modelArtifactGb).toBeUndefined();
  });

  it("prices a configured tarball by its real size", () => {
    const tarball = path.join(dir, "model.tar.gz");
    fs.writeFileSync(tarball, Buffer.alloc(1024 * 1024));
    const file = write("with-tarball.json", { modelArtifact: { path: "model.tar.gz" } });

    expect(loadCostConfig(file).modelArtifactGb).toBeCloseTo(1 / 1024, 12);
  });

  it("prices a packaged Hugging Face model by its tarball's size", () => {
    // Prepare: a tarball where `npm run model:package -- <id> --revision <sha>` writes it.
    const id = `cost-test-${process.pid}/vit`;
    const revision = "2960116e809e2fca84146dbb240289aee7db4827";
    const tarball = huggingFaceArtifactPath(id, revision);
    fs.mkdirSync(path.dirname(tarball), { recursive: true });
    fs.writeFileSync(tarball, Buffer.alloc(2 * 1024 * 1024));
    const file = write("hub.json", { modelArtifact: { huggingFace: { id, revision } } });
    try {
      // Act / Assess
      expect(loadCostConfig(file).modelArtifactGb).toBeCloseTo(2 / 1024, 12);
    } finally {
      fs.rmSync(path.dirname(path.dirname(tarball)), { recursive: true });
    }
  });

  it("falls back to the repository config file, else the defaults, when none was asked for", () => {
    const { config, modelArtifactGb } = loadCostConfig(undefined, { CLASSIFIER_CONFIG: "" });

    const repoConfig = defaultConfigFilePath();
    expect(config.source).toBe(fs.existsSync(repoConfig) ? repoConfig : "defaults (no classifier.config.json)");
    // The default tarball holds the demo model, so it never prices the S3 line.
    expect(modelArtifactGb).toBeUndefined();
  });

  it("reads CLASSIFIER_CONFIG when --config is not given", () => {
    const file = write("from-env.json", { lambda: { memoryMb: 2048 } });

    expect(loadCostConfig(undefined, { CLASSIFIER_CONFIG: file }).config.lambda.memoryMb).toBe(2048);
  });

  it("fails with every config problem, or on a missing or broken file", () => {
    const bad = write("bad.json", { lambda: { memoryMb: 1 }, api: { throttlingRateLimit: -1 } });
    expect(() => loadCostConfig(bad)).toThrow(ConfigError);
    expect(() => loadCostConfig(bad)).toThrow(/lambda\.memoryMb[\s\S]*api\.throttlingRateLimit/);
    expect(() => loadCostConfig(path.join(dir, "absent.json"))).toThrow("config file does not exist");
    expect(() => loadCostConfig(write("broken.json", "{ nope"))).toThrow("not valid JSON");
  });
});
