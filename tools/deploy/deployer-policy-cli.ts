/**
 * npm run deploy:policy [-- --config <file>] [--out-dir <dir>]
 *
 * Writes the IAM policy the person (or CI role) deploying this config needs: every action the AWS provider calls for
 * the resources this config synthesizes, on those resources' own names, plus the preflight's reads and the state
 * backend's objects (tools/deploy/deployer-policy.ts). One JSON file per customer managed policy (two when every
 * option is on: IAM caps one at 6,144 characters), and the commands that create and attach them. Regenerate it when
 * the config changes: a new section can add resource types.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { readConfigFile, resolveConfig } from "../../src/config/load-config";
import { UserFacingError } from "../../src/config/errors";
import { PREFLIGHT_READ_ACTIONS } from "../preflight/iam-read-actions";
import { synthesizeStack } from "../preflight/synthesized-stack";
import { deployerPolicy, policySize, splitPolicy, StackJson } from "./deployer-policy";

const USAGE = "usage: npm run deploy:policy [-- --config <classifier config file>] [--out-dir <folder>]";

function main(): number {
  let values: { config?: string; "out-dir"?: string };
  try {
    values = parseArgs({ options: { config: { type: "string" }, "out-dir": { type: "string" } }, strict: true }).values;
  } catch (error) {
    console.error(`deploy:policy: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    const file = readConfigFile(values.config ?? process.env.CLASSIFIER_CONFIG, "the config file does not exist");
    const config = resolveConfig(file.raw, { baseDir: file.baseDir, source: file.source, requireArtifact: false });
    const policy = deployerPolicy(synthesizeStack(config) as StackJson, {
      namePrefix: config.namePrefix,
      region: config.region,
      preflightActions: PREFLIGHT_READ_ACTIONS,
    });
    const outDir = path.resolve(values["out-dir"] ?? path.join("cdktf.out", "deployer-policy", config.stackName));
    fs.mkdirSync(outDir, { recursive: true });
    const documents = splitPolicy(policy);
    console.log(
      `Deployer policy for stack ${config.stackName} (${config.source}), ${config.region ?? "any region (the config names none)"}: ` +
        `${documents.length} managed ${documents.length === 1 ? "policy" : "policies"}`,
    );
    documents.forEach((document, i) => {
      const name = `${config.namePrefix}-deployer${documents.length > 1 ? `-${i + 1}` : ""}`;
      const target = path.join(outDir, `${name}.json`);
      fs.writeFileSync(target, JSON.stringify(document, null, 2) + "\n");
      console.log(`  ${path.relative(process.cwd(), target)} (${policySize(document)} characters)`);
      console.log(`    aws iam create-policy --policy-name ${name} --policy-document file://${path.relative(process.cwd(), target)}`);
    });
    console.log(
      "Then attach them to the user, group or role that deploys: aws iam attach-role-policy --role-name <it> --policy-arn <each>",
    );
    return 0;
  } catch (error) {
    if (!(error instanceof UserFacingError)) throw error;
    console.error(error.message);
    return 1;
  }
}

if (require.main === module) {
  // cdktf's synth calls a deprecated Node API; its warning would only bury the output.
  process.noDeprecation = true;
  process.exitCode = main();
}
