/**
 * What the two entry points install on a fresh machine: `bash scripts/local.sh` (README's first command) only what
 * the local stack runs on, `bash scripts/setup.sh` (the test command's set-up) everything. The real scripts run in a
 * copy of the files they read, with stand-ins for npm, python3 (and the venvs' pip), the JDK check and the runner
 * that record what they were asked to do, so nothing is installed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../common/repo-root";

const BASH = "/bin/bash";
/** Files the scripts read (fingerprints) or run. */
const COPIED = [
  "scripts/setup.sh",
  "scripts/local.sh",
  "package-lock.json",
  "model/requirements-dev.txt",
  "model/requirements-toolkits.txt",
  "model/requirements-tf449.txt",
  "scripts/checkov-requirements.txt",
  "tools/deploy/emulator/requirements.txt",
];
const TEST_ONLY_VENVS = [".venv-tf449", ".venv-checkov", ".venv-emulator"];

let machine: string;
let calls: string;
beforeEach(() => {
  machine = fs.mkdtempSync(path.join(os.tmpdir(), "setup-parts-test-"));
  calls = path.join(machine, "calls.log");
  for (const file of COPIED) {
    fs.mkdirSync(path.dirname(path.join(machine, "repo", file)), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, file), path.join(machine, "repo", file));
  }
  const stub = (file: string, body: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `#!${BASH}\n${body}\n`, { mode: 0o755 });
  };
  stub(path.join(machine, "repo", "scripts", "ensure-jdk.sh"), `echo "ensure-jdk" >> ${calls}`);
  // npm ci creates node_modules, with the runner's ts-node in node_modules/.bin.
  const tsNode = `#!${BASH}\\necho "ts-node $*" >> ${calls}`;
  stub(
    path.join(machine, "bin", "npm"),
    `echo "npm $*" >> ${calls}\nif [ "$1" = ci ]; then mkdir -p node_modules/.bin && printf '${tsNode}\\n' > node_modules/.bin/ts-node && chmod +x node_modules/.bin/ts-node; fi`,
  );
  // python3 -m venv <dir> makes <dir>/bin/python, whose pip records what it installs.
  const venvPython = `#!${BASH}\\necho "$(basename "$(dirname "$(dirname "$0")")") $*" >> ${calls}`;
  stub(
    path.join(machine, "bin", "python3"),
    `echo "python3 $*" >> ${calls}\nif [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin" && printf '${venvPython}\\n' > "$3/bin/python" && chmod +x "$3/bin/python"; fi`,
  );
});
afterEach(() => fs.rmSync(machine, { recursive: true, force: true }));

function run(script: string, ...args: string[]): { status: number | null; output: string; calls: string[] } {
  const result = spawnSync(BASH, [path.join(machine, "repo", script), ...args], {
    cwd: machine,
    env: { PATH: `${path.join(machine, "bin")}:/usr/bin:/bin`, HOME: machine },
    encoding: "utf8",
  });
  const recorded = fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [];
  return { status: result.status, output: result.stdout + result.stderr, calls: recorded };
}

it("bash scripts/local.sh sets up only what the local stack runs on, then runs it in its own process", () => {
  // Act
  const { status, output, calls: done } = run("scripts/local.sh");

  // Assess
  expect(status).toBe(0);
  expect(done).toContain("npm ci --no-audit --no-fund --loglevel=error");
  expect(done).toContain("ensure-jdk");
  expect(done).toContain(".venv -m pip --disable-pip-version-check -q install -r model/requirements-dev.txt");
  expect(done).toContain(".venv -m pip --disable-pip-version-check -q install --no-deps -r model/requirements-toolkits.txt");
  for (const venv of TEST_ONLY_VENVS) {
    expect(fs.existsSync(path.join(machine, "repo", venv))).toBe(false);
    expect(done.filter((call) => call.includes(venv))).toEqual([]);
  }
  expect(done[done.length - 1]).toBe("ts-node --transpile-only local/run.ts");
  expect(output).toMatch(/\[setup\]\S* ready\n$/);
});

it("bash scripts/local.sh --no-setup installs nothing", () => {
  const { status, calls: done } = run("scripts/local.sh", "--no-setup");
  expect(status).toBe(127); // no node_modules/.bin/ts-node on a machine never set up
  expect(done).toEqual([]);
});

it("bash scripts/setup.sh (the test command's set-up) installs everything, then nothing the second time", () => {
  // Act
  const first = run("scripts/setup.sh");
  fs.rmSync(calls);
  const second = run("scripts/setup.sh");

  // Assess
  expect(first.status).toBe(0);
  for (const venv of [".venv", ...TEST_ONLY_VENVS]) expect(fs.existsSync(path.join(machine, "repo", venv, "bin", "python"))).toBe(true);
  expect(first.calls).toContain(".venv-checkov -m pip --disable-pip-version-check -q install -r scripts/checkov-requirements.txt");
  expect(first.calls).toContain(".venv-emulator -m pip --disable-pip-version-check -q install -r tools/deploy/emulator/requirements.txt");
  expect(second.status).toBe(0);
  expect(second.calls).toEqual(["ensure-jdk"]);
});

it("refuses a part it does not know", () => {
  const { status, output, calls: done } = run("scripts/setup.sh", "tests");
  expect(status).toBe(2);
  expect(output).toContain("usage: bash scripts/setup.sh [local]");
  expect(done).toEqual([]);
});
