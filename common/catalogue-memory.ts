/**
 * What a catalogue index costs the function's memory once loaded, and so the largest index a function of N MB holds.
 * Lambda ends an execution environment that goes over its memory size, so the function checks an index against this
 * before loading it (500 catalogue_too_large instead of a crash on every request), the catalogue runner warns when it
 * writes one the deployed function cannot hold, and `npm run bench:lambda` loads an index of exactly the bound in a
 * fresh Node.js 22 process and reports its measured peak against the memory size (docs/catalogue.md).
 *
 * The constants are fitted, rounded up, to peak resident memory (/proc VmHWM) measured with the bundle in Node.js 22
 * loading indexes of 768-value rows: 10,000 rows 99 MB, 100,000 rows 204 MB (240 MB with 364-byte key lines instead
 * of 64), 300,000 rows 372 MB:
 *   peak ~ RUNTIME + count x (padded row + ROW_OVERHEAD) + KEYS_FACTOR x size of keys.jsonl
 * Pure values only: the Lambda bundle imports this file.
 */

const MB = 1024 * 1024;
/**
 * The Node.js runtime, the bundle and its SDK clients after a first /similar request, plus the streamed files' chunks
 * not yet collected: ~90 MB with a small index, ~120 MB from 100,000 rows on.
 */
export const RUNTIME_BYTES = 120 * MB;
/** Per row beyond its int8 values: its scale, its score slot, its key's place in the key list. */
export const ROW_OVERHEAD_BYTES = 48;
/** Resident bytes per byte of keys.jsonl: the keys kept as strings (the file is parsed as it streams in). */
export const KEYS_FACTOR = 1.3;
/** Lambda's largest memory size. */
export const MAX_FUNCTION_MEMORY_MB = 10_240;
/** The share of the memory size an index may bring the peak to; the rest is headroom (requests, garbage). */
export const MEMORY_SHARE = 0.9;
/** The search kernel's row block: rows are padded to a multiple of it (lambda/similar/int8-matrix.ts). */
export const ROW_BLOCK = 16;

/**
 * A WebAssembly memory holds at most 65,536 pages of 64 KiB (4 GiB): the rows, the query and one int32 score per row
 * must fit in it (lambda/similar/int8-matrix.ts), whatever the function's memory. It binds from about 5,400 MB on.
 */
export const WASM_MEMORY_MAX_BYTES = 65_536 * 65_536;

export const paddedDim = (dim: number) => Math.ceil(dim / ROW_BLOCK) * ROW_BLOCK;

/** Bytes of the search kernel's memory for `count` rows (int8 rows, an int16 query, int32 scores, 16-byte aligned). */
export function kernelMemoryBytes(count: number, dim: number): number {
  const align = (bytes: number) => Math.ceil(bytes / ROW_BLOCK) * ROW_BLOCK;
  return align(count * paddedDim(dim)) + align(paddedDim(dim) * 2) + count * 4;
}

/** Peak resident bytes of a function holding an index of `count` rows of `dim` values and a keys.jsonl of `keysBytes`. */
export function indexPeakBytes(count: number, dim: number, keysBytes: number): number {
  return RUNTIME_BYTES + count * (paddedDim(dim) + ROW_OVERHEAD_BYTES) + KEYS_FACTOR * keysBytes;
}

/** The most memory an index may bring a function of `memoryMb` to. */
export const indexMemoryBudgetBytes = (memoryMb: number) => MEMORY_SHARE * memoryMb * MB;

export function indexFitsMemory(memoryMb: number, count: number, dim: number, keysBytes: number): boolean {
  return (
    indexPeakBytes(count, dim, keysBytes) <= indexMemoryBudgetBytes(memoryMb) && kernelMemoryBytes(count, dim) <= WASM_MEMORY_MAX_BYTES
  );
}

/** The most rows a function of `memoryMb` holds, with keys.jsonl lines of `keyLineBytes` on average. */
export function largestIndexRows(memoryMb: number, dim: number, keyLineBytes: number): number {
  const perRow = paddedDim(dim) + ROW_OVERHEAD_BYTES + KEYS_FACTOR * keyLineBytes;
  const byMemory = Math.floor((indexMemoryBudgetBytes(memoryMb) - RUNTIME_BYTES) / perRow);
  const byKernel = Math.floor((WASM_MEMORY_MAX_BYTES - paddedDim(dim) * 2) / (paddedDim(dim) + 4)); // rows are 16-byte multiples
  return Math.max(0, Math.min(byMemory, byKernel));
}

/** The smallest memory size (MB) that holds such an index, or undefined when no memory size does (the kernel's bound). */
export function memoryMbFor(count: number, dim: number, keysBytes: number): number | undefined {
  if (kernelMemoryBytes(count, dim) > WASM_MEMORY_MAX_BYTES) return undefined;
  const mb = Math.ceil(indexPeakBytes(count, dim, keysBytes) / MEMORY_SHARE / MB);
  return mb <= MAX_FUNCTION_MEMORY_MB ? mb : undefined;
}
