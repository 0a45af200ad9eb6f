/**
 * Reading `terraform show -json <plan>`: what each resource change does and which attributes cause it.
 * Shared by the plan review (tools/deploy/plan-review.ts) and the rehearsal's idempotency check.
 */

export type PlanAction = "no-op" | "create" | "read" | "update" | "delete";

export interface ResourceChange {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  /** Set for an object Terraform keeps from an earlier create_before_destroy (to be deleted). */
  readonly deposed?: string;
  readonly action_reason?: string;
  readonly change: {
    readonly actions: PlanAction[];
    readonly before: unknown;
    readonly after: unknown;
    readonly after_unknown?: unknown;
    readonly replace_paths?: (string | number)[][];
  };
}

export interface PlanJson {
  readonly format_version: string;
  readonly resource_changes?: ResourceChange[];
  readonly output_changes?: Record<string, { actions: PlanAction[] }>;
}

/** What a change does, in words the review prints. */
export type ChangeKind = "no-op" | "read" | "create" | "update" | "delete" | "replace, new first" | "replace, old deleted first";

export function changeKind(actions: readonly PlanAction[]): ChangeKind {
  const key = actions.join(",");
  if (key === "create,delete") return "replace, new first";
  if (key === "delete,create") return "replace, old deleted first";
  if (key === "" || key === "no-op") return "no-op";
  return actions[0] as ChangeKind;
}

/** Managed resources the plan changes (no-ops and data-source reads left out). */
export function managedChanges(plan: PlanJson): ResourceChange[] {
  return (plan.resource_changes ?? []).filter((rc) => rc.mode === "managed" && !["no-op", "read"].includes(changeKind(rc.change.actions)));
}

/**
 * The attributes that make a change, as dotted paths with list indexes dropped ("production_variants.model_name"):
 * every leaf whose planned value is known and differs from the current one, plus what forces a replacement.
 * Values that only become unknown (ids, ARNs, references to replaced resources) are consequences, not causes.
 * A whole-resource create or delete has the cause "(resource)".
 */
export function changeCauses(rc: ResourceChange): string[] {
  const kind = changeKind(rc.change.actions);
  if (kind === "create" || kind === "delete") return ["(resource)"];
  const causes = new Set<string>();
  diffLeaves(rc.change.before, rc.change.after, rc.change.after_unknown, [], causes);
  for (const replacePath of rc.change.replace_paths ?? []) causes.add(dottedPath(replacePath));
  return [...causes].sort();
}

export function dottedPath(parts: readonly (string | number)[]): string {
  return parts.filter((p) => typeof p === "string").join(".");
}

function diffLeaves(before: unknown, after: unknown, unknown: unknown, at: (string | number)[], out: Set<string>): void {
  if (unknown === true) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      diffLeaves(before[key], after[key], isPlainObject(unknown) ? unknown[key] : undefined, [...at, key], out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    before.forEach((item, i) => diffLeaves(item, after[i], Array.isArray(unknown) ? unknown[i] : undefined, [...at, i], out));
    return;
  }
  if (!sameValue(before, after)) out.add(dottedPath(at));
}

/**
 * The AWS provider (SDKv2, Terraform's legacy type system) treats an unset optional attribute and its zero value
 * ("", 0, false, [], {}) as the same, and so does this comparison: a state "" against a planned null is no change.
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (isZero(a) && isZero(b)) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

function isZero(value: unknown): boolean {
  if (value === null || value === undefined || value === "" || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isPlainObject(value) && Object.keys(value).length === 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
