/**
 * `npm run deploy` applies exactly the plan `npm run plan:review` recorded: these tests drive deploy() with the
 * synth, terraform and preflight steps replaced, on real folders and files. The rehearsal runs the real commands
 * against the AWS emulator.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { deploy, DeploySteps, parseDeployArgs } from "../../../tools/deploy/deploy-cli";
import { apiRegion, deployedAuthMode, deployedSummary } from "../../../tools/deploy/deployed-summary";
import { readReviewRecord, ReviewRecord, writeReviewRecord } from "../../../tools/deploy/review-record";
import { fileSha256, stackFingerprint } from "../../../tools/deploy/stack-fingerprint";

const CLASSIFY_URL = "https://abc123.execute-api.eu-west-1.amazonaws.com/classify";

/** A synthesized stack folder: cdk.tf.json plus one asset. */
function writeStack(dir: string, stackJson: object, asset = "zip bytes"): string {
  fs.mkdirSync(path.join(dir, "assets", "function"), { recursive: true });
  fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(stackJson));
  fs.writeFileSync(path.join(dir, "assets", "function", "archive.zip"), asset);
  return dir;
}

const STACK = { resource: { aws_apigatewayv2_route: { classify: {} } } };

/** A stack folder with a reviewed plan, as plan:review leaves it. */
function reviewedStack(root: string, overrides: Partial<ReviewRecord> = {}): string {
  const stackDir = writeStack(path.join(root, "cdktf.out", "stacks", "vit-classifier"), STACK);
  fs.writeFileSync(path.join(stackDir, "review.tfplan"), "binary plan");
  writeReviewRecord(stackDir, {
    version: 1,
    stackName: "vit-classifier",
    planSha256: fileSha256(path.join(stackDir, "review.tfplan")),
    stackFingerprint: stackFingerprint(stackDir),
    reviewedAt: "2026-12-03T10:00:00.000Z",
    destructive: false,
    allowDestructive: false,
    summary: "2 to create",
    ...overrides,
  });
  return stackDir;
}

interface Recorded {
  terraform: string[][];
  log: string[];
}

/** Steps whose synth writes `synthJson` (the app "as it is now"). */
function fakeSteps(recorded: Recorded, options: { synthJson?: object; preflight?: boolean; applyStatus?: number } = {}): DeploySteps {
  return {
    preflight: async () => options.preflight ?? true,
    synthesize: (outdir) => void writeStack(path.join(outdir, "stacks", "vit-classifier"), options.synthJson ?? STACK),
    terraform: (args) => (recorded.terraform.push(args), options.applyStatus ?? 0),
    outputs: () => ({ classify_url: { value: CLASSIFY_URL }, endpoint_name: { value: "vit-classifier" } }),
    log: (line) => recorded.log.push(line),
  };
}

describe("npm run deploy: the reviewed plan and nothing else", () => {
  let root: string;
  let recorded: Recorded;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-test-"));
    recorded = { terraform: [], log: [] };
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("applies the reviewed plan file when the synth is unchanged, then forgets it and prints the curl line", async () => {
    // Prepare
    const stackDir = reviewedStack(root);
    // Act
    const status = await deploy({ stackDir, skipPreflight: false }, fakeSteps(recorded));
    // Assess
    expect(status).toBe(0);
    expect(recorded.terraform).toEqual([["apply", "-input=false", "review.tfplan"]]);
    expect(fs.existsSync(path.join(stackDir, "review.tfplan"))).toBe(false);
    expect(readReviewRecord(stackDir)).toBeUndefined();
    expect(recorded.log).toContain(`  curl --data-binary @photo.jpg -H 'Content-Type: image/jpeg' '${CLASSIFY_URL}'`);
  });

  it("refuses a plan made before the config or code changed (stale against a new synth), applying nothing", async () => {
    // Prepare
    const stackDir = reviewedStack(root);
    const changed = { ...STACK, resource: { ...STACK.resource, aws_lambda_function: { f: { memory_size: 1024 } } } };
    // Act
    const status = await deploy({ stackDir, skipPreflight: false }, fakeSteps(recorded, { synthJson: changed }));
    // Assess
    expect(status).toBe(1);
    expect(recorded.terraform).toEqual([]);
    expect(recorded.log.join("\n")).toMatch(
      /refused: the plan is stale: synthesizing now gives a different stack .*npm run synth && npm run plan:review/,
    );
    expect(fs.existsSync(path.join(stackDir, "review.tfplan"))).toBe(true);
  });

  it("refuses when a model tarball or bundle (an asset) changed although cdk.tf.json did not", async () => {
    // Prepare
    const stackDir = reviewedStack(root);
    const steps = fakeSteps(recorded);
    const synthesize = (outdir: string) => void writeStack(path.join(outdir, "stacks", "vit-classifier"), STACK, "other zip bytes");
    // Act
    const status = await deploy({ stackDir, skipPreflight: false }, { ...steps, synthesize });
    // Assess
    expect(status).toBe(1);
    expect(recorded.log.join("\n")).toContain("the plan is stale");
  });

  it("refuses a plan file swapped after the review", async () => {
    // Prepare
    const stackDir = reviewedStack(root);
    fs.writeFileSync(path.join(stackDir, "review.tfplan"), "another plan");
    // Act
    const status = await deploy({ stackDir, skipPreflight: false }, fakeSteps(recorded));
    // Assess
    expect(status).toBe(1);
    expect(recorded.log.join("\n")).toContain("review.tfplan is not the file that was reviewed");
  });

  it("refuses a destructive plan unless the review allowed it", async () => {
    // Prepare
    const refused = reviewedStack(path.join(root, "a"), { destructive: true, allowDestructive: false });
    const allowed = reviewedStack(path.join(root, "b"), { destructive: true, allowDestructive: true });
    // Act
    const refusedStatus = await deploy({ stackDir: refused, skipPreflight: false }, fakeSteps(recorded));
    const allowedStatus = await deploy({ stackDir: allowed, skipPreflight: false }, fakeSteps(recorded));
    // Assess
    expect([refusedStatus, allowedStatus]).toEqual([1, 0]);
    expect(recorded.log.join("\n")).toContain("npm run plan:review -- --allow-destructive");
    expect(recorded.terraform).toHaveLength(1);
  });

  it("asks for a review first when there is none", async () => {
    // Prepare
    const stackDir = writeStack(path.join(root, "cdktf.out", "stacks", "vit-classifier"), STACK);
    // Act
    const status = await deploy({ stackDir, skipPreflight: false }, fakeSteps(recorded));
    // Assess
    expect(status).toBe(1);
    expect(recorded.log.join("\n")).toContain("no reviewed plan in");
    expect(recorded.log.join("\n")).toContain("run `npm run plan:review` first");
  });

  it("refuses when the config now names another stack", async () => {
    // Prepare
    const stackDir = reviewedStack(root);
    const steps = fakeSteps(recorded);
    const synthesize = (outdir: string) => void writeStack(path.join(outdir, "stacks", "other-stack"), STACK);
    // Act
    const status = await deploy({ stackDir, skipPreflight: false }, { ...steps, synthesize });
    // Assess
    expect(status).toBe(1);
    expect(recorded.log.join("\n")).toContain("reviewed for stack vit-classifier, but the config now synthesizes other-stack");
  });

  it("stops before synth or apply when the preflight fails, and skips it only when asked", async () => {
    // Prepare
    const stackDir = reviewedStack(root);
    // Act
    const stopped = await deploy({ stackDir, skipPreflight: false }, fakeSteps(recorded, { preflight: false }));
    const skipped = await deploy({ stackDir, skipPreflight: true }, fakeSteps(recorded, { preflight: false }));
    // Assess
    expect([stopped, skipped]).toEqual([1, 0]);
    expect(recorded.log).toContain("deploy: stopped by the preflight above; nothing was changed");
    expect(recorded.log).toContain("preflight skipped (--skip-preflight)");
  });

  it("keeps the reviewed plan and explains when terraform apply fails (e.g. the state moved since)", async () => {
    // Prepare
    const stackDir = reviewedStack(root);
    // Act
    const status = await deploy({ stackDir, skipPreflight: false }, fakeSteps(recorded, { applyStatus: 1 }));
    // Assess
    expect(status).toBe(1);
    expect(fs.existsSync(path.join(stackDir, "review.tfplan"))).toBe(true);
    expect(recorded.log.join("\n")).toContain("If it says the saved plan is stale, the state changed since the review");
  });
});

describe("Stack fingerprint", () => {
  it("is stable for the same files and changes with cdk.tf.json, an asset's bytes or an asset's name", () => {
    // Prepare
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "fingerprint-"));
    const a = writeStack(path.join(root, "a"), STACK);
    const b = writeStack(path.join(root, "b"), STACK);
    const json = writeStack(path.join(root, "json"), { other: true });
    const bytes = writeStack(path.join(root, "bytes"), STACK, "zip bytes!");
    const renamed = writeStack(path.join(root, "renamed"), STACK);
    fs.renameSync(path.join(renamed, "assets", "function", "archive.zip"), path.join(renamed, "assets", "function", "other.zip"));
    // Terraform's working files are not part of the synth.
    fs.mkdirSync(path.join(b, ".terraform"));
    fs.writeFileSync(path.join(b, ".terraform.lock.hcl"), "lock");
    // Act
    const prints = [a, b, json, bytes, renamed].map(stackFingerprint);
    // Assess
    expect(prints[0]).toBe(prints[1]);
    expect(new Set(prints).size).toBe(4);
  });
});

describe("What deploy prints", () => {
  it("gives a curl line that works with the deployed auth mode", () => {
    const outputs = { classify_url: { value: CLASSIFY_URL } };
    const iam = { resource: { aws_apigatewayv2_route: { r: { authorization_type: "AWS_IAM" } } } };
    const jwt = { resource: { aws_apigatewayv2_route: { r: { authorization_type: "JWT" } } } };
    expect([deployedAuthMode(STACK), deployedAuthMode(iam), deployedAuthMode(jwt)]).toEqual(["none", "iam", "jwt"]);
    expect(apiRegion(CLASSIFY_URL)).toBe("eu-west-1");
    expect(deployedSummary(outputs, iam).join("\n")).toContain("curl --aws-sigv4 'aws:amz:eu-west-1:execute-api'");
    expect(deployedSummary(outputs, jwt).join("\n")).toContain('curl -H "Authorization: Bearer $TOKEN"');
  });
});

describe("npm run deploy arguments", () => {
  it("takes the only synthesized stack, or --stack-dir, and rejects anything else", () => {
    // Prepare
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-args-"));
    const stackDir = writeStack(path.join(root, "cdktf.out", "stacks", "vit-classifier"), STACK);
    // Act / Assess
    expect(parseDeployArgs([], root)).toEqual({ stackDir, skipPreflight: false });
    expect(parseDeployArgs(["--stack-dir", "x", "--skip-preflight"], root)).toEqual({
      stackDir: path.join(root, "x"),
      skipPreflight: true,
    });
    expect(() => parseDeployArgs(["--yes"], root)).toThrow("unknown argument --yes");
  });
});

describe("The project's scripts run cdktf without telemetry", () => {
  it("sets CHECKPOINT_DISABLE=1 on every npm script that runs the cdktf CLI", () => {
    // Prepare
    const scripts = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8")).scripts as Record<
      string,
      string
    >;
    // Act
    const cdktfCalls = Object.entries(scripts).flatMap(([name, command]) =>
      command
        .split("&&")
        .map((part) => part.trim())
        .filter((part) => /(^|\s)cdktf\s/.test(part))
        .map((part) => ({ name, part })),
    );
    // Assess
    expect(cdktfCalls.map((c) => c.name)).toEqual(expect.arrayContaining(["synth", "destroy"]));
    for (const call of cdktfCalls) expect(`${call.name}: ${call.part}`).toMatch(/: CHECKPOINT_DISABLE=1 cdktf /);
  });
});
