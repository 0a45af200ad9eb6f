/**
 * Entry point of the local API process, started by local/stack.ts under Node.js 22 (the Lambda runtime's major
 * version). The environment IS the Lambda's environment (the handler reads it in-process), plus:
 *   LOCAL_API_BUNDLE   the bundled handler (bundleLambda().file)      LOCAL_API_PORT   port on 127.0.0.1
 *   LOCAL_LAMBDA_TIMEOUT_S, LOCAL_LAMBDA_MEMORY_MB                   the function's settings
 *   LOCAL_LAMBDA_CONCURRENCY  execution environments at most (LAMBDA_CONCURRENCY in stack.ts)
 *   LOCAL_API_CORS     optional: the HTTP API's CORS configuration as JSON (local/cors.ts)
 *   LOCAL_FUNCTION_LOG  optional: a file for the function's own log lines (unset: this process's stdout/stderr),
 *                       so stdout holds one access-log line per request, as API Gateway's access log does
 * The routes are the stack's own (POST on each of API_ROUTE_PATHS).
 * Prints `LOCAL_API_READY http://127.0.0.1:<port>` when listening. SIGTERM/SIGINT stop it without losing an answer
 * (graceful-stop.ts): requests in flight finish (at most DRAIN_TIMEOUT_MS), new ones get a 503; a second signal
 * stops the wait at once.
 */
import * as fs from "fs";
import type { AddressInfo } from "net";
import { API_ROUTE_PATHS } from "../common/facts";
import { createApiServer } from "./api-server";
import { corsFromEnvironment } from "./cors";
import { LocalLambdaFunction } from "./lambda-runtime";
import { DRAIN_TIMEOUT_MS } from "./graceful-stop";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function main(): void {
  const lambda = new LocalLambdaFunction({
    bundleFile: required("LOCAL_API_BUNDLE"),
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? "local-classifier",
    timeoutSeconds: Number(required("LOCAL_LAMBDA_TIMEOUT_S")),
    memoryMb: Number(required("LOCAL_LAMBDA_MEMORY_MB")),
    region: process.env.AWS_REGION ?? "us-east-1",
    concurrency: Number(required("LOCAL_LAMBDA_CONCURRENCY")),
    functionLog: process.env.LOCAL_FUNCTION_LOG ? fs.createWriteStream(process.env.LOCAL_FUNCTION_LOG) : undefined,
  });
  const server = createApiServer({
    routeKeys: API_ROUTE_PATHS.map((route) => `POST ${route}`),
    lambda,
    cors: corsFromEnvironment(process.env),
  });
  server.listen(Number(required("LOCAL_API_PORT")), "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo;
    console.log(`LOCAL_API_READY http://127.0.0.1:${port}`);
  });
  server.on("error", (error) => {
    console.error(`local API: ${error.message}`);
    process.exit(1);
  });
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) {
      console.log(`local API: ${reason} again: answering the requests still in flight with 503 now`);
      void server.stopGracefully();
      return;
    }
    stopping = true;
    console.log(`local API: ${reason}: stopping; requests in flight get up to ${DRAIN_TIMEOUT_MS / 1000} s to finish`);
    void server
      .stopGracefully(DRAIN_TIMEOUT_MS)
      .then(() => lambda.close())
      .finally(() => process.exit(0));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  if (process.env.LOCAL_STOP_WITH_PARENT === "1") {
    // Whoever started us died without stopping us (SIGKILL, a crashed test runner): do not linger as an orphan.
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(watch);
      stop("the parent process exited");
    }, 500);
    watch.unref();
  }
}

main();
