/**
 * npm run rehearse [-- --keep]
 *
 * Runs `cdktf deploy`, checks, `cdktf plan`, a model rollout, a failed rollout and `cdktf destroy` of this stack
 * against a local AWS emulator (moto, started and stopped here): try a deploy without an AWS account. Terraform
 * installs hashicorp/aws from a filesystem mirror when one is found (TF_PROVIDER_MIRROR, Terraform's own plugin
 * folders, /opt/<dir>), else from the registry. --keep leaves the workspace (state, configs, plans) behind.
 * Exit code 0 when every step passed.
 */
import { runScenario } from "./rehearsal-scenario";
import { Rehearsal } from "./rehearsal";

async function main(): Promise<number> {
  const keepWorkspace = process.argv.includes("--keep");
  const log = (line: string) => console.log(`[rehearse] ${line}`);
  const rehearsal = await Rehearsal.start({ requireMirror: false, keepWorkspace, log });
  try {
    const report = await runScenario(rehearsal, log);
    const passed = report.steps.filter((s) => s.status === "passed").length;
    console.log(`\nRehearsal: ${passed} of ${report.steps.length} steps passed in ${(report.totalMs / 1000).toFixed(0)} s`);
    for (const step of report.steps) console.log(`  ${step.status.toUpperCase().padEnd(7)} ${step.name}`);
    if (keepWorkspace) console.log(`Workspace kept: ${rehearsal.workspace.dir}`);
    return passed === report.steps.length ? 0 : 1;
  } finally {
    await rehearsal.stop();
  }
}

// exitCode, not process.exit(): output still on its way to a pipe would be cut off.
main().then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(`[rehearse] ${error.message}`);
    process.exitCode = 1;
  },
);
