/**
 * The model the deploy would serve: the tarball exists, and what its config.json says it is. The demo model (a
 * tiny ViT on generated shapes, the default everywhere so that everything runs without a download) gets a loud
 * warning: deployed, it answers "red_disc" for a cat, on an instance billed by the hour.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../common/repo-root";
import { CheckResult, fail, pass, warn } from "./check-result";

/** The demo model's labels (model/demo/shapes.py: every colour with every shape); a test keeps them in step. */
export const DEMO_MODEL_LABELS: readonly string[] = ["red_disc", "red_ring", "red_cross", "blue_disc", "blue_ring", "blue_cross"];

export const REAL_MODEL_COMMAND = "npm run package-model -- google/vit-base-patch16-384";

interface ModelConfigJson {
  readonly architectures?: readonly string[];
  readonly id2label?: Readonly<Record<string, string>>;
}

export interface ModelArtifactInput {
  /** The tarball the deploy uploads (resolved by the config). */
  readonly tarballPath: string;
  /** Whether modelArtifact.path names it (else it is the default, the demo model's). */
  readonly configured: boolean;
}

export function modelArtifactCheck(input: ModelArtifactInput): CheckResult {
  const shown = path.relative(REPO_ROOT, input.tarballPath).startsWith("..")
    ? input.tarballPath
    : path.relative(REPO_ROOT, input.tarballPath);
  if (!fs.existsSync(input.tarballPath)) {
    return fail(
      "model",
      `${shown} does not exist`,
      input.configured
        ? `package the model into it (${REAL_MODEL_COMMAND}, or npm run package-model -- <model folder> ${shown}), or fix modelArtifact.path`
        : `for the real model: ${REAL_MODEL_COMMAND}, then set modelArtifact.path to the tarball it writes; npm run model:artifact builds the demo model`,
    );
  }
  const size = `${(fs.statSync(input.tarballPath).size / 1024 ** 2).toFixed(1)} MB`;
  let config: ModelConfigJson;
  try {
    config = readModelConfig(input.tarballPath);
  } catch (error) {
    return warn(
      "model",
      `${shown} (${size}): no readable config.json at its root (${(error as Error).message})`,
      `package the model with npm run package-model (it checks the folder and writes config.json where the container looks for it)`,
    );
  }
  const labels = Object.values(config.id2label ?? {});
  if (isDemoModel(labels)) {
    return warn(
      "model",
      `THIS DEPLOYS THE DEMO SHAPES MODEL (${shown}: a tiny ViT that knows ${labels.length} coloured shapes, not photos)`,
      `for the real classifier: ${REAL_MODEL_COMMAND}, then set modelArtifact.path in classifier.config.json to the tarball it writes`,
    );
  }
  return pass("model", `${shown} (${size}): ${config.architectures?.join(", ") ?? "no architecture named"}, ${labels.length} labels`);
}

export function isDemoModel(labels: readonly string[]): boolean {
  return labels.length === DEMO_MODEL_LABELS.length && DEMO_MODEL_LABELS.every((label) => labels.includes(label));
}

/** config.json out of the tarball (the tar command: every platform the project runs on has it). */
function readModelConfig(tarball: string): ModelConfigJson {
  for (const member of ["config.json", "./config.json"]) {
    const result = spawnSync("tar", ["-xzOf", tarball, member], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.error) throw result.error;
    if (result.status === 0) return JSON.parse(result.stdout) as ModelConfigJson;
  }
  throw new Error("tar found no config.json");
}
