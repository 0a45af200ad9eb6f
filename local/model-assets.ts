/** The model-side inputs of the local stack: the demo model folder and freshly generated demo-class images. */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { paths } from "./settings";
import { REPO_ROOT } from "../common/repo-root";

function requirePython(python: string): void {
  if (!fs.existsSync(python)) {
    throw new Error(`${python} not found: run \`bash scripts/setup.sh\` first (it creates the Python environments)`);
  }
}

/**
 * The environment model/'s scripts run in: model/ (the packages demo, hub) and model/code (the container's modules,
 * imported by plain name as in the container) on PYTHONPATH, as package.json's model:* scripts set it.
 */
export function modelScriptEnvironment(): NodeJS.ProcessEnv {
  const folders = [path.join(REPO_ROOT, "model"), path.join(REPO_ROOT, "model", "code")];
  return { ...process.env, PYTHONPATH: folders.join(path.delimiter) };
}

function runPython(python: string, args: string[], inheritStderr: boolean): string {
  requirePython(python);
  return execFileSync(python, args, {
    cwd: REPO_ROOT,
    env: modelScriptEnvironment(),
    encoding: "utf8",
    stdio: ["ignore", "pipe", inheritStderr ? "inherit" : "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return lines[lines.length - 1].trim();
}

/**
 * runPython without blocking this process (training takes a minute): a signal handler can still run, and `signal`
 * stops the script. Stderr is passed through when `inheritStderr`, else kept for the error message.
 */
function runPythonAsync(python: string, args: string[], options: { inheritStderr: boolean; signal?: AbortSignal }): Promise<string> {
  requirePython(python);
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, {
      cwd: REPO_ROOT,
      env: modelScriptEnvironment(),
      stdio: ["ignore", "pipe", options.inheritStderr ? "inherit" : "pipe"],
      signal: options.signal,
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${path.basename(args[0])} failed (${signal ?? `exit ${code}`})${stderr ? `:\n${stderr.trim()}` : ""}`));
    });
  });
}

/** Trains the demo model, or reuses the cached one (contract: the folder is the last stdout line). */
export function ensureDemoModel(options: { verbose?: boolean } = {}): string {
  return lastLine(runPython(paths.modelPython, [paths.demoModelScript], options.verbose ?? false));
}

/**
 * The same for the local stack's runner, which must stay stoppable while the model trains: it does not block this
 * process (its signal handlers run), and `signal` stops the script. `verbose`: the script's own lines on stderr (reuse,
 * or start and result of training: no line per epoch).
 */
export async function ensureDemoModelAsync(options: { verbose?: boolean; signal?: AbortSignal } = {}): Promise<string> {
  const args = [paths.demoModelScript, "--quiet"];
  return lastLine(await runPythonAsync(paths.modelPython, args, { inheritStderr: options.verbose ?? false, signal: options.signal }));
}

export interface TestImage {
  readonly file: string;
  readonly label: string;
  readonly format: "jpg" | "png";
}

export interface TestImageSet {
  readonly labels: readonly string[];
  readonly images: readonly TestImage[];
}

/** `perClass` new images per demo class, each as JPEG and PNG (model/scripts/fresh_demo_images.py). */
export function writeTestImages(outDir: string, perClass: number, seed?: number): TestImageSet {
  const args = [paths.freshDemoImagesScript, "--out", outDir, "--per-class", String(perClass)];
  if (seed !== undefined) args.push("--seed", String(seed));
  return JSON.parse(lastLine(runPython(paths.modelPython, args, false))) as TestImageSet;
}

/** Sample images for the curl lines: the model's sample_images.py when present, else one test image per class. */
export function writeSampleImages(outDir: string): string[] {
  if (fs.existsSync(paths.sampleImagesScript)) {
    runPython(paths.modelPython, [paths.sampleImagesScript, "--out", outDir], false);
  } else {
    writeTestImages(outDir, 1);
  }
  return fs
    .readdirSync(outDir)
    .filter((name) => /\.(jpe?g|png|webp|gif|bmp)$/i.test(name))
    .sort()
    .map((name) => `${outDir}/${name}`);
}
