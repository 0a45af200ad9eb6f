/**
 * Writes and reads the catalogue index's files (common/catalogue-index.ts) in an ObjectStore. The pointer moves last,
 * once every file of the new index is in place, so the function never loads half an index.
 */
import {
  CATALOGUE_INDEX_FORMAT,
  CATALOGUE_INDEX_VERSION,
  CataloguePointer,
  INDEX_FILES,
  indexFolder,
  IndexMetadata,
  POINTER_KEY,
} from "../../common/catalogue-index";
import { decodeNpy, encodeNpy } from "../../common/npy";
import { quantizeRows } from "./int8-rows";
import type { ObjectStore } from "./object-store";

export interface IndexContent {
  readonly metadata: IndexMetadata;
  readonly keys: readonly string[];
  readonly etags: readonly string[];
  /** float32 [count, dim], row-major. */
  readonly vectors: Float32Array;
}

export class IndexFormatError extends Error {
  constructor(location: string, problem: string) {
    super(`the catalogue index at ${location} is unreadable: ${problem}`);
    this.name = "IndexFormatError";
  }
}

/** Writes every file of the index, then the pointer. Returns the size of keys.jsonl (the function's memory needs it). */
export async function writeIndex(store: ObjectStore, index: IndexContent): Promise<{ keysBytes: number }> {
  const { metadata, keys, etags, vectors } = index;
  if (keys.length !== metadata.count || etags.length !== metadata.count || vectors.length !== metadata.count * metadata.dim) {
    throw new Error(
      `index ${metadata.id}: ${keys.length} keys, ${etags.length} ETags, ${vectors.length} values for ${metadata.count} x ${metadata.dim}`,
    );
  }
  const folder = indexFolder(metadata.id);
  const shape = [metadata.count, metadata.dim];
  const { values, scales } = quantizeRows(vectors, metadata.dim);
  await store.put(`${folder}${INDEX_FILES.vectors}`, encodeNpy("<f4", shape, vectors), "application/octet-stream");
  await store.put(`${folder}${INDEX_FILES.vectorsInt8}`, encodeNpy("|i1", shape, values), "application/octet-stream");
  await store.put(`${folder}${INDEX_FILES.scales}`, encodeNpy("<f4", [metadata.count], scales), "application/octet-stream");
  const lines = keys.map((key, row) => `${JSON.stringify({ key, etag: etags[row] })}\n`).join("");
  await store.put(`${folder}${INDEX_FILES.keys}`, lines, "application/x-ndjson");
  await store.put(`${folder}${INDEX_FILES.metadata}`, `${JSON.stringify(metadata, null, 2)}\n`, "application/json");
  const pointer: CataloguePointer = {
    format: CATALOGUE_INDEX_FORMAT,
    version: CATALOGUE_INDEX_VERSION,
    index: metadata.id,
    modelFingerprint: metadata.modelFingerprint,
    count: metadata.count,
    dim: metadata.dim,
    created: metadata.created,
  };
  await store.put(POINTER_KEY, `${JSON.stringify(pointer, null, 2)}\n`, "application/json");
  return { keysBytes: Buffer.byteLength(lines) };
}

/** The pointer, or undefined when there is none yet. */
export async function readPointer(store: ObjectStore): Promise<CataloguePointer | undefined> {
  const bytes = await store.get(POINTER_KEY);
  if (bytes === undefined) return undefined;
  const pointer = parseJson(bytes, store.locationOf(POINTER_KEY)) as CataloguePointer;
  if (pointer?.format !== CATALOGUE_INDEX_FORMAT)
    throw new IndexFormatError(store.locationOf(POINTER_KEY), `format is not ${CATALOGUE_INDEX_FORMAT}`);
  return pointer;
}

/** The current index's metadata and keys, or undefined when there is none; `withVectors` also reads vectors.npy. */
export async function readCurrentIndex(
  store: ObjectStore,
  withVectors: boolean,
): Promise<{ metadata: IndexMetadata; keys: string[]; etags: string[]; vectors?: Float32Array } | undefined> {
  const pointer = await readPointer(store);
  if (!pointer?.index) return undefined;
  const folder = indexFolder(pointer.index);
  const metadata = parseJson(await required(store, `${folder}${INDEX_FILES.metadata}`), store.locationOf(folder)) as IndexMetadata;
  const keys: string[] = [];
  const etags: string[] = [];
  for (const line of (await required(store, `${folder}${INDEX_FILES.keys}`)).toString("utf8").split("\n")) {
    if (line.trim() === "") continue;
    const row = JSON.parse(line) as { key: string; etag: string };
    keys.push(row.key);
    etags.push(row.etag);
  }
  if (keys.length !== metadata.count)
    throw new IndexFormatError(store.locationOf(folder), `${keys.length} keys for count ${metadata.count}`);
  if (!withVectors) return { metadata, keys, etags };
  const { header, data } = decodeNpy(await required(store, `${folder}${INDEX_FILES.vectors}`));
  if (header.dtype !== "<f4" || header.shape[0] !== metadata.count || header.shape[1] !== metadata.dim) {
    throw new IndexFormatError(store.locationOf(folder), `vectors.npy is ${header.dtype} ${JSON.stringify(header.shape)}`);
  }
  return { metadata, keys, etags, vectors: data as Float32Array };
}

async function required(store: ObjectStore, key: string): Promise<Buffer> {
  const bytes = await store.get(key);
  if (bytes === undefined) throw new IndexFormatError(store.locationOf(key), "the file is missing");
  return bytes;
}

function parseJson(bytes: Buffer, location: string): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new IndexFormatError(location, "not valid JSON");
  }
}
