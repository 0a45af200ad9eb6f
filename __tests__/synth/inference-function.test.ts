import "cdktf/lib/testing/adapters/jest";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { TerraformStack, Testing } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { InferenceFunction, InferenceFunctionProps } from "../../src/constructs/inference-function";
import { awsContext, fixtureBundle, only, statements, testConfig, TfJson } from "./helpers";

/** The function as the default config deploys it (its own values, not repeated here). */
const DEFAULTS = testConfig();
const baseProps = (bundleDir: string): Omit<InferenceFunctionProps, "aws"> => ({
  functionName: "vit-classifier-api",
  roleName: "vit-classifier-eu-west-1-lambda",
  bundleDir,
  handler: "index.handler",
  endpointName: "Vit-Classifier",
  architecture: DEFAULTS.lambda.architecture,
  memoryMb: DEFAULTS.lambda.memoryMb,
  timeoutSeconds: DEFAULTS.lambda.timeoutSeconds,
  invokeBudgetMs: DEFAULTS.invokeBudgetMs,
  logRetentionDays: DEFAULTS.lambda.logRetentionDays,
  logLevel: DEFAULTS.lambda.logLevel,
  serviceName: "vit-classifier-api",
  maxImageBytes: DEFAULTS.maxImageBytes,
});

function synthFunction(props: Partial<InferenceFunctionProps> = {}): { text: string; json: TfJson } {
  const text = Testing.synthScope((scope) => {
    new InferenceFunction(scope, "function", { ...baseProps(fixtureBundle().outdir), aws: awsContext(scope), ...props });
  });
  return { text, json: JSON.parse(text) };
}

describe("Construct: InferenceFunction", () => {
  const { text, json } = synthFunction({ reservedConcurrency: 7 });
  const fn = () => only(json, "aws_lambda_function").body;

  it("creates a Node.js 22 arm64 function with timeout below API Gateway's 30 s", () => {
    expect(text).toHaveResourceWithProperties(LambdaFunction, {
      function_name: "vit-classifier-api",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      timeout: 28,
      memory_size: 512,
      reserved_concurrent_executions: 7,
      role: `\${${only(json, "aws_iam_role").ref}.arn}`,
    });
  });

  it("deploys the synth-time zip and hashes its real bytes", () => {
    expect(fn().filename).toMatch(/^assets\/function_code_[A-Z0-9]+\/[A-F0-9]+\/archive\.zip$/);
    expect(fn().source_code_hash).toBe(`\${filebase64sha256("${fn().filename}")}`);
  });

  it("passes the endpoint name, an invoke budget below the timeout and the logging settings", () => {
    expect(fn().environment.variables).toEqual({
      SAGEMAKER_ENDPOINT_NAME: "Vit-Classifier",
      INVOKE_BUDGET_MS: "25000",
      MAX_IMAGE_BYTES: "6291456",
      NODE_OPTIONS: "--enable-source-maps",
      POWERTOOLS_SERVICE_NAME: "vit-classifier-api",
      POWERTOOLS_LOG_LEVEL: "INFO",
    });
  });

  it("logs to its own log group with retention", () => {
    const logGroup = only(json, "aws_cloudwatch_log_group");
    expect(text).toHaveResourceWithProperties(CloudwatchLogGroup, { name: "/aws/lambda/vit-classifier-api", retention_in_days: 30 });
    expect(fn().logging_config).toEqual({ log_format: "Text", log_group: `\${${logGroup.ref}.name}` });
  });

  it("follows its props: x86_64, memory, timeout, budget, no reserved concurrency", () => {
    const other = only(
      synthFunction({ architecture: "x86_64", memoryMb: 2048, timeoutSeconds: 10, invokeBudgetMs: 7000 }).json,
      "aws_lambda_function",
    ).body;
    expect(other.architectures).toEqual(["x86_64"]);
    expect(other.memory_size).toBe(2048);
    expect(other.timeout).toBe(10);
    expect(other.environment.variables.INVOKE_BUDGET_MS).toBe("7000");
    expect(other.reserved_concurrent_executions).toBeUndefined();
  });

  it("is created after its role's grants", () => {
    expect(fn().depends_on).toEqual([only(json, "aws_iam_role_policy").ref]);
  });

  it("trusts lambda.amazonaws.com only", () => {
    expect(statements(only(json, "aws_iam_role").body.assume_role_policy)).toEqual([
      { Sid: "TrustService", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
  });

  it("may invoke exactly this endpoint (lower-case ARN) and write only its own log group", () => {
    const logGroup = only(json, "aws_cloudwatch_log_group").ref;
    expect(statements(only(json, "aws_iam_role_policy").body.policy)).toEqual([
      {
        Sid: "InvokeClassifierEndpoint",
        Effect: "Allow",
        Action: ["sagemaker:InvokeEndpoint"],
        Resource: [
          "arn:${data.aws_partition.partition.partition}:sagemaker:${data.aws_region.region.name}:${data.aws_caller_identity.account.account_id}:endpoint/vit-classifier",
        ],
      },
      {
        Sid: "WriteFunctionLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [`\${${logGroup}.arn}:*`],
      },
    ]);
  });
});

describe("Construct: InferenceFunction zip", () => {
  /** Full synth (writes the assets) and returns the SHA-256 of the zip Terraform would upload. */
  function zipSha256(bundleDir: string): string {
    const stack = new TerraformStack(Testing.app(), "zip");
    new AwsProvider(stack, "aws", {});
    new InferenceFunction(stack, "function", { ...baseProps(bundleDir), aws: awsContext(stack) });
    const outdir = Testing.fullSynth(stack);
    const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "zip", "cdk.tf.json"), "utf8"));
    return crypto
      .createHash("sha256")
      .update(fs.readFileSync(path.join(outdir, "stacks", "zip", only(json, "aws_lambda_function").body.filename)))
      .digest("hex");
  }

  it("is byte-identical for the same code even when the files were rewritten (no spurious redeploys)", () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(fixtureBundle().outdir, "..", "zip-"));
    fs.writeFileSync(path.join(dir, "index.js"), "exports.handler = async () => 1;\n");
    const first = zipSha256(dir);
    // Act: rewrite the same bytes (new mtime), then change them
    fs.writeFileSync(path.join(dir, "index.js"), "exports.handler = async () => 1;\n");
    const later = new Date("2030-06-01T12:00:00Z");
    fs.utimesSync(path.join(dir, "index.js"), later, later);
    const rewritten = zipSha256(dir);
    fs.writeFileSync(path.join(dir, "index.js"), "exports.handler = async () => 2;\n");
    const changed = zipSha256(dir);
    // Assess
    expect(rewritten).toBe(first);
    expect(changed).not.toBe(first);
  });
});
