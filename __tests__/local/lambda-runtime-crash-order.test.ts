/**
 * The order in which Node reports a worker's end: an uncaught exception is emitted as "error" as soon as it arrives
 * on Node's internal channel, which can overtake an answer the handler posted before it crashed (Node drains the
 * posted messages only before "exit": lib/internal/worker.js, kOnErrorMessage and kOnExit). A busy machine saw it:
 * the local runtime then failed an invocation whose answer had been sent. This test plays that order with a stand-in
 * Worker; lambda-runtime.test.ts runs real worker threads.
 */
import { LocalLambdaFunction } from "../../local/lambda-runtime";

type Script = (message: { requestId: string }) => [event: string, payload: unknown][];

// A worker thread as Node reports it: ready at once, then for each invocation the events `script` lists. Defined in
// the factory, which jest runs before this module's own code.
jest.mock("worker_threads", () => {
  const { EventEmitter } = require("events") as typeof import("events");
  class ScriptedWorker extends EventEmitter {
    static script: Script = () => [];
    constructor() {
      super();
      setImmediate(() => this.emit("message", { kind: "ready" }));
    }
    postMessage(message: { requestId: string }): void {
      setImmediate(() => {
        for (const [event, payload] of ScriptedWorker.script(message)) this.emit(event, payload);
      });
    }
    unref(): void {}
    async terminate(): Promise<number> {
      this.emit("exit", 1);
      return 1;
    }
  }
  // esbuild (which compiles the environment script) runs a worker of its own: only the runtime's (eval) is scripted.
  const actual = jest.requireActual<typeof import("worker_threads")>("worker_threads");
  class Worker {
    static get script(): Script {
      return ScriptedWorker.script;
    }
    static set script(script: Script) {
      ScriptedWorker.script = script;
    }
    constructor(source: string, options?: { eval?: boolean }) {
      return options?.eval ? new ScriptedWorker() : new actual.Worker(source, options);
    }
  }
  return { ...actual, Worker };
});

const ScriptedWorker = (require("worker_threads") as { Worker: { script: Script } }).Worker;

const fn = () =>
  new LocalLambdaFunction({ bundleFile: "unused.js", functionName: "test-fn", timeoutSeconds: 10, memoryMb: 512, region: "us-east-1" });

it("answers with what the handler sent when Node reports its crash first", async () => {
  // Prepare: the answer is posted, then the stray error ends the thread; Node emits the error before the answer.
  ScriptedWorker.script = () => [
    ["error", new Error("Unexpected end of form")],
    ["message", { kind: "result", value: { ok: true } }],
    ["exit", 1],
  ];
  jest.spyOn(console, "error").mockImplementation(() => undefined);

  // Act
  const outcome = await fn().invoke({});

  // Assess
  expect(outcome).toMatchObject({ kind: "result", value: { ok: true } });
});

it("fails the invocation whose handler crashed before answering, with the crash's message", async () => {
  // Prepare
  ScriptedWorker.script = () => [
    ["error", new Error("boom")],
    ["exit", 1],
  ];
  jest.spyOn(console, "error").mockImplementation(() => undefined);

  // Act
  const outcome = await fn().invoke({});

  // Assess
  expect(outcome).toMatchObject({ kind: "error", error: { name: "Runtime.ExitError", message: "Runtime exited with error: boom" } });
});
