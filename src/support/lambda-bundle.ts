/**
 * Bundles the `lambda/` handler with esbuild into CommonJS for Node.js 22: `index.js`, which every cold start loads,
 * and `s3-get.js` beside it, the S3 client that only a /similar request loads (its first catalogue read requires
 * "./s3-get"). Kept out of index.js because V8 still reads and compiles code that is never run: in index.js the S3
 * client added ~15 % to the cold module load of every /classify and /embed cold start (docs/decisions.md).
 *
 * This is the single place the Lambda bundle is built: the stack (at synth), the bundle test and the
 * local stack all call it, so what is tested locally is byte-for-byte what Terraform uploads.
 * Minified with source maps kept beside them (the bundle test keeps each file under 400 KB).
 * Every dependency (the AWS SDK included) is bundled, so the pinned lock file, not whatever SDK the
 * Lambda runtime happens to ship, decides the code that runs.
 */
import * as fs from "fs";
import * as path from "path";
import { buildSync, BuildOptions } from "esbuild";
import { REPO_ROOT } from "../../common/repo-root";

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

export function defaultLambdaEntry(): string {
  return path.join(REPO_ROOT, "lambda", "handler.ts");
}

export function defaultLambdaOutdir(): string {
  return path.join(REPO_ROOT, "dist", "lambda");
}

/** The S3 reader: catalogue-objects.ts requires "./s3-get" at run time, which Node resolves to this file beside index.js. */
const S3_READER = { file: "s3-get.js", source: path.join(REPO_ROOT, "lambda", "similar", "s3-get.ts") };

export function bundleLambda(options: LambdaBundleOptions = {}): LambdaBundle {
  const entry = options.entry ?? defaultLambdaEntry();
  const outdir = options.outdir ?? defaultLambdaOutdir();
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const file = path.join(outdir, "index.js");
  buildSync({
    ...COMMON,
    entryPoints: [entry],
    outfile: file,
  });
  buildSync({ ...COMMON, entryPoints: [S3_READER.source], outfile: path.join(outdir, S3_READER.file) });
  return { outdir, file, handler: "index.handler" };
}

const COMMON: BuildOptions = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  // Minified (identifiers included): less to read and compile on every cold start. Names in stack traces
  // come back through the source map below.
  minify: true,
  // Prefer the ES module builds of dependencies (the AWS SDK, smithy, powertools ship both): they tree-shake,
  // the CommonJS builds do not.
  mainFields: ["module", "main"],
  // The SDK's ES builds load some Node built-ins with `import("node:http")`; as require() they behave the same in
  // Lambda and also work where dynamic import is unavailable (a vm context such as jest's in-process test).
  supported: { "dynamic-import": false },
  // Source maps keep stack traces in CloudWatch readable (NODE_OPTIONS=--enable-source-maps).
  sourcemap: true,
  // Paths in the map are relative to outdir, so the bundle's bytes do not depend on the checkout's location.
  sourceRoot: "",
  legalComments: "none",
  logLevel: "warning",
};
