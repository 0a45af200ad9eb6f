/**
 * The model tarball the stack deploys, and what is wrong when it is missing. Reading the config never builds or
 * downloads anything: a missing tarball is a problem that names the command building it.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../common/repo-root";
import type { ConfigProblem } from "./schema";

/** The default tarball is built on request only (`npm run model:artifact`), never as a side effect of reading the config. */
export function defaultArtifactProblems(artifact: string): ConfigProblem[] {
  if (fs.existsSync(artifact)) return [];
  return [
    {
      path: "modelArtifact.path",
      message:
        `not set, and the default ${path.relative(REPO_ROOT, artifact)} does not exist yet: build it with \`npm run model:artifact\` ` +
        "(the demo model), or set modelArtifact.path to your own model.tar.gz",
    },
  ];
}

export function artifactProblems(artifact: string): ConfigProblem[] {
  if (!fs.existsSync(artifact) || !fs.statSync(artifact).isFile()) {
    return [{ path: "modelArtifact.path", message: `model tarball not found: ${artifact}` }];
  }
  if (!artifact.endsWith(".tar.gz")) {
    return [{ path: "modelArtifact.path", message: `must be a .tar.gz file (SageMaker's model.tar.gz): ${artifact}` }];
  }
  return [];
}
