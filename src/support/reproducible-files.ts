/**
 * cdktf zips an ARCHIVE asset with each file's modification time inside the zip, and the bundler
 * rewrites the files on every synth: the zip's bytes (so filebase64sha256 and Lambda's
 * source_code_hash) would change on every synth although the code did not, and every apply would
 * redeploy the function. Pinning the files' times makes the zip a function of the content alone.
 */
import * as fs from "fs";
import * as path from "path";

/** 1980-01-02: the zip format cannot store earlier dates. */
export const PINNED_FILE_TIME = new Date("1980-01-02T00:00:00Z");

export function pinFileTimes(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) pinFileTimes(full);
    fs.utimesSync(full, PINNED_FILE_TIME, PINNED_FILE_TIME);
  }
}
