/**
 * Which model the stack deploys, decided by `modelArtifact` alone, and what is wrong when its tarball is missing:
 *
 *   nothing set         -> the demo model (model/.cache/model.tar.gz, `npm run model:artifact`)
 *   huggingFace {id, revision} -> that Hub model at that commit (model/.cache/huggingface/..., `npm run model:package`)
 *   path                -> your own tarball, used as it is
 *
 * Reading the config never builds or downloads anything: a missing tarball is a problem naming the exact command that
 * builds it, and `npm run synth` runs that command first (`npm run model:build`, scripts/build-model.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../common/repo-root";
import { huggingFaceArtifactPath } from "./defaults";
import type { ConfigProblem, ParsedConfig } from "./schema";

export type ModelSource =
  | { readonly kind: "demo"; readonly tarballPath: string }
  | { readonly kind: "file"; readonly tarballPath: string }
  | { readonly kind: "huggingFace"; readonly id: string; readonly revision: string; readonly tarballPath: string };

/** The model the section names; `baseDir` resolves a relative path, `demoTarball` is the default tarball. */
export function modelSource(section: ParsedConfig["modelArtifact"], baseDir: string, demoTarball: string): ModelSource {
  if (section.path !== undefined) return { kind: "file", tarballPath: path.resolve(baseDir, section.path) };
  if (section.huggingFace !== undefined) {
    const { id, revision } = section.huggingFace;
    return { kind: "huggingFace", id, revision, tarballPath: huggingFaceArtifactPath(id, revision) };
  }
  return { kind: "demo", tarballPath: demoTarball };
}

/** One line for people: what this config deploys. */
export function describeModelSource(source: ModelSource): string {
  switch (source.kind) {
    case "demo":
      return `the demo model (a tiny ViT trained on generated shapes, not a real classifier): ${shown(source.tarballPath)}`;
    case "file":
      return `your model tarball ${shown(source.tarballPath)}`;
    case "huggingFace":
      return `${source.id}@${source.revision.slice(0, 12)} from the Hugging Face Hub: ${shown(source.tarballPath)}`;
  }
}

/** The command that builds the tarball (run from the repository root); undefined for a tarball of your own. */
export function buildCommand(source: ModelSource): readonly string[] | undefined {
  switch (source.kind) {
    case "demo":
      return ["npm", "run", "--silent", "model:artifact"];
    case "huggingFace":
      return ["npm", "run", "--silent", "model:package", "--", source.id, "--revision", source.revision, shown(source.tarballPath)];
    case "file":
      return undefined;
  }
}

/** What is wrong with the source's tarball (nothing when it exists). */
export function modelSourceProblems(source: ModelSource): ConfigProblem[] {
  switch (source.kind) {
    case "demo":
      return defaultArtifactProblems(source.tarballPath);
    case "file":
      return artifactProblems(source.tarballPath);
    case "huggingFace":
      if (fs.existsSync(source.tarballPath)) return [];
      return [
        {
          path: "modelArtifact.huggingFace",
          message:
            `${source.id}@${source.revision.slice(0, 12)} is not packaged yet (${shown(source.tarballPath)}): ` +
            `run \`npm run model:package -- ${source.id} --revision ${source.revision}\` (npm run synth does it first)`,
        },
      ];
  }
}

/** The default tarball is built on request only (`npm run model:artifact`), never as a side effect of reading the config. */
function defaultArtifactProblems(artifact: string): ConfigProblem[] {
  if (fs.existsSync(artifact)) return [];
  return [
    {
      path: "modelArtifact.path",
      message:
        `not set, and the default ${path.relative(REPO_ROOT, artifact)} does not exist yet: build it with \`npm run model:artifact\` ` +
        "(the demo model), set modelArtifact.huggingFace to a model on the Hub, or modelArtifact.path to your own model.tar.gz",
    },
  ];
}

function artifactProblems(artifact: string): ConfigProblem[] {
  if (!fs.existsSync(artifact) || !fs.statSync(artifact).isFile()) {
    return [{ path: "modelArtifact.path", message: `model tarball not found: ${artifact}` }];
  }
  if (!artifact.endsWith(".tar.gz")) {
    return [{ path: "modelArtifact.path", message: `must be a .tar.gz file (SageMaker's model.tar.gz): ${artifact}` }];
  }
  return [];
}

/** A path inside the repository relative to its root (as the commands above are run), any other one as it is. */
function shown(file: string): string {
  const relative = path.relative(REPO_ROOT, file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}
