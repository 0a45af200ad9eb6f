import { parseInstanceType } from "../../common/instance-types";

/**
 * SageMaker real-time instance types this stack accepts, checked at synth so a typo fails before
 * `terraform apply` does (after minutes of waiting on CreateEndpoint).
 *
 * The default container is the Hugging Face PyTorch *x86_64* image, so Graviton families
 * (ml.c6g, ml.m6g, ml.c7g, ...) are deliberately absent: the image would not start on them.
 */
export const SAGEMAKER_INSTANCE_FAMILIES: readonly string[] = [
  // general purpose / compute / memory optimised CPU
  "t2",
  "m4",
  "m5",
  "m5d",
  "m6i",
  "m6id",
  "m7i",
  "c4",
  "c5",
  "c5d",
  "c6i",
  "c6id",
  "c7i",
  "r5",
  "r5d",
  "r6i",
  "r6id",
  "r7i",
  // GPU (work with a GPU image tag; the CPU tag runs on them too, just wastefully)
  "g4dn",
  "g5",
  "g6",
  "g6e",
  "p3",
  "p4d",
  "p5",
];

/**
 * The default real-time instance type: the lowest cost per classification (hourly price / images per hour) among
 * one size of each x86 family the Hugging Face CPU image runs on (m5, c5, m6i, c6i, m7i, c7i), from the dated prices
 * in tools/cost/prices.ts and the ms per image of `npm run bench:model` (tools/cost/instance-performance.ts; run
 * `npm run cost -- --requests-per-second 1` to see the table). A test recomputes the choice from those inputs, so
 * this constant cannot drift from them. c7i: AMX runs the model in bf16, ~3x the images per dollar of the
 * AVX-512-only families at about the same hourly price.
 */
export const DEFAULT_INSTANCE_TYPE = "ml.c7i.xlarge";

/** Returns a problem description, or undefined when `instanceType` looks like a supported SageMaker type. */
export function instanceTypeProblem(instanceType: string): string | undefined {
  const parsed = parseInstanceType(instanceType);
  if (!parsed) {
    return `"${instanceType}" is not a SageMaker instance type (expected ml.<family>.<size>, e.g. ml.m5.xlarge)`;
  }
  if (!SAGEMAKER_INSTANCE_FAMILIES.includes(parsed.family)) {
    return `unknown instance family "${parsed.family}" in "${instanceType}" (known: ${SAGEMAKER_INSTANCE_FAMILIES.join(", ")})`;
  }
  return undefined;
}
