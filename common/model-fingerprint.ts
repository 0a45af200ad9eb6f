/**
 * The model fingerprint: what says "these embeddings came from this model". The catalogue runner records it in every
 * index; a later run re-embeds everything when it changed; the function (MODEL_FINGERPRINT) refuses an index made by
 * another model than the one answering its queries.
 *
 * Deployed, the model is the tarball, so the fingerprint is its SHA-256 (the model artifact's content hash, which also
 * names its S3 object). Locally a model may also be a folder: its fingerprint hashes every file's path and content.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** The fingerprint of a model.tar.gz whose SHA-256 (hex) is known. */
export function tarballFingerprint(sha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new Error(`not a SHA-256 hex digest: ${sha256Hex}`);
  return `sha256:${sha256Hex}`;
}

/** The fingerprint of a model.tar.gz or a model folder on this machine. */
export function modelFingerprint(modelPath: string): string {
  const stat = fs.statSync(modelPath);
  if (stat.isFile()) return tarballFingerprint(fileSha256(modelPath));
  const hash = crypto.createHash("sha256");
  for (const file of filesUnder(modelPath)) hash.update(`${file}\0${fileSha256(path.join(modelPath, file))}\n`);
  return `sha256-folder:${hash.digest("hex")}`;
}

function fileSha256(file: string): string {
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

/** Relative paths (with "/"), sorted, of every file below `root`; caches of Python bytecode left out. */
function filesUnder(root: string, relative = ""): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
    const name = relative === "" ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== "__pycache__") files.push(...filesUnder(root, name));
    } else if (entry.isFile()) {
      files.push(name);
    }
  }
  return files.sort();
}
