/**
 * What the transform job wrote for one image (its `.out` object): the container's answer in batch mode, either
 * {"embedding": [...], "dim": n} or {"error": {"code", "message"}} (docs/contracts.md, "Endpoint success bodies").
 */

export type TransformRecord =
  | { readonly kind: "embedding"; readonly vector: Float32Array }
  | { readonly kind: "error"; readonly code: string; readonly message: string };

export function parseTransformRecord(body: Buffer | undefined): TransformRecord {
  if (body === undefined) return failure("no_output", "the transform job wrote no .out object for this image");
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return failure("bad_output", "the .out object is not JSON");
  }
  const record = (parsed ?? {}) as { embedding?: unknown; dim?: unknown; error?: { code?: unknown; message?: unknown } };
  if (record.error !== undefined) {
    const code = typeof record.error?.code === "string" ? record.error.code : "model_error";
    const message = typeof record.error?.message === "string" ? record.error.message : "the model rejected the image";
    return failure(code, message);
  }
  const values = record.embedding;
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "number" && Number.isFinite(v))) {
    return failure("bad_output", "the .out object has no embedding of finite numbers");
  }
  if (record.dim !== undefined && record.dim !== values.length) return failure("bad_output", "dim does not match the embedding's length");
  return { kind: "embedding", vector: Float32Array.from(values as number[]) };
}

function failure(code: string, message: string): TransformRecord {
  return { kind: "error", code, message };
}
