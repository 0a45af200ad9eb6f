/**
 * The catalogue's vectors in the function's memory: int8 rows with one float32 scale each (v ~ row x scale, the
 * index's vectors-int8.npy and scales.npy), in one WebAssembly memory the search kernel reads directly.
 *
 * One memory per execution environment, grown when a larger index arrives and reused by the next: a reload never holds
 * two indexes at once, so the largest catalogue is bounded by one copy (docs/catalogue.md, "How large a catalogue").
 * Rows are padded with zeros to a multiple of 16 values (the kernel's block); zeros add nothing to a dot product.
 */
import { paddedDim, ROW_BLOCK as BLOCK } from "../../common/catalogue-memory";
import { instantiateKernel, maxQueryMagnitude, ScoresFunction } from "./int8-kernel";

const PAGE_BYTES = 65_536;

let memory: WebAssembly.Memory | undefined;
let scores: ScoresFunction | undefined;

/** The environment's memory with at least `bytes`, and the kernel bound to it. */
function reserve(bytes: number): { memory: WebAssembly.Memory; scores: ScoresFunction } {
  const pages = Math.ceil(bytes / PAGE_BYTES);
  if (memory === undefined) {
    memory = new WebAssembly.Memory({ initial: pages });
    scores = instantiateKernel(memory);
  } else if (memory.buffer.byteLength < pages * PAGE_BYTES) {
    memory.grow(pages - memory.buffer.byteLength / PAGE_BYTES);
  }
  return { memory, scores: scores! };
}

export interface Match {
  /** Row number. */
  readonly row: number;
  /** Cosine similarity (the rows and the query are unit vectors). */
  readonly score: number;
}

export class Int8Matrix {
  readonly paddedDim: number;
  private readonly rowsOffset = 0;
  private readonly queryOffset: number;
  private readonly outOffset: number;
  private readonly scales: Float32Array;
  private readonly kernel: ScoresFunction;
  private readonly memory: WebAssembly.Memory;

  /** Reserves room for `count` rows of `dim` values; the rows are then written with writeRowBytes. */
  constructor(
    readonly count: number,
    readonly dim: number,
  ) {
    this.paddedDim = paddedDim(dim);
    this.queryOffset = this.rowsOffset + align(count * this.paddedDim);
    this.outOffset = this.queryOffset + align(this.paddedDim * 2);
    const reserved = reserve(this.outOffset + count * 4);
    this.memory = reserved.memory;
    this.kernel = reserved.scores;
    new Uint8Array(this.memory.buffer, 0, this.outOffset).fill(0); // the padding of each row, and a previous index's bytes
    this.scales = new Float32Array(count);
  }

  /** Bytes the matrix occupies in the environment's memory. */
  get bytes(): number {
    return this.outOffset + this.count * 4 + this.scales.byteLength;
  }

  /**
   * Copies `chunk`, the int8 data of vectors-int8.npy from byte `position` on (row-major, `dim` per row), into the
   * padded rows: a streamed file arrives in chunks that split rows anywhere.
   */
  writeRowBytes(chunk: Uint8Array, position: number): void {
    const rows = new Uint8Array(this.memory.buffer, this.rowsOffset, this.count * this.paddedDim);
    if (this.paddedDim === this.dim) {
      rows.set(chunk, position);
      return;
    }
    let read = 0;
    while (read < chunk.length) {
      const at = position + read;
      const row = Math.floor(at / this.dim);
      const column = at % this.dim;
      const take = Math.min(this.dim - column, chunk.length - read);
      rows.set(chunk.subarray(read, read + take), row * this.paddedDim + column);
      read += take;
    }
  }

  setScales(scales: Float32Array): void {
    if (scales.length !== this.count) throw new Error(`${scales.length} scales for ${this.count} rows`);
    this.scales.set(scales);
  }

  /** The `k` rows most similar to `query` (a unit vector of `dim` values), best first. Exact over the int8 rows. */
  search(query: ArrayLike<number>, k: number): Match[] {
    if (query.length !== this.dim) throw new Error(`query has ${query.length} values, the rows ${this.dim}`);
    let max = 0;
    for (let i = 0; i < query.length; i += 1) max = Math.max(max, Math.abs(query[i]));
    if (max === 0 || this.count === 0) return [];
    const queryScale = maxQueryMagnitude(this.paddedDim) / max;
    const queryValues = new Int16Array(this.memory.buffer, this.queryOffset, this.paddedDim);
    queryValues.fill(0);
    for (let i = 0; i < query.length; i += 1) queryValues[i] = Math.round(query[i] * queryScale);
    this.kernel(this.rowsOffset, this.count, this.paddedDim, this.queryOffset, this.outOffset);
    const dots = new Int32Array(this.memory.buffer, this.outOffset, this.count);
    return topK(dots, this.scales, Math.min(k, this.count)).map(({ row, value }) => ({ row, score: value / queryScale }));
  }
}

const align = (bytes: number) => Math.ceil(bytes / BLOCK) * BLOCK;

/** The k largest dots[r] x scales[r], best first: a size-k min-heap over one pass. */
function topK(dots: Int32Array, scales: Float32Array, k: number): { row: number; value: number }[] {
  const rows = new Int32Array(k);
  const values = new Float64Array(k);
  let size = 0;
  const swap = (a: number, b: number) => {
    [rows[a], rows[b]] = [rows[b], rows[a]];
    [values[a], values[b]] = [values[b], values[a]];
  };
  const siftDown = (from: number) => {
    for (let i = from; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < size && values[left] < values[smallest]) smallest = left;
      if (right < size && values[right] < values[smallest]) smallest = right;
      if (smallest === i) return;
      swap(i, smallest);
      i = smallest;
    }
  };
  for (let row = 0; row < dots.length; row += 1) {
    const value = dots[row] * scales[row];
    if (size < k) {
      rows[size] = row;
      values[size] = value;
      size += 1;
      for (let i = size - 1; i > 0 && values[(i - 1) >> 1] > values[i]; i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    } else if (value > values[0]) {
      rows[0] = row;
      values[0] = value;
      siftDown(0);
    }
  }
  const found = Array.from({ length: size }, (_, i) => ({ row: rows[i], value: values[i] }));
  return found.sort((a, b) => b.value - a.value || a.row - b.row);
}
