/**
 * Where Terraform keeps this stack's state, checked read-only. Local state: the file, said. The S3 backend: the
 * bucket answers (HeadBucket) and keeps versions (so a bad apply's state can be restored), the state object and the
 * lock file. With S3-native locking (`use_lockfile`), Terraform writes and deletes `<key>.tflock` beside the state:
 * that needs s3:PutObject and s3:DeleteObject, which a read-only check cannot prove; it can only see a lock that is
 * held now.
 */
import { GetBucketVersioningCommand, HeadBucketCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { describeError, errorName, httpStatus, isAccessDenied, notChecked } from "./aws-errors";
import { CheckResult, fail, pass, warn } from "./check-result";
import { StateLocation } from "./stack-state";

export interface S3BackendSettings {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  readonly useLockfile: boolean;
}

const isNotFound = (error: unknown) => ["NotFound", "NoSuchKey", "NoSuchBucket"].includes(errorName(error)) || httpStatus(error) === 404;

export function localStateCheck(location: Extract<StateLocation, { kind: "local" }>, exists: boolean): CheckResult {
  return pass(
    "state",
    `local file ${location.path} (${exists ? "holds a deployed stack" : "none yet"}; no "backend" configured: fine for one person, ` +
      "an S3 backend for a team, docs/configuration.md)",
  );
}

export async function s3BackendChecks(s3: S3Client, backend: S3BackendSettings): Promise<CheckResult[]> {
  const { bucket, key, region } = backend;
  const where = `s3://${bucket}/${key} (${region})`;
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (isNotFound(error)) {
      return [
        fail(
          "state bucket",
          `${bucket} does not exist (backend.bucket in classifier.config.json)`,
          `create it, with versions kept: aws s3api create-bucket --bucket ${bucket} --region ${region}` +
            (region === "us-east-1" ? "" : ` --create-bucket-configuration LocationConstraint=${region}`) +
            ` && aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled --region ${region}`,
        ),
      ];
    }
    if (httpStatus(error) === 301) {
      return [fail("state bucket", `${bucket} is not in ${region} (HTTP 301)`, "set backend.region to the bucket's region")];
    }
    if (isAccessDenied(error)) {
      return [
        fail(
          "state bucket",
          `${bucket} exists but refuses these credentials (${describeError(error)})`,
          `allow s3:ListBucket on arn:aws:s3:::${bucket} and s3:GetObject, s3:PutObject, s3:DeleteObject on ` +
            `arn:aws:s3:::${bucket}/${key}${backend.useLockfile ? ` and ${key}.tflock` : ""}, or use a bucket of your own`,
        ),
      ];
    }
    return [notChecked("state bucket", where, error, ["s3:ListBucket"])];
  }
  return [await bucketCheck(s3, backend, where), await lockCheck(s3, backend)];
}

async function bucketCheck(s3: S3Client, backend: S3BackendSettings, where: string): Promise<CheckResult> {
  let state: string;
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: backend.bucket, Key: backend.key }));
    state = `the state object exists (${head.ContentLength ?? 0} bytes)`;
  } catch (error) {
    if (!isNotFound(error)) return notChecked("state bucket", `the state object ${where}`, error, ["s3:GetObject"]);
    state = "no state object yet (the first deploy writes it)";
  }
  let versioning: string | undefined;
  try {
    versioning = (await s3.send(new GetBucketVersioningCommand({ Bucket: backend.bucket }))).Status;
  } catch (error) {
    return notChecked("state bucket", `versioning of ${backend.bucket} (${state})`, error, ["s3:GetBucketVersioning"]);
  }
  if (versioning !== "Enabled") {
    return warn(
      "state bucket",
      `${where} answers, ${state}; versioning is off, so a broken state cannot be restored`,
      `aws s3api put-bucket-versioning --bucket ${backend.bucket} --versioning-configuration Status=Enabled --region ${backend.region}`,
    );
  }
  return pass("state bucket", `${where} answers, ${state}, versions kept`);
}

async function lockCheck(s3: S3Client, backend: S3BackendSettings): Promise<CheckResult> {
  if (!backend.useLockfile) {
    return warn(
      "state lock",
      "backend.useLockfile is false: nothing stops two applies from writing the state at once",
      "set backend.useLockfile to true (S3-native locking, Terraform >= 1.10)",
    );
  }
  const lock = `${backend.key}.tflock`;
  try {
    await s3.send(new HeadObjectCommand({ Bucket: backend.bucket, Key: lock }));
  } catch (error) {
    if (isNotFound(error)) {
      return pass(
        "state lock",
        `S3-native lock file s3://${backend.bucket}/${lock}: not held now; writing it needs s3:PutObject and s3:DeleteObject on it, ` +
          "which a read-only check cannot prove (the first plan does)",
      );
    }
    return notChecked("state lock", `the lock file s3://${backend.bucket}/${lock}`, error, ["s3:GetObject"]);
  }
  return warn(
    "state lock",
    `s3://${backend.bucket}/${lock} exists: another plan or apply holds the state, or one was killed and left its lock`,
    "wait for the other run; if none is running, `terraform force-unlock <lock ID from the error>` in the stack folder (cdktf.out/stacks/<stack>)",
  );
}
