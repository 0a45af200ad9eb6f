import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../common/repo-root";
import { ConfigError, loadConfig, resolveConfig } from "../../src/config/load-config";
import { invokeBudgetMs, integrationTimeoutMs } from "../../common/facts";
import { defaultNetworkIsolation } from "../../src/config/defaults";
import { instanceTypeProblem } from "../../src/config/instance-types";
import { buildCommand, describeModelSource } from "../../src/config/model-source";
import { testConfig, testTarball } from "./helpers";

const noBuild = {};

/** The ConfigError a config raises (fails the test when it does not raise one). */
function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    resolveConfig({ modelArtifact: { path: testTarball() }, ...raw }, { source: "test", ...noBuild });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error("expected a ConfigError");
}

describe("Config: defaults", () => {
  it("gives a real-time, isolated, open, arm64 stack with documented defaults", () => {
    // Act
    const c = testConfig();
    // Assess
    expect(c.serverless).toBe(false);
    expect(c.networkIsolation).toBe(true);
    expect(c.endpointName).toBe("vit-classifier");
    expect(c.endpoint.instance).toBeUndefined();
    expect(c.model.imageRepository).toBe("huggingface-pytorch-inference");
    expect(c.model.imageTag).toBe("2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04");
    expect(c.lambda).toEqual({
      architecture: "arm64",
      memoryMb: 512,
      timeoutSeconds: 28,
      reservedConcurrency: null,
      logRetentionDays: 30,
      logLevel: "INFO",
    });
    expect(c.api).toEqual({ throttlingRateLimit: 5, throttlingBurstLimit: 10, logRetentionDays: 30 });
    expect(c.auth.mode).toBe("none");
    expect(c.autoscaling.enabled).toBe(false);
    expect(c.backend).toBeUndefined();
    expect(c.defaultTags).toEqual({ project: "vit-classifier", "managed-by": "cdktf" });
  });

  it("merges config tags over the default tags and resolves relative paths against baseDir", () => {
    // Prepare
    const tarball = testTarball();
    // Act
    const c = resolveConfig(
      { tags: { owner: "ml-team", project: "cats" }, modelArtifact: { path: path.basename(tarball) } },
      { baseDir: path.dirname(tarball), ...noBuild },
    );
    // Assess
    expect(c.defaultTags).toEqual({ project: "cats", "managed-by": "cdktf", owner: "ml-team" });
    expect(c.modelArtifactPath).toBe(tarball);
  });

  it("defaults network isolation off for serverless, where SageMaker does not support it", () => {
    expect(testConfig({ endpoint: { serverless: {} } }).networkIsolation).toBe(false);
    expect(defaultNetworkIsolation(true)).toBe(false);
    expect(defaultNetworkIsolation(false)).toBe(true);
  });

  it("derives the invoke budget and integration timeout from the Lambda timeout", () => {
    expect(invokeBudgetMs(28)).toBe(25000);
    expect(invokeBudgetMs(10)).toBe(7000);
    expect(integrationTimeoutMs(28)).toBe(29000);
    expect(integrationTimeoutMs(29)).toBe(30000);
  });
});

describe("Config: names follow the stack's name", () => {
  it.each([
    ["nothing set", {}, "vit-classifier", "vit-classifier/terraform.tfstate"],
    ["only stackName", { stackName: "Classifier-EU" }, "classifier-eu", "Classifier-EU/terraform.tfstate"],
    [
      "stackName and namePrefix",
      { stackName: "classifier-eu", namePrefix: "vit-classifier" },
      "vit-classifier",
      "classifier-eu/terraform.tfstate",
    ],
  ])("%s", (_name, raw, namePrefix, stateKey) => {
    // Act
    const c = testConfig({ ...raw, backend: { bucket: "state", region: "eu-west-1" } });
    // Assess
    expect(c.namePrefix).toBe(namePrefix);
    expect(c.endpointName).toBe(namePrefix);
    expect(c.functionName).toBe(`${namePrefix}-api`);
    expect(c.backend?.key).toBe(stateKey);
  });

  it("keeps a configured state key", () => {
    expect(testConfig({ backend: { bucket: "state", region: "eu-west-1", key: "old/terraform.tfstate" } }).backend?.key).toBe(
      "old/terraform.tfstate",
    );
  });
});

describe("Config: each bad value gets its own message", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      "unknown instance family",
      { endpoint: { instance: { type: "ml.z9.xlarge" } } },
      'endpoint.instance.type: unknown instance family "z9" in "ml.z9.xlarge"',
    ],
    [
      "not an instance type",
      { endpoint: { instance: { type: "m5.xlarge" } } },
      'endpoint.instance.type: "m5.xlarge" is not a SageMaker instance type',
    ],
    ["instance count < 1", { endpoint: { instance: { count: 0 } } }, "endpoint.instance.count: must be at least 1"],
    ["model server workers < 1", { model: { serving: { workers: 0 } } }, "model.serving.workers: must be an integer from 1 to 64"],
    ["a setting that moved into model.serving", { model: { serverWorkers: 2 } }, "model.serverWorkers: moved to model.serving.workers"],
    [
      "serverless and instance both set",
      { endpoint: { instance: {}, serverless: {} } },
      'endpoint: set either "instance" (real-time) or "serverless", not both',
    ],
    [
      "serverless memory not a 1 GB step",
      { endpoint: { serverless: { memorySizeMb: 1500 } } },
      "endpoint.serverless.memorySizeMb: must be 1024, 2048, 3072, 4096, 5120 or 6144",
    ],
    [
      "serverless concurrency over 200",
      { endpoint: { serverless: { maxConcurrency: 500 } } },
      "endpoint.serverless.maxConcurrency: must be at most 200",
    ],
    [
      "provisioned above max concurrency",
      { endpoint: { serverless: { maxConcurrency: 2, provisionedConcurrency: 3 } } },
      "endpoint.serverless.provisionedConcurrency: must be at most maxConcurrency (2)",
    ],
    [
      "a region without the inference image",
      { region: "mx-central-1" },
      "region: the huggingface-pytorch-inference image has no registry in mx-central-1 (hashicorp/aws 5.100.0 knows it in: af-south-1,",
    ],
    [
      "serverless with network isolation",
      { endpoint: { serverless: {} }, model: { networkIsolation: true } },
      "model.networkIsolation: serverless endpoints do not support network isolation",
    ],
    [
      "serverless with autoscaling",
      { endpoint: { serverless: {} }, autoscaling: { enabled: true } },
      "autoscaling.enabled: autoscaling applies to real-time instances",
    ],
    [
      "instance count above the autoscaling maximum",
      { endpoint: { instance: { count: 9 } }, autoscaling: { enabled: true, maxInstances: 4 } },
      "endpoint.instance.count: 9 is above autoscaling.maxInstances (4): the scaling policy would remove the extra instances",
    ],
    [
      "autoscaling min > max",
      { autoscaling: { enabled: true, minInstances: 5, maxInstances: 2 } },
      "autoscaling: minInstances (5) is greater than maxInstances (2)",
    ],
    ["Lambda timeout at API Gateway's limit", { lambda: { timeoutSeconds: 30 } }, "lambda.timeoutSeconds: must be at most 29"],
    ["Lambda architecture", { lambda: { architecture: "arm" } }, "lambda.architecture: Invalid enum value"],
    ["reserved concurrency 0", { lambda: { reservedConcurrency: 0 } }, "lambda.reservedConcurrency: must be at least 1"],
    [
      "log retention not a CloudWatch value",
      { lambda: { logRetentionDays: 10 } },
      "lambda.logRetentionDays: must be one of CloudWatch's retention values",
    ],
    [
      "burst below rate",
      { api: { throttlingRateLimit: 50, throttlingBurstLimit: 10 } },
      "api.throttlingBurstLimit: must be at least throttlingRateLimit (50)",
    ],
    ["unknown auth mode", { auth: { mode: "apikey" } }, "auth.mode: Invalid enum value"],
    ["jwt without issuer", { auth: { mode: "jwt", jwtAudience: ["a"] } }, 'auth.jwtIssuer: required when auth.mode is "jwt"'],
    [
      "jwt without audience",
      { auth: { mode: "jwt", jwtIssuer: "https://issuer.example.com/" } },
      'auth.jwtAudience: required (at least one value) when auth.mode is "jwt"',
    ],
    [
      "jwt issuer not https",
      { auth: { mode: "jwt", jwtIssuer: "http://issuer.example.com/", jwtAudience: ["a"] } },
      "auth.jwtIssuer: must be an https URL",
    ],
    [
      "jwt settings with iam",
      { auth: { mode: "iam", jwtIssuer: "https://issuer.example.com/" } },
      'auth.jwtIssuer: only applies when auth.mode is "jwt" (it is "iam")',
    ],
    [
      "missing tarball",
      { modelArtifact: { path: "/nonexistent/model.tar.gz" } },
      "modelArtifact.path: model tarball not found: /nonexistent/model.tar.gz",
    ],
    ["tarball that is not .tar.gz", { modelArtifact: { path: __filename } }, "modelArtifact.path: must be a .tar.gz file"],
    ["name prefix with capitals", { namePrefix: "VitClassifier" }, "namePrefix: must be 2-24 lower-case letters"],
    [
      "a stack name too long to be the name prefix, and no name prefix",
      { stackName: "image-classifier-production-eu" },
      'namePrefix: not set, and stackName "image-classifier-production-eu" cannot serve as the name prefix (2-24 lower-case',
    ],
    ["bad endpoint name", { endpoint: { name: "-bad" } }, "endpoint.name: must be 1-63 letters, digits and hyphens"],
    [
      "overriding a stack-set container variable",
      { model: { environment: { HF_TASK: "image-segmentation" } } },
      "model.environment.HF_TASK: is set by the stack and cannot be overridden",
    ],
    ["misspelt key in a section", { lambda: { memoryMB: 1024 } }, "lambda: Unrecognized key(s) in object: 'memoryMB'"],
    ["unknown top-level section", { alarm: {} }, "alarm: unknown setting"],
    ["backend without bucket", { backend: { region: "eu-west-1" } }, "backend.bucket: Required"],
    [
      "backend with a bad region",
      { backend: { bucket: "state", region: "europe" } },
      "backend.region: must be an AWS region such as eu-west-1",
    ],
  ];

  it.each(cases)("%s", (_name, raw, expected) => {
    // Act
    const problems = problemsOf(raw);
    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });
});

describe("Config: several bad values", () => {
  it("fails with ONE error listing every problem", () => {
    // Prepare
    const raw = {
      modelArtifact: { path: "/nonexistent/model.tar.gz" },
      endpoint: { instance: { type: "ml.z9.large", count: 0 }, serverless: { maxConcurrency: 0 } },
      lambda: { timeoutSeconds: 60 },
      auth: { mode: "jwt" },
    };
    // Act
    let error: ConfigError | undefined;
    try {
      resolveConfig(raw, { source: "my.json", ...noBuild });
    } catch (e) {
      error = e as ConfigError;
    }
    // Assess: field, cross-section and file problems together
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toMatch(/^Invalid classifier config \(my\.json\): 8 problems\n/);
    for (const expected of [
      'endpoint.instance.type: unknown instance family "z9"',
      "endpoint.instance.count: must be at least 1",
      "endpoint.serverless.maxConcurrency: must be at least 1",
      "lambda.timeoutSeconds: must be at most 29",
      'endpoint: set either "instance" (real-time) or "serverless", not both',
      'auth.jwtIssuer: required when auth.mode is "jwt"',
      'auth.jwtAudience: required (at least one value) when auth.mode is "jwt"',
      "modelArtifact.path: model tarball not found: /nonexistent/model.tar.gz",
    ]) {
      expect(error!.message).toContain(`  - ${expected}`);
    }
  });
});

describe("Config: instance type check", () => {
  it("accepts CPU and GPU families and rejects Graviton (the default image is x86_64)", () => {
    expect(instanceTypeProblem("ml.m5.xlarge")).toBeUndefined();
    expect(instanceTypeProblem("ml.g5.2xlarge")).toBeUndefined();
    expect(instanceTypeProblem("ml.c7g.xlarge")).toContain('unknown instance family "c7g"');
  });
});

describe("Config: loadConfig (CLASSIFIER_CONFIG)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-file-"));

  it("reads the file named by CLASSIFIER_CONFIG, with paths relative to that file", () => {
    // Prepare
    fs.copyFileSync(testTarball(), path.join(dir, "model.tar.gz"));
    const file = path.join(dir, "classifier.json");
    fs.writeFileSync(file, JSON.stringify({ namePrefix: "cats", modelArtifact: { path: "model.tar.gz" }, auth: { mode: "iam" } }));
    // Act
    const c = loadConfig({ CLASSIFIER_CONFIG: file }, noBuild);
    // Assess
    expect(c.namePrefix).toBe("cats");
    expect(c.auth.mode).toBe("iam");
    expect(c.modelArtifactPath).toBe(path.join(dir, "model.tar.gz"));
    expect(c.source).toBe(file);
  });

  it("names the file in its errors", () => {
    // Prepare
    const file = path.join(dir, "bad.json");
    fs.writeFileSync(file, JSON.stringify({ lambda: { memoryMb: 64 } }));
    // Act / Assess
    expect(() => loadConfig({ CLASSIFIER_CONFIG: file }, noBuild)).toThrow(
      `Invalid classifier config (${file}): 1 problem\n  - lambda.memoryMb: must be at least 128`,
    );
  });

  it("checks the region AWS_REGION names when the config sets none, and lets the config's own region win", () => {
    // Prepare
    const file = path.join(dir, "no-region.json");
    fs.writeFileSync(file, JSON.stringify({ modelArtifact: { path: testTarball() } }));
    const withRegion = path.join(dir, "with-region.json");
    fs.writeFileSync(withRegion, JSON.stringify({ region: "eu-west-1", modelArtifact: { path: testTarball() } }));
    // Act / Assess
    expect(() => loadConfig({ CLASSIFIER_CONFIG: file, AWS_REGION: "ap-southeast-7" }, noBuild)).toThrow(
      "(environment) AWS_REGION: the huggingface-pytorch-inference image has no registry in ap-southeast-7",
    );
    expect(() => loadConfig({ CLASSIFIER_CONFIG: file, AWS_DEFAULT_REGION: "ap-east-2" }, noBuild)).toThrow(
      "(environment) AWS_DEFAULT_REGION",
    );
    expect(loadConfig({ CLASSIFIER_CONFIG: file, AWS_REGION: "eu-central-1" }, noBuild).region).toBeUndefined();
    expect(loadConfig({ CLASSIFIER_CONFIG: withRegion, AWS_REGION: "ap-southeast-7" }, noBuild).region).toBe("eu-west-1");
    // A repository the stack has no region list for is not checked.
    fs.writeFileSync(file, JSON.stringify({ modelArtifact: { path: testTarball() }, model: { imageRepository: "my-own-image" } }));
    expect(loadConfig({ CLASSIFIER_CONFIG: file, AWS_REGION: "ap-southeast-7" }, noBuild).model.imageRepository).toBe("my-own-image");
  });

  it("rejects a CLASSIFIER_CONFIG that does not exist and a file that is not JSON", () => {
    // Prepare
    const notJson = path.join(dir, "not.json");
    fs.writeFileSync(notJson, "{ nope");
    // Act / Assess
    expect(() => loadConfig({ CLASSIFIER_CONFIG: path.join(dir, "missing.json") }, noBuild)).toThrow(
      "CLASSIFIER_CONFIG points to a file that does not exist",
    );
    expect(() => loadConfig({ CLASSIFIER_CONFIG: notJson }, noBuild)).toThrow("not valid JSON");
  });

  it("uses the default tarball when no path is configured, and never builds it: a missing one names the command", () => {
    // Prepare
    const file = path.join(dir, "no-path.json");
    fs.writeFileSync(file, JSON.stringify({}));
    const missing = path.join(REPO_ROOT, "model", ".cache", "not-built-yet.tar.gz");
    // Act / Assess
    expect(loadConfig({ CLASSIFIER_CONFIG: file }, { defaultArtifactPath: testTarball() }).modelArtifactPath).toBe(testTarball());
    expect(() => loadConfig({ CLASSIFIER_CONFIG: file }, { defaultArtifactPath: missing })).toThrow(
      "modelArtifact.path: not set, and the default model/.cache/not-built-yet.tar.gz does not exist yet: build it with `npm run model:artifact` (the demo model), set modelArtifact.huggingFace to a model on the Hub, or modelArtifact.path to your own model.tar.gz",
    );
    expect(fs.existsSync(missing)).toBe(false);
    // Tools that only read settings do not need it.
    expect(loadConfig({ CLASSIFIER_CONFIG: file }, { defaultArtifactPath: missing, requireArtifact: false }).modelArtifactPath).toBe(
      missing,
    );
  });
});

describe("Config: the model it deploys (modelArtifact)", () => {
  const vit = "google/vit-base-patch16-384";
  const sha = "2960116e809e2fca84146dbb240289aee7db4827";
  const hubTarball = (id: string, revision: string) =>
    path.join(REPO_ROOT, "model", ".cache", "huggingface", id.replace("/", "--"), revision, "model.tar.gz");

  it("is the demo model when nothing is set, a file for path, and id@revision for huggingFace", () => {
    // Act
    const demo = resolveConfig({}, { defaultArtifactPath: testTarball() });
    const file = testConfig();
    const hub = resolveConfig({ modelArtifact: { huggingFace: { id: vit, revision: sha } } }, { requireArtifact: false });
    // Assess
    expect(demo.modelSource).toEqual({ kind: "demo", tarballPath: testTarball() });
    expect(file.modelSource).toEqual({ kind: "file", tarballPath: testTarball() });
    expect(hub.modelSource).toEqual({ kind: "huggingFace", id: vit, revision: sha, tarballPath: hubTarball(vit, sha) });
    expect(hub.modelArtifactPath).toBe(hubTarball(vit, sha));
    expect(describeModelSource(demo.modelSource)).toMatch(/^the demo model \(a tiny ViT trained on generated shapes/);
    expect(describeModelSource(hub.modelSource)).toBe(
      `${vit}@2960116e809e from the Hugging Face Hub: model/.cache/huggingface/google--vit-base-patch16-384/${sha}/model.tar.gz`,
    );
  });

  it("never downloads: a Hub model not packaged yet is a problem naming the exact command", () => {
    // Prepare
    const id = "never-downloaded-in-tests/vit";
    // Act / Assess
    expect(() => resolveConfig({ modelArtifact: { huggingFace: { id, revision: sha } } }, { source: "test" })).toThrow(
      `modelArtifact.huggingFace: ${id}@2960116e809e is not packaged yet (model/.cache/huggingface/never-downloaded-in-tests--vit/${sha}/model.tar.gz): ` +
        `run \`npm run model:package -- ${id} --revision ${sha}\` (npm run synth does it first)`,
    );
    expect(fs.existsSync(path.dirname(hubTarball(id, sha)))).toBe(false);
  });

  it("finds a packaged Hub model where the packager writes it", () => {
    // Prepare
    const id = `config-test-${process.pid}/vit`;
    const tarball = hubTarball(id, sha);
    fs.mkdirSync(path.dirname(tarball), { recursive: true });
    fs.copyFileSync(testTarball(), tarball);
    try {
      // Act
      const c = resolveConfig({ modelArtifact: { huggingFace: { id, revision: sha } } }, { source: "test" });
      // Assess
      expect(c.modelArtifactPath).toBe(tarball);
    } finally {
      fs.rmSync(path.join(REPO_ROOT, "model", ".cache", "huggingface", id.replace("/", "--")), { recursive: true });
    }
  });

  it("rejects path with huggingFace, branch revisions and ids the Hub would refuse, all at once", () => {
    // Act
    const problems = problemsOf({
      modelArtifact: { path: testTarball(), huggingFace: { id: vit, revision: sha } },
      endpoint: { name: "-bad" },
    });
    const bad = problemsOf({ modelArtifact: { huggingFace: { id: "google/vit--base", revision: "main", token: "hf_x" } } });
    // Assess
    expect(problems).toEqual([
      expect.stringMatching(/^endpoint.name: /),
      'modelArtifact: set either "path" (a model.tar.gz you built) or "huggingFace" (a model on the Hub), not both',
    ]);
    expect(bad).toEqual(
      expect.arrayContaining([
        'modelArtifact.huggingFace.id: must be a Hugging Face model id (no "--", "..", or ".git" ending)',
        "modelArtifact.huggingFace.revision: must be a full commit sha (40 hex characters), not a branch or tag: `npm run model:package -- <id>` prints the one main points to",
        "modelArtifact.huggingFace: Unrecognized key(s) in object: 'token'",
      ]),
    );
    expect(problemsOf({ modelArtifact: { huggingFace: { id: "not a model", revision: sha } } })).toContain(
      "modelArtifact.huggingFace.id: must be a Hugging Face model id such as google/vit-base-patch16-384",
    );
  });

  it("names the command that builds each kind (none for a tarball of your own)", () => {
    expect(buildCommand({ kind: "demo", tarballPath: testTarball() })).toEqual(["npm", "run", "--silent", "model:artifact"]);
    expect(buildCommand({ kind: "file", tarballPath: testTarball() })).toBeUndefined();
    expect(buildCommand({ kind: "huggingFace", id: vit, revision: sha, tarballPath: hubTarball(vit, sha) })).toEqual([
      "npm",
      "run",
      "--silent",
      "model:package",
      "--",
      vit,
      "--revision",
      sha,
      `model/.cache/huggingface/google--vit-base-patch16-384/${sha}/model.tar.gz`,
    ]);
  });
});

describe("Config: the example config (classifier.config.example.json) deploys as it is on a new account", () => {
  const file = path.join(REPO_ROOT, "classifier.config.example.json");
  const example = JSON.parse(fs.readFileSync(file, "utf8"));
  const c = resolveConfig(example, { baseDir: REPO_ROOT, source: file, requireArtifact: false });

  it("names the demo model's tarball relative to itself, as the default does", () => {
    expect(c.modelArtifactPath).toBe(path.join(REPO_ROOT, "model", ".cache", "model.tar.gz"));
  });

  it("needs no bucket of yours, no raised quota and no credentials to call: local state, no reserved concurrency, one instance, open API", () => {
    expect(c.backend).toBeUndefined();
    expect(c.lambda.reservedConcurrency).toBeNull();
    expect(c.variant).toMatchObject({ kind: "realtime", instanceCount: 1 });
    expect(c.autoscaling.enabled).toBe(false);
    expect(c.auth.mode).toBe("none");
  });

  it("holds no placeholder: no e-mail, topic, issuer or region to replace (the region is the deployer's AWS_REGION or profile)", () => {
    expect(c.alarms.email).toBeUndefined();
    expect(c.alarms.snsTopicArn).toBeUndefined();
    expect(c.region).toBeUndefined();
    expect(JSON.stringify(example)).not.toMatch(/example\.com|my-|changeme|xxx|<|1234/i);
  });

  it("is the stack the README's commands name (cdktf.out/stacks/vit-classifier)", () => {
    expect(c.stackName).toBe("vit-classifier");
  });
});

describe("Config: the fuller example in docs/configuration.md", () => {
  it("is a valid config once its <...> values are filled in", () => {
    // Prepare
    const doc = fs.readFileSync(path.join(REPO_ROOT, "docs", "configuration.md"), "utf8");
    const block = /### A fuller example[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)![1];
    const filled: Record<string, string> = {
      "<your web app's host>": "app.example.com",
      "<user-pool-id>": "eu-west-1_AbCdEfGhI",
      "<app-client-id>": "3n4b5urk1ft4fl3mg5e62d9ado",
      "<ops address>": "ops@example.com",
      "<your state bucket>": "tf-state-example",
    };
    const raw = JSON.parse(block.replace(/<[^>]+>/g, (placeholder) => filled[placeholder] ?? placeholder));
    // Act
    const c = resolveConfig({ ...raw, modelArtifact: { path: testTarball() } }, noBuild);
    // Assess
    expect(c.namePrefix).toBe("vit-classifier-prod");
    expect(c.apiCors?.allowOrigins).toEqual(["https://app.example.com"]);
    expect(c.backend?.key).toBe("vit-classifier-prod/terraform.tfstate");
  });
});
