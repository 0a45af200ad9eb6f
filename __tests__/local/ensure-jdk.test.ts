/**
 * scripts/ensure-jdk.sh (the JDK step of scripts/setup.sh) on made-up machines: the real script runs with PATH set
 * to a folder of stand-ins for uname, id, java, apt-get and sudo, which record how they were called. So the choice
 * per operating system and the commands it runs are tested here, on any machine, without installing anything.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../common/repo-root";

const SCRIPT = path.join(REPO_ROOT, "scripts", "ensure-jdk.sh");
const BASH = "/bin/bash";

interface Machine {
  /** what `uname -s` prints */
  readonly kernel: string;
  /** what `id -u` prints @default "0" */
  readonly uid?: string;
  /** java on PATH: a working one, macOS's stub that fails without a JDK, or none @default "none" */
  readonly java?: "works" | "fails" | "none";
  /** apt-get on PATH, and what its install does @default "none" */
  readonly aptGet?: "installs-java" | "installs-nothing" | "fails" | "none";
  /** sudo on PATH @default false */
  readonly sudo?: boolean;
  /** JAVA_HOME: a JDK folder whose bin/java works, or a folder without one @default unset */
  readonly javaHome?: "works" | "empty";
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** every apt-get and sudo call, in order: "apt-get update -qq", ... */
  readonly calls: string[];
}

let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "ensure-jdk-test-"));
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function stub(dir: string, name: string, body: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, name), `#!${BASH}\n${body}\n`, { mode: 0o755 });
}

const WORKING_JAVA = `echo 'openjdk version "17.0.15" 2025-04-15' >&2`;

function runOn(machine: Machine): Run {
  const bin = path.join(work, "bin");
  const calls = path.join(work, "calls.log");
  stub(bin, "uname", `echo ${machine.kernel}`);
  stub(bin, "id", `echo ${machine.uid ?? "0"}`);
  // The script's own helpers, real ones (PATH holds nothing but this folder).
  for (const tool of ["env", "head"]) fs.symlinkSync(`/usr/bin/${tool}`, path.join(bin, tool));
  if (machine.java === "works") stub(bin, "java", WORKING_JAVA);
  if (machine.java === "fails")
    stub(bin, "java", `echo 'The operation couldn’t be completed. Unable to locate a Java Runtime.' >&2; exit 1`);
  const aptGet = machine.aptGet ?? "none";
  if (aptGet !== "none") {
    const onInstall = {
      "installs-java": `printf '%s\\n' '#!${BASH}' "${WORKING_JAVA.replace(/"/g, '\\"')}" > ${bin}/java; /bin/chmod +x ${bin}/java`,
      "installs-nothing": "true",
      fails: "echo 'E: Unable to locate package default-jdk-headless' >&2; exit 100",
    }[aptGet];
    stub(
      bin,
      "apt-get",
      `echo "apt-get $* DEBIAN_FRONTEND=\${DEBIAN_FRONTEND:-}" >> ${calls}\nif [ "$1" = install ]; then ${onInstall}; fi`,
    );
  }
  if (machine.sudo) stub(bin, "sudo", `echo "sudo $*" >> ${calls}\nshift\nexec "$@"`);

  const env: NodeJS.ProcessEnv = { PATH: bin, HOME: work };
  if (machine.javaHome === "works") {
    stub(path.join(work, "jdk", "bin"), "java", WORKING_JAVA);
    env.JAVA_HOME = path.join(work, "jdk");
  }
  if (machine.javaHome === "empty") {
    fs.mkdirSync(path.join(work, "no-jdk"));
    env.JAVA_HOME = path.join(work, "no-jdk");
  }

  const result = spawnSync(BASH, [SCRIPT], { env, encoding: "utf8", timeout: 10_000 });
  const log = fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls: log };
}

const APT_UPDATE = "apt-get update -qq DEBIAN_FRONTEND=";
const APT_INSTALL = "apt-get install -y -qq --no-install-recommends default-jdk-headless DEBIAN_FRONTEND=noninteractive";

describe("scripts/ensure-jdk.sh", () => {
  it("does nothing, quietly, when java on PATH runs", () => {
    // Act
    const run = runOn({ kernel: "Linux", java: "works", aptGet: "installs-java", sudo: true, uid: "1000" });

    // Assess
    expect(run).toEqual({ status: 0, stdout: "", stderr: "", calls: [] });
  });

  it("installs default-jdk-headless with apt-get as root on Linux without java", () => {
    // Act
    const run = runOn({ kernel: "Linux", aptGet: "installs-java" });

    // Assess
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([APT_UPDATE, APT_INSTALL]);
    expect(run.stdout).toContain('java: openjdk version "17.0.15"');
  });

  it("goes through sudo when not root", () => {
    // Act
    const run = runOn({ kernel: "Linux", uid: "1000", aptGet: "installs-java", sudo: true });

    // Assess
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([
      "sudo -- apt-get update -qq",
      APT_UPDATE,
      "sudo -- env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jdk-headless",
      APT_INSTALL,
    ]);
    expect(run.stdout).toContain("sudo may ask for your password");
  });

  it("stops with the command to run as root when not root and without sudo", () => {
    // Act
    const run = runOn({ kernel: "Linux", uid: "1000", aptGet: "installs-java" });

    // Assess
    expect(run.status).toBe(1);
    expect(run.calls).toEqual([]);
    expect(run.stderr).toContain("needs root, and sudo is not available");
    expect(run.stderr).toContain("apt-get update && apt-get install -y -qq --no-install-recommends default-jdk-headless");
  });

  it.each(["fails", "none"] as const)("on macOS with java %s, prints the Homebrew commands and stops", (java) => {
    // Act: macOS's /usr/bin/java stub fails without a JDK; apt-get present (e.g. a stray one) is not used
    const run = runOn({ kernel: "Darwin", uid: "501", java, aptGet: "installs-java", sudo: true });

    // Assess
    expect(run.status).toBe(1);
    expect(run.calls).toEqual([]);
    expect(run.stderr).toContain("runs on Java 8 or newer");
    expect(run.stderr).toContain("  brew install openjdk@17\n");
    expect(run.stderr).toContain('  export PATH="$(brew --prefix openjdk@17)/bin:$PATH"');
  });

  it("accepts a JAVA_HOME whose bin/java runs, with no java on PATH", () => {
    // Act
    const run = runOn({ kernel: "Darwin", javaHome: "works" });

    // Assess
    expect(run).toMatchObject({ status: 0, stderr: "", calls: [] });
  });

  it("stops on a JAVA_HOME without a working java, even with java on PATH (the model server would use JAVA_HOME)", () => {
    // Act
    const run = runOn({ kernel: "Linux", java: "works", javaHome: "empty", aptGet: "installs-java" });

    // Assess
    expect(run.status).toBe(1);
    expect(run.calls).toEqual([]);
    expect(run.stderr).toContain(`JAVA_HOME is set to '${path.join(work, "no-jdk")}', but`);
    expect(run.stderr).toContain("point JAVA_HOME at a JDK or unset it");
  });

  it("stops with a clear message on Linux without apt-get", () => {
    // Act
    const run = runOn({ kernel: "Linux", sudo: true });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("This Linux has no apt-get: install a JDK with its package manager");
  });

  it("stops with a clear message on other systems", () => {
    // Act
    const run = runOn({ kernel: "FreeBSD" });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("FreeBSD is not a system this project sets up (Linux and macOS are)");
  });

  it("says so when apt-get fails", () => {
    // Act
    const run = runOn({ kernel: "Linux", aptGet: "fails" });

    // Assess
    expect(run.status).toBe(1);
    expect(run.calls).toEqual([APT_UPDATE, APT_INSTALL]);
    expect(run.stderr).toContain("E: Unable to locate package default-jdk-headless");
    expect(run.stderr).toContain("apt-get could not install default-jdk-headless");
  });

  it("says so when java still does not run after the install", () => {
    // Act
    const run = runOn({ kernel: "Linux", aptGet: "installs-nothing" });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("A JDK was installed, but java still does not run (java on PATH: none)");
  });
});
