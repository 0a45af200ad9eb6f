/**
 * `npm run local`: the whole classify chain on loopback.
 *   1. model: MODEL_DIR, or the demo model (trained once, then reused from model/.cache)
 *   2. the Lambda bundle, built by src/support/lambda-bundle.ts exactly as the stack deploys it (dist/lambda)
 *   3. the local endpoint (ENDPOINT_PORT, default 8080) and the local API (API_PORT, default 3000), which answers
 *      browsers as the config's api.cors says (CLASSIFIER_CONFIG or classifier.config.json, as for a deploy)
 *   4. curl lines with generated sample images; Ctrl-C (or SIGTERM) stops both servers.
 */
import * as fs from "fs";
import * as path from "path";
import { readConfigFile, resolveConfig } from "../src/config/load-config";
import { bundleLambda } from "../src/support/lambda-bundle";
import { ensureDemoModel, writeSampleImages } from "./model-assets";
import { assertPortFree } from "./ports";
import type { ManagedProcess } from "./processes";
import { lambdaNode, loadLocalSettings } from "./settings";
import { REPO_ROOT } from "../common/repo-root";
import { startApi, startEndpoint } from "./stack";

const say = (line: string) => console.log(`\x1b[1m[local]\x1b[0m ${line}`);

async function main(): Promise<number> {
  const settings = loadLocalSettings();
  // The deploy config's CORS, so a web page tried against the local API gets the answers the deployed API gives.
  const file = readConfigFile(process.env.CLASSIFIER_CONFIG, "CLASSIFIER_CONFIG points to a file that does not exist");
  const cors = resolveConfig(file.raw, { baseDir: file.baseDir, source: file.source, requireArtifact: false }).apiCors;
  // Before minutes of model training: without a Node.js 22 the API cannot start.
  say(`Lambda runtime: ${lambdaNode().description}`);
  await assertPortFree(settings.apiPort, "API_PORT");
  await assertPortFree(settings.endpointPort, "ENDPOINT_PORT");

  say(settings.modelDir ? `model: ${settings.modelDir}` : "model: demo model (trains once, ~3 min; then cached)");
  const modelDir = settings.modelDir ?? ensureDemoModel({ verbose: true });

  const bundle = bundleLambda();
  say(`Lambda bundle: ${path.relative(REPO_ROOT, bundle.file)} (${fs.statSync(bundle.file).size} bytes)`);

  const samplesDir = path.join(REPO_ROOT, "dist", "local-samples");
  fs.rmSync(samplesDir, { recursive: true, force: true });
  fs.mkdirSync(samplesDir, { recursive: true });
  const samples = writeSampleImages(samplesDir);

  const running: ManagedProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say("stopping: the API finishes the requests in flight (Ctrl-C again to stop now), then the endpoint...");
    // Last started, first stopped: the API's requests in flight still need the endpoint.
    for (const proc of [...running].reverse()) await proc.stop();
    say("stopped");
    process.exit(code);
  };
  const onSignal = () => {
    if (!stopping) return void stopAll(0);
    // A second signal: the API answers what is still in flight with 503 now (its own second-signal rule).
    say("stopping now");
    for (const proc of running) void proc.stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  say(`starting the endpoint on 127.0.0.1:${settings.endpointPort} (Hugging Face toolkit on multi-model-server)...`);
  const endpoint = await startEndpoint({
    port: settings.endpointPort,
    modelDir,
    endpointName: settings.endpointName,
    echo: true,
  });
  running.push(endpoint);
  const api = await startApi({
    port: settings.apiPort,
    bundleFile: bundle.file,
    endpointUrl: endpoint.ready,
    endpointName: settings.endpointName,
    cors,
    echo: true,
  }).catch(async (error: unknown) => {
    await endpoint.stop();
    throw error;
  });
  running.push(api);

  const url = api.ready;
  const image = samples.find((file) => file.endsWith(".jpg")) ?? samples[0];
  const png = samples.find((file) => file.endsWith(".png")) ?? image;
  const rel = (file: string) => path.relative(process.cwd(), file) || file;
  console.log(`
\x1b[1mLocal stack ready\x1b[0m
  API       ${url}  (POST /classify, POST /embed)   -> Lambda bundle -> SageMaker Runtime API
  endpoint  ${endpoint.ready}  (GET /ping, POST /invocations, POST /endpoints/${settings.endpointName}/invocations)
  model     ${modelDir}
  CORS      ${cors ? `origins ${cors.allowOrigins.join(" ")} (api.cors of ${file.source})` : "off (no api.cors in the config)"}
  samples   ${rel(samplesDir)}/ (${samples.length} images)

Try:
  curl -s --data-binary @${rel(image)} -H 'Content-Type: image/jpeg' ${url}/classify
  curl -s --data-binary @${rel(png)} -H 'Content-Type: image/png' '${url}/classify?top_k=2'
  curl -s -F image=@${rel(image)} ${url}/classify
  curl -s --data-binary @${rel(image)} -H 'Content-Type: application/octet-stream' ${url}/embed
  printf '{"image":"%s"}' "$(base64 < ${rel(image)} | tr -d '\\n')" | curl -s -H 'Content-Type: application/json' --data-binary @- ${url}/classify
  curl -s -i --data-binary 'not an image' -H 'Content-Type: image/jpeg' ${url}/classify

Ctrl-C stops both servers.
`);

  // If either server dies on its own, take the other down too and say so. If whoever started us is gone
  // (e.g. `npm run local` was sent SIGTERM: npm does not pass it on), stop too instead of lingering.
  const parent = process.ppid;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (process.ppid !== parent && !stopping) {
      say("the parent process exited");
      await stopAll(0);
    }
    const dead = running.find((proc) => !proc.running());
    if (dead && !stopping) {
      say(`the ${dead.name} stopped unexpectedly; see its output above`);
      await stopAll(1);
    }
  }
}

main().catch((error: unknown) => {
  console.error(`[local] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
