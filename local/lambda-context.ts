/**
 * The Lambda context object as the Node.js 22 runtime hands it to a handler, built in one place for the local API's
 * runtime (local/lambda-environment.ts) and the bundle harness (testing/invoke-bundle.ts, which passes the static
 * fields to testing/bundle-runner.js as JSON: that file is plain JavaScript and adds the per-invocation ones the
 * same way as lambdaContext below).
 */
import { randomBytes } from "crypto";
import { lambdaLogGroupName } from "../common/facts";

/** The fields that stay the same for every invocation of one execution environment. */
export interface StaticContextFields {
  readonly callbackWaitsForEmptyEventLoop: boolean;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
}

/** A log stream name as Lambda writes them: `YYYY/MM/DD/[$LATEST]<32 hex digits>`. */
export function newLogStreamName(now = new Date()): string {
  return `${now.toISOString().slice(0, 10).replace(/-/g, "/")}/[$LATEST]${randomBytes(16).toString("hex")}`;
}

export function staticContextFields(options: {
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly memoryMb: number;
  readonly logStreamName: string;
}): StaticContextFields {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: options.invokedFunctionArn,
    memoryLimitInMB: String(options.memoryMb),
    logGroupName: lambdaLogGroupName(options.functionName),
    logStreamName: options.logStreamName,
  };
}

const unsupported = () => {
  throw new Error("callback-style context methods are not supported by the Node.js 22 runtime");
};

/** The whole context of one invocation. */
export function lambdaContext(fields: StaticContextFields, requestId: string, deadline: number): Record<string, unknown> {
  return {
    ...fields,
    awsRequestId: requestId,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
