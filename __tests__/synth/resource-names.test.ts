// Copies of the stack side by side in one account: every name the stack gives a resource, by how far AWS requires
// it to be unique, compared between stacks in two regions and under two names. The resource types are read from the
// synthesized JSON, so a new resource type fails here until its name is classified.
import { accountWideNames, IAM_ROLE_NAME_MAX_LENGTH } from "../../common/facts";
import { PREBUILT_IMAGE_REGIONS } from "../../src/config/prebuilt-image-regions";
import { representativeConfigs } from "../../tools/deploy/representative-configs";
import { resources, synthStack, testTarball, TfJson } from "./helpers";

/**
 * "account": unique in the account across regions (IAM; CloudWatch dashboards are global too). "region": unique in
 * its region. "generated": a prefix AWS or Terraform completes with a unique suffix. "parent": unique only inside
 * the resource it belongs to (a role's inline policy, a statement of the function's policy, ...). null: no name.
 */
type Scope = "account" | "region" | "generated" | "parent";
const NAMING: Record<string, { attribute: string; scope: Scope } | null> = {
  aws_iam_role: { attribute: "name", scope: "account" },
  aws_cloudwatch_dashboard: { attribute: "dashboard_name", scope: "account" },
  aws_s3_bucket: { attribute: "bucket_prefix", scope: "generated" },
  aws_sagemaker_endpoint_configuration: { attribute: "name_prefix", scope: "generated" },
  aws_lambda_function: { attribute: "function_name", scope: "region" },
  aws_cloudwatch_log_group: { attribute: "name", scope: "region" },
  aws_cloudwatch_metric_alarm: { attribute: "alarm_name", scope: "region" },
  aws_sns_topic: { attribute: "name", scope: "region" },
  aws_sagemaker_endpoint: { attribute: "name", scope: "region" },
  aws_sagemaker_model: { attribute: "name", scope: "region" },
  // API Gateway does not require unique API names (the id is), but two with one name are a trap in the console.
  aws_apigatewayv2_api: { attribute: "name", scope: "region" },
  // A scalable target is identified by endpoint/<endpoint name>/variant/<variant>: unique when the endpoint's name is.
  aws_appautoscaling_target: { attribute: "resource_id", scope: "parent" },
  aws_iam_role_policy: { attribute: "name", scope: "parent" },
  aws_lambda_permission: { attribute: "statement_id", scope: "parent" },
  aws_appautoscaling_policy: { attribute: "name", scope: "parent" },
  aws_apigatewayv2_authorizer: { attribute: "name", scope: "parent" },
  aws_apigatewayv2_stage: { attribute: "name", scope: "parent" },
  aws_s3_object: { attribute: "key", scope: "parent" },
  aws_apigatewayv2_integration: null,
  aws_apigatewayv2_route: null,
  aws_s3_bucket_lifecycle_configuration: null,
  aws_s3_bucket_ownership_controls: null,
  aws_s3_bucket_policy: null,
  aws_s3_bucket_public_access_block: null,
  aws_s3_bucket_server_side_encryption_configuration: null,
  aws_s3_bucket_versioning: null,
  aws_kms_key: null,
  aws_sns_topic_policy: null,
  aws_sns_topic_subscription: null,
  terraform_data: null,
};

/** Every mode-dependent resource: the representative configurations' settings without their stack names. */
const FULL = (() => {
  const all: Record<string, unknown>[] = Object.values(representativeConfigs(testTarball())).map((config) => {
    const { stackName: _ignored, backend: _backend, ...settings } = config as Record<string, unknown>;
    return settings;
  });
  return all;
})();

function namesOf(json: TfJson, scopes: readonly Scope[]): string[] {
  return Object.entries(NAMING).flatMap(([type, naming]) =>
    naming && scopes.includes(naming.scope) ? resources(json, type).map(([, body]) => `${type} ${String(body[naming.attribute])}`) : [],
  );
}

/** Names both stacks would hold in the same namespace: account-wide ones always, regional ones in a shared region. */
function sharedNames(a: { json: TfJson; region: string }, b: { json: TfJson; region: string }): string[] {
  const scopes: Scope[] = a.region === b.region ? ["account", "region"] : ["account"];
  const ofB = new Set(namesOf(b.json, scopes));
  return namesOf(a.json, scopes).filter((name) => ofB.has(name));
}

describe("Resource names: copies of the stack in one account", () => {
  const copies = {
    "vit-classifier in us-east-1": { settings: { region: "us-east-1" }, region: "us-east-1" },
    "vit-classifier in eu-west-1": { settings: { region: "eu-west-1" }, region: "eu-west-1" },
    "vit-staging (only stackName set) in us-east-1": { settings: { region: "us-east-1", stackName: "vit-staging" }, region: "us-east-1" },
    "vit-staging (only stackName set) in eu-west-1": { settings: { region: "eu-west-1", stackName: "vit-staging" }, region: "eu-west-1" },
  };
  const pairs: [string, string][] = [
    ["vit-classifier in us-east-1", "vit-classifier in eu-west-1"],
    ["vit-classifier in us-east-1", "vit-staging (only stackName set) in us-east-1"],
    ["vit-classifier in us-east-1", "vit-staging (only stackName set) in eu-west-1"],
  ];

  it.each(pairs)("%s and %s share no name (every mode-dependent resource on)", (first, second) => {
    for (const settings of FULL) {
      // Prepare
      const a = copies[first as keyof typeof copies];
      const b = copies[second as keyof typeof copies];
      // Act
      const jsonA = synthStack({ ...settings, ...a.settings }).json;
      const jsonB = synthStack({ ...settings, ...b.settings }).json;
      // Assess
      expect(namesOf(jsonA, ["account", "region"]).length).toBeGreaterThan(10);
      expect(sharedNames({ json: jsonA, region: a.region }, { json: jsonB, region: b.region })).toEqual([]);
    }
  });

  it("classifies the name of every resource type the stack synthesizes", () => {
    // Act
    const types = new Set(FULL.flatMap((settings) => Object.keys(synthStack(settings).json.resource)));
    // Assess
    expect([...types].filter((type) => !(type in NAMING))).toEqual([]);
  });

  it("starts every name it chooses or generates with the name prefix", () => {
    // Act
    const names = FULL.flatMap((settings) =>
      namesOf(synthStack({ ...settings, stackName: "vit-staging" }).json, ["account", "region", "generated"]),
    );
    // Assess
    expect(names.filter((name) => !/^\S+ (\/aws\/(lambda|apigateway|sagemaker\/Endpoints)\/)?vit-staging-?/.test(name))).toEqual([]);
  });

  it("puts the provider's region (the aws_region data source) into account-wide names when the config names none", () => {
    // Act
    const { json } = synthStack();
    // Assess
    expect(namesOf(json, ["account"]).sort()).toEqual([
      "aws_cloudwatch_dashboard vit-classifier-${data.aws_region.region.name}-inference",
      "aws_iam_role vit-classifier-${data.aws_region.region.name}-lambda",
      "aws_iam_role vit-classifier-${data.aws_region.region.name}-sagemaker",
    ]);
  });

  it("keeps role names within IAM's 64 characters for the longest name prefix in every region the stack deploys to", () => {
    // Prepare
    const longestRegion = Object.values(PREBUILT_IMAGE_REGIONS)
      .flat()
      .reduce((a, b) => (b.length > a.length ? b : a));
    // Act
    const names = accountWideNames("a".repeat(24), longestRegion);
    // Assess
    expect(Math.max(names.sagemakerRole.length, names.functionRole.length)).toBeLessThanOrEqual(IAM_ROLE_NAME_MAX_LENGTH);
  });
});
