/**
 * ModelArtifact: the private S3 bucket holding model.tar.gz and the uploaded object.
 *
 * Creates: aws_s3_bucket (name from a prefix, so it is globally unique), public access block (all
 * four on), bucket-owner-enforced ownership (no ACLs), SSE-S3 default encryption, versioning,
 * a lifecycle rule expiring superseded versions, a TLS-only bucket policy, and aws_s3_object with
 * the tarball (TerraformAsset FILE, copied into the stack folder at synth).
 *
 * The object key embeds the tarball's SHA-256, computed here at synth: a new model gets a new key
 * (and, through `contentSha256`, a new SageMaker model name); an unchanged one changes nothing.
 */
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { skipCheckov } from "./checkov-skip";
import { sha256File } from "./content-hash";
import { policyDocument } from "./iam-policy";

export interface ModelArtifactProps {
  /** Absolute path of the model.tar.gz to upload. */
  readonly tarballPath: string;
  /** Prefix of the bucket name (S3 appends a unique suffix). */
  readonly namePrefix: string;
  /** Let `terraform destroy` empty the bucket (every version) before deleting it. @default true */
  readonly forceDestroy?: boolean;
  /** Days superseded object versions are kept. @default 30 */
  readonly noncurrentVersionExpirationDays?: number;
}

export class ModelArtifact extends Construct {
  public readonly bucket: S3Bucket;
  public readonly object: S3Object;
  /** SHA-256 (hex) of the tarball, computed at synth. */
  public readonly contentSha256: string;
  /** Object key: models/<sha256>/model.tar.gz. */
  public readonly objectKey: string;
  /** arn:<partition>:s3:::<bucket>/<key> — the only thing SageMaker may read. */
  public readonly objectArn: string;
  /** s3://<bucket>/<key>, SageMaker's ModelDataUrl. */
  public readonly s3Uri: string;

  constructor(scope: Construct, id: string, props: ModelArtifactProps) {
    super(scope, id);
    const { tarballPath, namePrefix, forceDestroy = true, noncurrentVersionExpirationDays = 30 } = props;
    this.contentSha256 = sha256File(tarballPath);
    this.objectKey = `models/${this.contentSha256}/model.tar.gz`;

    this.bucket = new S3Bucket(this, "bucket", { bucketPrefix: `${namePrefix}-model-`, forceDestroy });
    skipCheckov(this.bucket, "CKV_AWS_18", "access logging would need a second bucket; CloudTrail data events cover reads if required");
    skipCheckov(this.bucket, "CKV_AWS_144", "the tarball is rebuilt from the repository; cross-region replication adds cost, not recovery");
    skipCheckov(this.bucket, "CKV_AWS_145", "SSE-S3 (AES-256) encrypts at rest without a customer KMS key's cost and key-policy coupling");
    skipCheckov(this.bucket, "CKV2_AWS_62", "nothing consumes object events; the stack itself is the only writer");

    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
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
    new S3BucketPolicy(this, "tls-only", {
      bucket: this.bucket.id,
      policy: policyDocument([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          // A Deny for everyone: "*" widens nothing, it refuses plain-HTTP requests from any caller.
          Principal: { AWS: "*" },
          Action: ["s3:*"],
          Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    });

    const asset = new TerraformAsset(this, "tarball", { path: tarballPath, type: AssetType.FILE });
    this.object = new S3Object(this, "object", {
      bucket: this.bucket.id,
      key: this.objectKey,
      source: asset.path,
      contentType: "application/gzip",
      dependsOn: [versioning],
    });
    this.objectArn = `${this.bucket.arn}/${this.objectKey}`;
    this.s3Uri = `s3://${this.bucket.bucket}/${this.object.key}`;
  }
}
