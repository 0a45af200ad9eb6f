/**
 * The exact dot products of /similar: every stored int8 row against the query, in WebAssembly SIMD (Node.js 22 runs it
 * without flags). Plain JavaScript computes one multiply-add at a time, about 10x slower: 100,000 rows of 768 values
 * took ~290 ms here, this kernel ~20-30 ms on the same loaded machine (docs/catalogue.md has the measured numbers).
 *
 * The module is 226 bytes, encoded below from named opcodes rather than compiled from text: a WebAssembly text
 * assembler (wabt) would be one more build tool for one function. Its text form:
 *
 *   (func (export "scores") (param $rows i32) (param $count i32) (param $dim i32) (param $query i32) (param $out i32)
 *     ;; for each row: acc = sum over 16-value blocks of dot(i16(row[j..j+8]), query[j..j+8]) + dot(high half)
 *     ;; out[r] = acc.lane0 + acc.lane1 + acc.lane2 + acc.lane3
 *     ;; rows: int8 [count][dim], dim a multiple of 16; query: int16 [dim]; out: int32 [count])
 *
 * i32x4.dot_i16x8_s multiplies eight int16 pairs and adds neighbours into four int32 lanes; int8 rows are widened
 * with i16x8.extend_{low,high}_i8x16_s. Sums cannot overflow: the caller bounds the query so that
 * 127 x |query| x dim < 2^31 (maxQueryMagnitude). Tests compare it with a JavaScript reference on random data.
 */

const I32 = 0x7f;
const V128 = 0x7b;
const SIMD = 0xfd;

/** Unsigned LEB128, the integer encoding of WebAssembly's binary format. */
function uleb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (text: string): number[] => [...uleb(text.length), ...Buffer.from(text, "utf8")];
const simd = (opcode: number, ...immediates: number[]): number[] => [SIMD, ...uleb(opcode), ...immediates];

const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (depth: number) => [0x0d, depth],
  get: (index: number) => [0x20, index],
  set: (index: number) => [0x21, index],
  tee: (index: number) => [0x22, index],
  i32Const: (value: number) => [0x41, value], // values below 64 only (one-byte signed LEB128)
  i32Eqz: [0x45],
  i32LtU: [0x49],
  i32Add: [0x6a],
  i32Shl: [0x74],
  i32Store: [0x36, 0x02, 0x00], // align 4, offset 0
  v128Load: (offset: number) => simd(0x00, 0x04, offset), // align 16
  v128Zero: simd(0x0c, ...new Array<number>(16).fill(0)), // v128.const 0
  i16x8ExtendLowI8x16S: simd(0x87),
  i16x8ExtendHighI8x16S: simd(0x88),
  i32x4Add: simd(0xae),
  i32x4DotI16x8S: simd(0xba),
  i32x4ExtractLane: (lane: number) => simd(0x1b, lane),
};

// Parameters 0-4, then locals: 5 rowEnd, 6 queryAt, 7 acc (v128), 8 row block (v128), 9 outEnd.
const [ROWS, COUNT, DIM, QUERY, OUT, ROW_END, QUERY_AT, ACC, BLOCK, OUT_END] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

const body: number[] = [
  ...[...op.get(OUT), ...op.get(COUNT), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add, ...op.set(OUT_END)],
  ...op.block,
  ...[...op.get(COUNT), ...op.i32Eqz, ...op.brIf(0)],
  ...op.loop, // one row
  ...[...op.v128Zero, ...op.set(ACC), ...op.get(QUERY), ...op.set(QUERY_AT)],
  ...[...op.get(ROWS), ...op.get(DIM), ...op.i32Add, ...op.set(ROW_END)],
  ...op.loop, // 16 values of the row
  ...[...op.get(ROWS), ...op.v128Load(0), ...op.set(BLOCK)],
  ...op.get(ACC),
  ...[...op.get(BLOCK), ...op.i16x8ExtendLowI8x16S, ...op.get(QUERY_AT), ...op.v128Load(0), ...op.i32x4DotI16x8S, ...op.i32x4Add],
  ...[...op.get(BLOCK), ...op.i16x8ExtendHighI8x16S, ...op.get(QUERY_AT), ...op.v128Load(16), ...op.i32x4DotI16x8S, ...op.i32x4Add],
  ...op.set(ACC),
  ...[...op.get(QUERY_AT), ...op.i32Const(32), ...op.i32Add, ...op.set(QUERY_AT)],
  ...[...op.get(ROWS), ...op.i32Const(16), ...op.i32Add, ...op.tee(ROWS), ...op.get(ROW_END), ...op.i32LtU, ...op.brIf(0)],
  ...op.end,
  ...op.get(OUT),
  ...[...op.get(ACC), ...op.i32x4ExtractLane(0), ...op.get(ACC), ...op.i32x4ExtractLane(1), ...op.i32Add],
  ...[...op.get(ACC), ...op.i32x4ExtractLane(2), ...op.i32Add, ...op.get(ACC), ...op.i32x4ExtractLane(3), ...op.i32Add],
  ...op.i32Store,
  ...[...op.get(OUT), ...op.i32Const(4), ...op.i32Add, ...op.tee(OUT), ...op.get(OUT_END), ...op.i32LtU, ...op.brIf(0)],
  ...op.end,
  ...op.end,
  ...op.end,
];
const locals = vector([
  [2, I32],
  [2, V128],
  [1, I32],
]);
const code = [...locals, ...body];

/** The module: imports its memory (env.memory), exports scores(rows, count, dim, query, out). */
export const INT8_KERNEL_WASM = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
  ...section(1, vector([[0x60, ...vector([[I32], [I32], [I32], [I32], [I32]]), ...vector([])]])), // type: (i32 x5) -> ()
  ...section(2, vector([[...name("env"), ...name("memory"), 0x02, 0x00, 0x01]])), // import memory, min 1 page
  ...section(3, vector([[0]])), // one function of type 0
  ...section(7, vector([[...name("scores"), 0x00, 0]])), // export it
  ...section(10, vector([[...uleb(code.length), ...code]])),
]);

/** The largest query magnitude whose products with int8 rows of `dim` values cannot overflow an int32 sum. */
export function maxQueryMagnitude(dim: number): number {
  return Math.min(32767, Math.floor(2_147_483_647 / (127 * dim)));
}

export type ScoresFunction = (rows: number, count: number, dim: number, query: number, out: number) => void;

/** The kernel bound to `memory` (which holds the rows, the query and the output at the offsets passed). */
export function instantiateKernel(memory: WebAssembly.Memory): ScoresFunction {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(INT8_KERNEL_WASM), { env: { memory } });
  return instance.exports.scores as ScoresFunction;
}
