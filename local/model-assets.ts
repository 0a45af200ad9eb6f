/** The model-side inputs of the local stack: the demo model folder and freshly generated demo-class images. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import { paths } from "./settings";
import { REPO_ROOT } from "../common/repo-root";

function runPython(python: string, args: string[], inheritStderr: boolean): string {
  if (!fs.existsSync(python)) {
    throw new Error(`${python} not found: run \`bash scripts/setup.sh\` first (it creates the Python environments)`);
  }
  return execFileSync(python, args, {
    cwd: REPO_ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", inheritStderr ? "inherit" : "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return lines[lines.length - 1].trim();
}

/** Trains the demo model, or reuses the cached one (contract: the folder is the last stdout line). */
export function ensureDemoModel(options: { verbose?: boolean } = {}): string {
  return lastLine(runPython(paths.modelPython, [paths.demoModelScript], options.verbose ?? false));
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

/** `perClass` new images per demo class, each as JPEG and PNG (model/local_endpoint/test_images.py). */
export function writeTestImages(outDir: string, perClass: number, seed?: number): TestImageSet {
  const args = [paths.testImagesScript, "--out", outDir, "--per-class", String(perClass)];
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
