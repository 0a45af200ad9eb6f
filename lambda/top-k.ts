/**
 * Reads the `top_k` query parameter: a plain decimal integer from 1 to the configured maximum, or undefined when
 * the caller did not give one (the endpoint then uses its own default, min(5, its label count), so a model with
 * fewer than 5 labels still answers requests without top_k).
 * Strict on purpose ("5.0", "1e1", " 5", "5,6" are refused) so a typo never silently becomes another number.
 * The endpoint checks the upper bound again against its real label count and answers bad_top_k.
 */
import { ApiError } from "./errors";

export function parseTopK(values: readonly string[] | undefined, max: number): number | undefined {
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) throw badTopK(`top_k was given ${values.length} times; give it once.`, max);
  const raw = values[0];
  if (!/^[0-9]{1,7}$/.test(raw)) throw badTopK(`top_k must be an integer from 1 to ${max}.`, max);
  const value = Number(raw);
  if (value < 1 || value > max) throw badTopK(`top_k must be an integer from 1 to ${max}.`, max);
  // The endpoint may hold fewer labels than `max`: it answers bad_top_k for those, mapped in sagemaker-errors.ts.
  return value;
}

function badTopK(message: string, max: number): ApiError {
  return new ApiError("bad_top_k", { message, detail: { max } });
}
