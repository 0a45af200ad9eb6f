/**
 * CatalogueBucket: the stack's own bucket for catalogue runs and indexes, used when `catalogue.output` is unset.
 *
 * Private like the model bucket (src/support/private-bucket.ts), versioned (a moved pointer keeps its previous
 * version for a week), and the runs' transform output (`catalogue/runs/`, one small object per image, read once by
 * the assembly) expires after `runRetentionDays`; indexes stay until a person deletes them.
 */
import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import type { S3Folder } from "../config/catalogue";
import { RUNS_PREFIX } from "../support/catalogue-policies";
import { skipCheckov } from "../support/checkov-skip";
import { privateBucketControls } from "../support/private-bucket";

export interface CatalogueBucketProps {
  /** Prefix of the bucket name (S3 appends a unique suffix). */
  readonly namePrefix: string;
  /** Let `terraform destroy` delete the bucket with its indexes (a catalogue run rebuilds them). */
  readonly forceDestroy: boolean;
  /** Days the transform output of a run is kept. @default 7 */
  readonly runRetentionDays?: number;
}

/** The folder inside the bucket that holds latest.json, indexes/ and runs/. */
export const CATALOGUE_BUCKET_PREFIX = "catalogue/";

export class CatalogueBucket extends Construct {
  public readonly bucket: S3Bucket;
  /** s3://<bucket>/catalogue/: the catalogue's output location. */
  public readonly folder: S3Folder;

  constructor(scope: Construct, id: string, props: CatalogueBucketProps) {
    super(scope, id);
    const { namePrefix, forceDestroy, runRetentionDays = 7 } = props;
    this.bucket = new S3Bucket(this, "bucket", { bucketPrefix: `${namePrefix}-catalogue-`, forceDestroy });
    skipCheckov(this.bucket, "CKV_AWS_18", "access logging would need a second bucket; CloudTrail data events cover reads if required");
    skipCheckov(
      this.bucket,
      "CKV_AWS_144",
      "indexes are rebuilt from the source images by a catalogue run; replication adds cost, not recovery",
    );
    skipCheckov(this.bucket, "CKV_AWS_145", "SSE-S3 (AES-256) encrypts at rest without a customer KMS key's cost and key-policy coupling");
    skipCheckov(this.bucket, "CKV2_AWS_62", "nothing consumes object events: the catalogue runner reads the job's output itself");
    privateBucketControls(this, this.bucket);
    const versioning = new S3BucketVersioningA(this, "versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-run-output",
          status: "Enabled",
          filter: [{ prefix: `${CATALOGUE_BUCKET_PREFIX}${RUNS_PREFIX}` }],
          expiration: [{ days: runRetentionDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
        {
          id: "expire-superseded-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: 7 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
      dependsOn: [versioning],
    });
    this.folder = { bucket: this.bucket.bucket, prefix: CATALOGUE_BUCKET_PREFIX };
  }
}
