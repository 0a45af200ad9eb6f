/**
 * The function's in-memory precision: each row of the float32 matrix as int8 with its own scale (max|v| / 127), so
 * v ~ q x scale. A quarter of float32's memory and download; the search keeps the query at higher precision, so the
 * ranking error comes from the stored rows only (recall@10 against float32: docs/catalogue.md).
 */
export function quantizeRows(vectors: Float32Array, dim: number): { values: Int8Array; scales: Float32Array } {
  const count = dim === 0 ? 0 : vectors.length / dim;
  const values = new Int8Array(vectors.length);
  const scales = new Float32Array(count);
  for (let row = 0; row < count; row += 1) {
    const start = row * dim;
    let max = 0;
    for (let i = start; i < start + dim; i += 1) max = Math.max(max, Math.abs(vectors[i]));
    const scale = max / 127;
    scales[row] = scale;
    if (scale === 0) continue;
    for (let i = start; i < start + dim; i += 1) values[i] = Math.round(vectors[i] / scale);
  }
  return { values, scales };
}
