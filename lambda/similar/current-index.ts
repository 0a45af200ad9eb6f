/**
 * The catalogue index this execution environment searches, kept at module scope: loaded from S3 on the first
 * /similar request (a cold start), checked against latest.json at most once per CATALOGUE_REFRESH_SECONDS (a
 * conditional GET: 304 while nothing moved), and reloaded when the pointer names another index.
 *
 * Refused before any model call: no pointer or an empty one (503 catalogue_not_ready), an index made by another model
 * than MODEL_FINGERPRINT (503 catalogue_model_mismatch), an index larger than the function's memory holds (500
 * catalogue_too_large, decided from its size before its rows are downloaded, and remembered: Lambda would end an
 * environment that went over its memory, on every request). A failed load leaves no index behind (503
 * catalogue_unavailable, retried by the next request), never half of one.
 */
import {
  CATALOGUE_INDEX_FORMAT,
  CataloguePointer,
  INDEX_FILES,
  indexFolder,
  IndexMetadata,
  POINTER_KEY,
} from "../../common/catalogue-index";
import { indexFitsMemory, memoryMbFor } from "../../common/catalogue-memory";
import { decodeNpy, NPY_MAX_HEADER_BYTES, NpyHeader, parseNpyHeader } from "../../common/npy";
import type { CatalogueConfig } from "../config";
import { ApiError } from "../errors";
import { CatalogueReadError, readObject, readPointerObject, streamObject } from "./catalogue-objects";
import { Int8Matrix } from "./int8-matrix";
import { KeyLines } from "./key-lines";

export interface LoadedIndex {
  readonly id: string;
  readonly count: number;
  readonly dim: number;
  readonly created: string;
  readonly keys: readonly string[];
  readonly matrix: Int8Matrix;
}

export interface IndexEvents {
  /** Called after each load, for the log line (what was loaded, how long it took). */
  readonly loaded?: (fields: Record<string, unknown>) => void;
}

interface State {
  pointer: CataloguePointer | undefined;
  pointerEtag: string | undefined;
  checkedAt: number;
  index: LoadedIndex | undefined;
  /** The index refused as too large for this function's memory: refused again without a download. */
  tooLarge: { id: string; error: ApiError } | undefined;
}

const state: State = { pointer: undefined, pointerEtag: undefined, checkedAt: -Infinity, index: undefined, tooLarge: undefined };

/** Forget everything (tests: a fresh execution environment). */
export function resetCurrentIndex(): void {
  Object.assign(state, { pointer: undefined, pointerEtag: undefined, checkedAt: -Infinity, index: undefined, tooLarge: undefined });
}

/** The index to search now. `signal` ends S3 reads at the request's deadline. */
export async function currentIndex(
  config: CatalogueConfig,
  signal: AbortSignal,
  events: IndexEvents = {},
  now = Date.now(),
): Promise<LoadedIndex> {
  if (state.pointer === undefined || now - state.checkedAt >= config.refreshMs) await checkPointer(config, signal, now);
  const pointer = state.pointer!;
  if (pointer.index === null) throw notReady(config, "latest.json names no index yet");
  if (pointer.modelFingerprint !== config.modelFingerprint) {
    throw new ApiError("catalogue_model_mismatch", {
      detail: { index: pointer.index, indexModel: pointer.modelFingerprint, servingModel: config.modelFingerprint },
    });
  }
  if (state.tooLarge?.id === pointer.index) throw state.tooLarge.error;
  if (state.index?.id !== pointer.index) {
    state.index = undefined; // the old index's memory is reused by the new one
    const started = Date.now();
    try {
      state.index = await loadIndex(config, pointer.index, signal);
    } catch (error) {
      if (error instanceof ApiError && error.code === "catalogue_too_large") {
        state.tooLarge = { id: pointer.index, error };
      } else {
        state.checkedAt = -Infinity; // read the pointer again next time
      }
      throw loadFailure(error, config, pointer.index);
    }
    events.loaded?.({
      index: state.index.id,
      count: state.index.count,
      dim: state.index.dim,
      loadMs: Date.now() - started,
      bytes: state.index.matrix.bytes,
    });
  }
  return state.index;
}

async function checkPointer(config: CatalogueConfig, signal: AbortSignal, now: number): Promise<void> {
  let read;
  try {
    read = await readPointerObject(config.bucket, `${config.prefix}${POINTER_KEY}`, state.pointerEtag, signal);
  } catch (error) {
    if (error instanceof CatalogueReadError && error.kind === "missing") throw notReady(config, "latest.json does not exist");
    throw loadFailure(error, config, undefined);
  }
  if (read.modified) {
    const pointer = parseJson(read.body) as CataloguePointer | undefined;
    if (pointer?.format !== CATALOGUE_INDEX_FORMAT || (pointer.index !== null && typeof pointer.index !== "string")) {
      throw new ApiError("catalogue_unreadable", {
        detail: { reason: "latest.json is not a catalogue pointer", location: location(config, POINTER_KEY) },
      });
    }
    state.pointer = pointer;
    state.pointerEtag = read.etag;
  }
  state.checkedAt = now;
}

async function loadIndex(config: CatalogueConfig, id: string, signal: AbortSignal): Promise<LoadedIndex> {
  const folder = `${config.prefix}${indexFolder(id)}`;
  const metadata = parseJson(await readObject(config.bucket, `${folder}${INDEX_FILES.metadata}`, signal)) as IndexMetadata | undefined;
  const { count, dim } = metadata ?? ({} as Partial<IndexMetadata>);
  if (metadata?.format !== CATALOGUE_INDEX_FORMAT || !Number.isInteger(count) || !Number.isInteger(dim) || count! < 0 || dim! < 1) {
    throw new IndexProblem(`${INDEX_FILES.metadata} is not a catalogue index's metadata`);
  }
  if (metadata.modelFingerprint !== config.modelFingerprint) throw new IndexProblem("index.json names another model than latest.json");

  // The keys first: S3 gives their size before any byte is read, which completes the memory check.
  const fits = (keysBytes: number) => checkMemory(config, id, count!, dim!, keysBytes);
  fits(0);
  const keyLines = new KeyLines();
  await streamObject(
    config.bucket,
    `${folder}${INDEX_FILES.keys}`,
    signal,
    (chunk) => keyLines.push(chunk),
    (size) => fits(size ?? 0),
  );
  const keys = keyLines.end();
  if (keys.length !== count) throw new IndexProblem(`${INDEX_FILES.keys} has ${keys.length} keys for ${count} rows`);

  const matrix = new Int8Matrix(count!, dim!);
  let header: NpyHeader | undefined;
  let pending = Buffer.alloc(0);
  let dataRead = 0;
  await streamObject(config.bucket, `${folder}${INDEX_FILES.vectorsInt8}`, signal, (chunk) => {
    let bytes: Uint8Array = chunk;
    if (header === undefined) {
      pending = Buffer.concat([pending, chunk]);
      header = parseNpyHeader(pending.subarray(0, NPY_MAX_HEADER_BYTES));
      if (header === undefined) return;
      if (header.dtype !== "|i1" || header.shape.length !== 2 || header.shape[0] !== count || header.shape[1] !== dim) {
        throw new IndexProblem(
          `${INDEX_FILES.vectorsInt8} is ${header.dtype} ${JSON.stringify(header.shape)}, not int8 [${count}, ${dim}]`,
        );
      }
      bytes = pending.subarray(header.dataOffset);
    }
    const take = Math.min(bytes.length, header.dataBytes - dataRead);
    matrix.writeRowBytes(bytes.subarray(0, take), dataRead);
    dataRead += take;
  });
  if (header === undefined || dataRead !== header.dataBytes)
    throw new IndexProblem(`${INDEX_FILES.vectorsInt8} ends after ${dataRead} data bytes`);

  const scales = decodeNpy(await readObject(config.bucket, `${folder}${INDEX_FILES.scales}`, signal));
  if (scales.header.dtype !== "<f4" || scales.header.shape[0] !== count)
    throw new IndexProblem(`${INDEX_FILES.scales} does not hold ${count} float32 scales`);
  matrix.setScales(scales.data as Float32Array);
  return { id, count: count!, dim: dim!, created: metadata.created, keys, matrix };
}

/** Throws catalogue_too_large when the index would take the function over its memory (common/catalogue-memory.ts). */
function checkMemory(config: CatalogueConfig, id: string, count: number, dim: number, keysBytes: number): void {
  const memoryMb = config.functionMemoryMb;
  if (memoryMb === undefined || indexFitsMemory(memoryMb, count, dim, keysBytes)) return;
  const needed = memoryMbFor(count, dim, keysBytes);
  throw new ApiError("catalogue_too_large", {
    detail: {
      index: id,
      count,
      dim,
      keysBytes,
      functionMemoryMb: memoryMb,
      ...(needed === undefined ? { remedy: "no memory size holds it: serve it from a vector database" } : { memoryMbNeeded: needed }),
    },
  });
}

/** The index's files are there but not what the format says. */
class IndexProblem extends Error {}

function loadFailure(error: unknown, config: CatalogueConfig, id: string | undefined): ApiError {
  if (error instanceof ApiError) return error;
  const where = id === undefined ? location(config, POINTER_KEY) : location(config, indexFolder(id));
  if (error instanceof CatalogueReadError) {
    // Denied or missing files of an index the pointer names: the grants or the bucket are wrong, not the moment.
    if (error.kind !== "failed")
      return new ApiError("catalogue_unreadable", {
        cause: error,
        detail: { reason: error.kind, location: error.location, ...error.detail },
      });
    return new ApiError("catalogue_unavailable", { cause: error, detail: { location: error.location, ...error.detail } });
  }
  if (error instanceof IndexProblem || error instanceof SyntaxError || (error as Error)?.name === "NpyFormatError") {
    return new ApiError("catalogue_unreadable", { cause: error, detail: { reason: (error as Error).message, location: where } });
  }
  if ((error as Error)?.name === "AbortError")
    return new ApiError("catalogue_unavailable", { cause: error, detail: { reason: "no time left to load the index", location: where } });
  return new ApiError("catalogue_unavailable", { cause: error, detail: { location: where } });
}

function notReady(config: CatalogueConfig, reason: string): ApiError {
  return new ApiError("catalogue_not_ready", { detail: { reason, location: location(config, POINTER_KEY) } });
}

function location(config: CatalogueConfig, key: string): string {
  return `s3://${config.bucket}/${config.prefix}${key}`;
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
}
