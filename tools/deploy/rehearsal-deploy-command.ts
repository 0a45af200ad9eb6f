/**
 * `npm run plan:review` then `npm run deploy` in the deploy rehearsal: the real commands (tools/deploy/*-cli.ts),
 * run as a user runs them in the rehearsal's workspace with the emulator's environment. The reviewed rollout is
 * applied by `npm run deploy`; a config changed after the review makes the same plan stale, and deploy refuses it
 * without changing anything.
 */
import * as path from "path";
import { REPO_ROOT } from "../../common/repo-root";
import { CommandResult, run } from "./cdktf-workspace";
import { Rehearsal } from "./rehearsal";

type Step = [name: string, run: () => Promise<string[]>];

/** What the commands printed, for the rehearsal test to read. */
export type DeployCommandOutputs = Partial<Record<"review" | "stale" | "deploy", string>>;

/** One of the project's TypeScript CLIs (tools/...) in the workspace, with a config of the workspace. */
export function runProjectCli(r: Rehearsal, cli: string, args: string[], configFile: string): Promise<CommandResult> {
  const command = [
    path.join(REPO_ROOT, "node_modules", "ts-node", "dist", "bin.js"),
    "--transpile-only",
    path.join(REPO_ROOT, cli),
    ...args,
  ];
  return run(process.execPath, command, r.workspace.dir, { ...r.workspace.env, CLASSIFIER_CONFIG: configFile });
}

/**
 * Steps: review the rollout (the stack folder must hold the rollout's synth, e.g. after `cdktf plan` of it), refuse
 * the reviewed plan once the config changed, then apply it with the config it was reviewed with.
 */
export function deployReviewedRollout(r: Rehearsal, rollout: string, changedAfterReview: string, outputs: DeployCommandOutputs): Step[] {
  return [
    [
      "npm run plan:review saves and records the rollout's plan",
      async () => {
        const result = await runProjectCli(r, "tools/deploy/plan-review-cli.ts", [], rollout);
        outputs.review = result.output;
        const problems: string[] = [];
        if (result.status !== 0) problems.push(`plan:review exited ${result.status}, not 0`);
        if (!result.output.includes("To apply exactly this plan: npm run deploy"))
          problems.push("plan:review does not point at npm run deploy");
        return problems;
      },
    ],
    [
      "npm run deploy refuses the reviewed plan once the config changed, and changes nothing",
      async () => {
        const endpointBefore = await r.endpointConfigName();
        const result = await runProjectCli(r, "tools/deploy/deploy-cli.ts", [], changedAfterReview);
        outputs.stale = result.output;
        const problems: string[] = [];
        if (result.status !== 1) problems.push(`deploy exited ${result.status}, not 1`);
        if (!/refused: the plan is stale/.test(result.output)) problems.push("deploy does not say the plan is stale");
        if ((await r.endpointConfigName()) !== endpointBefore) problems.push("the endpoint changed although deploy refused");
        return problems;
      },
    ],
    [
      "npm run deploy applies exactly the reviewed rollout and prints the curl line",
      async () => {
        const result = await runProjectCli(r, "tools/deploy/deploy-cli.ts", [], rollout);
        outputs.deploy = result.output;
        const problems: string[] = [];
        if (result.status !== 0) problems.push(`deploy exited ${result.status}, not 0:\n${result.output.slice(-3000)}`);
        if (!/Apply complete!/.test(result.output)) problems.push("terraform apply did not run");
        if (!/curl --data-binary @photo\.jpg -H 'Content-Type: image\/jpeg' 'https:\/\/\S+\/classify'/.test(result.output))
          problems.push("no curl line with the classify URL");
        return problems;
      },
    ],
  ];
}
