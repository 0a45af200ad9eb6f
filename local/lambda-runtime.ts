/**
 * Runs the bundled Lambda handler the way the Lambda service does: a pool of execution environments (worker
 * threads, local/lambda-environment.ts), each with its own module load of the bundle and one invocation at a time,
 * created on demand up to the function's concurrency (more requests than that are throttled), reused while warm,
 * and discarded when the function times out or its runtime crashes (an uncaught exception or unhandled rejection).
 * A single shared module load serving concurrent requests would hide bugs Lambda never has (module-scope state
 * shared between requests, such as a logger's per-request context) and survive crashes Lambda does not.
 */
import { randomUUID } from "crypto";
import { buildSync } from "esbuild";
import * as path from "path";
import type { Writable } from "stream";
import { Worker } from "worker_threads";
import { LOCAL_ACCOUNT_ID } from "./apigw-event";
import type { EnvironmentData, EnvironmentReply, InvocationMessage } from "./lambda-environment";
import { newLogStreamName } from "./lambda-context";

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
  /** Execution environments at most (the function's concurrency limit). @default 10 */
  readonly concurrency?: number;
  /**
   * Where the function's own output goes (what Lambda sends to its CloudWatch log group): the handler's log lines.
   * @default this process's stdout and stderr
   */
  readonly functionLog?: Writable;
}

export type InvokeOutcome =
  | { readonly kind: "result"; readonly value: unknown; readonly durationMs: number }
  | { readonly kind: "error"; readonly error: unknown; readonly durationMs: number }
  | { readonly kind: "timeout"; readonly durationMs: number }
  | { readonly kind: "throttled"; readonly durationMs: number };

let environmentScript: string | undefined;
/**
 * local/lambda-environment.ts as one plain-JavaScript script, compiled once per process: a worker that loaded it
 * through ts-node would compile TypeScript again at every cold start (161 ms against 30 ms for the plain script).
 */
function compiledEnvironmentScript(): string {
  environmentScript ??= buildSync({
    entryPoints: [path.join(__dirname, "lambda-environment.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    write: false,
    logLevel: "silent",
  }).outputFiles[0].text;
  return environmentScript;
}
/** Lambda gives a function's init 10 s. */
const INIT_TIMEOUT_MS = 10_000;

/** One execution environment: a worker thread with the bundle loaded. */
class ExecutionEnvironment {
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private pending: ((reply: EnvironmentReply) => void) | undefined;
  dead = false;

  constructor(data: EnvironmentData, functionLog: Writable | undefined) {
    // The worker inherits this process's environment (the Lambda's variables), not its Node options: a
    // `-r ts-node/register` of this process would only slow the environment's start.
    const separateOutput = functionLog !== undefined;
    this.worker = new Worker(compiledEnvironmentScript(), {
      eval: true,
      workerData: data,
      execArgv: [],
      stdout: separateOutput,
      stderr: separateOutput,
    });
    if (functionLog) {
      // Every environment writes into the one log; none of them may end it.
      this.worker.stdout.pipe(functionLog, { end: false });
      this.worker.stderr.pipe(functionLog, { end: false });
    }
    this.ready = new Promise<void>((resolve, reject) => {
      // Started once per environment, cleared however init ends (warm invocations create no timer).
      const timer = setTimeout(() => reject(new Error(`init did not finish within ${INIT_TIMEOUT_MS} ms`)), INIT_TIMEOUT_MS);
      const settle = (outcome: () => void) => {
        clearTimeout(timer);
        outcome();
      };
      this.worker.once("message", (reply: EnvironmentReply) =>
        settle(() => (reply.kind === "ready" ? resolve() : reject(new Error("unexpected first message")))),
      );
      this.worker.once("error", (error) => settle(() => reject(error)));
      this.worker.once("exit", (code) => settle(() => reject(new Error(`the runtime exited during init (code ${code})`))));
    });
    this.ready.catch(() => undefined);
    this.worker.on("message", (reply: EnvironmentReply) => {
      if (reply.kind === "ready") return;
      const settle = this.pending;
      this.pending = undefined;
      settle?.(reply);
    });
    let crash: Error | undefined;
    this.worker.on("error", (error: Error) => {
      // An uncaught exception in the handler's code: the runtime process ends, and with it this environment. The
      // invocation is settled on "exit", not here: Node emits the error as soon as it arrives on a channel of its own,
      // which can overtake an answer the handler posted before crashing; before "exit" Node delivers every message.
      this.dead = true;
      crash = error;
    });
    this.worker.on("exit", () => {
      this.dead = true;
      const settle = this.pending;
      this.pending = undefined;
      settle?.({
        kind: "error",
        error: crash
          ? { name: "Runtime.ExitError", message: `Runtime exited with error: ${crash.message}`, stack: crash.stack }
          : { name: "Runtime.ExitError", message: "Runtime exited without providing a reason" },
      });
    });
    this.worker.unref();
  }

  /** Resolves once the bundle is loaded, or rejects with the init failure (or after Lambda's 10 s init limit). */
  waitUntilReady(): Promise<void> {
    return this.ready;
  }

  run(message: InvocationMessage): Promise<EnvironmentReply> {
    return new Promise((resolve) => {
      if (this.dead) {
        resolve({ kind: "error", error: { name: "Runtime.ExitError", message: "the execution environment had ended" } });
        return;
      }
      this.pending = resolve;
      this.worker.postMessage(message);
    });
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }
}

export class LocalLambdaFunction {
  private readonly idle: ExecutionEnvironment[] = [];
  private busy = 0;
  private closed = false;
  private readonly concurrency: number;

  constructor(private readonly options: LambdaFunctionOptions) {
    this.concurrency = options.concurrency ?? 10;
  }

  async invoke(event: unknown): Promise<InvokeOutcome> {
    const started = Date.now();
    const requestId = randomUUID();
    let environment = this.idle.pop();
    // An environment whose runtime crashed after answering (a stray error on a later tick) is gone: skip it.
    while (environment?.dead) environment = this.idle.pop();
    if (!environment) {
      if (this.busy >= this.concurrency) return { kind: "throttled", durationMs: 0 };
      environment = this.newEnvironment();
    }
    this.busy += 1;
    try {
      try {
        await environment.waitUntilReady();
      } catch (error) {
        await environment.terminate();
        return { kind: "error", error, durationMs: Date.now() - started };
      }
      return await this.run(environment, event, requestId, started);
    } finally {
      this.busy -= 1;
      if (this.closed) void environment.terminate();
      else if (!environment.dead) this.idle.push(environment);
    }
  }

  private async run(environment: ExecutionEnvironment, event: unknown, requestId: string, started: number): Promise<InvokeOutcome> {
    const deadline = Date.now() + this.options.timeoutSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), deadline - Date.now());
    });
    try {
      const reply = await Promise.race([environment.run({ requestId, event, deadline }), timeout]);
      if (reply === "timeout") {
        // Lambda stops the environment at the timeout; the next invocation gets a fresh one.
        console.error(`${requestId} Task timed out after ${this.options.timeoutSeconds.toFixed(2)} seconds`);
        await environment.terminate();
        return { kind: "timeout", durationMs: Date.now() - started };
      }
      if (reply.kind === "result") return { kind: "result", value: reply.value, durationMs: Date.now() - started };
      if (reply.kind === "error" && environment.dead) {
        console.error(`${requestId} ${reply.error.message}: the execution environment is discarded`);
      }
      return { kind: "error", error: reply.kind === "error" ? reply.error : reply, durationMs: Date.now() - started };
    } finally {
      clearTimeout(timer);
    }
  }

  private newEnvironment(): ExecutionEnvironment {
    const { functionName, region, memoryMb, bundleFile } = this.options;
    return new ExecutionEnvironment(
      {
        bundleFile,
        exportName: this.options.exportName ?? "handler",
        functionName,
        invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
        memoryMb,
        logStreamName: newLogStreamName(),
      },
      this.options.functionLog,
    );
  }

  /** Idle environments whose runtime is still running (a crash after answering surfaces a moment later). */
  liveIdleEnvironments(): number {
    return this.idle.filter((environment) => !environment.dead).length;
  }

  /** Ends every idle environment now and each busy one when its invocation ends (the API server is stopping). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((environment) => environment.terminate()));
  }
}
