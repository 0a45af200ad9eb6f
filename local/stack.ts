/**
 * Starts and stops the local stack's two servers:
 *   local API (Node.js 22, local/api-main.ts: API Gateway HTTP API emulation + the bundled Lambda handler)
 *     --@aws-sdk/client-sagemaker-runtime via AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME-->
 *   local endpoint (Python, local/endpoint/serve.py: SageMaker Runtime front + HF toolkit on MMS)
 * Used by `npm run local`, the end-to-end tests and the load test, so all three run exactly the same wiring.
 */
import * as fs from "fs";
import * as path from "path";
import { catalogueSection } from "../src/config/catalogue";
import { resolveConfig } from "../src/config/load-config";
import { functionEnvironment } from "../src/support/function-environment";
import { ManagedProcess, startProcess } from "../dev-runtime/processes";
import { lambdaNode, paths } from "./settings";
import { LOCAL_API_CORS_ENV } from "./cors";
import type { CorsSettings } from "../src/config/cors";
import { REPO_ROOT } from "../common/repo-root";

/** The function as the default config deploys it (timeout, memory, budget, image limit): the local one is the same. */
const DEPLOYED = resolveConfig({}, { source: "defaults", requireArtifact: false });
export const LAMBDA_TIMEOUT_SECONDS = DEPLOYED.lambda.timeoutSeconds;
export const LAMBDA_MEMORY_MB = DEPLOYED.lambda.memoryMb;
/**
 * Execution environments the local function may run at once (more is throttled, as Lambda does). The stack reserves
 * none by default (lambda.reservedConcurrency), so on AWS the cap is the account's concurrency quota: 10 is what new
 * accounts often get.
 */
export const LAMBDA_CONCURRENCY = 10;
export const LOCAL_REGION = "us-east-1";
/** How often the local function checks latest.json: as deployed with a catalogue section's defaults. */
export const CATALOGUE_REFRESH_SECONDS = catalogueSection.unwrap().shape.refreshSeconds.parse(undefined);
export const LOCAL_FUNCTION_NAME = "local-classifier";

/** Everything of the parent environment except AWS settings: the servers must never see real credentials. */
function baseEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("AWS_") && !name.startsWith("JEST_") && name !== "NODE_OPTIONS") env[name] = value;
  }
  return env;
}

export interface EndpointOptions {
  readonly port: number;
  /** Model folder or model.tar.gz. */
  readonly modelDir: string;
  readonly endpointName: string;
  /** TEST-ONLY: extra latency per invocation (fault tests). @default 0 */
  readonly testDelayMs?: number;
  /** SAGEMAKER_MODEL_SERVER_WORKERS; unset lets MMS choose (one per CPU), as in the container. */
  readonly workers?: number;
  readonly echo?: boolean;
  /** A file for the endpoint's whole output (the front, multi-model-server's Java log, the workers). */
  readonly logFile?: string;
  /**
   * @default 300000: the local endpoint's own start-up limit (LOCAL_ENDPOINT_STARTUP_TIMEOUT_S, 240 s) plus the time to
   * report it, so its message arrives first. Shorter than SageMaker's start-up health check
   * (endpoint.instance.startupHealthCheckTimeoutSeconds, 600 s by default), which also covers downloading the model.
   */
  readonly readyTimeoutMs?: number;
  /**
   * Container environment merged over the model's (a Batch Transform job's Environment, e.g. INFERENCE_TASK=embed):
   * the process starts with it, as SageMaker starts a transform job's containers. @default none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** Process name in logs. @default "endpoint" */
  readonly name?: string;
}

function requireFile(file: string, hint: string): void {
  if (!fs.existsSync(file)) throw new Error(`${file} not found: ${hint}`);
}

export function startEndpoint(options: EndpointOptions): Promise<ManagedProcess> {
  requireFile(paths.endpointPython, "run `bash scripts/setup.sh` (it installs the inference toolkit into .venv)");
  return startProcess({
    name: options.name ?? "endpoint",
    command: paths.endpointPython,
    args: ["-W", "ignore::DeprecationWarning", paths.endpointServer],
    cwd: REPO_ROOT,
    env: {
      ...baseEnvironment(),
      MODEL_DIR: options.modelDir,
      ENDPOINT_PORT: String(options.port),
      ENDPOINT_NAME: options.endpointName,
      LOCAL_ENDPOINT_TEST_DELAY_MS: String(options.testDelayMs ?? 0),
      ...(options.workers ? { SAGEMAKER_MODEL_SERVER_WORKERS: String(options.workers) } : {}),
      ...options.environment,
      AWS_REGION: LOCAL_REGION,
      PYTHONUNBUFFERED: "1",
      LOCAL_STOP_WITH_PARENT: "1",
    },
    readyLine: /^LOCAL_ENDPOINT_READY (\S+)/,
    readyTimeoutMs: options.readyTimeoutMs ?? 300_000,
    echo: options.echo,
    logFile: options.logFile,
  });
}

export interface ApiOptions {
  readonly port: number;
  /** bundleLambda().file */
  readonly bundleFile: string;
  readonly endpointUrl: string;
  readonly endpointName: string;
  /** INVOKE_BUDGET_MS for the function. @default what the default config deploys */
  readonly invokeBudgetMs?: number;
  /** POWERTOOLS_LOG_LEVEL. @default "INFO" */
  readonly logLevel?: string;
  /** Execution environments at most; more concurrent requests are throttled. @default LAMBDA_CONCURRENCY */
  readonly concurrency?: number;
  /** The HTTP API's CORS configuration (a config's apiCors). @default undefined: no CORS */
  readonly cors?: CorsSettings;
  readonly echo?: boolean;
  /**
   * The local catalogue POST /similar searches: the folder the catalogue runner writes (CATALOGUE_DIR), served to the
   * function as S3 bucket LOCAL_CATALOGUE_BUCKET by the API process, and the fingerprint of the model the endpoint
   * serves. @default none (/similar answers 501 catalogue_not_configured)
   */
  readonly catalogue?: { readonly dir: string; readonly modelFingerprint: string; readonly refreshSeconds?: number };
  /**
   * A file for the function's own log lines (Lambda sends them to the function's log group); the process's output
   * then holds one access-log line per request. @default the process's output
   */
  readonly functionLogFile?: string;
}

/** The bucket name the local S3 front answers for (the local catalogue's folder). */
export const LOCAL_CATALOGUE_BUCKET = "local-catalogue";

/** The Lambda's environment, as the stack sets it (src/constructs/inference-function.ts) plus what the runtime adds. */
export function lambdaEnvironment(options: ApiOptions): NodeJS.ProcessEnv {
  return {
    // Set by the stack
    ...functionEnvironment({
      endpointName: options.endpointName,
      invokeBudgetMs: options.invokeBudgetMs ?? DEPLOYED.invokeBudgetMs,
      maxImageBytes: DEPLOYED.maxImageBytes,
      serviceName: LOCAL_FUNCTION_NAME,
      logLevel: options.logLevel ?? DEPLOYED.lambda.logLevel,
      catalogue: options.catalogue && {
        indexUri: `s3://${LOCAL_CATALOGUE_BUCKET}/`,
        modelFingerprint: options.catalogue.modelFingerprint,
        refreshSeconds: options.catalogue.refreshSeconds ?? CATALOGUE_REFRESH_SECONDS,
      },
    }),
    // Set by the Lambda runtime
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
    AWS_LAMBDA_FUNCTION_NAME: LOCAL_FUNCTION_NAME,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(LAMBDA_MEMORY_MB),
    // Every local execution environment is created for a request, as Lambda's on-demand ones are; Powertools reads
    // this to log cold_start (true on an environment's first invocation; without it, always false).
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    LAMBDA_TASK_ROOT: path.dirname(options.bundleFile),
    _HANDLER: "index.handler",
    TZ: ":UTC",
    // Fixed dummy credentials: the SDK signs with SigV4 as in Lambda; the local endpoint does not check them.
    AWS_ACCESS_KEY_ID: "local-dummy-access-key",
    AWS_SECRET_ACCESS_KEY: "local-dummy-secret-key",
    AWS_SESSION_TOKEN: "local-dummy-session-token",
    // No shared config/credentials files: nothing from the developer's real AWS set-up leaks in.
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    // The SDK's standard per-service endpoint override (docs/contracts.md, "Lambda environment").
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: options.endpointUrl,
  };
}

/** Rejects (never throws) when there is no Node.js 22, so callers' clean-up in `.catch` runs. */
export async function startApi(options: ApiOptions): Promise<ManagedProcess> {
  return startProcess({
    name: "api",
    command: lambdaNode().file,
    args: ["-r", "ts-node/register", path.join(REPO_ROOT, "local", "api-main.ts")],
    cwd: REPO_ROOT,
    env: {
      ...baseEnvironment(),
      ...lambdaEnvironment(options),
      TS_NODE_TRANSPILE_ONLY: "true",
      TS_NODE_PROJECT: path.join(REPO_ROOT, "tsconfig.json"),
      LOCAL_API_BUNDLE: options.bundleFile,
      LOCAL_API_PORT: String(options.port),
      LOCAL_LAMBDA_TIMEOUT_S: String(LAMBDA_TIMEOUT_SECONDS),
      LOCAL_LAMBDA_MEMORY_MB: String(LAMBDA_MEMORY_MB),
      LOCAL_LAMBDA_CONCURRENCY: String(options.concurrency ?? LAMBDA_CONCURRENCY),
      ...(options.catalogue ? { LOCAL_CATALOGUE_DIR: options.catalogue.dir, LOCAL_CATALOGUE_BUCKET } : {}),
      ...(options.cors ? { [LOCAL_API_CORS_ENV]: JSON.stringify(options.cors) } : {}),
      ...(options.functionLogFile ? { LOCAL_FUNCTION_LOG: options.functionLogFile } : {}),
      LOCAL_STOP_WITH_PARENT: "1",
    },
    readyLine: /^LOCAL_API_READY (\S+)/,
    readyTimeoutMs: 60_000,
    echo: options.echo,
  });
}
