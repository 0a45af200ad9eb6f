// `npm run model:build`, the first step of `npm run synth`: builds the model tarball the stack config names, so synth
// (which never builds or downloads anything itself) finds it. The demo model when `modelArtifact` names none
// (`npm run model:artifact`), the Hub model at its pinned commit for `modelArtifact.huggingFace`
// (`npm run model:package -- <id> --revision <sha>`, a download the first time), nothing for `modelArtifact.path`.
import { spawnSync } from "child_process";
import { REPO_ROOT } from "../common/repo-root";
import { UserFacingError } from "../src/config/errors";
import { loadConfig } from "../src/config/load-config";
import { buildCommand, describeModelSource } from "../src/config/model-source";

try {
  // Every other setting is validated too: a config synth would refuse is reported before a long download.
  const config = loadConfig(process.env, { requireArtifact: false });
  console.log(`model: ${describeModelSource(config.modelSource)}`);
  const command = buildCommand(config.modelSource);
  if (command === undefined) {
    console.log("modelArtifact.path names your own tarball: nothing to build");
    process.exit(0);
  }
  const [program, ...args] = command;
  const result = spawnSync(program, args, { cwd: REPO_ROOT, stdio: "inherit" });
  process.exit(result.status ?? 1);
} catch (error) {
  if (!(error instanceof UserFacingError)) throw error;
  console.error(error.message);
  process.exit(1);
}
