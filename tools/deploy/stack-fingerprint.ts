/**
 * A fingerprint of one synthesized stack folder (cdktf.out/stacks/<stack>): the SHA-256 of its cdk.tf.json and of
 * every asset beside it (the Lambda zip, the model tarball). Two synths of the same code and config give the same
 * fingerprint (the bundle and the tarball are byte-reproducible), so a plan reviewed against one synth can be told
 * apart from a later synth that would deploy something else.
 *
 * Terraform's own working files in the folder (.terraform/, plan files, lock file) are not part of it.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** The files that make up a synthesized stack, relative to its folder, sorted. */
export function stackFiles(stackDir: string): string[] {
  const main = path.join(stackDir, "cdk.tf.json");
  if (!fs.existsSync(main)) throw new Error(`no synthesized stack in ${stackDir} (cdk.tf.json is missing)`);
  const assets = path.join(stackDir, "assets");
  const files = fs.existsSync(assets) ? listFiles(assets).map((file) => path.relative(stackDir, file)) : [];
  return ["cdk.tf.json", ...files.sort()];
}

export function stackFingerprint(stackDir: string): string {
  const hash = createHash("sha256");
  for (const file of stackFiles(stackDir)) {
    const content = fs.readFileSync(path.join(stackDir, file));
    // Name and length first, so moving bytes from one file to the next changes the fingerprint too.
    hash.update(`${file.split(path.sep).join("/")}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest("hex");
}

/** SHA-256 of one file (the saved plan). */
export function fileSha256(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}
