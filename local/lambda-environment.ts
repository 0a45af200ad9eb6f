/**
 * One Lambda execution environment, run in its own worker thread by local/lambda-runtime.ts: its own module load
 * of the bundle (so module-scope clients and the logger belong to this environment alone, as in Lambda) and one
 * invocation at a time. An uncaught exception or unhandled rejection ends the thread, as it ends the execution
 * environment on Lambda; the pool then answers the invocation as failed and starts a fresh environment next time.
 */
import { parentPort, workerData } from "worker_threads";
import { lambdaContext, staticContextFields } from "./lambda-context";

export interface EnvironmentData {
  readonly bundleFile: string;
  readonly exportName: string;
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly memoryMb: number;
  readonly logStreamName: string;
}

export interface InvocationMessage {
  readonly requestId: string;
  readonly event: unknown;
  /** Epoch ms at which the function times out. */
  readonly deadline: number;
}

export type EnvironmentReply =
  | { readonly kind: "ready" }
  | { readonly kind: "result"; readonly value: unknown }
  | { readonly kind: "error"; readonly error: { name: string; message: string; stack?: string } };

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

function serialise(error: unknown): { name: string; message: string; stack?: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack }
    : { name: "Error", message: String(error) };
}

function main(): void {
  const port = parentPort;
  if (!port) throw new Error("lambda-environment.ts runs in a worker thread (local/lambda-runtime.ts starts it)");
  const data = workerData as EnvironmentData;
  // Node's default for an unhandled rejection is to throw it as an uncaught exception: the thread ends, as the
  // Lambda runtime process would.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle's path is only known at run time
  const handler = (require(data.bundleFile) as Record<string, unknown>)[data.exportName];
  if (typeof handler !== "function") throw new Error(`${data.bundleFile} does not export a function "${data.exportName}"`);

  port.on("message", async (message: InvocationMessage) => {
    const context = lambdaContext(
      staticContextFields({
        functionName: data.functionName,
        invokedFunctionArn: data.invokedFunctionArn,
        memoryMb: data.memoryMb,
        logStreamName: data.logStreamName,
      }),
      message.requestId,
      message.deadline,
    );
    let reply: EnvironmentReply;
    try {
      reply = { kind: "result", value: await (handler as Handler)(message.event, context) };
    } catch (error) {
      reply = { kind: "error", error: serialise(error) };
    }
    try {
      port.postMessage(reply);
    } catch (error) {
      port.postMessage({ kind: "error", error: serialise(error) } satisfies EnvironmentReply); // not cloneable
    }
  });
  port.postMessage({ kind: "ready" } satisfies EnvironmentReply);
}

main();
