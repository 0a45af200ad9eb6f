/**
 * npm run deploy -- [--stack-dir <dir>] [--skip-preflight]
 *
 * Applies exactly the plan `npm run plan:review` saved and reviewed, and nothing else, without a prompt (so CI
 * pipelines can run it):
 *   1. the preflight (credentials, region, quotas, names, model, cost: tools/preflight): stops on a failure;
 *   2. synthesizes the app again into a temporary folder and compares it with the synth the plan was made from:
 *      a plan reviewed before the config, the code or the model changed is stale and refused;
 *   3. `terraform apply review.tfplan` in the stack folder (Terraform itself refuses the plan if the state moved
 *      since, e.g. someone deployed in between);
 *   4. prints the API's URLs and a curl line.
 * Exit code 0 when deployed, 1 when refused or the apply failed, 2 on usage errors.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../common/repo-root";
import { preflightCommand } from "../preflight/preflight";
import { deployedSummary } from "./deployed-summary";
import { reasonsNotToApply, removeReviewedPlan, REVIEWED_PLAN_FILE } from "./review-record";
import { onlyStackDir, stackDirs, UsageError } from "./stack-folder";
import { stackFingerprint } from "./stack-fingerprint";
import { terraformBinary } from "./terraform-setup";

export interface DeployOptions {
  /** The synthesized stack folder holding review.tfplan. @default the only folder under cdktf.out/stacks */
  readonly stackDir: string;
  readonly skipPreflight: boolean;
}

export function parseDeployArgs(argv: readonly string[], cwd: string): DeployOptions {
  let stackDir: string | undefined;
  let skipPreflight = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--skip-preflight") skipPreflight = true;
    else if (arg === "--stack-dir") {
      const value = argv[++i];
      if (!value) throw new UsageError("--stack-dir needs a value");
      stackDir = path.resolve(cwd, value);
    } else throw new UsageError(`unknown argument ${arg}`);
  }
  return { stackDir: stackDir ?? onlyStackDir(cwd), skipPreflight };
}

/** What the deploy runs, injectable for tests. */
export interface DeploySteps {
  /** Resolves true when every preflight check passed or only warned. */
  readonly preflight: () => Promise<boolean>;
  /** Synthesizes the app as it is now into `outdir` (throws with the output when synth fails). */
  readonly synthesize: (outdir: string) => void;
  /** Runs terraform in `cwd` with the output shown; resolves its exit code. */
  readonly terraform: (args: string[], cwd: string) => number;
  /** `terraform output -json` in `cwd`. */
  readonly outputs: (cwd: string) => Record<string, { value: unknown }>;
  readonly log: (line: string) => void;
}

export async function deploy(options: DeployOptions, steps: DeploySteps): Promise<number> {
  const { stackDir } = options;
  if (options.skipPreflight) steps.log("preflight skipped (--skip-preflight)");
  else if (!(await steps.preflight())) {
    steps.log("deploy: stopped by the preflight above; nothing was changed");
    return 1;
  }

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "vit-deploy-synth-"));
  let reasons: string[];
  try {
    steps.synthesize(scratch);
    const synthesized = stackDirs(scratch);
    if (synthesized.length !== 1) throw new Error(`synthesizing gave ${synthesized.length} stacks, expected one`);
    reasons = reasonsNotToApply(stackDir, {
      stackName: path.basename(synthesized[0]),
      stackFingerprint: stackFingerprint(synthesized[0]),
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  if (reasons.length > 0) {
    for (const reason of reasons) steps.log(`deploy: refused: ${reason}`);
    return 1;
  }

  steps.log(`deploy: applying the reviewed plan ${path.join(path.relative(process.cwd(), stackDir) || ".", REVIEWED_PLAN_FILE)}`);
  const status = steps.terraform(["apply", "-input=false", REVIEWED_PLAN_FILE], stackDir);
  if (status !== 0) {
    steps.log(
      "deploy: terraform apply failed (above). If it says the saved plan is stale, the state changed since the review: " +
        "run `npm run synth && npm run plan:review` again",
    );
    return 1;
  }
  removeReviewedPlan(stackDir);
  const stackJson = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
  for (const line of deployedSummary(steps.outputs(stackDir), stackJson)) steps.log(line);
  return 0;
}

/** The real steps: this repository's cdktf CLI and the terraform on PATH (TERRAFORM_BINARY_NAME). */
export function realSteps(preflight: DeploySteps["preflight"]): DeploySteps {
  const env = { ...process.env, CHECKPOINT_DISABLE: "1" };
  return {
    preflight,
    synthesize: (outdir) => {
      const cli = path.join(REPO_ROOT, "node_modules", "cdktf-cli", "bundle", "bin", "cdktf");
      const result = spawnSync(process.execPath, [cli, "synth", "--output", outdir], { env, encoding: "utf8" });
      if (result.status !== 0) throw new Error(`cdktf synth failed:\n${result.stdout}${result.stderr}`);
    },
    terraform: (args, cwd) => spawnSync(terraformBinary(env), args, { cwd, env, stdio: "inherit" }).status ?? 1,
    outputs: (cwd) => {
      const result = spawnSync(terraformBinary(env), ["output", "-json"], { cwd, env, encoding: "utf8" });
      if (result.status !== 0) throw new Error(`terraform output failed: ${result.stderr}`);
      return JSON.parse(result.stdout) as Record<string, { value: unknown }>;
    },
    log: (line) => console.log(line),
  };
}

function main(): Promise<number> {
  let options: DeployOptions;
  try {
    options = parseDeployArgs(process.argv.slice(2), process.cwd());
  } catch (error) {
    console.error(`deploy: ${(error as Error).message}`);
    return Promise.resolve(2);
  }
  return deploy(
    options,
    realSteps(async () => (await preflightCommand()) === 0),
  );
}

// exitCode, not process.exit(): process.exit() could cut off output still on its way to a pipe.
if (require.main === module) {
  // cdktf's synth (the preflight reads the stack's names from it) calls a deprecated Node API; its warning only buries the report.
  process.noDeprecation = true;
  main().then(
    (code) => (process.exitCode = code),
    (error: Error) => {
      console.error(`deploy: ${error.stack ?? error.message}`);
      process.exitCode = 1;
    },
  );
}
