/**
 * The stack this config synthesizes, as Terraform JSON (what cdk.tf.json holds), made in memory: the same
 * ClassifierStack the deploy synthesizes, so names and backend read from it cannot drift from what Terraform will
 * create. Two inputs are stand-ins, because no name depends on their contents and they are slow or have side
 * effects: the model tarball (hashed at synth; 350 MB for ViT-B/16-384) and the Lambda bundle (esbuild rewrites
 * dist/lambda).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import type { ClassifierConfig } from "../../src/config/load-config";
import { ClassifierStack } from "../../src/stack";

/** The parts of the synthesized JSON the preflight reads. */
export interface SynthesizedStack {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  readonly terraform?: { readonly backend?: Readonly<Record<string, Readonly<Record<string, unknown>>>> };
}

export function synthesizeStack(config: ClassifierConfig): SynthesizedStack {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-synth-"));
  try {
    const tarball = path.join(dir, "model.tar.gz");
    const bundleDir = path.join(dir, "bundle");
    fs.writeFileSync(tarball, "stand-in: names do not depend on the model");
    fs.mkdirSync(bundleDir);
    fs.writeFileSync(path.join(bundleDir, "index.js"), "");
    const app = new App({ outdir: path.join(dir, "cdktf.out") });
    const stack = new ClassifierStack(app, config.stackName, {
      config: { ...config, modelArtifactPath: tarball },
      lambdaBundle: { outdir: bundleDir, file: path.join(bundleDir, "index.js"), handler: "index.handler" },
    });
    // Adds the backend cdktf would add at synth (local state beside the folder cdktf runs in, unless configured).
    stack.prepareStack();
    return stack.toTerraform() as SynthesizedStack;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
