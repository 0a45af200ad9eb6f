// Hand-made `terraform show -json` plans for the plan tools' unit tests (the rehearsal test feeds them real ones).
import type { PlanAction, PlanJson, ResourceChange } from "../../../tools/deploy/plan-json";

export function change(
  address: string,
  actions: PlanAction[],
  before: unknown,
  after: unknown,
  extra: { after_unknown?: unknown; replace_paths?: (string | number)[][]; deposed?: string } = {},
): ResourceChange {
  const [type, name] = address.split(".");
  const { deposed, ...rest } = extra;
  return { address, mode: "managed", type, name, ...(deposed ? { deposed } : {}), change: { actions, before, after, ...rest } };
}

export function plan(...changes: ResourceChange[]): PlanJson {
  return { format_version: "1.2", resource_changes: changes };
}

const variant = (instanceType: string, count: number) => ({
  production_variants: [{ variant_name: "AllTraffic", instance_type: instanceType, initial_instance_count: count, model_name: "m" }],
});

/** A model rollout as Terraform plans it for this stack. */
export function rolloutPlan(): PlanJson {
  return plan(
    change(
      "terraform_data.revision",
      ["create", "delete"],
      { triggers_replace: { a: "1" } },
      { triggers_replace: { a: "2" } },
      { replace_paths: [["triggers_replace"]] },
    ),
    change(
      "aws_s3_object.object",
      ["create", "delete"],
      { key: "models/a/1/model.tar.gz" },
      {},
      { after_unknown: { key: true }, replace_paths: [["key"]] },
    ),
    change(
      "aws_sagemaker_model.model",
      ["create", "delete"],
      { name: "m-1" },
      {},
      { after_unknown: { name: true }, replace_paths: [["name"]] },
    ),
    change(
      "aws_sagemaker_endpoint_configuration.config",
      ["create", "delete"],
      variant("ml.m5.xlarge", 1),
      { production_variants: [{ ...variant("ml.m5.xlarge", 1).production_variants[0], model_name: null }] },
      {
        after_unknown: { production_variants: [{ model_name: true }] },
        replace_paths: [["production_variants", 0, "model_name"]],
      },
    ),
    change(
      "aws_sagemaker_endpoint.endpoint",
      ["update"],
      { name: "e", endpoint_config_name: "c-1" },
      { name: "e" },
      { after_unknown: { endpoint_config_name: true } },
    ),
    change("aws_iam_role.role", ["no-op"], { name: "r" }, { name: "r" }),
  );
}

export { variant };
