/**
 * cdktf's CLI phones home (checkpoint-api.hashicorp.com) unless CHECKPOINT_DISABLE is set; offline that prints an
 * "[ERROR] getaddrinfo ..." line into every synth. The project's own scripts switch it off, so the user's first
 * `npm run synth` prints no error that isn't one. Nor does any config print Node's deprecation warnings (cdktf 0.21
 * checks a plain output value with util.isArray: DEP0044).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../../common/repo-root";
import { testTarball } from "../../synth/helpers";

/**
 * This environment as a user has it: no CHECKPOINT_DISABLE, no TF_CLI_CONFIG_FILE (set on the project's machines to a
 * file that does not exist), and nothing an outer `npm run` set (e.g. --silent).
 */
function userEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !["CHECKPOINT_DISABLE", "TF_CLI_CONFIG_FILE"].includes(name) && !name.toLowerCase().startsWith("npm_"),
    ),
  );
}

describe("npm run synth, as a user runs it without network", () => {
  it("writes the stack and prints no [ERROR] line", () => {
    // Prepare
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "quiet-synth-"));
    // Act
    const result = spawnSync("npm", ["run", "synth", "--", "--output", outdir], {
      cwd: REPO_ROOT,
      env: { ...userEnvironment(), CLASSIFIER_CONFIG: "" },
      encoding: "utf8",
      timeout: 180_000,
    });
    // Assess
    const output = `${result.stdout}${result.stderr}`;
    expect(result.status).toBe(0);
    expect(fs.existsSync(path.join(outdir, "stacks", "vit-classifier", "cdk.tf.json"))).toBe(true);
    expect(output).not.toMatch(/\[ERROR\]|checkpoint-api|getaddrinfo/);
  }, 200_000);
});

describe("synth of every representative config", () => {
  it("raises no deprecation (node --throw-deprecation)", () => {
    // Prepare: one Node process synthesizing them all, as each deprecation warns once per process.
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "deprecation-synth-"));
    const script = `
      const { App } = require("cdktf");
      const { representativeConfigs } = require("./tools/deploy/representative-configs");
      const { resolveConfig } = require("./src/config/load-config");
      const { ClassifierStack } = require("./src/stack");
      const { fixtureBundle } = require("./__tests__/synth/helpers");
      for (const [name, raw] of Object.entries(representativeConfigs(${JSON.stringify(testTarball())}))) {
        const config = resolveConfig(raw, { source: name, requireArtifact: false });
        const app = new App({ outdir: ${JSON.stringify(outdir)} + "/" + name });
        new ClassifierStack(app, config.stackName, { config, lambdaBundle: fixtureBundle() });
        app.synth();
      }`;
    // Act
    const result = spawnSync(process.execPath, ["--throw-deprecation", "-r", "ts-node/register/transpile-only", "-e", script], {
      cwd: REPO_ROOT,
      env: userEnvironment(),
      encoding: "utf8",
      timeout: 180_000,
    });
    // Assess
    expect(result.stderr).not.toMatch(/Deprecat/);
    expect(result.status).toBe(0);
  }, 200_000);
});
