/** Runs the preflight on a config written to a temporary folder, which is also where it looks for local state. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ModelBenchmark } from "../../../tools/cost/model-benchmark";
import { PreflightClients } from "../../../tools/preflight/aws-clients";
import { PreflightReport, formatPreflight, runPreflight } from "../../../tools/preflight/preflight";

export interface PreflightRun {
  readonly report: PreflightReport;
  /** The printed report, line by line. */
  readonly lines: string[];
  /** The line of one check (and its fix line, when it has one). */
  line(check: string): string;
}

export async function preflightOf(
  config: Record<string, unknown>,
  options: {
    env?: NodeJS.ProcessEnv;
    profileRegion?: string;
    bench?: ModelBenchmark;
    /** Local state to put beside the config (terraform.<stack>.tfstate). */
    localState?: unknown;
    /** @default the preflight's own (the SDK's default chain; unit tests mock the client classes) */
    clients?: (region: string) => PreflightClients;
  } = {},
): Promise<PreflightRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-test-"));
  const cwd = process.cwd();
  try {
    const configPath = path.join(dir, "classifier.config.json");
    fs.writeFileSync(configPath, JSON.stringify(config));
    if (options.localState !== undefined)
      fs.writeFileSync(path.join(dir, "terraform.vit-classifier.tfstate"), JSON.stringify(options.localState));
    // cdktf puts local state beside the folder it runs in, as the preflight's synth does: run it in the test's folder.
    process.chdir(dir);
    const report = await runPreflight({
      configPath,
      env: options.env ?? {},
      profileRegion: async () => options.profileRegion,
      bench: () => options.bench,
      clients: options.clients,
    });
    const lines = formatPreflight(report).split("\n");
    return {
      report,
      lines,
      line(check: string): string {
        const index = lines.findIndex((l) => / {2}/.test(l) && l.slice(6).startsWith(`${check}:`));
        if (index < 0) throw new Error(`no "${check}" line in:\n${lines.join("\n")}`);
        return lines[index + 1]?.startsWith("      fix: ") ? `${lines[index]}\n${lines[index + 1]}` : lines[index];
      },
    };
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
