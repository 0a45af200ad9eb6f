/**
 * Defaults of the stack config that are not plain values, as small pure functions. Facts shared with the Lambda and
 * the local stack (limits, timeouts, names) live in common/facts.ts.
 */
import * as path from "path";
import { REPO_ROOT } from "../../common/repo-root";

/** Where `npm run model:artifact` writes the deployable tarball (docs/contracts.md, "Default artifact"). */
export function defaultModelArtifactPath(): string {
  return path.join(REPO_ROOT, "model", ".cache", "model.tar.gz");
}

/**
 * Where `npm run model:package -- <id> --revision <sha>` writes a Hub model's tarball: a pure function of id and
 * commit, so reading the config finds it without running anything. The packager computes the same path
 * (model/hub/names.py); "--" cannot occur in a Hub id, so the folder name is unambiguous.
 */
export function huggingFaceArtifactPath(id: string, revision: string): string {
  return path.join(REPO_ROOT, "model", ".cache", "huggingface", id.replace("/", "--"), revision, "model.tar.gz");
}

/** Config file read when CLASSIFIER_CONFIG is not set (optional: missing means "all defaults"). */
export function defaultConfigFilePath(): string {
  return path.join(REPO_ROOT, "classifier.config.json");
}

/**
 * The prefix of every resource name when the config sets none: the stack's name, so a second stack made by setting
 * only `stackName` gets names of its own. Lower case, as S3 bucket names must be (the config checks the rest).
 */
export function defaultNamePrefix(stackName: string): string {
  return stackName.toLowerCase();
}

/** The S3 backend's state key when the config sets none: one object per stack name. */
export function defaultStateKey(stackName: string): string {
  return `${stackName}/terraform.tfstate`;
}

export function defaultTags(namePrefix: string): Record<string, string> {
  return { project: namePrefix, "managed-by": "cdktf" };
}

/**
 * Serverless endpoints do not support network isolation (SageMaker rejects the model), so the
 * default follows the endpoint mode: isolated for real-time, not for serverless.
 */
export function defaultNetworkIsolation(serverless: boolean): boolean {
  return !serverless;
}
