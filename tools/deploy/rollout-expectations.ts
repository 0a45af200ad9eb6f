/**
 * What a model rollout plan must look like, and nothing more: a new revision, tarball object, model and endpoint
 * configuration each created before the old one is deleted, the endpoint updated in place, and no other change
 * but the emulator's known read-back differences.
 */
import { EMULATOR_FIDELITY_DIFFERENCES, FidelityDifference, isKnownDifference } from "./emulator-fidelity";
import { changeCauses, changeKind, ChangeKind, managedChanges, PlanJson } from "./plan-json";

/** Resource types a rollout replaces, new object first. */
export const ROLLOUT_REPLACED_TYPES: readonly string[] = [
  "terraform_data",
  "aws_s3_object",
  "aws_sagemaker_model",
  "aws_sagemaker_endpoint_configuration",
];

export function rolloutProblems(plan: PlanJson, known: readonly FidelityDifference[] = EMULATOR_FIDELITY_DIFFERENCES): string[] {
  const problems: string[] = [];
  const changes = managedChanges(plan);
  const expect = (type: string, kind: ChangeKind) => {
    const found = changes.filter((rc) => rc.type === type && !rc.deposed);
    if (found.length !== 1 || changeKind(found[0].change.actions) !== kind) {
      problems.push(
        `${type}: expected one "${kind}", got ${found.map((rc) => `"${changeKind(rc.change.actions)}"`).join(", ") || "no change"}`,
      );
    }
  };
  for (const type of ROLLOUT_REPLACED_TYPES) expect(type, "replace, new first");
  expect("aws_sagemaker_endpoint", "update");
  for (const rc of changes) {
    if (ROLLOUT_REPLACED_TYPES.includes(rc.type) || rc.type === "aws_sagemaker_endpoint") continue;
    const unexplained = changeCauses(rc).filter((cause) => !isKnownDifference(rc.type, cause, known));
    if (unexplained.length > 0) problems.push(`${rc.address}: unexpected ${changeKind(rc.change.actions)} (${unexplained.join(", ")})`);
  }
  return problems;
}
