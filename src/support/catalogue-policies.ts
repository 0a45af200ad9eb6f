/**
 * The catalogue's grants, as pure functions of its locations (docs/catalogue.md, "Permissions"):
 *   - the SageMaker execution role, which a transform job runs as (the model's role): read the source prefix, read
 *     the run's manifest and write the run's output below <output>runs/, list exactly those prefixes;
 *   - the function: read <output>latest.json and <output>indexes/, nothing else.
 * KMS grants only with catalogue.kmsKeyArn (SSE-KMS objects). Bucket names may be Terraform references.
 */
import type { S3Folder } from "../config/catalogue";
import type { PolicyStatement } from "./iam-policy";

/** Where a transform job's runs go, below the output location (common/catalogue-index.ts, runFolder). */
export const RUNS_PREFIX = "runs/";

const objects = (partition: string, bucket: string, prefix: string) => `arn:${partition}:s3:::${bucket}/${prefix}*`;

function listPrefix(sid: string, partition: string, bucket: string, prefix: string): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: ["s3:ListBucket"],
    Resource: [`arn:${partition}:s3:::${bucket}`],
    // ListBucket is a bucket action: the condition keeps the listing to the prefix.
    ...(prefix === "" ? {} : { Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } } }),
  };
}

export function transformJobStatements(source: S3Folder, output: S3Folder, partition: string, kmsKeyArn?: string): PolicyStatement[] {
  const runs = `${output.prefix}${RUNS_PREFIX}`;
  return [
    { Sid: "ReadCatalogueSource", Effect: "Allow", Action: ["s3:GetObject"], Resource: [objects(partition, source.bucket, source.prefix)] },
    listPrefix("ListCatalogueSource", partition, source.bucket, source.prefix),
    {
      Sid: "ReadManifestWriteOutput",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: [objects(partition, output.bucket, runs)],
    },
    listPrefix("ListCatalogueRuns", partition, output.bucket, runs),
    ...(kmsKeyArn
      ? [{ Sid: "UseCatalogueKey", Effect: "Allow" as const, Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: [kmsKeyArn] }]
      : []),
  ];
}

export function indexReadStatements(output: S3Folder, partition: string, kmsKeyArn?: string): PolicyStatement[] {
  return [
    {
      Sid: "ReadCatalogueIndex",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [
        `arn:${partition}:s3:::${output.bucket}/${output.prefix}latest.json`,
        objects(partition, output.bucket, `${output.prefix}indexes/`),
      ],
    },
    ...(kmsKeyArn ? [{ Sid: "DecryptCatalogueIndex", Effect: "Allow" as const, Action: ["kms:Decrypt"], Resource: [kmsKeyArn] }] : []),
  ];
}
