/**
 * The `model.serving` section of the stack config: the SageMaker container's settings, validated at synth with the
 * names, ranges and allowed values the container itself enforces. Both read one table,
 * model/code/serving_settings.json (the container's serving_settings.py reads it beside itself in the tarball), so a
 * value synth accepts is one the container accepts; model/tests/test_serving_settings.py runs both on the same values.
 */
import { z } from "zod";
import table from "../../model/code/serving_settings.json";

type Table = typeof table.settings;
/** A setting's key under `model.serving` (the container's field is the same name in snake_case). */
export type ServingKey = keyof Table;
/** A choice is a string, an integer a number, a flag a boolean. */
type ServingValue<S> = S extends { choices: unknown } ? string : S extends { min: number } ? number : boolean;
/** `model.serving` as parsed: only the settings the config sets; the others keep the container's defaults. */
export type ServingConfig = { readonly [K in ServingKey]?: ServingValue<Table[K]> };

const specSchema = z.discriminatedUnion("type", [
  z
    .object({
      variable: z.string(),
      type: z.literal("integer"),
      min: z.number().int(),
      max: z.number().int(),
      default: z.number().nullable(),
    })
    .strict(),
  z.object({ variable: z.string(), type: z.literal("choice"), choices: z.array(z.string()).min(1), default: z.string() }).strict(),
  z.object({ variable: z.string(), type: z.literal("flag"), default: z.boolean() }).strict(),
]);
export type ServingSpec = z.infer<typeof specSchema>;

/** Every setting's spec by key, in the table's order. The table is checked on load: a bad entry is a bug here, so it throws. */
export const SERVING_SETTINGS = z.record(specSchema).parse(table.settings) as Readonly<Record<ServingKey, ServingSpec>>;
export const SERVING_KEYS = Object.keys(SERVING_SETTINGS) as ServingKey[];

/** What a setting accepts, in the words every message uses. */
export function allowedValues(spec: ServingSpec): string {
  if (spec.type === "integer") return `an integer from ${spec.min} to ${spec.max}`;
  if (spec.type === "choice") return `one of ${spec.choices.map((c) => JSON.stringify(c)).join(", ")}`;
  return "true or false";
}

function settingSchema(spec: ServingSpec): z.ZodTypeAny {
  const message = `must be ${allowedValues(spec)}`;
  if (spec.type === "integer") {
    const { min, max } = spec;
    return z.number({ invalid_type_error: message }).refine((n) => Number.isInteger(n) && n >= min && n <= max, message);
  }
  if (spec.type === "choice") return z.string({ invalid_type_error: message }).refine((v) => spec.choices.includes(v), message);
  return z.boolean({ invalid_type_error: message });
}

// The shape is built from the table at run time, so zod cannot infer its type; ServingConfig is the same table's keys
// with each kind's value type, which is what settingSchema parses to.
export const servingSection = z
  .object(Object.fromEntries(SERVING_KEYS.map((key) => [key, settingSchema(SERVING_SETTINGS[key]).optional()])), {
    errorMap: (issue, ctx) =>
      issue.code === z.ZodIssueCode.unrecognized_keys ? { message: unknownSettingsMessage(issue.keys) } : { message: ctx.defaultError },
  })
  .strict() as unknown as z.ZodType<ServingConfig, z.ZodTypeDef, ServingConfig>;

function unknownSettingsMessage(keys: readonly string[]): string {
  const named = keys.map((key) => {
    const near = closestName(key, SERVING_KEYS);
    return near ? `"${key}" (did you mean "${near}"?)` : `"${key}"`;
  });
  return `unknown setting${keys.length === 1 ? "" : "s"} ${named.join(", ")}; the settings are ${SERVING_KEYS.join(", ")}`;
}

/**
 * The environment variables the serving settings become: only those the config sets, so an unset setting keeps the
 * container's default (the same table's) and the default config's environment stays as it was.
 */
export function servingEnvironment(serving: ServingConfig): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const key of SERVING_KEYS) {
    const value = serving[key];
    if (value === undefined) continue;
    environment[SERVING_SETTINGS[key].variable] = typeof value === "boolean" ? (value ? "1" : "0") : String(value);
  }
  return environment;
}

/** The name among `names` within two edits of `name` (letter case aside), closest first; undefined when none is. */
export function closestName<T extends string>(name: string, names: readonly T[]): T | undefined {
  let best: { name: T; distance: number } | undefined;
  for (const candidate of names) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Levenshtein distance (insertions, deletions, substitutions), one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
