/**
 * Checks the endpoint's success body against docs/contracts.md, "Endpoint success bodies", and rebuilds it from validated fields only,
 * so nothing unexpected from the container reaches the caller.
 */
import { ApiError } from "./errors";
import type { Task } from "./event";

/**
 * How many predictions the endpoint sends when no top_k is given: min(5, its label count) for our inference code,
 * 5 for the stock Hugging Face pipeline. An answer is cut to this many so a container that sends every label
 * does not turn a small answer into a huge one.
 */
export const ENDPOINT_DEFAULT_TOP_K = 5;

export interface Prediction {
  readonly label: string;
  readonly score: number;
}
export interface ClassifyAnswer {
  readonly predictions: Prediction[];
}
export interface EmbedAnswer {
  readonly embedding: number[];
  readonly dim: number;
}

/** @param topK the caller's top_k, or undefined when none was given (then up to ENDPOINT_DEFAULT_TOP_K, or fewer). */
export function parseModelAnswer(task: Task, body: Buffer, topK: number | undefined): ClassifyAnswer | EmbedAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw bad("body is not JSON", body);
  }
  return task === "classify" ? classifyAnswer(parsed, topK ?? ENDPOINT_DEFAULT_TOP_K, body) : embedAnswer(parsed, body);
}

function classifyAnswer(parsed: unknown, topK: number, body: Buffer): ClassifyAnswer {
  // The contract is {"predictions": [...]}; the stock Hugging Face handler answers the bare list: accept both.
  const list = Array.isArray(parsed) ? parsed : (parsed as { predictions?: unknown } | null)?.predictions;
  if (!Array.isArray(list)) throw bad("no predictions list", body);
  const predictions = list.map((item: unknown) => {
    const { label, score } = (item ?? {}) as { label?: unknown; score?: unknown };
    if (typeof label !== "string" || typeof score !== "number" || !Number.isFinite(score)) {
      throw bad("prediction without a string label and a finite score", body);
    }
    return { label, score };
  });
  // Sorted here too: callers rely on the order, whatever the container did.
  predictions.sort((a, b) => b.score - a.score);
  return { predictions: predictions.slice(0, topK) };
}

function embedAnswer(parsed: unknown, body: Buffer): EmbedAnswer {
  const { embedding, dim } = (parsed ?? {}) as { embedding?: unknown; dim?: unknown };
  if (!Array.isArray(embedding) || embedding.length === 0 || !embedding.every((v) => typeof v === "number" && Number.isFinite(v))) {
    throw bad("no embedding list of finite numbers", body);
  }
  if (dim !== undefined && dim !== embedding.length) throw bad("dim does not match the embedding length", body);
  return { embedding: embedding as number[], dim: embedding.length };
}

function bad(reason: string, body: Buffer): ApiError {
  return new ApiError("bad_model_response", {
    detail: { reason, bodyBytes: body.length, bodyStart: body.subarray(0, 200).toString("utf8") },
  });
}
