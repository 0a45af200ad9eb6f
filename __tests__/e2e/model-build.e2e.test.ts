/**
 * `npm run synth` with `modelArtifact.huggingFace`: the config names a Hub model, reading it builds nothing (a missing
 * tarball is a problem naming the command), `npm run model:build` downloads and packages it where the config looks
 * (from a loopback Hub: model/tests/fake_hub.py, so no network), and the synthesized stack uploads exactly that
 * tarball. Also: `npm run model:package -- <id> --revision <sha>` without an output writes the same path, and a
 * config naming its own tarball builds nothing.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import { REPO_ROOT } from "../../common/repo-root";
import { ensureDemoModel } from "../../local/model-assets";
import { loadConfig } from "../../src/config/load-config";

jest.setTimeout(600_000);

const org = `e2e-${process.pid}`;
const id = `${org}/vit-demo`;
const python = path.join(REPO_ROOT, ".venv", "bin", "python");
let hub: ChildProcess | undefined;
let endpoint = "";
let sha = "";
let dir = "";

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "model-build-"));
  hub = spawn(python, [path.join(REPO_ROOT, "model", "tests", "fake_hub.py"), `${id}=${ensureDemoModel()}`], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: hub!.stdout! }).once("line", resolve);
    hub!.once("exit", (code) => reject(new Error(`fake_hub.py exited with ${code}`)));
  });
  const served = JSON.parse(firstLine) as { endpoint: string; repos: Record<string, string> };
  endpoint = served.endpoint;
  sha = served.repos[id];
});

afterAll(() => {
  hub?.kill();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(path.join(REPO_ROOT, "model", ".cache", "huggingface", `${org}--vit-demo`), { recursive: true, force: true });
});

function run(args: string[], config: string): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CLASSIFIER_CONFIG: config,
    HF_ENDPOINT: endpoint,
    HF_HUB_CACHE: path.join(dir, "hf-cache"),
    HF_HOME: path.join(dir, "hf-home"),
    HF_HUB_DISABLE_PROGRESS_BARS: "1",
    CHECKPOINT_DISABLE: "1",
  };
  delete env.HF_TOKEN;
  const result = spawnSync("npm", ["run", "--silent", ...args], { cwd: REPO_ROOT, env, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writeConfig(name: string, config: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

it("synth builds the Hub model the config names, where the config finds it, and deploys exactly that tarball", () => {
  // Prepare
  const config = writeConfig("hub.json", { modelArtifact: { huggingFace: { id, revision: sha } } });
  const tarball = path.join(REPO_ROOT, "model", ".cache", "huggingface", `${org}--vit-demo`, sha, "model.tar.gz");
  expect(() => loadConfig({ CLASSIFIER_CONFIG: config })).toThrow(`run \`npm run model:package -- ${id} --revision ${sha}\``);
  expect(fs.existsSync(tarball)).toBe(false); // reading the config downloaded nothing
  const out = path.join(dir, "cdktf.out");
  // Act
  const synth = run(["synth", "--", "--output", out], config);
  // Assess
  expect(synth.stderr).not.toMatch(/Traceback|\[ERROR\]/);
  expect(synth.status).toBe(0);
  expect(synth.stdout).toContain(`model: ${id}@${sha.slice(0, 12)} from the Hugging Face Hub`);
  // What the packager suggests is what the config already says (not a path to the same tarball).
  expect(synth.stdout).toContain(`"modelArtifact": {"huggingFace": {"id": "${id}", "revision": "${sha}"}}`);
  expect(loadConfig({ CLASSIFIER_CONFIG: config }).modelSource).toEqual({ kind: "huggingFace", id, revision: sha, tarballPath: tarball });
  const stack = fs.readFileSync(path.join(out, "stacks", "vit-classifier", "cdk.tf.json"), "utf8");
  expect(stack).toContain(`models/${sha256(tarball)}/`);
});

it("model:package without an output writes the tarball where the config looks for it", () => {
  // Prepare
  const config = writeConfig("hub-again.json", { modelArtifact: { huggingFace: { id, revision: sha } } });
  fs.rmSync(path.join(REPO_ROOT, "model", ".cache", "huggingface", `${org}--vit-demo`), { recursive: true, force: true });
  // Act
  const packaged = run(["model:package", "--", id, "--revision", sha], config);
  // Assess
  expect(packaged.status).toBe(0);
  expect(packaged.stdout).toContain(`"modelArtifact": {"huggingFace": {"id": "${id}", "revision": "${sha}"}}`);
  const resolved = loadConfig({ CLASSIFIER_CONFIG: config });
  expect(packaged.stdout).toContain(`sha256 ${sha256(resolved.modelArtifactPath)}`);
});

it("builds nothing for a tarball of the user's own", () => {
  // Prepare
  const own = path.join(dir, "own.tar.gz");
  fs.writeFileSync(own, "a tarball the user built");
  const config = writeConfig("own.json", { modelArtifact: { path: own } });
  // Act
  const build = run(["model:build"], config);
  // Assess
  expect(build.status).toBe(0);
  expect(build.stdout).toContain(`model: your model tarball ${own}`);
  expect(build.stdout).toContain("modelArtifact.path names your own tarball: nothing to build");
  expect(fs.readFileSync(own, "utf8")).toBe("a tarball the user built");
});

it("stops on a config synth would refuse, before any download", () => {
  const config = writeConfig("bad.json", { modelArtifact: { huggingFace: { id, revision: "main" } }, lambda: { memoryMb: 1 } });
  const build = run(["model:build"], config);
  expect(build.status).toBe(1);
  expect(build.stderr).toContain("modelArtifact.huggingFace.revision: must be a full commit sha");
  expect(build.stderr).toContain("lambda.memoryMb: must be at least 128");
});
