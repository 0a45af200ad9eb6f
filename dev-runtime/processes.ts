/**
 * Child processes of the local stack, each in its own process group, so stopping one stops everything it started
 * (MMS's Java frontend and Python workers included). Every group still running when this Node process exits is
 * killed, so a crashed test or a Ctrl-C never leaves servers behind.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";

export interface StartOptions {
  /** Short name for messages and the output prefix, e.g. "endpoint". */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** A line on stdout that says the process is ready; its first capture group is returned. */
  readonly readyLine: RegExp;
  readonly readyTimeoutMs: number;
  /** Copy the child's output (but the ready line) to this process's stderr, prefixed with the name. @default false */
  readonly echo?: boolean;
  /** Also write the child's output (stdout and stderr, as they come) to this file, replacing what it held. */
  readonly logFile?: string;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** The first capture group of the ready line. */
  readonly ready: string;
  /** The last ~200 kB of the child's output (for failure messages). */
  output(): string;
  running(): boolean;
  /** SIGTERM to the group, then SIGKILL after graceMs; resolves when the child has exited. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_KEEP = 200_000;
/** The children still running, by process group, each with its stop(). */
const liveGroups = new Map<number, (graceMs?: number) => Promise<void>>();

process.on("exit", () => {
  for (const pid of liveGroups.keys()) killGroup(pid, "SIGKILL");
});

/**
 * Stops every child still running, ready or still starting, as stop() does (SIGTERM to the group, SIGKILL after
 * graceMs), the last started first and each once the one started after it has exited: a server started later may
 * need an earlier one for the requests it still has in flight (the local API needs the endpoint). A server still
 * starting is stopped as it would be once ready (the local endpoint removes its scratch folder), not killed by the
 * exit handler above.
 */
export async function stopAllProcesses(graceMs?: number): Promise<void> {
  // A Map keeps insertion order: the order the children were started in.
  for (const stop of [...liveGroups.values()].reverse()) await stop(graceMs);
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function startProcess(options: StartOptions): Promise<ManagedProcess> {
  const child: ChildProcess = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    detached: true, // a new process group: kill(-pid) reaches every descendant
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) {
    return new Promise((_resolve, reject) =>
      child.once("error", (error) => reject(new Error(`${options.name}: could not start ${options.command}: ${error.message}`))),
    );
  }
  // Written synchronously: the last lines before a crash are the ones that explain it. Closed on "close", not
  // "exit": output still in the pipes arrives after the child has exited.
  let logFd = options.logFile === undefined ? undefined : fs.openSync(options.logFile, "w");
  child.on("close", () => {
    if (logFd !== undefined) fs.closeSync(logFd);
    logFd = undefined;
  });

  let output = "";
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on("exit", (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      liveGroups.delete(pid);
      // Workers of the group may outlive the leader for a moment.
      killGroup(pid, "SIGKILL");
      resolve();
    });
  });
  const remember = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-OUTPUT_KEEP);
    if (logFd !== undefined) fs.writeSync(logFd, chunk);
    if (options.echo) {
      // The ready line is for startProcess, not for a reader.
      const shown = text.split(/(?<=\n)/).filter((line) => !options.readyLine.test(line.trimEnd()));
      process.stderr.write(shown.join("").replace(/^(?=.)/gm, `[${options.name}] `));
    }
  };
  child.stderr?.on("data", remember);

  const stop = async (graceMs = 15_000) => {
    if (exitCode !== undefined) return;
    killGroup(pid, "SIGTERM");
    const timer = setTimeout(() => killGroup(pid, "SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  liveGroups.set(pid, stop);

  const handle = (ready: string): ManagedProcess => ({
    name: options.name,
    pid,
    ready,
    output: () => output,
    running: () => exitCode === undefined,
    stop,
  });

  return new Promise<ManagedProcess>((resolve, reject) => {
    let settled = false;
    let pending = "";
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      killGroup(pid, "SIGKILL");
      reject(new Error(`${options.name} was not ready within ${options.readyTimeoutMs} ms. Output:\n${output.slice(-5000)}`));
    }, options.readyTimeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => {
      remember(chunk);
      if (settled) return;
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const match = options.readyLine.exec(line);
        if (match) {
          settled = true;
          clearTimeout(timer);
          resolve(handle(match[1] ?? line));
          return;
        }
      }
    });
    void exited.then(() => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (code ${exitCode}) before it was ready. Output:\n${output.slice(-5000)}`));
    });
  });
}
