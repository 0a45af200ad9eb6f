/**
 * Batch Transform on this machine, with SageMaker's semantics: a container of the same model started with the job's
 * Environment merged into its own (as SageMaker starts a transform job's instances; the endpoint's running container
 * cannot take a new environment), every image POSTed to its /invocations with the job's content type, at most
 * `maxConcurrentTransforms` at once, a failed invocation retried `invocationMaxRetries` times, each answer written as
 * `<key>.out`, and the job failed (nothing assembled) when an image still fails: the rule that makes the container
 * answer bad images 200 in batch mode. One instance: `instance.count` only applies on AWS.
 */
import * as http from "http";
import { freePort } from "../../dev-runtime/ports";
import type { ManagedProcess } from "../../dev-runtime/processes";
import { startEndpoint } from "../../local/stack";
import type { CatalogueJobSettings } from "../../src/config/catalogue";
import type { ObjectStore } from "./object-store";
import {
  TRANSFORM_CONTENT_TYPE,
  TRANSFORM_ENVIRONMENT,
  TransformExecutor,
  TransformJobFailed,
  TransformJobRequest,
  TransformProgress,
} from "./transform-job";

export interface LocalTransformOptions {
  readonly source: ObjectStore;
  readonly output: ObjectStore;
  /** The model folder or model.tar.gz the local endpoint serves. */
  readonly modelDir: string;
  readonly settings: Pick<CatalogueJobSettings, "maxConcurrentTransforms" | "invocationTimeoutSeconds" | "invocationMaxRetries">;
  readonly log?: (line: string) => void;
  /** Starts the job's container (tests may pass a stand-in). @default the local endpoint with the job's Environment */
  readonly startContainer?: (environment: Readonly<Record<string, string>>) => Promise<ContainerHandle>;
}

export interface ContainerHandle {
  /** http://127.0.0.1:<port>, serving POST /invocations. */
  readonly url: string;
  stop(): Promise<void>;
}

const RETRY_PAUSE_MS = 200;

export class LocalTransformExecutor implements TransformExecutor {
  constructor(private readonly options: LocalTransformOptions) {}

  async run(request: TransformJobRequest, onProgress: (progress: TransformProgress) => void): Promise<{ jobName: string }> {
    const jobName = `local-${request.runId}`;
    const log = this.options.log ?? (() => undefined);
    log(`starting the transform container (the model's environment + ${formatEnvironment(TRANSFORM_ENVIRONMENT)})...`);
    const container = await (this.options.startContainer ?? ((env) => startJobContainer(this.options.modelDir, env)))(
      TRANSFORM_ENVIRONMENT,
    );
    const agent = new http.Agent({ keepAlive: true, maxSockets: this.options.settings.maxConcurrentTransforms });
    try {
      let next = 0;
      let done = 0;
      let failed = false;
      onProgress({ done, total: request.keys.length, status: "running" });
      const work = async () => {
        while (next < request.keys.length && !failed) {
          const key = request.keys[next++];
          const body = await this.options.source.get(key);
          if (body === undefined)
            throw new TransformJobFailed(jobName, `${this.options.source.locationOf(key)} disappeared during the run`);
          const answer = await this.invokeWithRetries(container.url, agent, body, jobName, key);
          await this.options.output.put(`${request.outputPrefix}${key}.out`, answer, "application/json");
          done += 1;
          onProgress({ done, total: request.keys.length, status: "running" });
        }
      };
      // A failed image fails the job, as on SageMaker: the other workers stop taking images.
      const worker = () => work().catch((error: unknown) => ((failed = true), Promise.reject(error)));
      await Promise.all(Array.from({ length: Math.min(this.options.settings.maxConcurrentTransforms, request.keys.length) }, worker));
      return { jobName };
    } finally {
      agent.destroy();
      await container.stop();
    }
  }

  private async invokeWithRetries(url: string, agent: http.Agent, body: Buffer, jobName: string, key: string): Promise<Buffer> {
    const { invocationMaxRetries, invocationTimeoutSeconds } = this.options.settings;
    let failure = "";
    for (let attempt = 0; attempt <= invocationMaxRetries; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS * attempt));
      try {
        const { status, data } = await post(`${url}/invocations`, agent, body, invocationTimeoutSeconds * 1000);
        if (status === 200) return data;
        failure = `the container answered ${status}: ${data.toString("utf8").slice(0, 300)}`;
        if (status < 500) break; // a client error is the same on every attempt
      } catch (error) {
        failure = (error as Error).message;
      }
    }
    throw new TransformJobFailed(jobName, `image ${key}: ${failure}`);
  }
}

function post(url: string, agent: http.Agent, body: Buffer, timeoutMs: number): Promise<{ status: number; data: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": TRANSFORM_CONTENT_TYPE, accept: "application/json", "content-length": body.length },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, data: Buffer.concat(chunks) }));
        response.on("error", reject);
      },
    );
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s (invocationTimeoutSeconds)`)));
    request.on("error", reject);
    request.end(body);
  });
}

/** The local endpoint on a free port, started with the job's environment. */
async function startJobContainer(modelDir: string, environment: Readonly<Record<string, string>>): Promise<ContainerHandle> {
  const process: ManagedProcess = await startEndpoint({
    port: await freePort(),
    modelDir,
    endpointName: "local-transform",
    environment,
    name: "transform",
  });
  return { url: process.ready, stop: () => process.stop() };
}

function formatEnvironment(environment: Readonly<Record<string, string>>): string {
  return Object.entries(environment)
    .map(([name, value]) => `${name}=${value}`)
    .join(" ");
}
