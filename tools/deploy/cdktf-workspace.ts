/**
 * A throw-away cdktf project folder whose app is this repository's main.ts: `cdktf deploy/plan/destroy` run there
 * exactly as a user runs them, but the local Terraform state (cdktf writes terraform.<stack>.tfstate into the
 * folder cdktf runs in) and cdktf.out stay inside the workspace, never beside a user's real state.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stripVTControlCharacters } from "util";
import { REPO_ROOT } from "../../common/repo-root";
import { terraformBinary } from "./terraform-setup";

export interface CommandResult {
  readonly status: number;
  /** stdout and stderr, interleaved. */
  readonly output: string;
  readonly durationMs: number;
}

export class CdktfWorkspace {
  readonly outdir: string;

  constructor(
    readonly dir: string,
    readonly env: NodeJS.ProcessEnv,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.outdir = path.join(dir, "cdktf.out");
    const app = [
      process.execPath,
      path.join(REPO_ROOT, "node_modules", "ts-node", "dist", "bin.js"),
      "--transpile-only",
      path.join(REPO_ROOT, "main.ts"),
    ]
      .map((part) => JSON.stringify(part))
      .join(" ");
    const cdktfJson = {
      language: "typescript",
      app,
      projectId: "vit-classifier-rehearsal",
      sendCrashReports: "false",
      terraformProviders: [],
      terraformModules: [],
      context: {},
    };
    fs.writeFileSync(path.join(dir, "cdktf.json"), JSON.stringify(cdktfJson, null, 2));
  }

  stackDir(stackName: string): string {
    return path.join(this.outdir, "stacks", stackName);
  }

  /** Writes a classifier config into the workspace and returns its path (for CLASSIFIER_CONFIG). */
  writeConfig(name: string, config: Record<string, unknown>): string {
    const file = path.join(this.dir, `${name}.config.json`);
    fs.writeFileSync(file, JSON.stringify(config, null, 2));
    return file;
  }

  /**
   * `cdktf <args>` with the given classifier config. Offline-safe flags: --skip-provider-lock (locking asks the
   * registry) and --disable-plugin-cache-env (no provider copy into ~/.terraform.d).
   */
  cdktf(args: string[], configFile: string): Promise<CommandResult> {
    const cli = path.join(REPO_ROOT, "node_modules", "cdktf-cli", "bundle", "bin", "cdktf");
    const flags = ["--output", this.outdir, "--skip-provider-lock", "--disable-plugin-cache-env"];
    return run(process.execPath, [cli, ...args, ...flags], this.dir, {
      ...this.env,
      CLASSIFIER_CONFIG: configFile,
      CI: "1",
      FORCE_COLOR: "0",
    });
  }

  terraform(stackName: string, args: string[]): Promise<CommandResult> {
    return run(terraformBinary(this.env), args, this.stackDir(stackName), this.env);
  }
}

/**
 * Several times the slowest command seen (a deploy: 80 s on a busy 2-core machine), and short enough that the
 * rehearsal's 30-minute limit still reports which step hung.
 */
export const COMMAND_TIMEOUT_MS = 10 * 60_000;

/** Process groups of commands still running, killed if this process exits first (they are detached from its group). */
const runningGroups = new Set<number>();
process.on("exit", () => {
  for (const pid of runningGroups) killGroup(pid);
});

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/**
 * Runs a command in a process group of its own. One still running after `timeoutMs` is killed with everything it
 * started (terraform and its provider plugin), and its result says so: a hung command fails its rehearsal step in
 * minutes instead of holding the test run until the CI's limit.
 */
export function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  options: { readonly timeoutMs?: number } = {},
): Promise<CommandResult> {
  const { timeoutMs = COMMAND_TIMEOUT_MS } = options;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const pid = child.pid;
    if (pid !== undefined) runningGroups.add(pid);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) killGroup(pid);
    }, timeoutMs);
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      if (pid !== undefined) runningGroups.delete(pid);
      const killed = timedOut ? `\n[killed: still running after ${Math.round(timeoutMs / 1000)} s]\n` : "";
      resolve({
        status: timedOut ? -1 : (code ?? -1),
        output: stripVTControlCharacters(output) + killed,
        durationMs: Date.now() - started,
      });
    });
  });
}
