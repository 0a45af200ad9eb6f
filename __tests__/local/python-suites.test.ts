/**
 * `npm run test:python` and `bash scripts/test.sh` run the same pytest suites, and those are all of them: the real
 * scripts/test-python.sh runs in a copy of itself with stand-in venv Pythons that record each pytest call, so no test
 * runs and nothing is installed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../common/repo-root";

const VENVS = [".venv", ".venv-tf449", ".venv-emulator"];

/** The folders the project's Python lives in: model/, and the local endpoint and the emulator with their capabilities. */
const PYTHON_HOMES = ["model", "local", "tools"];

/** Every folder holding test_*.py files (the model's cache aside): each is a pytest suite. */
function suiteFolders(dir: string): string[] {
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  const here = entries.some((entry) => entry.isFile() && /^test_.*\.py$/.test(entry.name)) ? [path.relative(REPO_ROOT, dir)] : [];
  const below = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith(".") && entry.name !== "__pycache__")
    .flatMap((entry) => suiteFolders(path.join(dir, entry.name)));
  return [...here, ...below];
}

interface Run {
  readonly status: number | null;
  readonly output: string;
  /** One line per pytest process: "<venv> <arguments>". */
  readonly calls: string[];
}

function runScript(failingVenv?: string): Run {
  const machine = fs.mkdtempSync(path.join(os.tmpdir(), "python-suites-test-"));
  const log = path.join(machine, "calls.log");
  fs.mkdirSync(path.join(machine, "scripts"));
  fs.copyFileSync(path.join(REPO_ROOT, "scripts", "test-python.sh"), path.join(machine, "scripts", "test-python.sh"));
  for (const venv of VENVS) {
    fs.mkdirSync(path.join(machine, venv, "bin"), { recursive: true });
    const exit = venv === failingVenv ? 1 : 0;
    fs.writeFileSync(path.join(machine, venv, "bin", "python"), `#!/bin/bash\necho "${venv} $*" >> ${log}\nexit ${exit}\n`, {
      mode: 0o755,
    });
  }
  const result = spawnSync("/bin/bash", [path.join(machine, "scripts", "test-python.sh"), "--step-headers"], {
    encoding: "utf8",
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
  fs.rmSync(machine, { recursive: true, force: true });
  return { status: result.status, output: result.stdout + result.stderr, calls };
}

describe("scripts/test-python.sh", () => {
  it("runs every pytest suite of the project, each in a pytest process of its own", () => {
    // Act
    const run = runScript();

    // Assess
    expect(run.status).toBe(0);
    for (const folder of PYTHON_HOMES.flatMap((home) => suiteFolders(path.join(REPO_ROOT, home)))) {
      expect(run.calls.filter((call) => call.split(" ").includes(folder)).length).toBeGreaterThanOrEqual(1);
    }
    expect(run.calls.every((call) => / -m pytest /.test(` ${call.split(" ").slice(1).join(" ")} `))).toBe(true);
  });

  it("runs the model tests under the container's transformers too, and the emulator's under moto's venv", () => {
    // Act
    const run = runScript();

    // Assess
    expect(run.calls).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\.venv -m pytest model\/tests /),
        expect.stringMatching(/^\.venv-tf449 -m pytest model\/tests /),
        expect.stringMatching(/^\.venv-emulator -m pytest tools\/deploy\/emulator\/tests /),
      ]),
    );
  });

  it("runs the other suites after one fails, names it, and fails", () => {
    // Act
    const run = runScript(".venv-tf449");

    // Assess
    expect(run.status).toBe(1);
    expect(run.calls).toHaveLength(4);
    expect(run.output).toContain("test-python: failed: pytest (model/, transformers 4.49.0");
  });

  it("is what both scripts/test.sh and npm run test:python run", () => {
    // Prepare
    const testSh = fs.readFileSync(path.join(REPO_ROOT, "scripts", "test.sh"), "utf8");
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts;

    // Assess
    expect(testSh).toContain("bash scripts/test-python.sh --step-headers");
    expect(testSh).not.toMatch(/-m pytest (model\/tests|local\/endpoint\/tests|tools\/deploy\/emulator\/tests) /);
    expect(scripts["test:python"]).toBe("bash scripts/test-python.sh");
  });
});
