/**
 * The stack config's schema: one zod object per section, so adding a section (e.g. `alarms`) is a
 * local change — write its schema here and add it to `configSections`. Objects are `.strict()`, so a
 * misspelt key is an error rather than a silently ignored setting. Cross-section rules live in
 * `crossSectionProblems` and are reported together with the per-field problems.
 */
import { z } from "zod";
import {
  DEFAULT_IMAGE_REPOSITORY,
  DEFAULT_IMAGE_TAG,
  DEFAULT_LAMBDA_TIMEOUT_SECONDS,
  ENDPOINT_NAME_MAX_LENGTH,
  ENDPOINT_NAME_PATTERN,
  MAX_LAMBDA_TIMEOUT_SECONDS,
} from "../../common/facts";
import { extraEnvironmentProblem } from "./extra-environment";
import { DEFAULT_INSTANCE_TYPE, instanceTypeProblem } from "./instance-types";
import { alarmsSection } from "./alarms";
import { catalogueSection } from "./catalogue";
import { corsSection } from "./cors";
import { defaultNamePrefix } from "./defaults";
import { servingSection } from "./serving-settings";

/** Values CloudWatch Logs accepts for `retention_in_days`. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const retentionDays = z.number().refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
  message: `must be one of CloudWatch's retention values (${LOG_RETENTION_DAYS.join(", ")})`,
});

const int = (min: number, max: number) =>
  z.number().int("must be an integer").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

const endpointName = z
  .string()
  .max(ENDPOINT_NAME_MAX_LENGTH, "must be 1-63 letters, digits and hyphens, not starting or ending with a hyphen")
  .regex(ENDPOINT_NAME_PATTERN, "must be 1-63 letters, digits and hyphens, not starting or ending with a hyphen");

const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as eu-west-1");

/**
 * Prefix of every resource name. Lower case because S3 bucket prefixes must be; 24 characters at
 * most so that `<prefix>-model-<hash>` style names stay inside SageMaker's and S3's 63-character limits, and
 * `<prefix>-<region>-sagemaker` inside IAM's 64 (common/facts.ts, accountWideNames).
 */
export const NAME_PREFIX_PATTERN = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$/;
const NAME_PREFIX_RULE = "2-24 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen";
const namePrefix = z.string().regex(NAME_PREFIX_PATTERN, `must be ${NAME_PREFIX_RULE}`);

/** A setting that moved: any value is an error naming its new place (a silent alias would leave two names). */
const movedTo = (newPath: string) => z.undefined({ invalid_type_error: `moved to ${newPath}` }).optional();

/**
 * A model id on the Hugging Face Hub, by the Hub's own rule (huggingface_hub's validate_repo_id): `name` or
 * `namespace/name`, letters, digits, `_`, `-`, `.`, not starting or ending with `-` or `.`, no `--` or `..`.
 */
const hubModelId = z
  .string()
  .regex(/^(?:\w(?:[\w.-]*\w)?\/)?\w(?:[\w.-]{0,94}\w)?$/, "must be a Hugging Face model id such as google/vit-base-patch16-384")
  .refine((id) => !id.includes("--") && !id.includes("..") && !id.endsWith(".git"), {
    message: 'must be a Hugging Face model id (no "--", "..", or ".git" ending)',
  });

export const huggingFaceModelSection = z
  .object({
    /** The model on the Hub, e.g. google/vit-base-patch16-384: an image classifier with safetensors weights. */
    id: hubModelId,
    /**
     * The commit to deploy, as its full 40-character sha: a branch such as main moves, so the deployed model would
     * change with whoever pushes to it. `npm run model:package -- <id>` prints the sha main points to.
     */
    revision: z
      .string()
      .regex(
        /^[0-9a-f]{40}$/,
        "must be a full commit sha (40 hex characters), not a branch or tag: `npm run model:package -- <id>` prints the one main points to",
      ),
  })
  .strict();

export const modelArtifactSection = z
  .object({
    /** Path of your own model.tar.gz (relative to the config file). Unset (and no huggingFace): the demo model's. */
    path: z.string().min(1).optional(),
    /**
     * A model on the Hugging Face Hub at a pinned commit, packaged into model/.cache/huggingface/ by
     * `npm run model:package -- <id> --revision <sha>` (`npm run synth` runs it first). Not with `path`.
     */
    huggingFace: huggingFaceModelSection.optional(),
    /** Let `destroy` delete the bucket with its object versions (the tarball is rebuilt from the repo). */
    forceDestroyBucket: z.boolean().default(true),
    /** Days S3 keeps superseded tarball versions before deleting them. */
    noncurrentVersionExpirationDays: int(1, 3650).default(30),
  })
  .strict();

export const modelSection = z
  .object({
    imageRepository: z.string().min(1).default(DEFAULT_IMAGE_REPOSITORY),
    imageTag: z.string().min(1).default(DEFAULT_IMAGE_TAG),
    /** Unset: on for real-time endpoints, off for serverless (which does not support it). */
    networkIsolation: z.boolean().optional(),
    /**
     * The container's settings (dtype, workers, threads, image limits, ...): model/code/serving_settings.json, the
     * table the container reads too. Unset ones are not written and keep the container's defaults; `workers` unset
     * is 1 for serverless and the model server's default (one per vCPU) for real-time.
     */
    serving: servingSection.default({}),
    serverWorkers: movedTo("model.serving.workers"),
    containerLogLevel: movedTo("model.serving.logLevel"),
    /** Extra container environment variables: only ones the project does not know (extra-environment.ts). */
    environment: z
      .record(z.string())
      .superRefine((env, ctx) => {
        for (const key of Object.keys(env)) {
          const problem = extraEnvironmentProblem(key);
          if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: problem });
        }
      })
      .default({}),
  })
  .strict();

export const instanceSection = z
  .object({
    type: z
      .string()
      .superRefine((t, ctx) => {
        const problem = instanceTypeProblem(t);
        if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
      })
      .default(DEFAULT_INSTANCE_TYPE),
    count: int(1, 100).default(1),
    /** Seconds SageMaker waits for /ping to pass on a new instance (model download + load). */
    startupHealthCheckTimeoutSeconds: int(60, 3600).default(600),
  })
  .strict();

export const serverlessSection = z
  .object({
    memorySizeMb: z
      .number()
      .refine((m) => [1024, 2048, 3072, 4096, 5120, 6144].includes(m), "must be 1024, 2048, 3072, 4096, 5120 or 6144")
      .default(4096),
    maxConcurrency: int(1, 200).default(5),
    /**
     * Instances SageMaker keeps warm (billed while idle). Unset: none, so the first requests after an idle spell
     * wait for a cold start, which can take minutes: longer than API Gateway's 30 s, so they get a 504.
     */
    provisionedConcurrency: int(1, 200).optional(),
  })
  .strict();

export const endpointSection = z
  .object({
    name: endpointName.optional(),
    variantName: endpointName.default("AllTraffic"),
    /** Real-time variant; the default when neither `instance` nor `serverless` is set. */
    instance: instanceSection.optional(),
    serverless: serverlessSection.optional(),
    logRetentionDays: retentionDays.default(30),
  })
  .strict();

export const autoscalingSection = z
  .object({
    enabled: z.boolean().default(false),
    minInstances: int(1, 100).default(1),
    maxInstances: int(1, 100).default(4),
    /**
     * SageMakerVariantInvocationsPerInstance target (invocations per instance per minute). The default keeps one
     * ml.c7i.xlarge (~6.4 images/s, ~386 a minute: `npm run cost`) at about 65 % busy, so a new instance starts
     * before requests queue. Sized with the API throttling below (__tests__/tools/cost/default-sizing.test.ts).
     */
    targetInvocationsPerInstance: int(1, 100000).default(250),
    scaleInCooldownSeconds: int(0, 3600).default(300),
    scaleOutCooldownSeconds: int(0, 3600).default(60),
  })
  .strict();

export const lambdaSection = z
  .object({
    architecture: z.enum(["arm64", "x86_64"]).default("arm64"),
    memoryMb: int(128, 10240).default(512),
    /** Must stay below API Gateway HTTP API's 30 s integration limit. */
    timeoutSeconds: int(5, MAX_LAMBDA_TIMEOUT_SECONDS).default(DEFAULT_LAMBDA_TIMEOUT_SECONDS),
    /**
     * Reserved concurrency (caps parallel endpoint calls and protects the account's other functions); null = none.
     * Off by default: Lambda refuses a reservation that leaves fewer than 100 unreserved executions, and new accounts
     * often have a quota of 10 or 50 in all.
     */
    reservedConcurrency: int(1, 10000).nullable().default(null),
    logRetentionDays: retentionDays.default(30),
    logLevel: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
  })
  .strict();

export const apiSection = z
  .object({
    /**
     * Stage-wide steady-state requests per second. Requests beyond what the endpoint serves would queue in the model
     * server until they time out (504 after ~25 s, the function billed all along); the stage answers them 429 at
     * once instead. The default is sized for the default fleet: one ml.c7i.xlarge serves ~6.4 images/s. Raise it
     * with the instance count (`npm run cost` checks the two against each other).
     */
    throttlingRateLimit: z.number().positive("must be greater than 0").max(10000, "must be at most 10000").default(5),
    /** Stage-wide burst (token bucket size): 10 requests drain from the default instance in under 2 s. */
    throttlingBurstLimit: int(1, 5000).default(10),
    logRetentionDays: retentionDays.default(30),
    /** Browser pages on other origins that may call the API (cors.ts). Unset: none (no CORS headers at all). */
    cors: corsSection.optional(),
  })
  .strict();

export const authSection = z
  .object({
    mode: z.enum(["none", "iam", "jwt"]).default("none"),
    /** jwt mode: token issuer URL, e.g. https://cognito-idp.<region>.amazonaws.com/<pool-id>. */
    jwtIssuer: z.string().url("must be an https URL").startsWith("https://", "must be an https URL").optional(),
    /** jwt mode: accepted `aud` (or Cognito `client_id`) values. */
    jwtAudience: z.array(z.string().min(1)).optional(),
    /** jwt mode: optional OAuth scopes a token must carry. */
    jwtScopes: z.array(z.string().min(1)).optional(),
  })
  .strict();

export const backendSection = z
  .object({
    bucket: z.string().min(3),
    /** State object key. Unset: `<stackName>/terraform.tfstate`, so two stacks can share one state bucket. */
    key: z.string().min(1).optional(),
    region: awsRegion,
    encrypt: z.boolean().default(true),
    /** S3-native state locking (Terraform >= 1.10), no DynamoDB table needed. */
    useLockfile: z.boolean().default(true),
  })
  .strict();

/**
 * Every top-level setting and section with its schema. Each is parsed on its own, so one bad section
 * never hides the problems of another; a top-level key not listed here is reported as unknown.
 */
export const configSections = {
  /**
   * Name of the cdktf stack: the folder under cdktf.out/stacks/, the local state file terraform.<stackName>.tfstate
   * and, unless namePrefix says otherwise, the start of every resource name. One stackName per deployment.
   */
  stackName: z
    .string()
    .regex(/^[a-zA-Z][a-zA-Z0-9-]*$/, "must be letters, digits and hyphens")
    .default("vit-classifier"),
  /** Prefix of every resource name. Unset: the stackName in lower case (derived.ts). */
  namePrefix: namePrefix.optional(),
  /** Provider region; unset = Terraform's usual AWS_REGION / profile resolution at plan time. */
  region: awsRegion.optional(),
  /** Provider default_tags, merged over {project: <namePrefix>, managed-by: cdktf}. */
  tags: z.record(z.string()).default({}),
  modelArtifact: modelArtifactSection.default({}),
  model: modelSection.default({}),
  endpoint: endpointSection.default({}),
  autoscaling: autoscalingSection.default({}),
  lambda: lambdaSection.default({}),
  api: apiSection.default({}),
  auth: authSection.default({}),
  /** CloudWatch alarms, notifications and dashboard (defaults inside; see docs/operations.md). */
  alarms: alarmsSection,
  /** Remote state in S3; unset = local state. */
  backend: backendSection.optional(),
  /** Catalogue embedding (Batch Transform) and POST /similar; unset = none (see src/config/catalogue.ts). */
  catalogue: catalogueSection,
};

type Sections = typeof configSections;
export type ConfigInput = { [K in keyof Sections]?: z.input<Sections[K]> };
export type ParsedConfig = { [K in keyof Sections]: z.output<Sections[K]> };

/** A problem found in a config: dotted path of the setting plus what is wrong with it. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Rules spanning fields or sections. Presence rules read the raw input (so they are reported even
 * when the same section has other problems); numeric comparisons use the parsed section when it parsed.
 */
export function crossSectionProblems(raw: RawConfig, parsed: Partial<ParsedConfig>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const artifact = asRecord(raw.modelArtifact);
  if (artifact.path !== undefined && artifact.huggingFace !== undefined) {
    problems.push({
      path: "modelArtifact",
      message: 'set either "path" (a model.tar.gz you built) or "huggingFace" (a model on the Hub), not both',
    });
  }
  const endpoint = asRecord(raw.endpoint);
  const model = asRecord(raw.model);
  const autoscaling = asRecord(raw.autoscaling);
  const auth = asRecord(raw.auth);
  const serverless = endpoint.serverless !== undefined;
  if (serverless && endpoint.instance !== undefined) {
    problems.push({ path: "endpoint", message: 'set either "instance" (real-time) or "serverless", not both' });
  }
  if (serverless && model.networkIsolation === true) {
    problems.push({ path: "model.networkIsolation", message: "serverless endpoints do not support network isolation" });
  }
  if (serverless && autoscaling.enabled === true) {
    problems.push({
      path: "autoscaling.enabled",
      message: "autoscaling applies to real-time instances; serverless scales by itself (use endpoint.serverless.maxConcurrency)",
    });
  }
  const scaling = parsed.autoscaling;
  if (scaling && scaling.minInstances > scaling.maxInstances) {
    problems.push({
      path: "autoscaling",
      message: `minInstances (${scaling.minInstances}) is greater than maxInstances (${scaling.maxInstances})`,
    });
  }
  const instanceCount = parsed.endpoint?.instance?.count;
  if (scaling?.enabled && instanceCount !== undefined && instanceCount > scaling.maxInstances) {
    problems.push({
      path: "endpoint.instance.count",
      message: `${instanceCount} is above autoscaling.maxInstances (${scaling.maxInstances}): the scaling policy would remove the extra instances`,
    });
  }
  const provisioned = parsed.endpoint?.serverless?.provisionedConcurrency;
  const maxConcurrency = parsed.endpoint?.serverless?.maxConcurrency;
  if (provisioned !== undefined && maxConcurrency !== undefined && provisioned > maxConcurrency) {
    problems.push({ path: "endpoint.serverless.provisionedConcurrency", message: `must be at most maxConcurrency (${maxConcurrency})` });
  }
  const api = parsed.api;
  if (api && api.throttlingBurstLimit < api.throttlingRateLimit) {
    problems.push({ path: "api.throttlingBurstLimit", message: `must be at least throttlingRateLimit (${api.throttlingRateLimit})` });
  }
  if (raw.namePrefix === undefined && parsed.stackName !== undefined && !NAME_PREFIX_PATTERN.test(defaultNamePrefix(parsed.stackName))) {
    problems.push({
      path: "namePrefix",
      message: `not set, and stackName "${parsed.stackName}" cannot serve as the name prefix (${NAME_PREFIX_RULE}): set namePrefix`,
    });
  }
  const mode = auth.mode ?? "none";
  if (mode === "jwt") {
    if (auth.jwtIssuer === undefined) problems.push({ path: "auth.jwtIssuer", message: 'required when auth.mode is "jwt"' });
    if (!Array.isArray(auth.jwtAudience) || auth.jwtAudience.length === 0) {
      problems.push({ path: "auth.jwtAudience", message: 'required (at least one value) when auth.mode is "jwt"' });
    }
  } else if (mode === "none" || mode === "iam") {
    for (const key of ["jwtIssuer", "jwtAudience", "jwtScopes"]) {
      if (auth[key] !== undefined)
        problems.push({ path: `auth.${key}`, message: `only applies when auth.mode is "jwt" (it is "${mode}")` });
    }
  }
  return problems;
}

/** The config as read from JSON, before validation. */
export type RawConfig = Record<string, unknown>;

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
