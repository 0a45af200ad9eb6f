/**
 * Resource-level checkov suppressions for the synthesized JSON.
 *
 * checkov's terraform_json runner ignores `#checkov:skip` comments (JSON has none) and has no
 * per-resource skip of its own, so each skip is written next to the resource it concerns, in the
 * resource's `"//"` comment block (which Terraform ignores):
 *   "//": { "checkov": { "skip": [ { "id": "CKV_AWS_18", "comment": "<one-line reason>" } ] } }
 * scripts/checkov-gate.ts applies them to checkov's report: a failed check matching a skip on that
 * exact resource counts as skipped (reason shown), anything else fails the scan.
 */
import { TerraformResource } from "cdktf";

export interface CheckovSkip {
  readonly id: string;
  readonly comment: string;
}

const skipsByResource = new WeakMap<TerraformResource, CheckovSkip[]>();

export function skipCheckov(resource: TerraformResource, id: string, comment: string): void {
  const skips = skipsByResource.get(resource) ?? [];
  skips.push({ id, comment });
  skipsByResource.set(resource, skips);
  resource.addOverride(
    "//.checkov.skip",
    skips.map((s) => ({ ...s })),
  );
}
