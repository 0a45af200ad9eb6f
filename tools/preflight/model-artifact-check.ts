/**
 * The model the deploy would serve: the tarball exists, and what its config.json says it is. The demo model (a
 * tiny ViT on generated shapes, the default everywhere so that everything runs without a download) gets a loud
 * warning: deployed, it answers "red_disc" for a cat, on an instance billed by the hour.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../common/repo-root";
import type { ModelSource } from "../../src/config/model-source";
import { CheckResult, fail, pass, warn } from "./check-result";

/** The demo model's labels (model/demo/shapes.py: every colour with every shape); a test keeps them in step. */
export const DEMO_MODEL_LABELS: readonly string[] = ["red_disc", "red_ring", "red_cross", "blue_disc", "blue_ring", "blue_cross"];

export const REAL_MODEL_COMMAND = "npm run model:package -- google/vit-base-patch16-384";

/** How to deploy the real classifier instead: the packager prints the config line that pins what it downloaded. */
export const REAL_MODEL_FIX =
  `for the real classifier: ${REAL_MODEL_COMMAND} (it prints the "modelArtifact": {"huggingFace": ...} line ` +
  "to put in classifier.config.json), then npm run synth";

interface ModelConfigJson {
  readonly architectures?: readonly string[];
  readonly id2label?: Readonly<Record<string, string>>;
}

/** The model the config names (modelArtifact: nothing for the demo model, huggingFace, or path). */
export function modelArtifactCheck(source: ModelSource): CheckResult {
  const shown = path.relative(REPO_ROOT, source.tarballPath).startsWith("..")
    ? source.tarballPath
    : path.relative(REPO_ROOT, source.tarballPath);
  if (!fs.existsSync(source.tarballPath)) return missingTarball(source, shown);
  const size = `${(fs.statSync(source.tarballPath).size / 1024 ** 2).toFixed(1)} MB`;
  let config: ModelConfigJson;
  try {
    config = readModelConfig(source.tarballPath);
  } catch (error) {
    return warn(
      "model",
      `${shown} (${size}): no readable config.json at its root (${(error as Error).message})`,
      `package the model with npm run model:package (it checks the folder and writes config.json where the container looks for it)`,
    );
  }
  const labels = Object.values(config.id2label ?? {});
  if (isDemoModel(labels)) {
    return warn(
      "model",
      `THIS DEPLOYS THE DEMO SHAPES MODEL (${shown}: a tiny ViT that knows ${labels.length} coloured shapes, not photos)`,
      REAL_MODEL_FIX,
    );
  }
  const what = source.kind === "huggingFace" ? `${source.id}@${source.revision.slice(0, 12)}, ` : "";
  return pass(
    "model",
    `${what}${shown} (${size}): ${config.architectures?.join(", ") ?? "no architecture named"}, ${labels.length} labels`,
  );
}

function missingTarball(source: ModelSource, shown: string): CheckResult {
  switch (source.kind) {
    case "demo":
      return fail("model", `${shown} (the demo model) does not exist`, `${REAL_MODEL_FIX}; or npm run synth, which builds the demo model`);
    case "huggingFace":
      return fail(
        "model",
        `${source.id}@${source.revision.slice(0, 12)} is not packaged yet (${shown})`,
        `npm run synth downloads and packages it (npm run model:package -- ${source.id} --revision ${source.revision})`,
      );
    case "file":
      return fail(
        "model",
        `${shown} does not exist`,
        `package a model into it (npm run model:package -- <model folder or Hub id> ${shown}), or fix modelArtifact.path`,
      );
  }
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
