/** `npm run preflight` as a command: its exit status (1 on a FAIL line, 2 on a bad argument) through the real CLI. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../../common/repo-root";

function preflightCli(args: string[]) {
  return spawnSync(
    process.execPath,
    [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(REPO_ROOT, "tools", "preflight", "cli.ts"), ...args],
    {
      encoding: "utf8",
      cwd: REPO_ROOT,
      // No AWS at all: the config below is invalid, so nothing is asked.
      env: { PATH: process.env.PATH, HOME: os.tmpdir() },
    },
  );
}

describe("npm run preflight", () => {
  it("exits 1 after printing the FAIL line of an invalid config", () => {
    // Prepare
    const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflight-cli-")), "bad.json");
    fs.writeFileSync(config, JSON.stringify({ lambda: { memoryMb: 64 } }));

    // Act
    const result = spawnResult(preflightCli(["--config", config]));

    // Assess
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("FAIL  config: lambda.memoryMb: must be at least 128\n      fix: fix classifier.config.json");
    expect(result.stdout.trimEnd().split("\n").pop()).toBe(
      "Preflight: 0 passed, 0 warnings, 1 failed: fix the FAIL lines before deploying.",
    );
  });

  it("exits 2 with its usage on an unknown argument", () => {
    // Act
    const result = spawnResult(preflightCli(["--bogus"]));

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^preflight: Unknown option '--bogus'.*\nusage: npm run preflight \[-- --config <classifier config file>\]\n$/s,
    );
  });
});

function spawnResult(result: ReturnType<typeof spawnSync>) {
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}
