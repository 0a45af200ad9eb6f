/**
 * The /similar search: the WebAssembly kernel against a JavaScript reference, rows written in arbitrary chunks, the
 * top-k order, and the overflow bound of the query's scale.
 */
import fc from "fast-check";
import { INT8_KERNEL_WASM, instantiateKernel, maxQueryMagnitude } from "../../lambda/similar/int8-kernel";
import { Int8Matrix } from "../../lambda/similar/int8-matrix";

function unitRows(count: number, dim: number, seed: number): Float32Array {
  const rows = new Float32Array(count * dim);
  for (let r = 0; r < count; r += 1) {
    let norm = 0;
    for (let i = 0; i < dim; i += 1) {
      const v = Math.sin(seed * 7.3 + r * 13.1 + i * 1.7) + Math.cos(seed + r * i * 0.37);
      rows[r * dim + i] = v;
      norm += v * v;
    }
    for (let i = 0; i < dim; i += 1) rows[r * dim + i] /= Math.sqrt(norm);
  }
  return rows;
}

/** What the catalogue runner writes: int8 rows, one scale each. */
function quantize(rows: Float32Array, dim: number): { values: Int8Array; scales: Float32Array } {
  const count = rows.length / dim;
  const values = new Int8Array(rows.length);
  const scales = new Float32Array(count);
  for (let r = 0; r < count; r += 1) {
    let max = 0;
    for (let i = 0; i < dim; i += 1) max = Math.max(max, Math.abs(rows[r * dim + i]));
    scales[r] = max / 127;
    for (let i = 0; i < dim; i += 1) values[r * dim + i] = Math.round(rows[r * dim + i] / scales[r]);
  }
  return { values, scales };
}

function matrixOf(rows: Float32Array, dim: number, chunk = 1 << 20): Int8Matrix {
  const { values, scales } = quantize(rows, dim);
  const matrix = new Int8Matrix(rows.length / dim, dim);
  const bytes = new Uint8Array(values.buffer);
  for (let at = 0; at < bytes.length; at += chunk) matrix.writeRowBytes(bytes.subarray(at, at + chunk), at);
  matrix.setScales(scales);
  return matrix;
}

describe("the int8 search kernel", () => {
  it("is a valid WebAssembly module", () => {
    expect(WebAssembly.validate(INT8_KERNEL_WASM)).toBe(true);
  });

  it("computes exactly the integer dot products a JavaScript loop computes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.integer(), (count, blocks, seed) => {
        // Prepare: int8 rows, an int16 query, in the kernel's layout.
        const dim = blocks * 16;
        const memory = new WebAssembly.Memory({ initial: 1 });
        const scores = instantiateKernel(memory);
        const rows = new Int8Array(memory.buffer, 0, count * dim);
        const queryOffset = count * dim;
        const query = new Int16Array(memory.buffer, queryOffset, dim);
        const outOffset = queryOffset + dim * 2;
        const random = (i: number) => Math.sin(seed + i * 12.9898) * 43758.5453 - Math.floor(Math.sin(seed + i * 12.9898) * 43758.5453);
        for (let i = 0; i < rows.length; i += 1) rows[i] = Math.floor(random(i) * 255) - 127;
        const bound = maxQueryMagnitude(dim);
        for (let i = 0; i < dim; i += 1) query[i] = Math.floor(random(i + 1e6) * (2 * bound + 1)) - bound;

        // Act
        scores(0, count, dim, queryOffset, outOffset);

        // Assess
        const out = new Int32Array(memory.buffer, outOffset, count);
        for (let r = 0; r < count; r += 1) {
          let expected = 0;
          for (let i = 0; i < dim; i += 1) expected += rows[r * dim + i] * query[i];
          expect(out[r]).toBe(expected);
        }
      }),
      { numRuns: 50 },
    );
  });

  it("cannot overflow: the largest values at the largest query magnitude stay exact", () => {
    const dim = 4096;
    const memory = new WebAssembly.Memory({ initial: 1 });
    const scores = instantiateKernel(memory);
    new Int8Array(memory.buffer, 0, dim).fill(-127);
    new Int16Array(memory.buffer, dim, dim).fill(-maxQueryMagnitude(dim));
    scores(0, 1, dim, dim, dim * 3);
    expect(new Int32Array(memory.buffer, dim * 3, 1)[0]).toBe(127 * maxQueryMagnitude(dim) * dim);
    expect(127 * maxQueryMagnitude(dim) * dim).toBeLessThan(2 ** 31);
  });
});

describe("Int8Matrix", () => {
  it.each([
    [96, 1 << 20],
    [20, 7], // rows not a multiple of 16 values, written in chunks that split rows
    [768, 1000],
  ])("finds the same nearest rows as an exact float32 search (dim %i, %i-byte chunks)", (dim, chunk) => {
    // Prepare
    const count = 300;
    const rows = unitRows(count, dim, dim);
    const matrix = matrixOf(rows, dim, chunk);
    const query = rows.slice(17 * dim, 18 * dim); // row 17 itself

    // Act
    const found = matrix.search(query, 5);

    // Assess
    const exact = Array.from({ length: count }, (_, r) => {
      let dot = 0;
      for (let i = 0; i < dim; i += 1) dot += rows[r * dim + i] * query[i];
      return { row: r, score: dot };
    }).sort((a, b) => b.score - a.score);
    expect(found[0].row).toBe(17);
    expect(found[0].score).toBeCloseTo(1, 2);
    expect(found.map((m) => m.row)).toEqual(exact.slice(0, 5).map((m) => m.row));
    found.forEach((m, i) => expect(m.score).toBeCloseTo(exact[i].score, 2));
    expect(found.map((m) => m.score)).toEqual([...found.map((m) => m.score)].sort((a, b) => b - a));
  });

  it("answers every row when top_k is larger than the catalogue, and nothing for an empty one", () => {
    const rows = unitRows(3, 16, 1);
    expect(matrixOf(rows, 16).search(rows.slice(0, 16), 10)).toHaveLength(3);
    expect(new Int8Matrix(0, 16).search(rows.slice(0, 16), 10)).toEqual([]);
  });

  it("reuses the environment's memory for the next index: no bytes of the previous one survive", () => {
    const big = matrixOf(unitRows(50, 32, 2), 32);
    expect(big.count).toBe(50);
    const small = new Int8Matrix(2, 20);
    small.setScales(Float32Array.from([1, 1]));
    expect(
      small
        .search(
          Float32Array.from({ length: 20 }, () => 1),
          2,
        )
        .map((m) => m.score),
    ).toEqual([0, 0]);
  });
});
