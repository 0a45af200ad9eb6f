/**
 * `npm run catalogue:embed -- ./folder`: the catalogue run on this machine. The images come from the folder, the job
 * runs in a local container of the model `npm run local` serves (MODEL_DIR, default the demo model), and the index is
 * written to CATALOGUE_DIR, the folder `npm run local` serves to the function as its catalogue bucket: a running
 * `npm run local` answers POST /similar from the new index within `refreshSeconds`, without a restart.
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { POINTER_KEY } from "../../common/catalogue-index";
import { modelFingerprint } from "../../common/model-fingerprint";
import { ensureDemoModel } from "../../local/model-assets";
import { loadLocalSettings } from "../../local/settings";
import type { CatalogueJobSettings } from "../../src/config/catalogue";
import { CatalogueRunError, CatalogueRunResult, runCatalogue } from "./catalogue-run";
import { FolderStore } from "./folder-store";
import { LocalTransformExecutor } from "./local-transform";
import { ProgressPrinter } from "./progress-printer";

export interface LocalRunOptions {
  readonly sourceDir: string;
  readonly job: CatalogueJobSettings;
  readonly env?: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
}

export interface LocalRunResult {
  readonly result: CatalogueRunResult;
  /** Where the pointer is (latest.json in CATALOGUE_DIR). */
  readonly pointer: string;
  /** What to do next: how to query the index. */
  readonly hints: string[];
}

export async function runLocalCatalogue(options: LocalRunOptions): Promise<LocalRunResult> {
  const settings = loadLocalSettings(options.env);
  const sourceDir = path.resolve(options.sourceDir);
  if (!fs.existsSync(sourceDir) || !fs.statSync(sourceDir).isDirectory())
    throw new CatalogueRunError(`${options.sourceDir} is not a folder`);
  const modelDir = settings.modelDir ?? ensureDemoModel();
  const fingerprint = modelFingerprint(modelDir);
  if (options.job.instance.count > 1)
    options.log(`one local container (catalogue.instance.count = ${options.job.instance.count} applies on AWS)`);
  options.log(`source ${sourceDir}; model ${modelDir} (${fingerprint.slice(0, 24)}...); output ${settings.catalogueDir}`);

  const source = new FolderStore(sourceDir);
  const output = new FolderStore(settings.catalogueDir);
  const progress = new ProgressPrinter(options.log);
  const result = await runCatalogue({
    source,
    output,
    modelFingerprint: fingerprint,
    maxPayloadBytes: options.job.maxPayloadMb * 1024 * 1024,
    executor: new LocalTransformExecutor({ source, output, modelDir, settings: options.job, log: options.log }),
    onProgress: (p) => progress.update(p),
    log: options.log,
  });
  progress.finish();
  const hints: string[] = [];
  if (result.kind !== "nothing indexed") {
    const apiUrl = `http://127.0.0.1:${settings.apiPort}`;
    const image = path.join(sourceDir, firstImage(sourceDir));
    const relative = path.relative(process.cwd(), image);
    hints.push(
      (await answers(`${apiUrl}/similar`))
        ? `npm run local at ${apiUrl} answers /similar from this index within its refresh interval; try:`
        : `start \`npm run local\` (API_PORT ${settings.apiPort}) to query it, then:`,
      `  curl -s --data-binary @${relative.startsWith("..") ? image : relative} -H 'Content-Type: application/octet-stream' '${apiUrl}/similar?top_k=5'`,
    );
  }
  return { result, pointer: output.locationOf(POINTER_KEY), hints };
}

function firstImage(dir: string): string {
  const name = fs.readdirSync(dir).find((file) => /\.(jpe?g|png|webp|gif|bmp)$/i.test(file));
  return name ?? "image.jpg";
}

/** Whether something answers HTTP at `url` (the local API of a running `npm run local`). */
function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.request(url, { method: "GET", timeout: 1000 }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(false));
    request.end();
  });
}
