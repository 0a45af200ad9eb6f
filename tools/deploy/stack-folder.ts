/** Where the synthesized stacks are: cdktf.out/stacks/<stack>/ holding cdk.tf.json. */
import * as fs from "fs";
import * as path from "path";

export class UsageError extends Error {}

/** The stack folders under `<outdir>/stacks` that hold a cdk.tf.json. */
export function stackDirs(outdir: string): string[] {
  const stacks = path.join(outdir, "stacks");
  if (!fs.existsSync(stacks)) return [];
  return fs
    .readdirSync(stacks)
    .filter((d) => fs.existsSync(path.join(stacks, d, "cdk.tf.json")))
    .map((d) => path.join(stacks, d));
}

/** The one stack folder under `<cwd>/cdktf.out/stacks`; a UsageError when there is none or several. */
export function onlyStackDir(cwd: string): string {
  const dirs = stackDirs(path.join(cwd, "cdktf.out"));
  if (dirs.length !== 1) {
    throw new UsageError(
      dirs.length === 0
        ? "no synthesized stack in cdktf.out/stacks: run `npm run synth` first"
        : `several stacks in cdktf.out/stacks (${dirs.map((d) => path.basename(d)).join(", ")}): pass --stack-dir`,
    );
  }
  return dirs[0];
}
