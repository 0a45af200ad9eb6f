/**
 * npm run plan:review -- [--stack-dir <dir>] [--plan <plan.tfplan | plan.json>] [--allow-destructive] [--skip-preflight]
 *
 * First runs the preflight (tools/preflight: the account, region, quotas and names this config needs, read-only with
 * your AWS credentials) and stops if it fails; --skip-preflight leaves it out, for reviewing a saved plan offline.
 * Without --plan: runs `terraform plan -out=review.tfplan` in the synthesized stack folder (run `npm run synth`
 * first; default: the only folder under cdktf.out/stacks/), reviews that plan and records the review beside it
 * (review.json: the plan's hash, the synth it was made from, the verdict), so that `npm run deploy` applies exactly
 * this plan and refuses it once it is stale. With --plan: reviews a saved plan (binary plans are read with
 * `terraform show -json` in the stack folder), nothing recorded. Exit code 1 on destructive changes unless
 * --allow-destructive, 2 on usage errors and when the plan cannot be made or read.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { preflightCommand } from "../preflight/preflight";
import { PlanJson } from "./plan-json";
import { formatReview, reviewPlan } from "./plan-review";
import { REVIEWED_PLAN_FILE, writeReviewRecord } from "./review-record";
import { onlyStackDir, UsageError } from "./stack-folder";
import { fileSha256, stackFingerprint } from "./stack-fingerprint";
import { terraformBinary } from "./terraform-setup";

interface CliOptions {
  /** The synthesized stack folder; not needed to read a JSON plan. */
  readonly stackDir?: string;
  readonly plan?: string;
  readonly allowDestructive: boolean;
  /** Review without running the preflight first (a saved plan, offline). */
  readonly skipPreflight: boolean;
}

export function parseArgs(argv: readonly string[], cwd: string): CliOptions {
  let stackDir: string | undefined;
  let plan: string | undefined;
  let allowDestructive = false;
  let skipPreflight = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--allow-destructive") allowDestructive = true;
    else if (arg === "--skip-preflight") skipPreflight = true;
    else if (arg === "--stack-dir" || arg === "--plan") {
      const value = argv[++i];
      if (!value) throw new UsageError(`${arg} needs a value`);
      if (arg === "--stack-dir") stackDir = path.resolve(cwd, value);
      else plan = path.resolve(cwd, value);
    } else throw new UsageError(`unknown argument ${arg}`);
  }
  if (plan?.endsWith(".json")) return { stackDir, plan, allowDestructive, skipPreflight };
  // A binary plan is read in its stack folder: the one named, the plan's own folder, or the only one synthesized.
  const planFolder = plan && fs.existsSync(path.join(path.dirname(plan), "cdk.tf.json")) ? path.dirname(plan) : undefined;
  return { stackDir: stackDir ?? planFolder ?? onlyStackDir(cwd), plan, allowDestructive, skipPreflight };
}

function terraform(args: string[], cwd: string, inherit = false): string {
  const result = spawnSync(terraformBinary(), args, {
    cwd,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    stdio: inherit ? ["inherit", "inherit", "inherit"] : ["ignore", "pipe", "inherit"],
  });
  if (result.error || result.status !== 0) throw new Error(`terraform ${args[0]} failed${result.error ? `: ${result.error.message}` : ""}`);
  return result.stdout ?? "";
}

export function loadPlan(options: CliOptions): PlanJson {
  if (options.plan && !fs.existsSync(options.plan)) throw new Error(`no plan at ${options.plan}`);
  if (options.plan?.endsWith(".json")) return JSON.parse(fs.readFileSync(options.plan, "utf8")) as PlanJson;
  const stackDir = options.stackDir!;
  let planFile = options.plan;
  if (!planFile) {
    planFile = path.join(stackDir, REVIEWED_PLAN_FILE);
    terraform(["init", "-input=false"], stackDir, true);
    terraform(["plan", "-input=false", `-out=${planFile}`], stackDir, true);
  }
  return JSON.parse(terraform(["show", "-json", planFile], stackDir)) as PlanJson;
}

export interface PlanReviewSteps {
  readonly preflight: () => Promise<number>;
  readonly loadPlan: (options: CliOptions) => PlanJson;
}

/** The review, step by step; returns the exit code. The steps are parameters so a test can watch their order. */
export async function runPlanReview(argv: readonly string[], cwd: string, steps: PlanReviewSteps): Promise<number> {
  let options: CliOptions;
  try {
    options = parseArgs(argv, cwd);
  } catch (error) {
    console.error(`plan:review: ${(error as Error).message}`);
    return 2;
  }
  if (!options.skipPreflight && (await steps.preflight()) !== 0) {
    console.error(
      "plan:review: the preflight failed (the FAIL lines above say how to fix it); --skip-preflight reviews a saved plan offline",
    );
    return 1;
  }
  let plan: PlanJson;
  try {
    plan = steps.loadPlan(options);
  } catch (error) {
    console.error(`plan:review: ${(error as Error).message}`);
    return 2;
  }
  const review = reviewPlan(plan);
  console.log(formatReview(review, options.allowDestructive));
  if (!options.plan) {
    const stackDir = options.stackDir!;
    writeReviewRecord(stackDir, {
      version: 1,
      stackName: path.basename(stackDir),
      planSha256: fileSha256(path.join(stackDir, REVIEWED_PLAN_FILE)),
      stackFingerprint: stackFingerprint(stackDir),
      reviewedAt: new Date().toISOString(),
      destructive: review.destructive,
      allowDestructive: options.allowDestructive,
      summary: review.summary,
    });
    const verdictAllows = !review.destructive || options.allowDestructive;
    console.log(
      verdictAllows
        ? "To apply exactly this plan: npm run deploy"
        : "npm run deploy will refuse this plan (destructive); after reading the findings: npm run plan:review -- --allow-destructive",
    );
  }
  return review.destructive && !options.allowDestructive ? 1 : 0;
}

// exitCode, not process.exit(): process.exit() could cut off output still on its way to a pipe.
if (require.main === module) {
  // cdktf's synth (the preflight reads the stack's names from it) calls a deprecated Node API; its warning only buries the report.
  process.noDeprecation = true;
  runPlanReview(process.argv.slice(2), process.cwd(), { preflight: () => preflightCommand(), loadPlan }).then(
    (code) => (process.exitCode = code),
    (error: Error) => {
      console.error(`plan:review: ${error.stack ?? error.message}`);
      process.exitCode = 2;
    },
  );
}
