/**
 * The preflight as a whole, against a fake account (aws-sdk-client-mock): the report it prints, the exit status it
 * implies, which checks it skips without a region or credentials, and that it only ever reads.
 */
import * as fs from "fs";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { resolveConfig } from "../../../src/config/load-config";
import { configCostSummary } from "../../../tools/cost/config-cost-summary";
import { usd } from "../../../tools/cost/format-report";
import { readModelBenchmark } from "../../../tools/cost/model-benchmark";
import { preflightPassed } from "../../../tools/preflight/preflight";
import { EXAMPLE_ACCOUNT_ID } from "../../example-account";
import { realtimeEndpoint, sagemakerQuotas, useFakeAccount } from "./fake-account";
import { IMAGENET_LIKE, modelTarball } from "./model-tarball";
import { preflightOf } from "./run";

describe("Preflight: the whole report", () => {
  const fake = useFakeAccount();

  it("prints one line per check, and passes an account whose quota covers the config", async () => {
    // Prepare
    fake.account.quotas = sagemakerQuotas({ instanceType: { "ml.c7i.xlarge": 2 } });
    const tarball = modelTarball(IMAGENET_LIKE);
    const config = { region: "eu-west-1", modelArtifact: { path: tarball } };

    const bench = readModelBenchmark();

    // Act
    const run = await preflightOf(config, { bench });

    // Assess
    const cost = configCostSummary(resolveConfig(config, { requireArtifact: false }), {
      bench,
      modelArtifactGb: fs.statSync(tarball).size / 1024 ** 3,
    });
    expect(run.lines.slice(1, -1)).toEqual([
      expect.stringMatching(
        /^PASS {2}config: \/\S+classifier\.config\.json: stack vit-classifier, endpoint vit-classifier on 1 x ml\.c7i\.xlarge$/,
      ),
      'PASS  region: eu-west-1 (from "region" in ' +
        run.report.subject.match(/\((.*)\)$/)![1] +
        "); the huggingface-pytorch-inference image is published there",
      `PASS  identity: account ${EXAMPLE_ACCOUNT_ID}, partition aws, as arn:aws:iam::${EXAMPLE_ACCOUNT_ID}:user/alice`,
      'PASS  instance type: eu-west-1 offers ml.c7i.xlarge for endpoints (quota "ml.c7i.xlarge for endpoint usage", L-00001000)',
      'PASS  endpoint quota: "ml.c7i.xlarge for endpoint usage" is 2 (applied to this account); other endpoints hold 0; this config needs 1 to deploy, 2 during a rollout',
      'PASS  instances quota: "Number of instances across active endpoints" is 20 (the AWS default); other endpoints hold 0; this config needs 1 to deploy, 2 during a rollout',
      'PASS  instances per endpoint: "Maximum number of instances per endpoint" is 10 (the AWS default); other endpoints hold 0; this config needs 1 to deploy',
      "PASS  Lambda concurrency: lambda.reservedConcurrency is not set: the function shares the account's unreserved pool",
      expect.stringMatching(/^PASS {2}state: local file \/\S+\/terraform\.vit-classifier\.tfstate \(none yet; no "backend" configured/),
      "PASS  account-wide names: none of the 16 names this stack creates exists yet",
      expect.stringMatching(/^PASS {2}model: \/\S+model\.tar\.gz \(0\.0 MB\): ViTForImageClassification, 3 labels$/),
      `PASS  cost: ${usd(cost.idleMonthlyUsd)} a month idle (${cost.idleItems
        .slice(0, 3)
        .map((i) => `${i.service} ${i.item} ${usd(i.monthlyUsd)}`)
        .join(", ")}), + ${usd(cost.perMillionImagesUsd)} per million images; one instance serves ` +
        `~${cost.busyInstance!.imagesPerSecond.toFixed(1)} images/s: ${usd(cost.busyInstance!.usdPerMillionImages)} of instance time per ` +
        `million images when kept busy; ${cost.prices.region} list prices of ${cost.prices.asOf}; npm run cost -- --requests-per-second <rate> for your traffic`,
    ]);
    expect(run.lines[0]).toBe(`Preflight of ${run.report.subject}`);
    expect(run.lines.at(-1)).toBe("Preflight: 12 passed, 0 warnings, 0 failed: nothing blocks a deploy.");
    expect(preflightPassed(run.report)).toBe(true);
  });

  it("fails with the quota request to make when the endpoint quota is 0, and says so in the last line", async () => {
    // Prepare
    fake.account.quotas = sagemakerQuotas();

    // Act
    const run = await preflightOf({ region: "eu-west-1" });

    // Assess
    expect(run.line("endpoint quota")).toBe(
      'FAIL  endpoint quota: "ml.c7i.xlarge for endpoint usage" is 0 (the AWS default); other endpoints hold 0; this config needs 1 to deploy, ' +
        "2 during a rollout: no room, too few to deploy and during a rollout\n" +
        "      fix: request 2: Service Quotas console (https://eu-west-1.console.aws.amazon.com/servicequotas/home/services/sagemaker/quotas/L-00001000) " +
        '→ "ml.c7i.xlarge for endpoint usage" → Request increase at account level; or aws service-quotas request-service-quota-increase ' +
        "--service-code sagemaker --quota-code L-00001000 --desired-value 2 --region eu-west-1",
    );
    expect(run.lines.at(-1)).toBe("Preflight: 10 passed, 1 warning, 1 failed: fix the FAIL lines before deploying.");
    expect(preflightPassed(run.report)).toBe(false);
  });

  it("after the stack's own deploy (local state), counts neither its endpoint nor its existing names against it", async () => {
    // Prepare
    fake.account.quotas = sagemakerQuotas({ instanceType: { "ml.c7i.xlarge": 2 } });
    fake.account.endpoints = [realtimeEndpoint("vit-classifier", "ml.c7i.xlarge", 1)];
    fake.account.roles = ["vit-classifier-eu-west-1-lambda", "vit-classifier-eu-west-1-sagemaker"];
    fake.account.logGroups = ["/aws/sagemaker/Endpoints/vit-classifier"];
    const state = stateHolding({
      aws_iam_role: { name: fake.account.roles },
      aws_cloudwatch_log_group: { name: fake.account.logGroups },
      aws_sagemaker_endpoint: { name: ["vit-classifier"] },
    });

    // Act
    const run = await preflightOf({ region: "eu-west-1" }, { localState: state });

    // Assess
    expect(run.line("endpoint quota")).toMatch(
      /^PASS {2}endpoint quota: .*; other endpoints hold 0; this config needs 1 to deploy, 2 during a rollout$/,
    );
    expect(run.line("state")).toMatch(/^PASS {2}state: local file \/\S+\/terraform\.vit-classifier\.tfstate \(holds a deployed stack;/);
    expect(run.line("account-wide names")).toMatch(
      /^PASS {2}account-wide names: 4 of the 16 names exist, all in this stack's state \(\/\S+\/terraform\.vit-classifier\.tfstate\)$/,
    );
  });

  it("with an S3 backend, checks the bucket and lock, and reads the state there to tell the stack's own names", async () => {
    // Prepare
    fake.account.quotas = sagemakerQuotas({ instanceType: { "ml.c7i.xlarge": 2 } });
    fake.account.dashboards = ["vit-classifier-eu-west-1-inference"];
    fake.account.buckets["team-state"] = {
      versioning: "Enabled",
      objects: {
        "vision/terraform.tfstate": JSON.stringify(stateHolding({ aws_cloudwatch_dashboard: { dashboard_name: fake.account.dashboards } })),
      },
    };
    const config = { region: "eu-west-1", backend: { bucket: "team-state", key: "vision/terraform.tfstate", region: "eu-central-1" } };

    // Act
    const run = await preflightOf(config);

    // Assess
    expect(run.line("state bucket")).toMatch(
      /^PASS {2}state bucket: s3:\/\/team-state\/vision\/terraform\.tfstate \(eu-central-1\) answers, the state object exists \(\d+ bytes\), versions kept$/,
    );
    expect(run.line("state lock")).toMatch(
      /^PASS {2}state lock: S3-native lock file s3:\/\/team-state\/vision\/terraform\.tfstate\.tflock: not held now/,
    );
    expect(run.line("account-wide names")).toBe(
      "PASS  account-wide names: 1 of the 16 names exist, all in this stack's state (s3://team-state/vision/terraform.tfstate)",
    );
    expect(run.report.results.map((r) => r.check)).not.toContain("state");
  });

  it("without credentials, fails the identity line with how to give some, and runs only the checks that need no AWS", async () => {
    // Prepare
    fake.account.identityError = awsCredentialsError();

    // Act
    const run = await preflightOf({ region: "eu-west-1" });

    // Assess
    expect(run.line("identity")).toBe(
      "FAIL  identity: no usable AWS credentials (CredentialsProviderError: Could not load credentials from any providers)\n" +
        "      fix: give the AWS SDK credentials: `aws configure` (access keys), or `aws sso login --profile <name>` and " +
        "`export AWS_PROFILE=<name>` (IAM Identity Center), or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN in the environment",
    );
    expect(run.report.results.map((r) => r.check)).toEqual(["config", "region", "identity", "model", "cost"]);
    expect(run.lines).toContain(
      "not run: instance type and endpoint quotas, Lambda concurrency, state, account-wide names (no credentials)",
    );
    expect(fake.aws.commandNames()).toEqual(["GetCallerIdentityCommand"]);
  });

  it("without a region, fails the region line and asks AWS nothing", async () => {
    // Act
    const run = await preflightOf({});

    // Assess
    expect(run.line("region")).toBe(
      'FAIL  region: none: the config has no "region", and neither AWS_REGION, AWS_DEFAULT_REGION nor the AWS profile names one\n' +
        '      fix: set "region" in classifier.config.json (e.g. "eu-west-1"), or export AWS_REGION=<region>',
    );
    expect(run.lines).toContain("not run: instance type and endpoint quotas, Lambda concurrency, state, account-wide names (no region)");
    expect(fake.aws.sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });

  it("reports every problem of an invalid config on one FAIL line, and runs nothing else", async () => {
    // Act
    const run = await preflightOf({ region: "mars-1", endpoint: { instance: { count: 0 } }, unknown: true });

    // Assess
    expect(run.report.results).toHaveLength(1);
    expect(run.line("config")).toBe(
      "FAIL  config: unknown: unknown setting (known: stackName, namePrefix, region, tags, modelArtifact, model, endpoint, autoscaling, " +
        "lambda, api, auth, alarms, backend, catalogue); region: must be an AWS region such as eu-west-1; endpoint.instance.count: must be at least 1\n" +
        "      fix: fix classifier.config.json (every setting: docs/configuration.md)",
    );
    expect(run.lines).toContain("not run: everything else (the config must be valid first)");
    expect(fake.aws.commandNames()).toEqual([]);
  });
});

/** A Terraform state (format 4) holding resources of these types with these names. */
function stateHolding(resources: Record<string, Record<string, string[]>>) {
  return {
    version: 4,
    resources: Object.entries(resources).flatMap(([type, byAttribute]) =>
      Object.entries(byAttribute).flatMap(([attribute, names]) =>
        names.map((name, i) => ({ mode: "managed", type, name: `r${i}`, instances: [{ attributes: { [attribute]: name } }] })),
      ),
    ),
  };
}

function awsCredentialsError(): Error {
  return Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
}
