/**
 * main.ts run the way `cdktf synth` runs it (cdktf.json's app: ts-node in a process of its own): it writes the
 * stack and prints nothing on stderr, so a warning from the synth path (a deprecated Node API that cdktf reaches
 * through our values, say) shows up here instead of in every user's terminal.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../common/repo-root";
import { testTarball } from "./helpers";

jest.setTimeout(60_000);

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "synth-process-test-"));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

it("writes the stack and prints no warning", () => {
  // Prepare
  const config = path.join(work, "config.json");
  fs.writeFileSync(config, JSON.stringify({ stackName: "synth-process", modelArtifact: { path: testTarball() } }));
  const outdir = path.join(work, "cdktf.out");
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CLASSIFIER_CONFIG: config, CDKTF_OUTDIR: outdir };

  // Act
  const run = spawnSync(
    process.execPath,
    [path.join(REPO_ROOT, "node_modules", "ts-node", "dist", "bin.js"), "--transpile-only", "main.ts"],
    {
      cwd: REPO_ROOT,
      env,
      encoding: "utf8",
    },
  );

  // Assess
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const stack = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "synth-process", "cdk.tf.json"), "utf8"));
  expect(stack.output.route_invoke_arns.value).toEqual([
    "${aws_apigatewayv2_api.api_4F59AA66.execution_arn}/*/POST/classify",
    "${aws_apigatewayv2_api.api_4F59AA66.execution_arn}/*/POST/embed",
  ]);
});
