/**
 * The preflight in the deploy rehearsal: the real `npm run preflight` command (tools/preflight/cli.ts) run as a user
 * runs it, in the rehearsal's workspace with the emulator's environment (the SDK's default credential chain finds
 * the dummy keys; AWS_ENDPOINT_URL points every client at the emulator).
 *
 * What the emulator lacks for it is workaround 5 of tools/deploy/emulator/workarounds.py (Service Quotas for
 * SageMaker; a requested increase is granted at once). Lambda's GetAccountSettings is missing from moto too, but the
 * default config reserves no concurrency, so the preflight never asks.
 *
 * Before the deploy: a new account (endpoint quota 0) plus a log group left over from an earlier deploy fail the
 * preflight, each line with its fix; the rehearsal then applies both fixes exactly as printed (the quota request's
 * code and value, the log group's deletion) and the preflight passes. After the deploy: the stack's own endpoint and
 * names exist and count neither against the quota nor as collisions.
 */
import * as path from "path";
import { CreateLogGroupCommand, DeleteLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { RequestServiceQuotaIncreaseCommand } from "@aws-sdk/client-service-quotas";
import { REPO_ROOT } from "../../common/repo-root";
import { sagemakerEndpointLogGroupName } from "../../common/facts";
import { CommandResult, run } from "./cdktf-workspace";
import { Rehearsal } from "./rehearsal";

type Step = [name: string, run: () => Promise<string[]>];

/** What the preflight printed at each step, for the rehearsal test to read. */
export type PreflightOutputs = Partial<Record<"newAccount" | "fixed" | "deployed", string>>;

/** `npm run preflight` in the workspace (where cdktf keeps the local state) with a config of the workspace. */
export function runPreflightCli(r: Rehearsal, configFile: string): Promise<CommandResult> {
  const cli = [
    path.join(REPO_ROOT, "node_modules", "ts-node", "dist", "bin.js"),
    "--transpile-only",
    path.join(REPO_ROOT, "tools", "preflight", "cli.ts"),
  ];
  return run(process.execPath, cli, r.workspace.dir, { ...r.workspace.env, CLASSIFIER_CONFIG: configFile });
}

/** The quota request a FAIL line prints: `aws service-quotas request-service-quota-increase ...`. */
export function printedQuotaRequest(output: string): { serviceCode: string; quotaCode: string; desiredValue: number } | undefined {
  const match = /aws service-quotas request-service-quota-increase --service-code (\S+) --quota-code (\S+) --desired-value (\d+)/.exec(
    output,
  );
  return match ? { serviceCode: match[1], quotaCode: match[2], desiredValue: Number(match[3]) } : undefined;
}

/** The preflight of a new account fails with fixes; the fixes applied, it passes. */
export function preflightBeforeDeploy(r: Rehearsal, configFile: string, outputs: PreflightOutputs): Step[] {
  const leftover = sagemakerEndpointLogGroupName(r.names.endpointName);
  return [
    [
      "preflight of a new account fails with the fix: endpoint quota 0, a leftover log group",
      async () => {
        await r.clients.logs.send(new CreateLogGroupCommand({ logGroupName: leftover }));
        const result = await runPreflightCli(r, configFile);
        outputs.newAccount = result.output;
        const problems: string[] = [];
        if (result.status !== 1) problems.push(`the preflight exited ${result.status}, not 1`);
        if (!/^FAIL {2}endpoint quota: "ml\.c7i\.xlarge for endpoint usage" is 0 \(the AWS default\)/m.test(result.output))
          problems.push("no FAIL line for the endpoint quota");
        if (!printedQuotaRequest(result.output)) problems.push("no quota request printed");
        if (!new RegExp(`^FAIL {2}account-wide names: log group ${leftover} already exists`, "m").test(result.output))
          problems.push("no FAIL line for the leftover log group");
        if (!result.output.includes(`aws logs delete-log-group --log-group-name '${leftover}'`))
          problems.push("no command to delete the leftover");
        return problems;
      },
    ],
    [
      "preflight passes once the printed fixes are applied",
      async () => {
        const request = printedQuotaRequest(outputs.newAccount ?? "");
        if (!request) return ["the previous step printed no quota request"];
        await r.clients.serviceQuotas.send(
          new RequestServiceQuotaIncreaseCommand({
            ServiceCode: request.serviceCode,
            QuotaCode: request.quotaCode,
            DesiredValue: request.desiredValue,
          }),
        );
        await r.clients.logs.send(new DeleteLogGroupCommand({ logGroupName: leftover }));
        const result = await runPreflightCli(r, configFile);
        outputs.fixed = result.output;
        return result.status === 0 && !/^FAIL/m.test(result.output) ? [] : [`the preflight still fails:\n${result.output.slice(-3000)}`];
      },
    ],
  ];
}

/** Right after the deploy, the stack's own endpoint and names are not held against it. */
export function preflightAfterDeploy(r: Rehearsal, configFile: string, outputs: PreflightOutputs): Step[] {
  return [
    [
      "preflight after the deploy counts neither the stack's endpoint nor its names against it",
      async () => {
        const result = await runPreflightCli(r, configFile);
        outputs.deployed = result.output;
        const problems: string[] = [];
        if (result.status !== 0) problems.push(`the preflight exited ${result.status}:\n${result.output.slice(-3000)}`);
        if (!/^PASS {2}endpoint quota: .*; other endpoints hold 0;/m.test(result.output))
          problems.push("the endpoint quota line counts the stack's own endpoint");
        if (!/^PASS {2}account-wide names: \d+ of the \d+ names exist, all in this stack's state/m.test(result.output))
          problems.push("the names line does not recognise the stack's own names");
        return problems;
      },
    ],
  ];
}
