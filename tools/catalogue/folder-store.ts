/**
 * A folder as an ObjectStore: the local catalogue runner's source (the images) and output (the index), and what the
 * local S3 front serves to the function. Writes are atomic (a temporary file renamed into place), so a reader never
 * sees half a pointer.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { ObjectStore, StoredObject } from "./object-store";

export class FolderStore implements ObjectStore {
  readonly location: string;

  constructor(readonly root: string) {
    this.location = path.resolve(root);
  }

  async *list(prefix = ""): AsyncIterable<StoredObject> {
    for (const key of keysUnder(this.location).filter((k) => k.startsWith(prefix))) {
      const file = this.fileOf(key);
      const bytes = await fs.promises.readFile(file);
      yield { key, etag: `"${crypto.createHash("md5").update(bytes).digest("hex")}"`, size: bytes.length };
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await fs.promises.readFile(this.fileOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "EISDIR") return undefined;
      throw error;
    }
  }

  async put(key: string, body: Buffer | string, _contentType?: string): Promise<void> {
    const file = this.fileOf(key);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.partial`;
    await fs.promises.writeFile(temporary, body);
    await fs.promises.rename(temporary, file);
  }

  locationOf(key: string): string {
    return this.fileOf(key);
  }

  /** The file of a key; a key that would leave the folder ("../x", an absolute path) is refused. */
  fileOf(key: string): string {
    const file = path.resolve(this.location, ...key.split("/"));
    if (file !== this.location && !file.startsWith(this.location + path.sep))
      throw new Error(`key ${JSON.stringify(key)} leaves ${this.location}`);
    return file;
  }
}

/** Relative paths ("/"-separated), sorted as S3 sorts keys (by UTF-8 bytes), of the files below `root`. */
function keysUnder(root: string, relative = ""): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(root, relative), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const keys: string[] = [];
  for (const entry of entries) {
    const key = relative === "" ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) keys.push(...keysUnder(root, key));
    else if (entry.isFile() && !entry.name.endsWith(".partial")) keys.push(key);
  }
  return keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
