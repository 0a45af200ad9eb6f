/**
 * Reads the `top_k` query parameter of /classify: a plain decimal integer from 1 to the model's label count, or
 * undefined when the caller did not give one (the endpoint then uses its own default, min(5, its label count), so a
 * model with fewer than 5 labels still answers requests without top_k).
 * Strict on purpose ("5.0", "1e1", " 5", "5,6" are refused) so a typo never silently becomes another number.
 *
 * The function knows the label count only when TOP_K_MAX says it; otherwise the endpoint checks the upper bound and
 * answers bad_top_k with its count (sagemaker-errors.ts), and a refusal here names no number rather than a wrong one.
 */
import { ApiError } from "./errors";

/**
 * The one wording of a top_k outside its range, the same as the container's (model/code/serving_request.py,
 * top_k_for), so a caller reads one sentence whichever side refused the value.
 */
export function topKRangeMessage(labelCount: number | undefined): string {
  return labelCount === undefined
    ? "top_k must be an integer from 1 to the number of labels."
    : `top_k must be an integer from 1 to ${labelCount}, the number of labels.`;
}

/** @param labelCount the model's label count when known (TOP_K_MAX), else undefined. */
export function parseTopK(values: readonly string[] | undefined, labelCount: number | undefined): number | undefined {
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) {
    throw new ApiError("bad_top_k", { message: `top_k was given ${values.length} times; give it once.`, detail: { given: values.length } });
  }
  const raw = values[0];
  const value = /^[0-9]{1,7}$/.test(raw) ? Number(raw) : 0;
  // Logged, cut short: the caller's text may be long.
  if (value < 1 || (labelCount !== undefined && value > labelCount)) throw badTopK(labelCount, { value: raw.slice(0, 20) });
  return value;
}

export function badTopK(labelCount: number | undefined, detail: Record<string, unknown> = {}): ApiError {
  return new ApiError("bad_top_k", { message: topKRangeMessage(labelCount), detail: { ...detail, labelCount } });
}
