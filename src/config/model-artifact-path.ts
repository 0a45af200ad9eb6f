/**
 * A fresh clone has no model tarball yet: when no path is configured and the default one
 * (model/.cache/model.tar.gz) is missing, synth builds it with `npm run model:artifact`
 * (demo model + package_model.py, both cached) so `cdktf synth` always works.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../common/repo-root";
import { UserFacingError } from "./errors";

export type CommandRunner = (command: string, args: string[], cwd: string) => { status: number | null; error?: Error };

const runCommand: CommandRunner = (command, args, cwd) =>
  // stdout goes to stderr: cdktf reads the app's stdout, and build chatter is not part of the synth output.
  spawnSync(command, args, { cwd, stdio: ["ignore", process.stderr, "inherit"] });

export function ensureDefaultModelArtifact(artifactPath: string, run: CommandRunner = runCommand): void {
  if (fs.existsSync(artifactPath)) return;
  const relative = path.relative(REPO_ROOT, artifactPath);
  process.stderr.write(`${relative} is missing: building it with \`npm run model:artifact\` (first synth only)...\n`);
  const result = run("npm", ["run", "--silent", "model:artifact"], REPO_ROOT);
  if (result.error || result.status !== 0 || !fs.existsSync(artifactPath)) {
    const why = result.error ? result.error.message : `exit code ${result.status}`;
    throw new UserFacingError(
      `The default model artifact ${relative} is missing and \`npm run model:artifact\` could not build it (${why}). ` +
        `Run \`npm run model:artifact\` and read its output, or set modelArtifact.path in your classifier config ` +
        `(CLASSIFIER_CONFIG) to an existing model.tar.gz.`,
    );
  }
}
