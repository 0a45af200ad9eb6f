// `terraform validate` of the synthesized stack in every representative configuration (plus the default), offline:
// hashicorp/aws comes from the machine's filesystem mirror through a CLI config of the test's own.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { pinnedAwsProviderVersion } from "../../../tools/deploy/provider-version";
import { representativeConfigs } from "../../../tools/deploy/representative-configs";
import { setUpTerraform, TerraformSetup } from "../../../tools/deploy/terraform-setup";
import { REPO_ROOT } from "../../../common/repo-root";
import { ClassifierStack } from "../../../src/stack";
import { resolveConfig } from "../../../src/config/load-config";
import { fixtureBundle, testTarball } from "../../synth/helpers";

jest.setTimeout(120_000);

const work = fs.mkdtempSync(path.join(os.tmpdir(), "tf-validate-"));
let terraform: TerraformSetup;

beforeAll(() => {
  terraform = setUpTerraform({ providerVersion: pinnedAwsProviderVersion(), workDir: work, requireMirror: true });
});

function synth(name: string, raw: Record<string, unknown>): string {
  // Relative paths (the example's tarball) resolve against the repository root, where the example lives.
  const config = resolveConfig(raw, { source: name, baseDir: REPO_ROOT, requireArtifact: false });
  const app = new App({ outdir: path.join(work, name) });
  new ClassifierStack(app, config.stackName, { config, lambdaBundle: fixtureBundle() });
  app.synth();
  return path.join(work, name, "stacks", config.stackName);
}

function tf(args: string[], cwd: string) {
  return spawnSync("terraform", args, { cwd, env: terraform.env, encoding: "utf8" });
}

/**
 * The example config as it is, except its tarball: validate reads nothing of it, and the demo model's may not be built
 * yet (the deploy rehearsal deploys the example with the real one).
 */
const example = {
  ...JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "classifier.config.example.json"), "utf8")),
  modelArtifact: { path: testTarball() },
};
const configs = Object.entries({
  default: { modelArtifact: { path: testTarball() } },
  example,
  ...representativeConfigs(testTarball()),
});

describe("terraform validate (offline, hashicorp/aws from the filesystem mirror)", () => {
  it.each(configs)("%s", (name, raw) => {
    // Prepare
    const stackDir = synth(name, raw as Record<string, unknown>);
    // Act: -backend=false, so the S3 backend config is validated without reaching a bucket
    const init = tf(["init", "-backend=false", "-input=false", "-no-color"], stackDir);
    const validate = tf(["validate", "-json", "-no-color"], stackDir);
    // Assess
    expect(init.status).toBe(0);
    const result = JSON.parse(validate.stdout);
    expect(result.diagnostics).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("covers every mode-dependent resource between the configurations", () => {
    // Prepare
    const types = new Set<string>();
    for (const [name] of configs) {
      const json = JSON.parse(
        fs.readFileSync(path.join(work, name, "stacks", fs.readdirSync(path.join(work, name, "stacks"))[0], "cdk.tf.json"), "utf8"),
      );
      for (const type of Object.keys(json.resource)) types.add(type);
      if (json.terraform.backend?.s3) types.add("backend s3");
    }
    // Assess
    expect([...types]).toEqual(
      expect.arrayContaining([
        "aws_appautoscaling_target",
        "aws_appautoscaling_policy",
        "aws_apigatewayv2_authorizer",
        "aws_sns_topic",
        "aws_sns_topic_subscription",
        "aws_kms_key",
        "backend s3",
      ]),
    );
  });
});
