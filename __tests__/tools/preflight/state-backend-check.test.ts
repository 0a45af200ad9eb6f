/** The state lines, every outcome: local state; the S3 backend's bucket (missing, refused, elsewhere, unversioned, fine) and its lock. */
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { formatCheck } from "../../../tools/preflight/check-result";
import { S3BackendSettings, localStateCheck, s3BackendChecks } from "../../../tools/preflight/state-backend-check";
import { awsError, useFakeAccount } from "./fake-account";

const BACKEND: S3BackendSettings = {
  bucket: "team-state",
  key: "vit-classifier/terraform.tfstate",
  region: "eu-west-1",
  useLockfile: true,
};

describe("Preflight: state", () => {
  const fake = useFakeAccount();

  const check = async (backend: Partial<S3BackendSettings> = {}) =>
    (await s3BackendChecks(new S3Client({ region: "eu-west-1" }), { ...BACKEND, ...backend })).map(formatCheck);

  it("local state: says where the file is and whether a deploy is in it", () => {
    // Act
    const none = formatCheck(localStateCheck({ kind: "local", path: "/work/terraform.vit-classifier.tfstate" }, false));
    const deployed = formatCheck(localStateCheck({ kind: "local", path: "/work/terraform.vit-classifier.tfstate" }, true));

    // Assess
    expect(none).toBe(
      'PASS  state: local file /work/terraform.vit-classifier.tfstate (none yet; no "backend" configured: fine for one person, an S3 backend for a team, docs/configuration.md)',
    );
    expect(deployed).toContain("(holds a deployed stack;");
  });

  it("fails when the bucket does not exist, with the commands that create it (versioned)", async () => {
    // Act
    const lines = await check();

    // Assess
    expect(lines).toEqual([
      "FAIL  state bucket: team-state does not exist (backend.bucket in classifier.config.json)\n" +
        "      fix: create it, with versions kept: aws s3api create-bucket --bucket team-state --region eu-west-1 --create-bucket-configuration " +
        "LocationConstraint=eu-west-1 && aws s3api put-bucket-versioning --bucket team-state --versioning-configuration Status=Enabled --region eu-west-1",
    ]);
  });

  it("creates a us-east-1 bucket without a location constraint (S3 refuses one there)", async () => {
    // Act
    const [line] = await check({ region: "us-east-1" });

    // Assess
    expect(line).toContain("aws s3api create-bucket --bucket team-state --region us-east-1 && aws s3api put-bucket-versioning");
  });

  it("fails when the bucket refuses these credentials, naming the grants the backend needs", async () => {
    // Prepare
    fake.account.buckets["team-state"] = { objects: {}, error: awsError("Forbidden", 403, "UnknownError") };

    // Act
    const lines = await check();

    // Assess
    expect(lines).toEqual([
      "FAIL  state bucket: team-state exists but refuses these credentials (Forbidden)\n" +
        "      fix: allow s3:ListBucket on arn:aws:s3:::team-state and s3:GetObject, s3:PutObject, s3:DeleteObject on " +
        "arn:aws:s3:::team-state/vit-classifier/terraform.tfstate and vit-classifier/terraform.tfstate.tflock, or use a bucket of your own",
    ]);
  });

  it("fails when the bucket is in another region", async () => {
    // Prepare
    fake.account.buckets["team-state"] = { objects: {}, error: awsError("PermanentRedirect", 301) };

    // Act
    const lines = await check();

    // Assess
    expect(lines).toEqual([
      "FAIL  state bucket: team-state is not in eu-west-1 (HTTP 301)\n      fix: set backend.region to the bucket's region",
    ]);
  });

  it("passes a versioned bucket with no state yet, and an unheld lock, saying what a read-only check cannot prove", async () => {
    // Prepare
    fake.account.buckets["team-state"] = { objects: {}, versioning: "Enabled" };

    // Act
    const lines = await check();

    // Assess
    expect(lines).toEqual([
      "PASS  state bucket: s3://team-state/vit-classifier/terraform.tfstate (eu-west-1) answers, no state object yet (the first deploy writes it), versions kept",
      "PASS  state lock: S3-native lock file s3://team-state/vit-classifier/terraform.tfstate.tflock: not held now; writing it needs s3:PutObject " +
        "and s3:DeleteObject on it, which a read-only check cannot prove (the first plan does)",
    ]);
  });

  it("warns when versioning is off, with the command that turns it on", async () => {
    // Prepare
    fake.account.buckets["team-state"] = { objects: { "vit-classifier/terraform.tfstate": "{}" } };

    // Act
    const [line] = await check();

    // Assess
    expect(line).toBe(
      "WARN  state bucket: s3://team-state/vit-classifier/terraform.tfstate (eu-west-1) answers, the state object exists (2 bytes); versioning is off, " +
        "so a broken state cannot be restored\n" +
        "      fix: aws s3api put-bucket-versioning --bucket team-state --versioning-configuration Status=Enabled --region eu-west-1",
    );
  });

  it("warns when a lock is held now (another run, or one killed mid-way)", async () => {
    // Prepare
    fake.account.buckets["team-state"] = { objects: { "vit-classifier/terraform.tfstate.tflock": "{}" }, versioning: "Enabled" };

    // Act
    const [, line] = await check();

    // Assess
    expect(line).toBe(
      "WARN  state lock: s3://team-state/vit-classifier/terraform.tfstate.tflock exists: another plan or apply holds the state, or one was killed and left its lock\n" +
        "      fix: wait for the other run; if none is running, `terraform force-unlock <lock ID from the error>` in the stack folder (cdktf.out/stacks/<stack>)",
    );
  });

  it("warns when locking is switched off", async () => {
    // Prepare
    fake.account.buckets["team-state"] = { objects: {}, versioning: "Enabled" };

    // Act
    const [, line] = await check({ useLockfile: false });

    // Assess
    expect(line).toBe(
      "WARN  state lock: backend.useLockfile is false: nothing stops two applies from writing the state at once\n" +
        "      fix: set backend.useLockfile to true (S3-native locking, Terraform >= 1.10)",
    );
  });

  it("warns, naming the action, when the state object may not be read", async () => {
    // Prepare
    fake.account.buckets["team-state"] = { objects: {}, versioning: "Enabled" };
    fake.aws.s3.on(HeadObjectCommand, { Key: "vit-classifier/terraform.tfstate" }).rejects(awsError("Forbidden", 403, "UnknownError"));

    // Act
    const [line] = await check();

    // Assess
    expect(line).toBe(
      "WARN  state bucket: the state object s3://team-state/vit-classifier/terraform.tfstate (eu-west-1) not checked (Forbidden)\n" +
        "      fix: allow s3:GetObject to these credentials (docs/deploy.md lists every read action the preflight needs), then run it again",
    );
  });
});
