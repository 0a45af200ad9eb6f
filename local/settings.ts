/**
 * Settings of the local stack (`npm run local`, the end-to-end tests, the load test), read from the environment in
 * one typed, validated place. Every problem is reported at once.
 */
import * as fs from "fs";
import * as path from "path";
import { isEndpointName } from "../common/facts";
import { REPO_ROOT } from "../common/repo-root";
import { LambdaNode, selectLambdaNode } from "./node-runtime";

export interface LocalStackSettings {
  /** API_PORT: the local API Gateway on 127.0.0.1. @default 3000 */
  readonly apiPort: number;
  /** ENDPOINT_PORT: the local SageMaker endpoint on 127.0.0.1. @default 8080 */
  readonly endpointPort: number;
  /** MODEL_DIR: a model folder or model.tar.gz; undefined means the demo model (built or reused). */
  readonly modelDir: string | undefined;
  /** ENDPOINT_NAME: what SAGEMAKER_ENDPOINT_NAME is set to for the Lambda. @default "local-vit" */
  readonly endpointName: string;
  /**
   * CATALOGUE_DIR: the local catalogue's output location (latest.json, indexes/, runs/), the folder the local S3 front
   * serves to the function as its catalogue bucket. @default dist/local-catalogue
   */
  readonly catalogueDir: string;
}

export class LocalSettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid local stack settings:\n  - ${problems.join("\n  - ")}`);
    this.name = "LocalSettingsError";
  }
}

export function loadLocalSettings(env: NodeJS.ProcessEnv = process.env): LocalStackSettings {
  const problems: string[] = [];
  const apiPort = readPort(env, "API_PORT", 3000, problems);
  const endpointPort = readPort(env, "ENDPOINT_PORT", 8080, problems);
  if (apiPort === endpointPort) problems.push(`API_PORT and ENDPOINT_PORT must differ (both ${apiPort})`);

  let modelDir: string | undefined;
  const rawModel = (env.MODEL_DIR ?? "").trim();
  if (rawModel !== "") {
    modelDir = path.resolve(rawModel);
    if (!fs.existsSync(modelDir)) problems.push(`MODEL_DIR ${rawModel} does not exist`);
    else if (fs.statSync(modelDir).isFile() && !/\.(tar\.gz|tgz)$/.test(modelDir)) {
      problems.push(`MODEL_DIR ${rawModel} is a file but not a .tar.gz model artifact`);
    }
  }

  const endpointName = (env.ENDPOINT_NAME ?? "local-vit").trim();
  if (!isEndpointName(endpointName)) {
    problems.push(`ENDPOINT_NAME "${endpointName}" is not a valid SageMaker endpoint name`);
  }

  const rawCatalogue = (env.CATALOGUE_DIR ?? "").trim();
  const catalogueDir = rawCatalogue === "" ? path.join(REPO_ROOT, "dist", "local-catalogue") : path.resolve(rawCatalogue);
  if (fs.existsSync(catalogueDir) && !fs.statSync(catalogueDir).isDirectory())
    problems.push(`CATALOGUE_DIR ${rawCatalogue} is not a folder`);

  if (problems.length > 0) throw new LocalSettingsError(problems);
  return { apiPort, endpointPort, modelDir, endpointName, catalogueDir };
}

function readPort(env: NodeJS.ProcessEnv, name: string, fallback: number, problems: string[]): number {
  const raw = (env[name] ?? "").trim();
  if (raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push(`${name} must be a port number (1-65535), got "${raw}"`);
    return fallback;
  }
  return port;
}

/** Interpreters and binaries the stack runs; overridable for unusual layouts. */
export const paths = {
  /** Python with the Hugging Face toolkit + MMS (.venv; model/requirements-toolkits.txt). */
  endpointPython: process.env.ENDPOINT_PYTHON ?? path.join(REPO_ROOT, ".venv", "bin", "python"),
  /** Python for model/ scripts (demo model, images). */
  modelPython: process.env.MODEL_PYTHON ?? path.join(REPO_ROOT, ".venv", "bin", "python"),
  endpointServer: path.join(REPO_ROOT, "local", "endpoint", "serve.py"),
  demoModelScript: path.join(REPO_ROOT, "model", "scripts", "demo_model.py"),
  sampleImagesScript: path.join(REPO_ROOT, "model", "scripts", "sample_images.py"),
  freshDemoImagesScript: path.join(REPO_ROOT, "model", "scripts", "fresh_demo_images.py"),
};

/**
 * The Node.js 22 binary that runs the Lambda bundle: LAMBDA_NODE, else this process's Node when it is 22.x, else this
 * platform's optional dependency (local/node-runtime.ts). Throws LambdaNodeNotFoundError, saying what to do, when
 * there is none; called when a binary is needed, so merely importing the settings never fails.
 */
export function lambdaNode(env: NodeJS.ProcessEnv = process.env): LambdaNode {
  return selectLambdaNode({
    platform: process.platform,
    arch: process.arch,
    version: process.version,
    execPath: process.execPath,
    lambdaNodeOverride: env.LAMBDA_NODE,
    repoRoot: REPO_ROOT,
    isFile: (file) => fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false,
  });
}
