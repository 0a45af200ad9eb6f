/**
 * Where the AWS emulator (moto) reads resources back differently from AWS, so that a plan right after a deploy
 * shows changes a real account would not. This is the one list of them: the rehearsal's idempotency check accepts
 * exactly these (resource type + attribute) and fails on any other difference.
 */
import { changeCauses, managedChanges, PlanJson } from "./plan-json";

export interface FidelityDifference {
  readonly resourceType: string;
  /** Dotted attribute path as changeCauses reports it. */
  readonly attribute: string;
  readonly reason: string;
}

export const EMULATOR_FIDELITY_DIFFERENCES: readonly FidelityDifference[] = [
  {
    resourceType: "aws_lambda_function",
    attribute: "logging_config",
    reason: "moto's GetFunction returns no LoggingConfig, so the provider reads none back and plans to set it again (in place)",
  },
  {
    resourceType: "aws_sagemaker_model",
    attribute: "vpc_config",
    reason:
      "moto's DescribeModel returns an empty VpcConfig for a model created without one; the provider reads it as a block and plans a replacement",
  },
  {
    resourceType: "aws_sagemaker_endpoint_configuration",
    attribute: "data_capture_config",
    reason:
      "moto's DescribeEndpointConfig returns a DataCaptureConfig (capture off, 0 %) for a configuration created without one; the provider reads it as a block and plans a replacement",
  },
];

export interface UnexplainedChange {
  readonly address: string;
  readonly cause: string;
}

/** Whether `attribute` of a `resourceType` is a listed read-back difference of the emulator. */
export function isKnownDifference(resourceType: string, attribute: string, known: readonly FidelityDifference[]): boolean {
  return known.some((k) => k.resourceType === resourceType && k.attribute === attribute);
}

/** Changes in a plan that no fidelity difference explains: on a real account each would be a real drift. */
export function unexplainedChanges(
  plan: PlanJson,
  known: readonly FidelityDifference[] = EMULATOR_FIDELITY_DIFFERENCES,
): UnexplainedChange[] {
  const found: UnexplainedChange[] = [];
  for (const rc of managedChanges(plan)) {
    for (const cause of changeCauses(rc)) {
      if (!isKnownDifference(rc.type, cause, known)) found.push({ address: rc.address, cause });
    }
  }
  return found;
}
