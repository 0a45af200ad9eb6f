/**
 * What `model.environment` may hold: variables the project does not know (the toolkit's own, a custom model's).
 * A variable the project knows is refused at synth, with what to write instead: the container would read a typo
 * such as INFERENCE_DTYP as nothing at all (or, with a bad value, fail to start minutes into a deploy).
 */
import { STACK_CONTAINER_ENV_KEYS } from "./container-environment";
import { SERVING_KEYS, SERVING_SETTINGS, ServingKey, allowedValues, closestName } from "./serving-settings";

/** Prefixes of the variables the project's container code reads; nothing else in the container reads these. */
const PROJECT_PREFIXES = ["INFERENCE_", "IMAGE_"];

const servingKeyByVariable = new Map<string, ServingKey>(SERVING_KEYS.map((key) => [SERVING_SETTINGS[key].variable, key]));
const stackOnlyKeys = STACK_CONTAINER_ENV_KEYS.filter((k) => !servingKeyByVariable.has(k));

function useServing(key: ServingKey): string {
  return `set model.serving.${key} instead (${allowedValues(SERVING_SETTINGS[key])})`;
}

/** Why `model.environment` may not hold `name`; undefined when it may. */
export function extraEnvironmentProblem(name: string): string | undefined {
  const serving = servingKeyByVariable.get(name);
  if (serving)
    return `is written by the stack from model.serving.${serving}: set that instead (${allowedValues(SERVING_SETTINGS[serving])})`;
  if (stackOnlyKeys.includes(name)) return "is set by the stack and cannot be overridden";
  const nearServing = closestName(name, [...servingKeyByVariable.keys()]);
  if (nearServing) {
    return `is not a variable the container reads; did you mean ${nearServing}? Then ${useServing(servingKeyByVariable.get(nearServing)!)}`;
  }
  const nearStack = closestName(name, stackOnlyKeys);
  if (nearStack) return `is not a variable the container reads; did you mean ${nearStack}? The stack sets that one itself`;
  if (PROJECT_PREFIXES.some((prefix) => name.toUpperCase().startsWith(prefix))) {
    const variables = SERVING_KEYS.map((k) => SERVING_SETTINGS[k].variable).filter((v) => PROJECT_PREFIXES.some((p) => v.startsWith(p)));
    return `is not a variable the container reads (its ${PROJECT_PREFIXES.map((p) => `${p}*`).join(" and ")} settings are ${variables.join(", ")}, set under model.serving)`;
  }
  return undefined;
}
