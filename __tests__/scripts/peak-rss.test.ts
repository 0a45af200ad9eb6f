/**
 * The benchmarks' peak memory of a child process must be the child's own: a process started by a parent that holds
 * hundreds of MB (the /similar bench's parent holds the float32 rows it wrote) must not report the parent's memory.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { lambdaNode } from "../../local/settings";

const run = promisify(execFile);
const MB = 1024 * 1024;
const helper = path.join(__dirname, "..", "..", "scripts", "peak-rss.js");

async function childPeakMb(script: string): Promise<number> {
  const { stdout } = await run(lambdaNode().file, ["-e", `const { peakRssBytes } = require(${JSON.stringify(helper)}); ${script}`]);
  return Number(stdout) / MB;
}

test("a child's peak is its own, not the memory its parent held when it started it", async () => {
  // Prepare: this process holds 400 MB, touched, while it starts the child.
  const ballast = Buffer.alloc(400 * MB, 1);

  // Act
  const peak = await childPeakMb("console.log(peakRssBytes())");

  // Assess: a bare Node.js process is well under 150 MB.
  expect(ballast.length).toBe(400 * MB);
  expect(peak).toBeGreaterThan(10);
  expect(peak).toBeLessThan(150);
});

test("a child's peak includes what it held and released", async () => {
  // Act: the child touches 300 MB, lets it go, and reports afterwards.
  const peak = await childPeakMb("(() => { Buffer.alloc(300 * 1024 * 1024, 1); })(); globalThis.gc?.(); console.log(peakRssBytes())");

  // Assess
  expect(peak).toBeGreaterThan(300);
});
