// The deploy rehearsal through the real CLIs: cdktf deploy / plan / destroy of the default config against the AWS
// emulator, offline (hashicorp/aws from the filesystem mirror). Each step's own checks are asserted here, plus the
// plan review CLI on the rehearsal's plans.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../../common/repo-root";
import { Rehearsal } from "../../../tools/deploy/rehearsal";
import { runScenario, ScenarioReport } from "../../../tools/deploy/rehearsal-scenario";

jest.setTimeout(60_000);

let report: ScenarioReport;

beforeAll(async () => {
  const log = (line: string) => process.stderr.write(`[rehearsal] ${line}\n`);
  const rehearsal = await Rehearsal.start({ requireMirror: true, log });
  try {
    report = await runScenario(rehearsal, log);
  } finally {
    await rehearsal.stop();
  }
  // About 7 minutes on a quiet 2-core machine; the limit only catches a hang.
}, 1_800_000);

const step = (prefix: string) => {
  const found = report.steps.find((s) => s.name.startsWith(prefix));
  if (!found) throw new Error(`no step "${prefix}"`);
  return found;
};

describe("Deploy rehearsal (cdktf against the AWS emulator)", () => {
  it.each([
    "preflight of a new account fails with the fix",
    "preflight passes once the printed fixes are applied",
    "deploy the default config",
    "what exists is what the stack asked for",
    "preflight after the deploy counts neither the stack's endpoint nor its names against it",
    "a plan right after deploy changes nothing",
    "a drift made outside Terraform is caught",
    "a new model tarball plans as a rollout without downtime",
    "npm run plan:review saves and records the rollout's plan",
    "npm run deploy refuses the reviewed plan once the config changed, and changes nothing",
    "npm run deploy applies exactly the reviewed rollout and prints the curl line",
    "the rollout applied and the old model is gone",
    "renaming the endpoint plans as a replacement",
    "a rollout whose model fails its health checks fails the deploy and deletes nothing in use",
    "deploying a good model after the failed rollout recovers and cleans up",
    "destroy leaves nothing",
  ])("%s", (name) => {
    expect(step(name)).toMatchObject({ status: "passed", problems: [] });
  });

  it("preflight: fails with the quota request when the endpoint quota is 0, and passes once it suffices", () => {
    const line = (output: string | undefined, check: string) => output?.split("\n").find((l) => l.slice(6).startsWith(`${check}:`));
    expect(line(report.preflight.newAccount, "endpoint quota")).toMatch(
      /^FAIL {2}endpoint quota: "ml\.c7i\.xlarge for endpoint usage" is 0 \(the AWS default\); other endpoints hold 0; this config needs 1 to deploy, 2 during a rollout/,
    );
    expect(report.preflight.newAccount).toMatch(
      /fix: request 2: .* aws service-quotas request-service-quota-increase --service-code sagemaker --quota-code L-[0-9A-F]{8} --desired-value 2 --region us-east-1/,
    );
    expect(line(report.preflight.fixed, "endpoint quota")).toMatch(
      /^PASS {2}endpoint quota: "ml\.c7i\.xlarge for endpoint usage" is 2 \(applied to this account\)/,
    );
    expect(report.preflight.fixed?.trimEnd().split("\n").pop()).toMatch(
      /^Preflight: \d+ passed, 1 warning, 0 failed: nothing blocks a deploy; read the WARN lines first\.$/,
    );
    expect(line(report.preflight.fixed, "model")).toMatch(/^WARN {2}model: THIS DEPLOYS THE DEMO SHAPES MODEL/);
  });

  it("npm run deploy: applies the plan plan:review saved, refuses it once stale, and says how to review again", () => {
    expect(report.deployCommand.stale).toMatch(/deploy: refused: the plan is stale: .*run `npm run synth && npm run plan:review` again/);
    expect(report.deployCommand.stale).not.toMatch(/Apply complete!/);
    expect(report.deployCommand.deploy).toMatch(/Deployed\. Outputs/);
    expect(report.deployCommand.deploy).toMatch(/^ {2}classify_url +https:\/\/\S+\/classify$/m);
  });

  describe("a second copy of the stack beside the first (the example config, another checkout, another region)", () => {
    it.each([
      "a second copy: the example config as it is",
      "both copies are what their stacks asked for, side by side in one account",
      "enabling CORS is an in-place update of the HTTP API, read back from the emulator",
      "destroying the second copy leaves nothing of it and the first copy whole",
    ])("%s", (name) => {
      expect(step(name)).toMatchObject({ status: "passed", problems: [] });
    });

    it("reviews enabling CORS as non-destructive", () => {
      expect(report.plans.cors?.review.destructive).toBe(false);
    });
  });

  it("explains a rolled-back rollout in the deploy output", () => {
    expect(report.failedRolloutOutput).toMatch(
      /Rollout failed: endpoint vit-classifier still runs endpoint configuration\s+vit-classifier-\d+/,
    );
    expect(report.failedRolloutOutput).toMatch(/nothing\s+it\s+uses\s+was\s+deleted/);
  });

  it("reviews the idempotency plan (emulator read-back only) and the rollout plan as non-destructive", () => {
    expect(report.plans.idempotency?.review.destructive).toBe(false);
    expect(report.plans.rollout?.review.findings.map((f) => f.title)).toContain("model rollout without downtime");
    expect(report.plans.drift?.review.findings.flatMap((f) => f.details)).toEqual(
      expect.arrayContaining([expect.stringContaining("memory_size")]),
    );
  });

  it("plan:review fails on the endpoint rename unless destructive changes are allowed", () => {
    // Prepare
    const cli = (...args: string[]) =>
      spawnSync(
        process.execPath,
        [
          require.resolve("ts-node/dist/bin.js"),
          "--transpile-only",
          path.join(REPO_ROOT, "tools", "deploy", "plan-review-cli.ts"),
          ...args,
        ],
        {
          encoding: "utf8",
          cwd: REPO_ROOT,
        },
      );
    const planFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rename-plan-")), "rename.json");
    fs.writeFileSync(planFile, JSON.stringify(report.plans.rename!.plan));
    // Act
    const refused = cli("--skip-preflight", "--plan", planFile);
    const allowed = cli("--skip-preflight", "--plan", planFile, "--allow-destructive");
    const bad = cli("--skip-preflight", "--plan");
    // Assess
    expect({ status: refused.status, stderr: refused.stderr }).toEqual({ status: 1, stderr: "" });
    expect(refused.stdout).toContain("STOP endpoint REPLACED (downtime)");
    expect(refused.stdout).toContain("STOP data-bearing resources destroyed");
    expect(refused.stdout).toMatch(/aws_cloudwatch_log_group\.endpoint_logs_\w+: replace, new first \(name\)/);
    expect(allowed.status).toBe(0);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("plan:review: --plan needs a value");
  });
});
