/**
 * What makes a bucket of this stack private, created beside it in the caller's scope (so the resources keep the
 * caller's logical ids): all four public-access blocks, bucket-owner-enforced ownership (no ACLs), SSE-S3 default
 * encryption, and a bucket policy refusing any request not made over TLS.
 */
import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { policyDocument } from "./iam-policy";

export function privateBucketControls(scope: Construct, bucket: S3Bucket): void {
  new S3BucketPublicAccessBlock(scope, "public-access-block", {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, "ownership", {
    bucket: bucket.id,
    rule: { objectOwnership: "BucketOwnerEnforced" },
  });
  new S3BucketServerSideEncryptionConfigurationA(scope, "encryption", {
    bucket: bucket.id,
    rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
  });
  new S3BucketPolicy(scope, "tls-only", {
    bucket: bucket.id,
    policy: policyDocument([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        // A Deny for everyone: "*" widens nothing, it refuses plain-HTTP requests from any caller.
        Principal: { AWS: "*" },
        Action: ["s3:*"],
        Resource: [bucket.arn, `${bucket.arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]),
  });
}
