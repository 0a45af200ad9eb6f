/**
 * The names the preflight looks for come from the synthesized stack: every named resource type is either checked
 * or listed with the reason it needs no check, references to the stack's own account, partition and region are
 * resolved, and the state's location is the backend the synthesized stack declares.
 */
import * as path from "path";
import { resolveConfig } from "../../../src/config/load-config";
import { ACCOUNT_WIDE_NAMES, NOT_ACCOUNT_WIDE, accountWideNames, resolveContext } from "../../../tools/preflight/account-wide-names";
import { NAME_LOOKUPS } from "../../../tools/preflight/name-collision-check";
import { namesInState, stateLocation } from "../../../tools/preflight/stack-state";
import { synthesizeStack } from "../../../tools/preflight/synthesized-stack";
import { EXAMPLE_ACCOUNT_ID } from "../../example-account";

const CONTEXT = { region: "eu-west-1", account: EXAMPLE_ACCOUNT_ID, partition: "aws" };
const NAME_KEYS = ["name", "name_prefix", "bucket", "bucket_prefix", "function_name", "dashboard_name", "alarm_name", "role_name"];

/** Every feature that adds a named resource: alarms with e-mail (topic), autoscaling (policy), JWT auth (authorizer). */
const EVERYTHING = {
  alarms: { email: "ops@example.com" },
  autoscaling: { enabled: true },
  auth: { mode: "jwt", jwtIssuer: "https://issuer.example.com", jwtAudience: ["app"] },
};

describe("Preflight: account-wide names from the synthesized stack", () => {
  it("knows every resource type that carries a literal name: checked, or listed with the reason it needs no check", () => {
    // Prepare
    const stack = synthesizeStack(resolveConfig(EVERYTHING, { requireArtifact: false }));

    // Act
    const named = Object.entries(stack.resource ?? {})
      .filter(([, resources]) =>
        Object.values(resources).some((r) => NAME_KEYS.some((key) => typeof r[key] === "string" && !(r[key] as string).startsWith("${"))),
      )
      .map(([type]) => type);

    // Assess
    expect(named.length).toBeGreaterThan(8);
    expect(named.filter((type) => !(type in ACCOUNT_WIDE_NAMES) && !(type in NOT_ACCOUNT_WIDE))).toEqual([]);
  });

  it("lists the names the constructs give, each once", () => {
    // Prepare
    const stack = synthesizeStack(resolveConfig(EVERYTHING, { requireArtifact: false }));

    // Act
    const { names, unresolved } = accountWideNames(stack, CONTEXT);

    // Assess
    expect(unresolved).toEqual([]);
    expect(names).toEqual(
      expect.arrayContaining([
        { type: "aws_iam_role", name: "vit-classifier-eu-west-1-sagemaker" },
        { type: "aws_iam_role", name: "vit-classifier-eu-west-1-lambda" },
        { type: "aws_lambda_function", name: "vit-classifier-api" },
        { type: "aws_cloudwatch_log_group", name: "/aws/sagemaker/Endpoints/vit-classifier" },
        { type: "aws_cloudwatch_log_group", name: "/aws/lambda/vit-classifier-api" },
        { type: "aws_cloudwatch_log_group", name: "/aws/apigateway/vit-classifier/access" },
        { type: "aws_sagemaker_endpoint", name: "vit-classifier" },
        { type: "aws_cloudwatch_dashboard", name: "vit-classifier-eu-west-1-inference" },
        { type: "aws_cloudwatch_metric_alarm", name: "vit-classifier-lambda-errors" },
        { type: "aws_sns_topic", name: "vit-classifier-alarms" },
      ]),
    );
    expect(new Set(names.map((n) => `${n.type}:${n.name}`)).size).toBe(names.length);
  });

  it("follows the config: another prefix and endpoint name give other names", () => {
    // Act
    const { names } = accountWideNames(
      synthesizeStack(resolveConfig({ namePrefix: "shop-vision", endpoint: { name: "shop-endpoint" } }, { requireArtifact: false })),
      CONTEXT,
    );

    // Assess
    expect(names).toEqual(
      expect.arrayContaining([
        { type: "aws_sagemaker_endpoint", name: "shop-endpoint" },
        { type: "aws_iam_role", name: "shop-vision-eu-west-1-lambda" },
      ]),
    );
    expect(names.filter((n) => n.name.includes("vit-classifier"))).toEqual([]);
  });

  it("resolves the stack's own account, partition and region references, and leaves other references out", () => {
    // Prepare
    const stack = {
      resource: {
        aws_iam_role: { a: { name: "app-${data.aws_region.region.name}-${data.aws_caller_identity.account.account_id}" } },
        aws_cloudwatch_dashboard: {
          d: { dashboard_name: "app-${data.aws_partition.partition.partition}-${data.aws_region.region.region}" },
        },
        aws_sagemaker_endpoint: { e: { name: "app-${random_id.suffix.hex}" } },
      },
    };

    // Act
    const { names, unresolved } = accountWideNames(stack, CONTEXT);

    // Assess
    expect(names).toEqual([
      { type: "aws_iam_role", name: `app-eu-west-1-${EXAMPLE_ACCOUNT_ID}` },
      { type: "aws_cloudwatch_dashboard", name: "app-aws-eu-west-1" },
    ]);
    expect(unresolved).toEqual([{ type: "aws_sagemaker_endpoint", name: "app-${random_id.suffix.hex}" }]);
    expect(resolveContext("x-${data.aws_region.r.id}", CONTEXT)).toBe("x-eu-west-1");
  });

  it("has a lookup for every checked kind", () => {
    expect(Object.keys(ACCOUNT_WIDE_NAMES).filter((type) => !(type in NAME_LOOKUPS))).toEqual([]);
  });

  it("finds the state where the synthesized backend keeps it: cdktf's local file beside the folder it runs in, or the S3 backend", () => {
    // Act
    const local = stateLocation(synthesizeStack(resolveConfig({}, { requireArtifact: false })));
    const s3 = stateLocation(
      synthesizeStack(resolveConfig({ backend: { bucket: "team-state", region: "eu-central-1" } }, { requireArtifact: false })),
    );

    // Assess
    expect(local).toEqual({ kind: "local", path: path.join(process.cwd(), "terraform.vit-classifier.tfstate") });
    expect(s3).toEqual({ kind: "s3", bucket: "team-state", key: "vit-classifier/terraform.tfstate", region: "eu-central-1" });
  });

  it("reads the names of the managed resources in a state, by each type's name attribute", () => {
    // Prepare
    const state = {
      resources: [
        { mode: "managed", type: "aws_iam_role", instances: [{ attributes: { name: "vit-classifier-eu-west-1-lambda" } }] },
        { mode: "managed", type: "aws_cloudwatch_dashboard", instances: [{ attributes: { dashboard_name: "vit-classifier-inference" } }] },
        { mode: "data", type: "aws_iam_role", instances: [{ attributes: { name: "someone-elses" } }] },
        { mode: "managed", type: "aws_s3_bucket", instances: [{ attributes: { bucket: "b" } }] },
      ],
    };

    // Act
    const names = namesInState(state, { aws_iam_role: "name", aws_cloudwatch_dashboard: "dashboard_name" });

    // Assess
    expect([...names]).toEqual(["aws_iam_role:vit-classifier-eu-west-1-lambda", "aws_cloudwatch_dashboard:vit-classifier-inference"]);
    expect(namesInState(undefined, { aws_iam_role: "name" }).size).toBe(0);
  });
});
