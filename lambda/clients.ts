/**
 * The SageMaker Runtime client and the logger, created once per execution environment (module scope) so warm
 * invocations reuse the TLS connection and the resolved credentials.
 */
import * as http from "node:http";
import * as https from "node:https";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { Logger } from "@aws-lambda-powertools/logger";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { DEFAULT_INVOKE_BUDGET_MS } from "./config";

/** SageMaker accepts connections fast; a connect that takes longer means the network path is broken. */
export const CONNECTION_TIMEOUT_MS = 3_000;

export interface SageMakerClientOptions {
  /** Longest a request may take until the response headers arrive; each call narrows it to its budget. */
  readonly requestTimeoutMs?: number;
  readonly connectionTimeoutMs?: number;
}

export function createSageMakerClient(options: SageMakerClientOptions = {}): SageMakerRuntimeClient {
  const agentOptions = { keepAlive: true, maxSockets: 50 };
  return new SageMakerRuntimeClient({
    // invoke.ts retries itself: the SDK's strategy cannot see our deadline, so it could start an attempt
    // that API Gateway would cut off anyway.
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_INVOKE_BUDGET_MS,
      // Without this flag node-http-handler only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
      httpsAgent: new https.Agent(agentOptions),
      // Plain HTTP only for a local endpoint (AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=http://127.0.0.1:...).
      httpAgent: new http.Agent(agentOptions),
    }),
  });
}

export const sagemakerClient = createSageMakerClient();

// Service name and level come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL when set.
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "image-classifier" });
