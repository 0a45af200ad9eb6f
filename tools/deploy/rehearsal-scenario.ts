/**
 * The rehearsal's steps, in order: the preflight of a new account (fails, fixed, passes), deploy the default config,
 * check what exists, the preflight again (the stack's own resources are not held against it), re-plan (idempotency),
 * catch a drift, roll out another model (cdktf plan, npm run plan:review, a stale plan refused, npm run deploy), plan
 * an endpoint rename (downtime), fail a rollout on purpose, recover, deploy a second copy of the stack beside the first
 * (rehearsal-second-copy.ts), destroy. Each step reports problems instead of stopping at the first; an exception (a
 * command that failed) stops the scenario, and the steps after it are reported as not run.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { GetFunctionConfigurationCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointConfigsCommand,
  ListModelsCommand,
} from "@aws-sdk/client-sagemaker";
import { defaultModelArtifactPath } from "../../src/config/defaults";
import { CheckResult } from "./deployed-stack-checks";
import { unexplainedChanges } from "./emulator-fidelity";
import { PlanJson } from "./plan-json";
import { PlanReview, reviewPlan } from "./plan-review";
import { DeployCommandOutputs, deployReviewedRollout } from "./rehearsal-deploy-command";
import { PreflightOutputs, preflightAfterDeploy, preflightBeforeDeploy } from "./rehearsal-preflight";
import { FAILS_HEALTH_CHECK_ENV, Rehearsal } from "./rehearsal";
import { rolloutProblems } from "./rollout-expectations";
import { secondCopySteps } from "./rehearsal-second-copy";
import { LEFTOVER_KINDS } from "./stack-leftovers";
import { StateView } from "./terraform-refs";

export interface StepReport {
  readonly name: string;
  readonly status: "passed" | "failed" | "not run";
  readonly problems: string[];
  readonly durationMs: number;
}

export interface ScenarioReport {
  readonly steps: StepReport[];
  /** Plans and reviews the steps made, for callers that look closer (the rehearsal test). */
  readonly plans: Partial<Record<"idempotency" | "drift" | "rollout" | "rename" | "cors", { plan: PlanJson; review: PlanReview }>>;
  /** What `cdktf deploy` printed when the failing rollout was refused. */
  readonly failedRolloutOutput?: string;
  /** What `npm run preflight` printed before and after the deploy. */
  readonly preflight: PreflightOutputs;
  /** What `npm run plan:review` and `npm run deploy` printed. */
  readonly deployCommand: DeployCommandOutputs;
  readonly totalMs: number;
}

export type Step = [name: string, run: () => Promise<string[]>];

export async function runScenario(r: Rehearsal, log: (line: string) => void = () => undefined): Promise<ScenarioReport> {
  const started = Date.now();
  const plans: ScenarioReport["plans"] = {};
  const report: { failedRolloutOutput?: string } = {};
  const defaultArtifact = defaultModelArtifactPath();
  if (!fs.existsSync(defaultArtifact)) throw new Error(`${defaultArtifact} is missing: run \`npm run model:artifact\` first`);

  const base = r.config("default", {});
  const rolloutTarball = writeTarball(
    path.join(r.workspace.dir, "rollout-model"),
    "# another model: the rollout rehearsal deploys these bytes\n",
  );
  const rollout = r.config("rollout", { modelArtifact: { path: rolloutTarball } });
  const rename = r.config("rename", { modelArtifact: { path: rolloutTarball }, endpoint: { name: `${r.names.endpointName}-renamed` } });
  const failing = r.config("failing", {
    modelArtifact: { path: defaultArtifact },
    model: { environment: { [FAILS_HEALTH_CHECK_ENV]: "true" } },
  });
  let before: { configName: string; modelName: string; objectKey: string; bucket: string } | undefined;

  // ---- Preflight (tools/deploy/rehearsal-preflight.ts): a new account before the deploy, the deployed stack after it ----
  const preflight: PreflightOutputs = {};
  const preflightOfNewAccount = preflightBeforeDeploy(r, base, preflight);
  const preflightOfDeployedStack = preflightAfterDeploy(r, base, preflight);
  // ---- end of the preflight block ----

  // ---- The deploy command (tools/deploy/rehearsal-deploy-command.ts): plan:review, a stale plan refused, deploy ----
  const deployCommand: DeployCommandOutputs = {};
  const changedAfterReview = r.config("changed-after-review", { modelArtifact: { path: rolloutTarball }, lambda: { memoryMb: 1024 } });
  const deployReviewed = deployReviewedRollout(r, rollout, changedAfterReview, deployCommand);
  // ---- end of the deploy command block ----

  const steps: Step[] = [
    ...preflightOfNewAccount,
    ["deploy the default config (cdktf deploy)", async () => (await r.deploy(base), [])],
    ["what exists is what the stack asked for", async () => failed(await r.checkDeployed(base))],
    ...preflightOfDeployedStack,
    [
      "a plan right after deploy changes nothing (emulator fidelity aside)",
      async () => {
        const plan = await r.plan(base);
        plans.idempotency = { plan, review: reviewPlan(plan) };
        return unexplainedChanges(plan).map((c) => `${c.address}: ${c.cause} would change`);
      },
    ],
    ["a drift made outside Terraform is caught", () => driftIsCaught(r, base, plans)],
    [
      "a new model tarball plans as a rollout without downtime",
      async () => {
        const plan = await r.plan(rollout);
        const review = reviewPlan(plan);
        plans.rollout = { plan, review };
        const problems = rolloutProblems(plan);
        if (review.destructive) problems.push("the review calls the rollout destructive");
        if (!review.findings.some((f) => f.title === "model rollout without downtime"))
          problems.push("the review does not recognise the rollout");
        return problems;
      },
    ],
    ...deployReviewed,
    [
      "the rollout applied and the old model is gone",
      async () => {
        const problems = failed(await r.checkDeployed(rollout));
        problems.push(...(await onlyOneModelAndConfig(r)));
        return problems;
      },
    ],
    [
      "renaming the endpoint plans as a replacement (downtime)",
      async () => {
        const plan = await r.plan(rename);
        const review = reviewPlan(plan);
        plans.rename = { plan, review };
        const problems: string[] = [];
        if (!review.destructive) problems.push("the review does not call the rename destructive");
        if (!review.findings.some((f) => f.title === "endpoint REPLACED (downtime)"))
          problems.push("the review does not report the endpoint replacement");
        return problems;
      },
    ],
    [
      "a rollout whose model fails its health checks fails the deploy and deletes nothing in use",
      async () => {
        before = await runningModel(r);
        const result = await r.deployMayFail(failing);
        report.failedRolloutOutput = result.output;
        const problems: string[] = [];
        if (result.status === 0) problems.push("cdktf deploy succeeded although SageMaker rolled the update back");
        if (!/Rollout\s+failed:\s+endpoint/.test(result.output)) problems.push("the deploy output does not explain the rolled-back update");
        problems.push(...(await stillServes(r, before)));
        return problems;
      },
    ],
    [
      "deploying a good model after the failed rollout recovers and cleans up",
      async () => {
        await r.deploy(rollout);
        const problems = failed(await r.checkDeployed(rollout));
        problems.push(...(await onlyOneModelAndConfig(r)));
        return problems;
      },
    ],
    // A second copy of the stack beside this one (rehearsal-second-copy.ts); the first copy now runs `rollout`.
    ...secondCopySteps({ first: r, firstConfig: rollout, plans }),
    [
      "destroy leaves nothing (cdktf destroy)",
      async () => {
        // The leftover search must see every kind of resource the stack made, or an empty answer proves nothing.
        const seen = new Set((await r.leftovers()).map((l) => l.replace(/ \S+$/, "")));
        const blind = LEFTOVER_KINDS.filter((kind) => !seen.has(kind)).map(
          (kind) => `the leftover search does not see the deployed ${kind}s`,
        );
        await r.destroy(rollout);
        const left = await r.stateList();
        return [
          ...blind,
          ...left.map((a) => `still in the state: ${a}`),
          ...(await r.leftovers()).map((l) => `still in the account: ${l}`),
        ];
      },
    ],
  ];

  const reports: StepReport[] = [];
  let stopped = false;
  for (const [name, run] of steps) {
    if (stopped) {
      reports.push({ name, status: "not run", problems: [], durationMs: 0 });
      continue;
    }
    const stepStarted = Date.now();
    log(`step: ${name}`);
    let problems: string[];
    try {
      problems = await run();
    } catch (error) {
      problems = [(error as Error).message];
      stopped = true;
    }
    const step: StepReport = { name, status: problems.length === 0 ? "passed" : "failed", problems, durationMs: Date.now() - stepStarted };
    reports.push(step);
    log(
      `${step.status === "passed" ? "PASSED" : "FAILED"} ${name} (${(step.durationMs / 1000).toFixed(1)} s)${problems.map((p) => `\n    - ${p}`).join("")}`,
    );
  }
  return { steps: reports, plans, ...report, preflight, deployCommand, totalMs: Date.now() - started };
}

function failed(checks: CheckResult[]): string[] {
  return checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
}

/** Changes the function's memory behind Terraform's back; the checks and the next plan must both notice. */
async function driftIsCaught(r: Rehearsal, configFile: string, plans: ScenarioReport["plans"]): Promise<string[]> {
  const name = String((await r.state()).only("aws_lambda_function").values.function_name);
  const { MemorySize: memory } = await r.clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  await r.clients.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, MemorySize: (memory ?? 512) * 2 }));
  const problems: string[] = [];
  try {
    if (!(await r.checkDeployed(configFile)).some((c) => !c.ok && c.name === "Lambda memory and timeout"))
      problems.push("the checks did not notice the memory change");
    const plan = await r.plan(configFile);
    plans.drift = { plan, review: reviewPlan(plan) };
    if (!unexplainedChanges(plan).some((c) => c.cause === "memory_size")) problems.push("the plan did not show the memory change");
  } finally {
    await r.clients.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, MemorySize: memory }));
  }
  return problems;
}

async function runningModel(r: Rehearsal): Promise<{ configName: string; modelName: string; objectKey: string; bucket: string }> {
  const state: StateView = await r.state();
  return {
    configName: String(state.only("aws_sagemaker_endpoint_configuration").values.name),
    modelName: String(state.only("aws_sagemaker_model").values.name),
    objectKey: String(state.only("aws_s3_object").values.key),
    bucket: String(state.only("aws_s3_bucket").values.bucket),
  };
}

/** After a refused rollout: the endpoint still runs the previous configuration, and its model and tarball exist. */
async function stillServes(
  r: Rehearsal,
  before: { configName: string; modelName: string; objectKey: string; bucket: string },
): Promise<string[]> {
  const problems: string[] = [];
  const endpoint = await r.clients.sagemaker.send(new DescribeEndpointCommand({ EndpointName: r.names.endpointName }));
  if (endpoint.EndpointConfigName !== before.configName)
    problems.push(`the endpoint runs ${endpoint.EndpointConfigName}, not the previous ${before.configName}`);
  const attempts: [string, () => Promise<unknown>][] = [
    [
      `endpoint configuration ${before.configName}`,
      () => r.clients.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: before.configName })),
    ],
    [`model ${before.modelName}`, () => r.clients.sagemaker.send(new DescribeModelCommand({ ModelName: before.modelName }))],
    [
      `tarball s3://${before.bucket}/${before.objectKey}`,
      () => r.clients.s3.send(new GetObjectCommand({ Bucket: before.bucket, Key: before.objectKey })),
    ],
  ];
  for (const [what, attempt] of attempts) {
    try {
      await attempt();
    } catch (error) {
      problems.push(`${what} (still in use) was deleted: ${(error as Error).message}`);
    }
  }
  const grant = await readModelGrant(r);
  if (!grant.some((pattern) => arnMatches(pattern, `arn:aws:s3:::${before.bucket}/${before.objectKey}`))) {
    problems.push(`the SageMaker role may no longer read the tarball in use (grants ${grant.join(", ")})`);
  }
  return problems;
}

async function readModelGrant(r: Rehearsal): Promise<string[]> {
  const state = await r.state();
  const policy = state.resources("aws_iam_role_policy").find((p) => String(p.values.policy).includes("ReadModelArtifact"));
  const statement = JSON.parse(String(policy?.values.policy ?? "{}")).Statement?.find(
    (s: { Sid: string }) => s.Sid === "ReadModelArtifact",
  );
  return statement?.Resource ?? [];
}

function arnMatches(pattern: string, arn: string): boolean {
  return new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  ).test(arn);
}

async function onlyOneModelAndConfig(r: Rehearsal): Promise<string[]> {
  const prefix = r.names.namePrefix;
  const models = (await r.clients.sagemaker.send(new ListModelsCommand({ NameContains: prefix }))).Models ?? [];
  const configs = (await r.clients.sagemaker.send(new ListEndpointConfigsCommand({ NameContains: prefix }))).EndpointConfigs ?? [];
  const problems: string[] = [];
  if (models.length !== 1) problems.push(`expected one model, found ${models.map((m) => m.ModelName).join(", ") || "none"}`);
  if (configs.length !== 1)
    problems.push(`expected one endpoint configuration, found ${configs.map((c) => c.EndpointConfigName).join(", ") || "none"}`);
  return problems;
}

/** A small model.tar.gz with different bytes (the emulator never runs the model). */
export function writeTarball(dir: string, inferenceCode: string): string {
  fs.mkdirSync(path.join(dir, "code"), { recursive: true });
  fs.writeFileSync(path.join(dir, "code", "inference.py"), inferenceCode);
  const tarball = `${dir}.tar.gz`;
  const result = spawnSync("tar", ["-czf", tarball, "-C", dir, "code"], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`tar failed: ${result.stderr}`);
  return tarball;
}
