/**
 * The deployer's IAM policy (npm run deploy:policy), generated from the synthesized stack: it covers every resource
 * type any configuration synthesizes, grants on this stack's names only (not on a second copy's), still matches the
 * names a rollout creates, and fits IAM's size limit.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { REPO_ROOT } from "../../../common/repo-root";
import { resolveConfig } from "../../../src/config/load-config";
import { PREFLIGHT_READ_ACTIONS } from "../../../tools/preflight/iam-read-actions";
import { synthesizeStack } from "../../../tools/preflight/synthesized-stack";
import {
  deployerPolicy,
  MANAGED_POLICY_MAX_CHARS,
  partitionOf,
  PolicyDocument,
  policySize,
  splitPolicy,
  StackJson,
  UncoveredResourceTypes,
} from "../../../tools/deploy/deployer-policy";
import { representativeConfigs } from "../../../tools/deploy/representative-configs";
import { testTarball } from "../../synth/helpers";

function policyFor(raw: Record<string, unknown>): { policy: PolicyDocument; stack: StackJson; namePrefix: string } {
  const config = resolveConfig({ modelArtifact: { path: testTarball() }, ...raw }, { requireArtifact: false });
  const stack = synthesizeStack(config) as StackJson;
  const policy = deployerPolicy(stack, { namePrefix: config.namePrefix, region: config.region, preflightActions: PREFLIGHT_READ_ACTIONS });
  return { policy, stack, namePrefix: config.namePrefix };
}

/** Whether an IAM resource pattern (* and ? wildcards; policy variables as written) matches an ARN. */
function matches(pattern: string, arn: string): boolean {
  const regex = pattern
    .split("${aws:PrincipalAccount}")
    .map((part) =>
      part
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, "."),
    )
    .join("111122223333");
  return new RegExp(`^${regex}$`).test(arn);
}

/** Whether some statement allows `action` on `arn`. */
function allows(policy: PolicyDocument, action: string, arn: string): boolean {
  return policy.Statement.some((s) => s.Action.some((a) => matches(a, action)) && s.Resource.some((r) => matches(r, arn)));
}

const ACCOUNT = "111122223333";

describe("Deployer policy: generated from the synthesized stack", () => {
  const configs: [string, Record<string, unknown>][] = [
    ["default", {}],
    ...Object.entries(representativeConfigs(testTarball())).map(
      ([name, c]) => [name, c as Record<string, unknown>] as [string, Record<string, unknown>],
    ),
    ["example", JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "classifier.config.example.json"), "utf8"))],
  ];

  it.each(configs)("covers every resource and data source type the %s config synthesizes, within IAM's size per document", (_name, raw) => {
    // Act
    const { policy } = policyFor({ ...raw, modelArtifact: { path: testTarball() } });
    const documents = splitPolicy(policy);
    // Assess
    for (const document of documents) expect(policySize(document)).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    expect(documents.flatMap((d) => d.Statement)).toEqual(policy.Statement);
    for (const statement of policy.Statement) {
      for (const action of statement.Action) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z*]+$/);
    }
    expect(JSON.stringify(policy)).not.toMatch(/\d{12}/);
  });

  it("fits one managed policy for the default config", () => {
    expect(splitPolicy(policyFor({}).policy)).toHaveLength(1);
  });

  it("refuses a resource type it has no rule for, naming it", () => {
    const stack: StackJson = { resource: { aws_dynamodb_table: { t: { name: "x" } } } };
    expect(() => deployerPolicy(stack, { namePrefix: "x" })).toThrow(UncoveredResourceTypes);
    expect(() => deployerPolicy(stack, { namePrefix: "x" })).toThrow("no deployer permissions known for aws_dynamodb_table");
  });

  it("grants on this stack's own names in its region, and on nothing of a second copy's", () => {
    // Prepare
    const { policy } = policyFor({ region: "eu-west-1" });
    const arn = (service: string, resource: string, region = "eu-west-1") => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
    // Act / Assess: its own resources
    expect(allows(policy, "iam:CreateRole", `arn:aws:iam::${ACCOUNT}:role/vit-classifier-eu-west-1-sagemaker`)).toBe(true);
    expect(allows(policy, "lambda:UpdateFunctionCode", arn("lambda", "function:vit-classifier-api"))).toBe(true);
    expect(allows(policy, "sagemaker:UpdateEndpoint", arn("sagemaker", "endpoint/vit-classifier"))).toBe(true);
    expect(allows(policy, "s3:PutObject", "arn:aws:s3:::vit-classifier-model-20261203abc/models/abc/12345678/model.tar.gz")).toBe(true);
    expect(allows(policy, "cloudwatch:PutDashboard", `arn:aws:cloudwatch::${ACCOUNT}:dashboard/vit-classifier-eu-west-1-inference`)).toBe(
      true,
    );
    // Not another copy's (another prefix, or the same stack in another region), nor anything else in the account
    expect(allows(policy, "iam:DeleteRole", `arn:aws:iam::${ACCOUNT}:role/vit-classifier-us-east-1-sagemaker`)).toBe(false);
    expect(allows(policy, "iam:DeleteRole", `arn:aws:iam::${ACCOUNT}:role/admin`)).toBe(false);
    expect(allows(policy, "lambda:UpdateFunctionCode", arn("lambda", "function:shop-api"))).toBe(false);
    expect(allows(policy, "lambda:UpdateFunctionCode", arn("lambda", "function:vit-classifier-api", "us-east-1"))).toBe(false);
    expect(allows(policy, "sagemaker:DeleteEndpoint", arn("sagemaker", "endpoint/other"))).toBe(false);
    expect(allows(policy, "s3:DeleteBucket", "arn:aws:s3:::company-data")).toBe(false);
  });

  it("still matches the names a rollout creates (a new tarball: new model, configuration and object names)", () => {
    // Prepare
    const { policy } = policyFor({ region: "eu-west-1" });
    // Act / Assess
    expect(
      allows(policy, "sagemaker:CreateModel", `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:model/vit-classifier-0123456789ab-abcdef12`),
    ).toBe(true);
    expect(
      allows(
        policy,
        "sagemaker:CreateEndpointConfig",
        `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:endpoint-config/vit-classifier-20261203101010`,
      ),
    ).toBe(true);
  });

  it("passes each role only to the service that assumes it", () => {
    // Act
    const passes = policyFor({}).policy.Statement.filter((s) => s.Action.includes("iam:PassRole"));
    // Assess
    expect(passes.map((s) => [s.Resource, s.Condition])).toEqual(
      expect.arrayContaining([
        [
          [`arn:aws:iam::\${aws:PrincipalAccount}:role/vit-classifier-*-sagemaker`],
          { StringEquals: { "iam:PassedToService": ["sagemaker.amazonaws.com"] } },
        ],
        [
          [`arn:aws:iam::\${aws:PrincipalAccount}:role/vit-classifier-*-lambda`],
          { StringEquals: { "iam:PassedToService": ["lambda.amazonaws.com"] } },
        ],
      ]),
    );
    expect(passes.every((s) => s.Condition !== undefined)).toBe(true);
  });

  it("reads and writes the state backend's object and lock, when there is one", () => {
    // Act
    const { policy } = policyFor({ backend: { bucket: "team-state", region: "eu-west-1" } });
    // Assess
    expect(allows(policy, "s3:PutObject", "arn:aws:s3:::team-state/vit-classifier/terraform.tfstate")).toBe(true);
    expect(allows(policy, "s3:PutObject", "arn:aws:s3:::team-state/vit-classifier/terraform.tfstate.tflock")).toBe(true);
    expect(allows(policy, "s3:PutObject", "arn:aws:s3:::team-state/other-team/terraform.tfstate")).toBe(false);
    expect(allows(policy, "s3:ListBucket", "arn:aws:s3:::team-state")).toBe(true);
  });

  it("includes the preflight's reads (plan:review and deploy run it first)", () => {
    const { policy } = policyFor({});
    for (const action of PREFLIGHT_READ_ACTIONS) expect(allows(policy, action, "arn:aws:anything")).toBe(true);
  });

  it("knows the partition of China and GovCloud regions", () => {
    expect([partitionOf("cn-north-1"), partitionOf("us-gov-west-1"), partitionOf("eu-west-1"), partitionOf(undefined)]).toEqual([
      "aws-cn",
      "aws-us-gov",
      "aws",
      "aws",
    ]);
  });
});

describe("npm run deploy:policy", () => {
  it("writes the policy files and the commands that create them", () => {
    // Prepare
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "deployer-policy-"));
    const config = path.join(outDir, "config.json");
    fs.writeFileSync(config, JSON.stringify({ region: "eu-west-1", modelArtifact: { path: testTarball() } }));
    // Act
    const result = spawnSync(
      process.execPath,
      [
        require.resolve("ts-node/dist/bin.js"),
        "--transpile-only",
        path.join(REPO_ROOT, "tools", "deploy", "deployer-policy-cli.ts"),
        "--config",
        config,
        "--out-dir",
        outDir,
      ],
      { encoding: "utf8", cwd: outDir },
    );
    // Assess
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      "aws iam create-policy --policy-name vit-classifier-deployer --policy-document file://vit-classifier-deployer.json",
    );
    const written = JSON.parse(fs.readFileSync(path.join(outDir, "vit-classifier-deployer.json"), "utf8"));
    expect(written.Version).toBe("2012-10-17");
    expect(result.stderr).toBe("");
  }, 60_000);
});
