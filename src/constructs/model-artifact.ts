/**
 * ModelArtifact: the private S3 bucket holding model.tar.gz and the uploaded object.
 *
 * Creates: aws_s3_bucket (name from a prefix, so it is globally unique), public access block (all
 * four on), bucket-owner-enforced ownership (no ACLs), SSE-S3 default encryption, versioning,
 * a lifecycle rule expiring superseded versions, a TLS-only bucket policy, and aws_s3_object with
 * the tarball (TerraformAsset FILE, copied into the stack folder at synth).
 *
 * Every model rollout gets a new revision: a terraform_data whose id (a UUID made at apply) is
 * replaced whenever the tarball's SHA-256 or `revisionTriggers` (the model's serving settings)
 * change, and unchanged otherwise. The object key and the SageMaker model name carry it, so
 *   - an unchanged model changes nothing;
 *   - a rollout creates a new object and model before the old ones go (create_before_destroy), and
 *     the old ones are only deleted once the endpoint runs the new configuration (SagemakerEndpoint's
 *     postcondition); after a failed rollout they stay, still in use by the rolled-back endpoint;
 *   - deploying the previous tarball again after a failed rollout makes new names: they never collide
 *     with the old objects Terraform still has to delete.
 */
import { AssetType, DataResource, Fn, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { skipCheckov } from "../support/checkov-skip";
import { sha256File } from "../support/content-hash";
import { privateBucketControls } from "../support/private-bucket";

export interface ModelArtifactProps {
  /** Absolute path of the model.tar.gz to upload. */
  readonly tarballPath: string;
  /** Prefix of the bucket name (S3 appends a unique suffix). */
  readonly namePrefix: string;
  /** Let `terraform destroy` empty the bucket (every version) before deleting it. */
  readonly forceDestroy: boolean;
  /** Days superseded object versions are kept. */
  readonly noncurrentVersionExpirationDays: number;
  /** Other inputs that make a new model revision when they change (the model's serving settings). */
  readonly revisionTriggers: Record<string, string>;
}

export class ModelArtifact extends Construct {
  public readonly bucket: S3Bucket;
  public readonly object: S3Object;
  /** SHA-256 (hex) of the tarball, computed at synth. */
  public readonly contentSha256: string;
  /** The revision marker (terraform_data): replaced on every rollout. */
  public readonly revision: DataResource;
  /** 8 hex characters of the revision's id (known after apply). */
  public readonly revisionId: string;
  /** Object key: models/<sha256>/<revisionId>/model.tar.gz. */
  public readonly objectKey: string;
  /** arn:<partition>:s3:::<bucket>/<key> of this revision's tarball. */
  public readonly objectArn: string;
  /**
   * arn:<partition>:s3:::<bucket>/models/* — every tarball of this stack. SageMaker reads the tarball again
   * whenever it starts an instance (scale-out, instance replacement, rollback), so its role must be able to read
   * the tarball of every revision an endpoint may still run, not only the newest.
   */
  public readonly modelObjectsArn: string;
  /** s3://<bucket>/<key>, SageMaker's ModelDataUrl. */
  public readonly s3Uri: string;

  constructor(scope: Construct, id: string, props: ModelArtifactProps) {
    super(scope, id);
    const { tarballPath, namePrefix, forceDestroy, noncurrentVersionExpirationDays, revisionTriggers } = props;
    this.contentSha256 = sha256File(tarballPath);
    this.revision = new DataResource(this, "revision", {
      triggersReplace: { ...revisionTriggers, tarballSha256: this.contentSha256 },
      lifecycle: { createBeforeDestroy: true },
    });
    this.revisionId = Fn.substr(this.revision.id, 0, 8);
    this.objectKey = `models/${this.contentSha256}/${this.revisionId}/model.tar.gz`;

    this.bucket = new S3Bucket(this, "bucket", { bucketPrefix: `${namePrefix}-model-`, forceDestroy });
    skipCheckov(this.bucket, "CKV_AWS_18", "access logging would need a second bucket; CloudTrail data events cover reads if required");
    skipCheckov(this.bucket, "CKV_AWS_144", "the tarball is rebuilt from the repository; cross-region replication adds cost, not recovery");
    skipCheckov(this.bucket, "CKV_AWS_145", "SSE-S3 (AES-256) encrypts at rest without a customer KMS key's cost and key-policy coupling");
    skipCheckov(this.bucket, "CKV2_AWS_62", "nothing consumes object events; the stack itself is the only writer");

    privateBucketControls(this, this.bucket);
    const versioning = new S3BucketVersioningA(this, "versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-superseded-models",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: noncurrentVersionExpirationDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
      dependsOn: [versioning],
    });

    const asset = new TerraformAsset(this, "tarball", { path: tarballPath, type: AssetType.FILE });
    this.object = new S3Object(this, "object", {
      bucket: this.bucket.id,
      key: this.objectKey,
      source: asset.path,
      contentType: "application/gzip",
      dependsOn: [versioning],
      // The old tarball is deleted only after everything that uses it has moved on (see the class comment).
      lifecycle: { createBeforeDestroy: true },
    });
    this.objectArn = `${this.bucket.arn}/${this.objectKey}`;
    this.modelObjectsArn = `${this.bucket.arn}/models/*`;
    this.s3Uri = `s3://${this.bucket.bucket}/${this.object.key}`;
  }
}
