/**
 * Catalogue: what the stack provides for embedding a catalogue with Batch Transform and searching it (docs/catalogue.md).
 *
 * Creates: the output location (the stack's CatalogueBucket unless `catalogue.output` names one), the pointer
 * `latest.json` saying "no index yet" (so the function tells "not built yet" from "not allowed to read"; the catalogue
 * runner moves it later, which Terraform ignores), and the SageMaker execution role's grants for transform jobs: read
 * the source prefix, read and write below <output>runs/, nothing wider. The function's read grant on the index comes
 * from `indexReadStatements` (InferenceFunction attaches it to its own role).
 */
import { Construct } from "constructs";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { CATALOGUE_INDEX_FORMAT, CATALOGUE_INDEX_VERSION, CataloguePointer, POINTER_KEY } from "../../common/catalogue-index";
import { S3Folder, s3FolderUri } from "../config/catalogue";
import { indexReadStatements, transformJobStatements } from "../support/catalogue-policies";
import type { PolicyStatement } from "../support/iam-policy";
import { policyDocument } from "../support/iam-policy";
import { CatalogueBucket } from "./catalogue-bucket";

export interface CatalogueProps {
  /** catalogue.source: the images. */
  readonly source: S3Folder;
  /** catalogue.output; undefined: the stack's own bucket. */
  readonly output?: S3Folder;
  /** catalogue.kmsKeyArn: the key of SSE-KMS source or output objects. @default none */
  readonly kmsKeyArn?: string;
  readonly namePrefix: string;
  /** Let destroy delete the stack's catalogue bucket with its indexes. */
  readonly forceDestroy: boolean;
  /** The SageMaker execution role (SagemakerExecutionRole.role.id): transform jobs run as the model's role. */
  readonly executionRoleId: string;
  readonly partition: string;
}

export class Catalogue extends Construct {
  public readonly bucket?: CatalogueBucket;
  /** Where runs and indexes go. */
  public readonly output: S3Folder;
  /** s3://bucket/prefix/ of the output (CATALOGUE_INDEX_URI). */
  public readonly outputUri: string;
  public readonly sourceUri: string;
  public readonly pointer: S3Object;
  public readonly transformPolicy: IamRolePolicy;
  /** What the function needs to read the index. */
  public readonly indexReadStatements: PolicyStatement[];

  constructor(scope: Construct, id: string, props: CatalogueProps) {
    super(scope, id);
    if (!props.output)
      this.bucket = new CatalogueBucket(this, "bucket", { namePrefix: props.namePrefix, forceDestroy: props.forceDestroy });
    this.output = props.output ?? this.bucket!.folder;
    this.outputUri = s3FolderUri(this.output);
    this.sourceUri = s3FolderUri(props.source);

    const empty: CataloguePointer = { format: CATALOGUE_INDEX_FORMAT, version: CATALOGUE_INDEX_VERSION, index: null };
    this.pointer = new S3Object(this, "pointer", {
      bucket: this.output.bucket,
      key: `${this.output.prefix}${POINTER_KEY}`,
      content: `${JSON.stringify(empty)}\n`,
      contentType: "application/json",
      // Written once at deploy; from then on the catalogue runner moves it.
      lifecycle: { ignoreChanges: "all" },
    });

    this.transformPolicy = new IamRolePolicy(this, "transform-grants", {
      name: "catalogue-transform-jobs",
      role: props.executionRoleId,
      policy: policyDocument(transformJobStatements(props.source, this.output, props.partition, props.kmsKeyArn)),
    });
    this.indexReadStatements = indexReadStatements(this.output, props.partition, props.kmsKeyArn);
  }
}
