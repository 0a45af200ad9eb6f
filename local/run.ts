/**
 * `bash scripts/local.sh` / `npm run local`: the whole classify chain on loopback.
 *   1. model: MODEL_DIR, or the demo model (trained once, then reused from model/.cache)
 *   2. the Lambda bundle, built by src/support/lambda-bundle.ts exactly as the stack deploys it (dist/lambda)
 *   3. the local endpoint (ENDPOINT_PORT, default 8080) and the local API (API_PORT, default 3000), which answers
 *      browsers as the config's api.cors says (CLASSIFIER_CONFIG or classifier.config.json, as for a deploy) and serves
 *      POST /similar from the local catalogue (CATALOGUE_DIR, filled by `npm run catalogue:embed -- ./folder`)
 *   4. curl lines with generated sample images; Ctrl-C, SIGINT or SIGTERM stops both servers: the API first,
 *      once its requests in flight are answered (a second signal: at once), then the endpoint.
 * The console keeps what a user acts on: start-up steps, the curl lines, then one access-log line per request. The
 * model server's own log (multi-model-server's Java log, its workers) and the function's log lines go to files in
 * dist/local-logs/, named once in the "ready" block (or in the error, when the endpoint does not start).
 */
import * as fs from "fs";
import * as path from "path";
import { modelFingerprint } from "../common/model-fingerprint";
import { readConfigFile, resolveConfig } from "../src/config/load-config";
import { bundleLambda } from "../src/support/lambda-bundle";
import { ensureDemoModelAsync, writeSampleImages } from "./model-assets";
import { assertPortFree } from "../dev-runtime/ports";
import { ManagedProcess, stopAllProcesses } from "../dev-runtime/processes";
import { lambdaNode, loadLocalSettings } from "./settings";
import { REPO_ROOT } from "../common/repo-root";
import { startApi, startEndpoint } from "./stack";

const say = (line: string) => console.log(`\x1b[1m[local]\x1b[0m ${line}`);
const rel = (file: string) => path.relative(process.cwd(), file) || file;

const running: ManagedProcess[] = [];
// Stops the model training too: it runs for a minute, and a signal must not wait for it.
const training = new AbortController();
let stopping = false;
async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  training.abort();
  say("stopping: the API finishes the requests in flight (Ctrl-C again to stop now), then the endpoint...");
  // Last started, first stopped (stopAllProcesses): the API's requests in flight still need the endpoint.
  await stopAllProcesses();
  say("stopped");
  process.exit(code);
}
function onSignal(): void {
  if (!stopping) return void stopAll(0);
  // A second signal: SIGTERM again to each server still running, in the same order; the API answers what is still
  // in flight with 503 at once (its own second-signal rule), then the endpoint stops.
  say("stopping now");
  void stopAllProcesses();
}

async function main(): Promise<void> {
  // From the start: the training is stopped too, and a server still starting is stopped like a ready one.
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const settings = loadLocalSettings();
  // The deploy config's CORS, so a web page tried against the local API gets the answers the deployed API gives.
  const file = readConfigFile(process.env.CLASSIFIER_CONFIG, "CLASSIFIER_CONFIG points to a file that does not exist");
  const cors = resolveConfig(file.raw, { baseDir: file.baseDir, source: file.source, requireArtifact: false }).apiCors;
  // Before minutes of model training: without a Node.js 22 the API cannot start.
  say(`Lambda runtime: ${lambdaNode().description}`);
  await assertPortFree(settings.apiPort, "API_PORT");
  await assertPortFree(settings.endpointPort, "ENDPOINT_PORT");

  if (settings.modelDir) say(`model: ${settings.modelDir}`);
  const modelDir = settings.modelDir ?? (await ensureDemoModelAsync({ verbose: true, signal: training.signal }));

  const bundle = bundleLambda();
  say(`Lambda bundle: ${path.relative(REPO_ROOT, bundle.file)} (${fs.statSync(bundle.file).size} bytes)`);

  const samplesDir = path.join(REPO_ROOT, "dist", "local-samples");
  fs.rmSync(samplesDir, { recursive: true, force: true });
  fs.mkdirSync(samplesDir, { recursive: true });
  const samples = writeSampleImages(samplesDir);

  const logsDir = path.join(REPO_ROOT, "dist", "local-logs");
  fs.mkdirSync(logsDir, { recursive: true });
  const endpointLog = path.join(logsDir, "endpoint.log");
  const functionLog = path.join(logsDir, "function.log");

  say(`starting the endpoint on 127.0.0.1:${settings.endpointPort} (Hugging Face toolkit on multi-model-server)...`);
  const endpoint = await startEndpoint({
    port: settings.endpointPort,
    modelDir,
    endpointName: settings.endpointName,
    logFile: endpointLog,
  }).catch((error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\nThe endpoint's whole log: ${rel(endpointLog)}`);
  });
  running.push(endpoint);
  const api = await startApi({
    port: settings.apiPort,
    bundleFile: bundle.file,
    endpointUrl: endpoint.ready,
    endpointName: settings.endpointName,
    cors,
    functionLogFile: functionLog,
    echo: true,
    catalogue: { dir: settings.catalogueDir, modelFingerprint: modelFingerprint(modelDir) },
  }).catch(async (error: unknown) => {
    await endpoint.stop();
    throw error;
  });
  running.push(api);

  const url = api.ready;
  const image = samples.find((file) => file.endsWith(".jpg")) ?? samples[0];
  const png = samples.find((file) => file.endsWith(".png")) ?? image;
  console.log(`
\x1b[1mLocal stack ready\x1b[0m
  API       ${url}  (POST /classify, POST /embed, POST /similar)   -> Lambda bundle -> SageMaker Runtime API
  endpoint  ${endpoint.ready}  (GET /ping, POST /invocations, POST /endpoints/${settings.endpointName}/invocations)
  model     ${modelDir}
  CORS      ${cors ? `origins ${cors.allowOrigins.join(" ")} (api.cors of ${file.source})` : "off (no api.cors in the config)"}
  samples   ${rel(samplesDir)}/ (${samples.length} images)
  catalogue ${rel(settings.catalogueDir)}/ (/similar searches it; fill it with npm run catalogue:embed -- <folder>)
  logs      ${rel(endpointLog)} (the model server), ${rel(functionLog)} (the function's own lines)

Try:
  curl -s --data-binary @${rel(image)} -H 'Content-Type: image/jpeg' ${url}/classify
  curl -s --data-binary @${rel(png)} -H 'Content-Type: image/png' '${url}/classify?top_k=2'
  curl -s -F image=@${rel(image)} ${url}/classify
  curl -s --data-binary @${rel(image)} -H 'Content-Type: application/octet-stream' ${url}/embed
  printf '{"image":"%s"}' "$(base64 < ${rel(image)} | tr -d '\\n')" | curl -s -H 'Content-Type: application/json' --data-binary @- ${url}/classify
  curl -s -i --data-binary 'not an image' -H 'Content-Type: image/jpeg' ${url}/classify
  npm run catalogue:embed -- ${rel(samplesDir)}    # then:
  curl -s --data-binary @${rel(image)} -H 'Content-Type: image/jpeg' '${url}/similar?top_k=3'

Ctrl-C stops both servers. Below: one line per request (the API's access log).
`);

  // If either server dies on its own, take the other down too and say so. If whoever started us is gone
  // (`npm run local` sent SIGTERM: npm passes it to the shell it runs us in, which dies without passing it on), stop
  // too instead of lingering.
  const parent = process.ppid;
  const logOf = (proc: ManagedProcess) => (proc === endpoint ? rel(endpointLog) : "its output above");
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (process.ppid !== parent && !stopping) {
      say("the parent process exited");
      await stopAll(0);
    }
    const dead = running.find((proc) => !proc.running());
    if (dead && !stopping) {
      say(`the ${dead.name} stopped unexpectedly; see ${logOf(dead)}`);
      await stopAll(1);
    }
  }
}

main().catch((error: unknown) => {
  if (stopping) return; // the training a signal stopped
  console.error(`[local] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
