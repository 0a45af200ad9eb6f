/**
 * README's first command as a user meets it: `bash scripts/local.sh` (here with --no-setup: the test command has
 * set the machine up), on free ports, with the demo model. What the console shows before the curl lines and for
 * each request, where the model server's log goes, and that SIGINT or SIGTERM to the process the script started
 * stops everything it started, once the stack is up, while the endpoint is still starting, or while the demo model
 * trains.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stripVTControlCharacters } from "util";
import { REPO_ROOT } from "../../common/repo-root";
import { freePort } from "../../dev-runtime/ports";
import { descendantPids, isAlive } from "../../dev-runtime/process-tree";

jest.setTimeout(600_000);

/** The most console lines a user reads before the curl lines (with the demo model cached, the machine set up). */
const MAX_LINES_BEFORE_CURL = 20;

let started: ChildProcess | undefined;
afterEach(() => {
  // A failed test must not leave the stack running: the script runs in a process group of its own.
  if (started?.pid !== undefined && started.exitCode === null && started.signalCode === null) process.kill(-started.pid, "SIGKILL");
  started = undefined;
});

interface Console {
  readonly lines: string[];
  waitFor(test: (line: string) => boolean, timeoutMs: number): Promise<number>;
}

/** stdout and stderr as the terminal would show them, colours removed, one entry per line. */
function captureConsole(child: ChildProcess): Console {
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let pending = "";
    stream?.on("data", (chunk: Buffer) => {
      const parts = (pending + chunk.toString()).split("\n");
      pending = parts.pop() ?? "";
      lines.push(...parts.map((line) => stripVTControlCharacters(line)));
    });
  }
  return {
    lines,
    async waitFor(test, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = lines.findIndex(test);
        if (index >= 0) return index;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no such line within ${timeoutMs} ms (exit ${child.exitCode}). Console:\n${lines.join("\n")}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
  };
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number | string | "still running"> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve("still running"), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal ?? "unknown");
    });
  });
}

interface Started {
  readonly child: ChildProcess;
  readonly terminal: Console;
  readonly apiPort: number;
}

async function startLocalCommand(extraEnv: NodeJS.ProcessEnv = {}): Promise<Started> {
  const apiPort = await freePort();
  const endpointPort = await freePort();
  const env: NodeJS.ProcessEnv = { API_PORT: String(apiPort), ENDPOINT_PORT: String(endpointPort), ...extraEnv };
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("JEST_") && name !== "NODE_OPTIONS" && name !== "MODEL_DIR" && !(name in env)) env[name] = value;
  }
  const child = spawn("bash", [path.join(REPO_ROOT, "scripts", "local.sh"), "--no-setup"], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  started = child;
  return { child, terminal: captureConsole(child), apiPort };
}

/** Sends `signal` to the script's own process id (it execs the runner); resolves once it and all it started are gone. */
async function stopWith(child: ChildProcess, signal: NodeJS.Signals): Promise<{ outcome: number | string; survivors: number[] }> {
  const tree = descendantPids(child.pid as number);
  process.kill(child.pid as number, signal);
  const outcome = await exited(child, 30_000);
  for (let i = 0; i < 20 && tree.some(isAlive); i++) await new Promise((resolve) => setTimeout(resolve, 250));
  return { outcome, survivors: tree.filter(isAlive) };
}

it("shows the curl lines after at most 20 lines, then one line per request; SIGINT to its process stops everything", async () => {
  // Prepare
  const { child, terminal, apiPort } = await startLocalCommand();

  // Act: up to the curl lines
  const firstCurl = await terminal.waitFor((line) => line.trimStart().startsWith("curl "), 480_000);

  // Assess: few lines before them, none of them the model server's; its log named once, in a file
  expect(terminal.lines.slice(0, firstCurl).length).toBeLessThanOrEqual(MAX_LINES_BEFORE_CURL);
  expect(terminal.lines.filter((line) => line.startsWith("[endpoint]"))).toEqual([]);
  const logLines = terminal.lines.filter((line) => line.includes("endpoint.log"));
  expect(logLines).toHaveLength(1);
  const endpointLog = path.join(REPO_ROOT, "dist", "local-logs", "endpoint.log");
  expect(logLines[0]).toContain(path.relative(REPO_ROOT, endpointLog));
  expect(fs.readFileSync(endpointLog, "utf8")).toContain("LOCAL_ENDPOINT_READY");

  // Act: one request
  await terminal.waitFor((line) => line.startsWith("Ctrl-C stops both servers"), 5_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const linesBefore = terminal.lines.length;
  const samples = path.join(REPO_ROOT, "dist", "local-samples");
  const sample = path.join(samples, fs.readdirSync(samples).find((name) => name.endsWith(".jpg")) as string);
  const response = await fetch(`http://127.0.0.1:${apiPort}/classify`, {
    method: "POST",
    headers: { "content-type": "image/jpeg" },
    body: fs.readFileSync(sample),
  });
  await response.text();
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  // Assess: exactly one console line for it, the API's access-log line
  expect(response.status).toBe(200);
  const added = terminal.lines.slice(linesBefore).filter((line) => line.trim() !== "");
  expect(added).toHaveLength(1);
  expect(added[0]).toMatch(/"routeKey":"POST \/classify".*"status":200/);

  // Act
  expect(descendantPids(child.pid as number).length).toBeGreaterThan(3); // the API, the endpoint's processes
  const { outcome, survivors } = await stopWith(child, "SIGINT");

  // Assess
  expect(outcome).toBe(0);
  expect(survivors).toEqual([]);
});

it("stops what it started, cleaned up, when SIGTERM arrives while the endpoint is still starting", async () => {
  // Prepare: the endpoint has made its scratch folder (its log names it) and is loading the model
  const endpointLog = path.join(REPO_ROOT, "dist", "local-logs", "endpoint.log");
  fs.rmSync(endpointLog, { force: true }); // an earlier run's log names an earlier folder
  const { child, terminal } = await startLocalCommand();
  await terminal.waitFor((line) => line.includes("starting the endpoint"), 480_000);
  let scratch: string | undefined;
  for (let i = 0; i < 100 && scratch === undefined; i++) {
    scratch = /serving (\S+)\/model /.exec(fs.existsSync(endpointLog) ? fs.readFileSync(endpointLog, "utf8") : "")?.[1];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(scratch).toBeDefined();
  expect(fs.existsSync(scratch as string)).toBe(true);

  // Act
  const { outcome, survivors } = await stopWith(child, "SIGTERM");

  // Assess: everything stopped, and the endpoint cleaned up after itself
  expect(outcome).toBe(0);
  expect(survivors).toEqual([]);
  expect(fs.existsSync(scratch as string)).toBe(false);
  expect(terminal.lines.some((line) => line.trimStart().startsWith("curl "))).toBe(false);
});

it("stops the demo model's training, and itself, when SIGINT arrives while the model trains", async () => {
  // Prepare: a stand-in for the model's Python that "trains" for ten minutes (the real training writes the shared
  // model/.cache; what is tested is that the runner stays stoppable while its child works)
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "local-command-training-"));
  const python = path.join(work, "python");
  fs.writeFileSync(python, '#!/usr/bin/env bash\necho "stand-in: training the demo model" >&2\nexec sleep 600\n', { mode: 0o755 });
  try {
    const { child, terminal } = await startLocalCommand({ MODEL_PYTHON: python });
    await terminal.waitFor((line) => line.includes("stand-in: training the demo model"), 60_000);

    // Act
    const { outcome, survivors } = await stopWith(child, "SIGINT");

    // Assess: the training and the runner gone, nothing else started
    expect(outcome).toBe(0);
    expect(survivors).toEqual([]);
    expect(terminal.lines.some((line) => line.includes("starting the endpoint"))).toBe(false);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
