// The rehearsal's command runner: a command that hangs (as `terraform destroy` did, retrying an emulator's 500 for
// ever) is killed with everything it started once its time is up, and the result says so.
import * as fs from "fs";
import { run } from "../../../tools/deploy/cdktf-workspace";

/** Running or sleeping; a zombie (killed, not yet reaped by an init that may never reap it) is not alive. */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

describe("run", () => {
  it("returns the exit status and the interleaved output of a command that ends", async () => {
    // Act
    const result = await run("sh", ["-c", "echo out; echo err >&2; exit 3"], process.cwd(), process.env);

    // Assess
    expect(result.status).toBe(3);
    expect(result.output).toContain("out");
    expect(result.output).toContain("err");
  });

  it("kills a command that outlives its time, its children included, and says so", async () => {
    // Prepare: a shell whose child sleeps and ignores SIGTERM, as a provider plugin under terraform could.
    const script = "sh -c 'trap \"\" TERM; echo child $$; sleep 60' & wait";

    // Act
    const result = await run("sh", ["-c", script], process.cwd(), process.env, { timeoutMs: 1_000 });

    // Assess
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/killed: still running after 1 s/);
    const child = Number(/child (\d+)/.exec(result.output)?.[1]);
    expect(alive(child)).toBe(false);
    expect(result.durationMs).toBeLessThan(10_000);
  });
});
