/**
 * A short verdict on a saved Terraform plan of this stack (`terraform show -json`), for the person about to
 * approve it: is this a model rollout without downtime, is the endpoint replaced (downtime), is data destroyed,
 * do permissions or capacity change. Destructive changes make the review fail unless they are allowed.
 */
import { changeCauses, changeKind, ChangeKind, managedChanges, PlanJson, ResourceChange } from "./plan-json";

/** Resources whose deletion loses something a redeploy does not bring back (logs, the model bucket's history, keys). */
export const DATA_BEARING_TYPES: readonly string[] = ["aws_s3_bucket", "aws_cloudwatch_log_group", "aws_kms_key"];
/** Resources that decide who may do what. */
export const PERMISSION_TYPES: readonly string[] = [
  "aws_iam_role",
  "aws_iam_role_policy",
  "aws_iam_role_policy_attachment",
  "aws_lambda_permission",
  "aws_s3_bucket_policy",
  "aws_sns_topic_policy",
  "aws_kms_key",
];

export type Severity = "ok" | "note" | "stop";

export interface Finding {
  readonly severity: Severity;
  readonly title: string;
  readonly details: string[];
}

export interface PlanReview {
  readonly findings: Finding[];
  /** The endpoint is replaced or deleted, or data-bearing resources are deleted. */
  readonly destructive: boolean;
  readonly summary: string;
}

export function reviewPlan(plan: PlanJson): PlanReview {
  const changes = managedChanges(plan);
  const findings: Finding[] = [];
  const counts = { create: 0, update: 0, delete: 0, replace: 0 };
  for (const rc of changes) {
    const kind = changeKind(rc.change.actions);
    if (kind.startsWith("replace")) counts.replace++;
    else if (kind === "create" || kind === "update" || kind === "delete") counts[kind]++;
  }
  const summary =
    changes.length === 0
      ? "No changes: the deployed stack matches the configuration."
      : `${counts.create} to create, ${counts.update} to update in place, ${counts.replace} to replace, ${counts.delete} to delete`;

  const endpoint = changes.filter((rc) => rc.type === "aws_sagemaker_endpoint");
  const endpointGone = endpoint.filter((rc) => rc.change.actions.includes("delete") && !rc.deposed);
  if (endpointGone.length > 0) {
    findings.push({
      severity: "stop",
      title: changeKind(endpointGone[0].change.actions) === "delete" ? "endpoint DELETED (downtime)" : "endpoint REPLACED (downtime)",
      details: endpointGone.map((rc) => `${rc.address}: ${describe(rc)}`),
    });
  }

  const models = changes.filter((rc) => rc.type === "aws_sagemaker_model" && !rc.deposed && rc.change.actions.includes("create"));
  const configs = changes.filter(
    (rc) => rc.type === "aws_sagemaker_endpoint_configuration" && !rc.deposed && rc.change.actions.includes("create"),
  );
  const endpointUpdated = endpoint.some((rc) => changeKind(rc.change.actions) === "update");
  if (endpointGone.length === 0 && endpointUpdated && configs.length > 0) {
    findings.push({
      severity: "ok",
      title: models.length > 0 ? "model rollout without downtime" : "endpoint configuration rollout without downtime",
      details: [
        `${models.length > 0 ? "new model and endpoint configuration" : "new endpoint configuration"} created first, then the endpoint is updated in place`,
        "SageMaker starts the new variant beside the old one (twice the instances for a while) and switches traffic once it passes its health checks",
        "the old configuration, model and tarball are deleted only after the endpoint runs the new configuration; a rolled-back update fails the apply and keeps them",
      ],
    });
  }

  const dataLoss = changes.filter((rc) => DATA_BEARING_TYPES.includes(rc.type) && rc.change.actions.includes("delete"));
  if (dataLoss.length > 0) {
    findings.push({
      severity: "stop",
      title: "data-bearing resources destroyed",
      details: dataLoss.map((rc) => `${rc.address}: ${describe(rc)}`),
    });
  }

  const permissions = changes.filter((rc) => PERMISSION_TYPES.includes(rc.type));
  if (permissions.length > 0) {
    findings.push({
      severity: "note",
      title: "IAM / resource-policy changes",
      details: permissions.map((rc) => `${rc.address}: ${describe(rc)}`),
    });
  }

  const capacity = capacityChanges(changes);
  if (capacity.length > 0) {
    findings.push({
      severity: "note",
      title: "instance type or count changes",
      details: [...capacity, "a blue/green update runs both fleets for a while: the account needs instance quota for both"],
    });
  }

  const explained = new Set([...endpoint, ...models, ...configs, ...dataLoss, ...permissions].map((rc) => rc.address + (rc.deposed ?? "")));
  const others = changes.filter((rc) => !explained.has(rc.address + (rc.deposed ?? "")));
  if (others.length > 0) {
    findings.push({ severity: "note", title: "other changes", details: others.map((rc) => `${rc.address}: ${describe(rc)}`) });
  }

  return { findings, destructive: findings.some((f) => f.severity === "stop"), summary };
}

/** Old vs new instance type, count and serverless size, read from the endpoint configuration being replaced. */
export function capacityChanges(changes: readonly ResourceChange[]): string[] {
  const lines: string[] = [];
  const variantsOf = (value: unknown) => (value as { production_variants?: Record<string, unknown>[] } | null)?.production_variants ?? [];
  for (const rc of changes.filter((c) => c.type === "aws_sagemaker_endpoint_configuration" && !c.deposed)) {
    const before = variantsOf(rc.change.before);
    const after = variantsOf(rc.change.after);
    after.forEach((variant, i) => {
      const old = before[i] ?? {};
      for (const key of ["instance_type", "initial_instance_count"]) {
        if (old[key] !== undefined && variant[key] !== undefined && old[key] !== variant[key]) {
          lines.push(`${variant.variant_name ?? i} ${key}: ${String(old[key])} -> ${String(variant[key])}`);
        }
      }
      const oldServerless = JSON.stringify(old.serverless_config ?? []);
      const newServerless = JSON.stringify(variant.serverless_config ?? []);
      if (before.length > 0 && oldServerless !== newServerless)
        lines.push(`${variant.variant_name ?? i} serverless_config: ${oldServerless} -> ${newServerless}`);
    });
  }
  for (const rc of changes.filter((c) => c.type === "aws_appautoscaling_target")) {
    for (const key of ["min_capacity", "max_capacity"]) {
      const before = (rc.change.before as Record<string, unknown> | null)?.[key];
      const after = (rc.change.after as Record<string, unknown> | null)?.[key];
      if (before !== after) lines.push(`autoscaling ${key}: ${String(before ?? "-")} -> ${String(after ?? "-")}`);
    }
  }
  return lines;
}

function describe(rc: ResourceChange): string {
  const kind: ChangeKind = changeKind(rc.change.actions);
  if (rc.deposed) return `${kind} (object kept from an earlier replacement)`;
  if (kind === "create" || kind === "delete") return kind;
  const causes = changeCauses(rc);
  return causes.length > 0 ? `${kind} (${causes.join(", ")})` : kind;
}

export function formatReview(review: PlanReview, allowDestructive: boolean): string {
  const label: Record<Severity, string> = { ok: "OK  ", note: "NOTE", stop: "STOP" };
  const lines = [`Plan review: ${review.summary}`];
  for (const finding of review.findings) {
    lines.push(`  ${label[finding.severity]} ${finding.title}`);
    for (const detail of finding.details) lines.push(`         - ${detail}`);
  }
  if (review.destructive) {
    lines.push(
      allowDestructive
        ? "Verdict: destructive changes, allowed by --allow-destructive."
        : "Verdict: DESTRUCTIVE changes (see STOP). Not approved: re-run with --allow-destructive if they are intended.",
    );
  } else {
    lines.push("Verdict: no destructive changes.");
  }
  return lines.join("\n");
}
