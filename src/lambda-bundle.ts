/**
 * Bundles the `lambda/` handler with esbuild into one CommonJS file for Node.js 22.
 *
 * This is the single place the Lambda bundle is built: the stack (at synth), the bundle test and the
 * local stack all call it, so what is tested locally is byte-for-byte what Terraform uploads.
 * Every dependency (the AWS SDK included) is bundled, so the pinned lock file, not whatever SDK the
 * Lambda runtime happens to ship, decides the code that runs.
 */
import * as fs from "fs";
import * as path from "path";
import { buildSync } from "esbuild";

export interface LambdaBundleOptions {
  /** The handler's TypeScript entry point. @default lambda/handler.ts in this repository */
  readonly entry?: string;
  /** Folder the bundle is written to (emptied first). @default dist/lambda in this repository */
  readonly outdir?: string;
}

export interface LambdaBundle {
  /** Folder holding `index.js` (and its source map): zip this folder for Lambda. */
  readonly outdir: string;
  /** Absolute path of the bundled file. */
  readonly file: string;
  /** The Lambda `handler` setting for this bundle. */
  readonly handler: string;
}

const repoRoot = path.resolve(__dirname, "..");

export function defaultLambdaEntry(): string {
  return path.join(repoRoot, "lambda", "handler.ts");
}

export function defaultLambdaOutdir(): string {
  return path.join(repoRoot, "dist", "lambda");
}

export function bundleLambda(options: LambdaBundleOptions = {}): LambdaBundle {
  const entry = options.entry ?? defaultLambdaEntry();
  const outdir = options.outdir ?? defaultLambdaOutdir();
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const file = path.join(outdir, "index.js");
  buildSync({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    // Source maps keep stack traces in CloudWatch readable (NODE_OPTIONS=--enable-source-maps).
    sourcemap: true,
    // Paths in the map are relative to outdir, so the bundle's bytes do not depend on the checkout's location.
    sourceRoot: "",
    legalComments: "none",
    logLevel: "warning",
  });
  return { outdir, file, handler: "index.handler" };
}
