/**
 * Where the catalogue runner reads images and writes indexes: an S3 prefix on AWS (s3-store.ts) or a folder locally
 * (folder-store.ts). Keys are relative to the store's root, with "/" separators, as in S3.
 */

export interface StoredObject {
  /** Relative to the store's root. */
  readonly key: string;
  /** S3's ETag (quoted, as S3 lists it); locally the MD5 of the bytes, quoted, as S3 computes it for a single PUT. */
  readonly etag: string;
  readonly size: number;
}

export interface ObjectStore {
  /** s3://bucket/prefix/ or the folder's absolute path: for messages and the index's `source`. */
  readonly location: string;
  /** Every object under `prefix` (relative), in key order. */
  list(prefix?: string): AsyncIterable<StoredObject>;
  /** The object's bytes, or undefined when there is none. */
  get(key: string): Promise<Buffer | undefined>;
  put(key: string, body: Buffer | string, contentType: string): Promise<void>;
  /** Where `key` is, for messages and manifests (s3://bucket/prefix/key, or a path). */
  locationOf(key: string): string;
}

/** Every object of `store` under `prefix`, as an array. */
export async function listAll(store: ObjectStore, prefix = ""): Promise<StoredObject[]> {
  const objects: StoredObject[] = [];
  for await (const object of store.list(prefix)) objects.push(object);
  return objects;
}
