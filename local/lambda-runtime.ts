/**
 * Runs the bundled Lambda handler the way the Lambda runtime calls it: one module load (so module-scope clients
 * are created once, as in a warm execution environment), then `handler(event, context)` per request with a real
 * Context (request id, remaining time) and the function timeout enforced.
 */
import { randomBytes, randomUUID } from "crypto";
import type { Context } from "aws-lambda";
import { LOCAL_ACCOUNT_ID } from "./apigw-event";

export interface LambdaFunctionOptions {
  /** Absolute path of the bundle (bundleLambda().file). */
  readonly bundleFile: string;
  /** Export name, from the handler setting "index.handler". @default "handler" */
  readonly exportName?: string;
  readonly functionName: string;
  /** The function timeout, as the stack sets it. @default 28 */
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly region: string;
}

export type InvokeOutcome =
  | { readonly kind: "result"; readonly value: unknown; readonly durationMs: number }
  | { readonly kind: "error"; readonly error: unknown; readonly durationMs: number }
  | { readonly kind: "timeout"; readonly durationMs: number };

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export class LocalLambdaFunction {
  private readonly handler: Handler;
  private readonly logStreamName: string;

  constructor(private readonly options: LambdaFunctionOptions) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(options.bundleFile) as Record<string, unknown>;
    const handler = module[options.exportName ?? "handler"];
    if (typeof handler !== "function") {
      throw new Error(`${options.bundleFile} does not export a function "${options.exportName ?? "handler"}"`);
    }
    this.handler = handler as Handler;
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, "/");
    this.logStreamName = `${day}/[$LATEST]${randomBytes(16).toString("hex")}`;
  }

  async invoke(event: unknown): Promise<InvokeOutcome> {
    const started = Date.now();
    const deadline = started + this.options.timeoutSeconds * 1000;
    const context = this.context(deadline);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), deadline - started);
    });
    try {
      const value = await Promise.race([Promise.resolve().then(() => this.handler(event, context)), timeout]);
      if (value === "timeout") {
        // Lambda freezes the environment here; in-process the handler's promise is simply abandoned.
        console.error(`${context.awsRequestId} Task timed out after ${this.options.timeoutSeconds.toFixed(2)} seconds`);
        return { kind: "timeout", durationMs: Date.now() - started };
      }
      return { kind: "result", value, durationMs: Date.now() - started };
    } catch (error) {
      return { kind: "error", error, durationMs: Date.now() - started };
    } finally {
      clearTimeout(timer);
    }
  }

  private context(deadline: number): Context {
    const { functionName, region, memoryMb } = this.options;
    const unsupported = () => {
      throw new Error("callback-style context methods are not supported by the Node.js 22 runtime");
    };
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion: "$LATEST",
      invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
      memoryLimitInMB: String(memoryMb),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: this.logStreamName,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: unsupported,
      fail: unsupported,
      succeed: unsupported,
    };
  }
}
