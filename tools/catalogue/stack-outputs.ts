/**
 * The deployed stack's `catalogue` output (src/stack.ts): the model and role a transform job runs with, the source and
 * the output location. Read with `terraform output -json` in the synthesized stack folder, as `cdktf output` does.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../common/repo-root";
import { terraformBinary } from "../deploy/terraform-setup";
import { CatalogueRunError } from "./catalogue-run";

export interface CatalogueStackOutputs {
  readonly source_uri: string;
  readonly output_uri: string;
  readonly model_name: string;
  readonly model_fingerprint: string;
  readonly execution_role_arn: string;
}

/** From `terraform output -json` ({catalogue: {value: ...}}) or `cdktf output --outputs-file` ({catalogue: ...}). */
export function parseCatalogueOutputs(outputsJson: unknown, where: string): CatalogueStackOutputs {
  const output = (outputsJson as { catalogue?: Partial<CatalogueStackOutputs> & { value?: Partial<CatalogueStackOutputs> } } | undefined)
    ?.catalogue;
  const value = output?.value ?? output;
  const fields: (keyof CatalogueStackOutputs)[] = ["source_uri", "output_uri", "model_name", "model_fingerprint", "execution_role_arn"];
  if (value === undefined || fields.some((field) => typeof value[field] !== "string")) {
    throw new CatalogueRunError(
      `${where} has no catalogue output: add the config section catalogue (docs/catalogue.md) and deploy (npx cdktf deploy) first`,
    );
  }
  return value as CatalogueStackOutputs;
}

/** `terraform output -json` of cdktf.out/stacks/<stackName>. */
export function readCatalogueOutputs(stackName: string, env: NodeJS.ProcessEnv = process.env): CatalogueStackOutputs {
  const stackDir = path.join(REPO_ROOT, "cdktf.out", "stacks", stackName);
  if (!fs.existsSync(path.join(stackDir, "cdk.tf.json"))) {
    throw new CatalogueRunError(
      `${path.relative(process.cwd(), stackDir)} does not exist: synthesize and deploy the stack first (npx cdktf deploy)`,
    );
  }
  const result = spawnSync(terraformBinary(env), ["output", "-json"], {
    cwd: stackDir,
    env: { ...env, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
  });
  if (result.error || result.status !== 0) {
    throw new CatalogueRunError(`terraform output in ${stackDir} failed: ${(result.error?.message ?? result.stderr).trim()}`);
  }
  return parseCatalogueOutputs(JSON.parse(result.stdout), `the stack ${stackName}`);
}
