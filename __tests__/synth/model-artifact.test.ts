import "cdktf/lib/testing/adapters/jest";
import * as crypto from "crypto";
import * as fs from "fs";
import { TerraformOutput, Testing } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { ModelArtifact } from "../../src/constructs/model-artifact";
import { fixtureTarball, only, statements } from "./helpers";

function synthArtifact(tarballPath: string, extra: Partial<ConstructorParameters<typeof ModelArtifact>[2]> = {}) {
  let artifact: ModelArtifact | undefined;
  const text = Testing.synthScope((scope) => {
    artifact = new ModelArtifact(scope, "artifact", {
      tarballPath,
      namePrefix: "vit-classifier",
      forceDestroy: true,
      noncurrentVersionExpirationDays: 30,
      revisionTriggers: {},
      ...extra,
    });
    // Outputs resolve the construct's public reference fields in the JSON.
    new TerraformOutput(scope, "s3_uri", { value: artifact.s3Uri });
    new TerraformOutput(scope, "object_arn", { value: artifact.objectArn });
    new TerraformOutput(scope, "model_objects_arn", { value: artifact.modelObjectsArn });
  });
  return { text, json: JSON.parse(text), artifact: artifact! };
}

describe("Construct: ModelArtifact", () => {
  const tarball = fixtureTarball("print('a')\n");
  const sha256 = crypto.createHash("sha256").update(fs.readFileSync(tarball)).digest("hex");
  const { text, json, artifact } = synthArtifact(tarball);

  it("creates a bucket with a unique name from the prefix, emptied on destroy by default", () => {
    expect(text).toHaveResourceWithProperties(S3Bucket, { bucket_prefix: "vit-classifier-model-", force_destroy: true });
    expect(synthArtifact(tarball, { forceDestroy: false }).text).toHaveResourceWithProperties(S3Bucket, { force_destroy: false });
  });

  it("blocks every kind of public access and disables ACLs", () => {
    expect(text).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(text).toHaveResourceWithProperties(S3BucketOwnershipControls, { rule: { object_ownership: "BucketOwnerEnforced" } });
  });

  it("encrypts by default, versions objects and expires superseded versions", () => {
    expect(text).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
    });
    expect(text).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: "Enabled" } });
    expect(text).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      rule: [expect.objectContaining({ status: "Enabled", noncurrent_version_expiration: [{ noncurrent_days: 30 }] })],
    });
  });

  it("denies every request not made over TLS, on the bucket and its objects", () => {
    // Prepare
    const bucketRef = only(json, "aws_s3_bucket").ref;
    // Act
    const policy = statements(only(json, "aws_s3_bucket_policy").body.policy);
    expect(text).toHaveResourceWithProperties(S3BucketPolicy, { bucket: `\${${bucketRef}.id}` });
    // Assess
    expect(policy).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: ["s3:*"],
        Resource: [`\${${bucketRef}.arn}`, `\${${bucketRef}.arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  it("uploads the tarball under a key holding its SHA-256 and the revision, computed at synth", () => {
    // Prepare
    const bucketRef = only(json, "aws_s3_bucket").ref;
    const revision = `\${substr(${only(json, "terraform_data").ref}.id, 0, 8)}`;
    // Assess
    expect(artifact.contentSha256).toBe(sha256);
    expect(text).toHaveResourceWithProperties(S3Object, {
      bucket: `\${${bucketRef}.id}`,
      key: `models/${sha256}/${revision}/model.tar.gz`,
      source: expect.stringMatching(/^assets\/artifact_tarball_[A-Z0-9]+\/[A-F0-9]+\/model\.tar\.gz$/),
      lifecycle: { create_before_destroy: true },
    });
    const objectRef = only(json, "aws_s3_object").ref;
    expect(json.output.s3_uri.value).toBe(`s3://\${${bucketRef}.bucket}/\${${objectRef}.key}`);
    expect(json.output.object_arn.value).toBe(`\${${bucketRef}.arn}/models/${sha256}/${revision}/model.tar.gz`);
    expect(json.output.model_objects_arn.value).toBe(`\${${bucketRef}.arn}/models/*`);
  });

  it("makes a new revision when the bytes or the revision triggers change, and only then", () => {
    // Prepare
    const sameBytes = fixtureTarball("print('a')\n", "copy.tar.gz");
    fs.copyFileSync(tarball, sameBytes);
    const triggers = (j: Record<string, any>) => only(j, "terraform_data").body.triggers_replace;
    // Act
    const same = synthArtifact(sameBytes, { revisionTriggers: { modelSettings: "s1" } }).json;
    const sameAgain = synthArtifact(sameBytes, { revisionTriggers: { modelSettings: "s1" } }).json;
    const otherSettings = synthArtifact(sameBytes, { revisionTriggers: { modelSettings: "s2" } }).json;
    const otherBytes = synthArtifact(fixtureTarball("print('b')\n"), { revisionTriggers: { modelSettings: "s1" } }).json;
    // Assess
    expect(triggers(same)).toEqual({ modelSettings: "s1", tarballSha256: sha256 });
    expect(triggers(sameAgain)).toEqual(triggers(same));
    expect(triggers(otherSettings)).not.toEqual(triggers(same));
    expect(triggers(otherBytes)).not.toEqual(triggers(same));
    expect(only(same, "terraform_data").body.lifecycle).toEqual({ create_before_destroy: true });
  });
});
