/**
 * npm run preflight [-- --config <file>]
 *
 * Checks, read-only, that this config can deploy on the account and region your AWS credentials and settings name
 * (docs/deploy.md, "Preflight"): one line per check, each WARN and FAIL with its fix. The config is the one synth
 * reads: --config, else $CLASSIFIER_CONFIG, else classifier.config.json, else every default. Run it from the folder
 * you run cdktf in (local Terraform state is looked for there). Exit code 0 when nothing failed, 1 when something
 * did, 2 on a bad argument.
 */
import { parseArgs } from "util";
import { preflightCommand } from "./preflight";

const USAGE = "usage: npm run preflight [-- --config <classifier config file>]";

async function main(): Promise<number> {
  let configPath: string | undefined;
  try {
    const { values } = parseArgs({ options: { config: { type: "string" }, help: { type: "boolean" } }, strict: true });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    configPath = values.config;
  } catch (error) {
    console.error(`preflight: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  // cdktf's synth (used to read the stack's names) calls a deprecated Node API; its warning would only bury the report.
  process.noDeprecation = true;
  return preflightCommand({ configPath });
}

// exitCode, not process.exit(): output still on its way to a pipe would be cut off.
main().then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(`preflight: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  },
);
