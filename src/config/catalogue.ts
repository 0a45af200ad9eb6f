/**
 * The `catalogue` section of the stack config: embedding a product catalogue with SageMaker Batch Transform and
 * serving POST /similar from the index (docs/catalogue.md). Absent: no catalogue (no grants; /similar answers 503
 * catalogue_not_configured). Present: `source` names the images; everything else has a default.
 *
 * The job settings (`instance`, concurrency, payload, retries) are also what `npm run catalogue:embed -- ./folder`
 * uses locally, so they parse on their own (catalogueJobSettings) for a config without the section.
 */
import { z } from "zod";
import { parseInstanceType } from "../../common/instance-types";
import { DEFAULT_INSTANCE_TYPE, instanceTypeProblem } from "./instance-types";

const int = (min: number, max: number) =>
  z.number().int("must be an integer").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

/** s3://bucket/prefix/ (the prefix may be empty; a trailing "/" is added when missing). */
const S3_FOLDER = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/?(.*)$/;
const s3Folder = z
  .string()
  .regex(S3_FOLDER, "must be an S3 location such as s3://my-bucket/products/")
  .transform((uri) => parseS3Folder(uri));

/**
 * Families Batch Transform runs (the SageMaker API's TransformInstanceType, client-sagemaker 3.1142.0) that the x86
 * Hugging Face image runs on: Inferentia and Trainium (inf2, trn1) need a Neuron image. A test compares this list
 * with the SDK's.
 */
export const TRANSFORM_INSTANCE_FAMILIES: readonly string[] = [
  "c4",
  "c5",
  "c6i",
  "c7i",
  "m4",
  "m5",
  "m6i",
  "m7i",
  "r6i",
  "r7i",
  "g4dn",
  "g5",
  "g6",
  "g6e",
  "p2",
  "p3",
];

/** Checked like the endpoint's type, then against the families Batch Transform offers. */
export function transformInstanceTypeProblem(instanceType: string): string | undefined {
  const problem = instanceTypeProblem(instanceType);
  if (problem) return problem;
  const family = parseInstanceType(instanceType)!.family;
  if (!TRANSFORM_INSTANCE_FAMILIES.includes(family)) {
    return `Batch Transform does not offer the "${family}" family (transform families: ${TRANSFORM_INSTANCE_FAMILIES.join(", ")})`;
  }
  return undefined;
}

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-\d:\d{12}:key\/[0-9a-f-]{36}$/;

export interface S3Folder {
  readonly bucket: string;
  /** "" or ending in "/". */
  readonly prefix: string;
}

export function parseS3Folder(uri: string): S3Folder {
  const match = S3_FOLDER.exec(uri);
  if (!match) throw new Error(`not an S3 location: ${uri}`);
  const prefix = match[2] === "" || match[2].endsWith("/") ? match[2] : `${match[2]}/`;
  return { bucket: match[1], prefix };
}

export function s3FolderUri(folder: S3Folder): string {
  return `s3://${folder.bucket}/${folder.prefix}`;
}

const jobFields = {
  /** The transform job's instances. Checked like the endpoint's: a typo fails at synth, not after a job starts. */
  instance: z
    .object({
      type: z
        .string()
        .superRefine((t, ctx) => {
          const problem = transformInstanceTypeProblem(t);
          if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
        })
        .default(DEFAULT_INSTANCE_TYPE),
      /** Instances; the images are split between them by key (ShardedByS3Key). */
      count: int(1, 100).default(1),
    })
    .strict()
    .default({}),
  /**
   * MaxConcurrentTransforms: images in flight per instance. The default keeps the default instance's model-server
   * workers (one per vCPU, 4 on ml.c7i.xlarge) busy.
   */
  maxConcurrentTransforms: int(1, 64).default(4),
  /** MaxPayloadInMB: larger images are left out and reported (one such record would fail the whole job). */
  maxPayloadMb: int(1, 100).default(6),
  /** ModelClientConfig.InvocationsTimeoutInSeconds: one image's time in the container. */
  invocationTimeoutSeconds: int(1, 3600).default(600),
  /** ModelClientConfig.InvocationsMaxRetries: retries of an image whose invocation failed (not of a bad image). */
  invocationMaxRetries: int(0, 3).default(3),
};

/** The job settings alone, with their defaults (local runs without a `catalogue` section). */
export const catalogueJobSettings = z.object(jobFields).strict();
export type CatalogueJobSettings = z.output<typeof catalogueJobSettings>;

export const catalogueSection = z
  .object({
    /** The product images: s3://bucket/prefix/. The SageMaker role may read exactly this prefix. */
    source: s3Folder,
    /**
     * Where runs and indexes go (s3://bucket/prefix/). Unset: the stack's own catalogue bucket, prefix catalogue/.
     * The SageMaker role may write below <output>runs/, the function read <output>latest.json and <output>indexes/.
     */
    output: s3Folder.optional(),
    /** The customer-managed KMS key of SSE-KMS encrypted source or output objects; unset: no KMS grants. */
    kmsKeyArn: z.string().regex(KMS_KEY_ARN, "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)").optional(),
    /** Seconds between the function's checks of latest.json (a conditional GET): how soon /similar sees a new index. */
    refreshSeconds: int(0, 3600).default(10),
    ...jobFields,
  })
  .strict()
  .optional();

export type CatalogueSettings = NonNullable<z.output<typeof catalogueSection>>;
