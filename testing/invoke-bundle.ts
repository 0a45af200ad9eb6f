/**
 * Runs the Lambda bundle once in a fresh Node.js 22 process, the way the Lambda runtime loads it, and calls its
 * handler for each event (testing/bundle-runner.js). The bundle test and `npm run bench:lambda` use it; the local API
 * keeps warm execution environments instead (local/lambda-runtime.ts).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { LOCAL_ACCOUNT_ID } from "../local/apigw-event";
import { newLogStreamName, staticContextFields } from "../local/lambda-context";
import { lambdaNode } from "../local/settings";
import { LAMBDA_MEMORY_MB, LAMBDA_TIMEOUT_SECONDS } from "../local/stack";

/** What the handler answers API Gateway with (a proxy result). */
export interface HandlerResult {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
  readonly isBase64Encoded?: boolean;
}

export interface BundleRun {
  /** process.version of the Node.js that ran it. */
  readonly node: string;
  /** Time to require the bundle (the cold start's module load), ms. */
  readonly initMs: number;
  readonly handlerType: string;
  /** What the handler answered, one per event. */
  readonly results: HandlerResult[];
}

export interface InvokeBundleOptions {
  readonly bundleFile: string;
  readonly events: readonly unknown[];
  /** The function's whole environment: nothing is inherited (no real credentials, no test settings). */
  readonly env: Record<string, string>;
  /** @default LAMBDA_NODE, or this platform's Node.js 22 (local/node-runtime.ts) */
  readonly node?: string;
  /** The function timeout each invocation's context counts down from. @default the deployed function's */
  readonly timeoutMs?: number;
  /** @default "classifier" */
  readonly functionName?: string;
}

const run = promisify(execFile);
const RUNNER = path.join(__dirname, "bundle-runner.js");

export async function invokeBundle(options: InvokeBundleOptions): Promise<BundleRun> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "invoke-bundle-"));
  try {
    const eventsFile = path.join(work, "events.json");
    const resultFile = path.join(work, "result.json");
    fs.writeFileSync(eventsFile, JSON.stringify(options.events));
    const functionName = options.functionName ?? "classifier";
    const region = options.env.AWS_REGION ?? "us-east-1";
    const context = {
      ...staticContextFields({
        functionName,
        invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
        memoryMb: LAMBDA_MEMORY_MB,
        logStreamName: newLogStreamName(),
      }),
      timeoutMs: options.timeoutMs ?? LAMBDA_TIMEOUT_SECONDS * 1000,
    };
    await run(options.node ?? lambdaNode().file, [RUNNER, options.bundleFile, eventsFile, resultFile, JSON.stringify(context)], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env },
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(fs.readFileSync(resultFile, "utf8")) as BundleRun;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
