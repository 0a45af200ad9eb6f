import * as crypto from "crypto";
import * as fs from "fs";

/** SHA-256 (hex) of a file, read in chunks so a multi-hundred-MB model tarball is not loaded at once. */
export function sha256File(file: string): string {
  const hash = crypto.createHash("sha256");
  const fd = fs.openSync(file, "r");
  try {
    const buffer = Buffer.alloc(1 << 20);
    let read: number;
    while ((read = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0) hash.update(buffer.subarray(0, read));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest("hex");
}

/** Short stable hash of any JSON-able value (for names that must change when settings change). */
export function shortHash(value: unknown, length = 8): string {
  return crypto.createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, length);
}
