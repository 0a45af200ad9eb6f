/**
 * A least-privilege IAM policy for the person (or CI role) who deploys this stack, generated from the synthesized
 * stack itself: one rule per Terraform resource type says which actions the AWS provider calls to create, read,
 * update and delete it, and on which ARNs (built from the names the stack gives, so the policy grants nothing on
 * resources that are not this stack's). A resource type without a rule is an error, so a new construct cannot ship
 * without its permissions.
 *
 * The account is the IAM policy variable ${aws:PrincipalAccount} (the policy works in whichever account it is
 * attached in, and holds no account ID); the region is the config's, or every region when the config names none.
 */

/** Terraform resource JSON as cdk.tf.json holds it. */
type ResourceJson = Readonly<Record<string, unknown>>;

export interface StackJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, ResourceJson>>>>;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly terraform?: { readonly backend?: Readonly<Record<string, Readonly<Record<string, unknown>>>> };
}

export interface PolicyContext {
  /** Prefix of the stack's names (namePrefix): SageMaker models get fresh names per rollout under it. */
  readonly namePrefix: string;
  /** The deploy region, or undefined for any (the config names none: AWS_REGION or the profile decide). */
  readonly region?: string;
  /** The preflight's read actions (npm run preflight, which plan:review and deploy run first). @default none */
  readonly preflightActions?: readonly string[];
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: string[];
  readonly Resource: string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: PolicyStatement[];
}

const ACCOUNT = "${aws:PrincipalAccount}";

interface Arns {
  readonly partition: string;
  readonly region: string;
  readonly namePrefix: string;
}

interface Grant {
  /** Statement id; grants with the same id are merged. */
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly condition?: PolicyStatement["Condition"];
}

type Rule = (resource: ResourceJson, lookup: Lookup) => Grant[];

/** Resolves a `${aws_x.name.attr}` reference to the ARN pattern the referenced resource's rule gave. */
type Lookup = (reference: unknown) => string;

const BUCKET_READS = [
  "s3:GetBucket*",
  "s3:GetAccelerateConfiguration",
  "s3:GetLifecycleConfiguration",
  "s3:GetReplicationConfiguration",
  "s3:GetEncryptionConfiguration",
  "s3:ListBucket",
  "s3:ListBucketVersions",
];

const bucketSetting =
  (...actions: string[]): Rule =>
  (r, lookup) => [{ sid: "S3Buckets", actions, resources: [lookup(r.bucket)] }];

/** The rules, by Terraform resource type. Exported for the test that every synthesized type has one. */
export function resourceRules(a: Arns): Readonly<Record<string, Rule>> {
  const arn = (service: string, resource: string, region = a.region) => `arn:${a.partition}:${service}:${region}:${ACCOUNT}:${resource}`;
  const apis = [`arn:${a.partition}:apigateway:${a.region}::/apis`, `arn:${a.partition}:apigateway:${a.region}::/apis/*`];
  const apiGateway: Rule = () => [
    {
      sid: "ApiGateway",
      actions: ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"],
      resources: apis,
    },
  ];
  return {
    aws_s3_bucket: (r) => {
      const bucket = `arn:${a.partition}:s3:::${r.bucket !== undefined ? literal(r.bucket) : `${literal(r.bucket_prefix)}*`}`;
      return [
        { sid: "S3Buckets", actions: ["s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketTagging", ...BUCKET_READS], resources: [bucket] },
        // force_destroy empties the bucket (every version) before deleting it.
        { sid: "S3EmptyBucketOnDestroy", actions: ["s3:DeleteObject", "s3:DeleteObjectVersion"], resources: [`${bucket}/*`] },
      ];
    },
    aws_s3_bucket_versioning: bucketSetting("s3:PutBucketVersioning"),
    aws_s3_bucket_lifecycle_configuration: bucketSetting("s3:PutLifecycleConfiguration"),
    aws_s3_bucket_ownership_controls: bucketSetting("s3:PutBucketOwnershipControls"),
    aws_s3_bucket_policy: bucketSetting("s3:PutBucketPolicy", "s3:DeleteBucketPolicy"),
    aws_s3_bucket_public_access_block: bucketSetting("s3:PutBucketPublicAccessBlock"),
    aws_s3_bucket_server_side_encryption_configuration: bucketSetting("s3:PutEncryptionConfiguration"),
    aws_s3_object: (r, lookup) => [
      {
        sid: "S3Objects",
        actions: [
          "s3:PutObject",
          "s3:PutObjectTagging",
          "s3:GetObject",
          "s3:GetObjectVersion",
          "s3:GetObjectTagging",
          "s3:DeleteObject",
          "s3:DeleteObjectVersion",
        ],
        // The key carries the tarball's hash and the revision: every rollout writes a new one under the same folder.
        resources: [`${lookup(r.bucket)}/${literal(r.key).split("/")[0]}/*`],
      },
    ],
    aws_iam_role: (r) => [
      {
        sid: "IamRoles",
        actions: [
          "iam:CreateRole",
          "iam:GetRole",
          "iam:DeleteRole",
          "iam:UpdateRole",
          "iam:UpdateRoleDescription",
          "iam:UpdateAssumeRolePolicy",
          "iam:TagRole",
          "iam:UntagRole",
          "iam:ListRolePolicies",
          "iam:ListAttachedRolePolicies",
          "iam:ListInstanceProfilesForRole",
        ],
        resources: [`arn:${a.partition}:iam::${ACCOUNT}:role/${roleName(r)}`],
      },
      {
        // The roles are handed to the services that assume them (CreateModel, CreateFunction), and to nothing else.
        sid: "PassRolesToTheirServices",
        actions: ["iam:PassRole"],
        resources: [`arn:${a.partition}:iam::${ACCOUNT}:role/${roleName(r)}`],
        condition: { StringEquals: { "iam:PassedToService": trustedServices(r) } },
      },
    ],
    aws_iam_role_policy: (r, lookup) => [
      { sid: "IamRoles", actions: ["iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"], resources: [lookup(r.role)] },
    ],
    aws_lambda_function: (r) => [
      {
        sid: "LambdaFunctions",
        actions: [
          "lambda:CreateFunction",
          "lambda:DeleteFunction",
          "lambda:GetFunction",
          "lambda:GetFunctionConfiguration",
          "lambda:GetFunctionCodeSigningConfig",
          "lambda:GetFunctionConcurrency",
          "lambda:ListVersionsByFunction",
          "lambda:UpdateFunctionCode",
          "lambda:UpdateFunctionConfiguration",
          "lambda:PutFunctionConcurrency",
          "lambda:DeleteFunctionConcurrency",
          "lambda:TagResource",
          "lambda:UntagResource",
          "lambda:ListTags",
        ],
        resources: [arn("lambda", `function:${literal(r.function_name)}`)],
      },
    ],
    aws_lambda_permission: (r, lookup) => [
      {
        sid: "LambdaFunctions",
        actions: ["lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy"],
        resources: [lookup(r.function_name)],
      },
    ],
    aws_cloudwatch_log_group: (r) => {
      // The group and its streams (log-group:<name>:log-stream:...), in one pattern.
      const group = arn("logs", `log-group:${literal(r.name)}*`);
      return [
        {
          sid: "LogGroups",
          actions: [
            "logs:CreateLogGroup",
            "logs:DeleteLogGroup",
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:TagResource",
            "logs:UntagResource",
            "logs:ListTagsForResource",
            "logs:TagLogGroup",
            "logs:ListTagsLogGroup",
          ],
          resources: [group],
        },
        // DescribeLogGroups lists; it is authorised on the account's log groups, not on one.
        { sid: "LogGroupsList", actions: ["logs:DescribeLogGroups"], resources: [arn("logs", "log-group:*")] },
      ];
    },
    aws_apigatewayv2_api: (r) => [
      ...apiGateway(r, () => ""),
      {
        sid: "ApiGatewayTags",
        actions: ["apigateway:POST", "apigateway:DELETE", "apigateway:GET"],
        resources: [`arn:${a.partition}:apigateway:${a.region}::/tags/*`],
      },
    ],
    aws_apigatewayv2_integration: apiGateway,
    aws_apigatewayv2_route: apiGateway,
    aws_apigatewayv2_authorizer: apiGateway,
    aws_apigatewayv2_stage: (r) => [
      ...apiGateway(r, () => ""),
      // Access logging to CloudWatch Logs goes through a log delivery API Gateway creates with the caller's
      // permissions ("Configuring logging for an HTTP API" lists these); none of them has resource-level permissions.
      {
        sid: "ApiAccessLogDelivery",
        actions: [
          "logs:CreateLogDelivery",
          "logs:GetLogDelivery",
          "logs:UpdateLogDelivery",
          "logs:DeleteLogDelivery",
          "logs:ListLogDeliveries",
          "logs:PutResourcePolicy",
          "logs:DescribeResourcePolicies",
        ],
        resources: ["*"],
      },
    ],
    aws_sagemaker_model: () => [
      {
        sid: "SageMaker",
        actions: ["sagemaker:CreateModel", "sagemaker:DescribeModel", "sagemaker:DeleteModel", ...SAGEMAKER_TAGS],
        // Each rollout names a new model <prefix>-<tarball hash>-<revision>; SageMaker ARNs hold names in lower case.
        resources: [arn("sagemaker", `model/${lowerName(a.namePrefix)}-*`)],
      },
    ],
    aws_sagemaker_endpoint_configuration: (r) => [
      {
        sid: "SageMaker",
        actions: [
          "sagemaker:CreateEndpointConfig",
          "sagemaker:DescribeEndpointConfig",
          "sagemaker:DeleteEndpointConfig",
          ...SAGEMAKER_TAGS,
        ],
        resources: [
          arn("sagemaker", `endpoint-config/${lowerName(r.name !== undefined ? literal(r.name) : `${literal(r.name_prefix)}*`)}`),
        ],
      },
    ],
    aws_sagemaker_endpoint: (r) => [
      {
        sid: "SageMaker",
        actions: [
          "sagemaker:CreateEndpoint",
          "sagemaker:DescribeEndpoint",
          "sagemaker:UpdateEndpoint",
          "sagemaker:DeleteEndpoint",
          ...SAGEMAKER_TAGS,
        ],
        resources: [arn("sagemaker", `endpoint/${lowerName(literal(r.name))}`)],
      },
    ],
    aws_appautoscaling_target: (r) => [
      {
        sid: "EndpointAutoscaling",
        actions: [
          "application-autoscaling:RegisterScalableTarget",
          "application-autoscaling:DeregisterScalableTarget",
          "application-autoscaling:DescribeScalableTargets",
          "application-autoscaling:TagResource",
          "application-autoscaling:UntagResource",
          "application-autoscaling:ListTagsForResource",
        ],
        // Scalable targets have generated ARNs; they cannot be named in advance.
        resources: ["*"],
      },
      {
        // Registering a variant checks the caller may change its capacity (SageMaker's autoscaling prerequisites).
        sid: "SageMaker",
        actions: ["sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig", "sagemaker:UpdateEndpointWeightsAndCapacities"],
        resources: [arn("sagemaker", `endpoint/${lowerName(literal(r.resource_id).replace(/^endpoint\/([^/]+)\/.*$/, "$1"))}`)],
      },
      {
        // The first scalable SageMaker variant in an account creates Application Auto Scaling's service-linked role.
        sid: "AutoscalingServiceLinkedRole",
        actions: ["iam:CreateServiceLinkedRole"],
        resources: [`arn:${a.partition}:iam::${ACCOUNT}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/*`],
        condition: { StringEquals: { "iam:AWSServiceName": "sagemaker.application-autoscaling.amazonaws.com" } },
      },
    ],
    aws_appautoscaling_policy: () => [
      {
        sid: "EndpointAutoscaling",
        actions: [
          "application-autoscaling:PutScalingPolicy",
          "application-autoscaling:DeleteScalingPolicy",
          "application-autoscaling:DescribeScalingPolicies",
        ],
        resources: ["*"],
      },
      {
        // Target tracking creates and deletes its own alarms, in the caller's name.
        sid: "Alarms",
        actions: ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms"],
        resources: [arn("cloudwatch", "alarm:TargetTracking-*")],
      },
    ],
    aws_cloudwatch_metric_alarm: () => [
      {
        sid: "Alarms",
        actions: [
          "cloudwatch:PutMetricAlarm",
          "cloudwatch:DeleteAlarms",
          "cloudwatch:DescribeAlarms",
          "cloudwatch:TagResource",
          "cloudwatch:UntagResource",
          "cloudwatch:ListTagsForResource",
        ],
        // The stack's alarms all start with its prefix (<prefix>-<what>); one pattern keeps the policy within IAM's size.
        resources: [arn("cloudwatch", `alarm:${a.namePrefix}-*`)],
      },
    ],
    aws_cloudwatch_dashboard: (r) => [
      {
        sid: "Dashboard",
        actions: ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"],
        resources: [`arn:${a.partition}:cloudwatch::${ACCOUNT}:dashboard/${literal(r.dashboard_name)}`],
      },
    ],
    aws_sns_topic: (r) => [
      {
        sid: "AlarmTopic",
        actions: [
          "sns:CreateTopic",
          "sns:DeleteTopic",
          "sns:GetTopicAttributes",
          "sns:SetTopicAttributes",
          "sns:TagResource",
          "sns:UntagResource",
          "sns:ListTagsForResource",
        ],
        resources: [arn("sns", literal(r.name))],
      },
    ],
    aws_sns_topic_policy: (r, lookup) => [
      { sid: "AlarmTopic", actions: ["sns:GetTopicAttributes", "sns:SetTopicAttributes"], resources: [lookup(r.arn)] },
    ],
    aws_sns_topic_subscription: (r, lookup) => [
      {
        sid: "AlarmTopic",
        actions: ["sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes"],
        resources: [lookup(r.topic_arn), `${lookup(r.topic_arn)}:*`],
      },
    ],
    aws_kms_key: () => [
      // CreateKey has no resource to name; the key's ID is generated.
      { sid: "AlarmTopicKeyCreate", actions: ["kms:CreateKey"], resources: ["*"] },
      {
        sid: "AlarmTopicKey",
        actions: [
          "kms:DescribeKey",
          "kms:GetKeyPolicy",
          "kms:PutKeyPolicy",
          "kms:GetKeyRotationStatus",
          "kms:EnableKeyRotation",
          "kms:ListResourceTags",
          "kms:TagResource",
          "kms:UntagResource",
          "kms:UpdateKeyDescription",
          "kms:ScheduleKeyDeletion",
        ],
        resources: [arn("kms", "key/*")],
      },
    ],
    // Terraform's own bookkeeping (the model revision marker): no AWS call.
    terraform_data: () => [],
  };
}

const SAGEMAKER_TAGS = ["sagemaker:AddTags", "sagemaker:ListTags", "sagemaker:DeleteTags"];

/** Data sources and what they call. */
const DATA_SOURCE_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  aws_caller_identity: ["sts:GetCallerIdentity"],
  // Answered from the provider's configuration and its own tables: no AWS call.
  aws_partition: [],
  aws_region: [],
  aws_sagemaker_prebuilt_ecr_image: [],
};

/** Terraform interpolations (`${...}`) become `*`: the part of a name only known at plan time. */
export function literal(value: unknown): string {
  if (typeof value !== "string") throw new Error(`expected a name, got ${JSON.stringify(value)}`);
  return value.replace(/\$\{[^}]*\}/g, "*");
}

function lowerName(name: string): string {
  return name.toLowerCase();
}

function roleName(r: ResourceJson): string {
  return r.name !== undefined ? literal(r.name) : `${literal(r.name_prefix)}*`;
}

function trustedServices(r: ResourceJson): string[] {
  const policy = JSON.parse(String(r.assume_role_policy)) as { Statement: { Principal?: { Service?: string | string[] } }[] };
  return policy.Statement.flatMap((s) => [s.Principal?.Service ?? []].flat()).sort();
}

/** The partition AWS uses for a region (aws-cn for China, aws-us-gov for GovCloud, else aws). */
export function partitionOf(region: string | undefined): string {
  if (region?.startsWith("cn-")) return "aws-cn";
  if (region?.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

export class UncoveredResourceTypes extends Error {}

export function deployerPolicy(stack: StackJson, context: PolicyContext): PolicyDocument {
  const arns: Arns = { partition: partitionOf(context.region), region: context.region ?? "*", namePrefix: context.namePrefix };
  const rules = resourceRules(arns);
  const resources = stack.resource ?? {};
  const uncovered = [
    ...Object.keys(resources).filter((type) => !(type in rules)),
    ...Object.keys(stack.data ?? {}).filter((type) => !(type in DATA_SOURCE_ACTIONS)),
  ];
  if (uncovered.length > 0) {
    throw new UncoveredResourceTypes(`no deployer permissions known for ${uncovered.join(", ")} (tools/deploy/deployer-policy.ts)`);
  }

  // Each resource's own ARN pattern, for the resources that refer to it.
  const own = new Map<string, string>();
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, resource] of Object.entries(byName)) {
      const grants = rules[type](resource, () => "*");
      const first = grants.find((g) => g.resources.length > 0 && g.resources[0] !== "*");
      if (first) own.set(`${type}.${name}`, first.resources[0]);
    }
  }
  const lookup: Lookup = (reference) => {
    const match = /^\$\{([a-z0-9_]+\.[^.}]+)\.[a-z_]+\}$/.exec(String(reference));
    const target = match ? own.get(match[1]) : undefined;
    if (!target) throw new Error(`cannot resolve ${JSON.stringify(reference)} to a resource of the stack`);
    return target;
  };

  const grants: Grant[] = [];
  for (const [type, byName] of Object.entries(resources)) {
    for (const resource of Object.values(byName)) grants.push(...rules[type](resource, lookup));
  }
  // Reads without a resource to name: the data sources', and the preflight's across the account (quotas, other
  // endpoints, name collisions: npm run preflight, which plan:review and deploy run first).
  const reads = [...Object.keys(stack.data ?? {}).flatMap((type) => DATA_SOURCE_ACTIONS[type]), ...(context.preflightActions ?? [])];
  if (reads.length > 0) grants.push({ sid: "ReadAccount", actions: reads, resources: ["*"] });
  grants.push(...backendGrants(stack, arns.partition));
  return { Version: "2012-10-17", Statement: mergeGrants(grants) };
}

function backendGrants(stack: StackJson, partition: string): Grant[] {
  const s3 = stack.terraform?.backend?.s3;
  if (!s3) return [];
  const bucket = `arn:${partition}:s3:::${String(s3.bucket)}`;
  const key = `${bucket}/${String(s3.key)}`;
  return [
    { sid: "StateBucket", actions: ["s3:ListBucket"], resources: [bucket] },
    // The state object and, with S3-native locking, its lock file beside it.
    { sid: "StateObjects", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [key, `${key}.tflock`] },
  ];
}

/** One statement per Sid (and condition), actions and resources de-duplicated and sorted. */
function mergeGrants(grants: readonly Grant[]): PolicyStatement[] {
  const merged = new Map<string, { actions: Set<string>; resources: Set<string>; condition?: PolicyStatement["Condition"] }>();
  for (const grant of grants) {
    const key = `${grant.sid}|${JSON.stringify(grant.condition ?? null)}`;
    const entry = merged.get(key) ?? { actions: new Set(), resources: new Set(), condition: grant.condition };
    grant.actions.forEach((action) => entry.actions.add(action));
    grant.resources.forEach((resource) => entry.resources.add(resource));
    merged.set(key, entry);
  }
  const sids = new Map<string, number>();
  return [...merged.entries()].map(([key, entry]) => {
    const base = key.split("|")[0];
    const seen = (sids.get(base) ?? 0) + 1;
    sids.set(base, seen);
    return {
      Sid: seen === 1 ? base : `${base}${seen}`,
      Effect: "Allow" as const,
      Action: [...entry.actions].sort(),
      Resource: entry.resources.has("*") ? ["*"] : [...entry.resources].sort(),
      ...(entry.condition ? { Condition: entry.condition } : {}),
    };
  });
}

/** IAM's limit on a customer managed policy: 6,144 characters, whitespace not counted. */
export const MANAGED_POLICY_MAX_CHARS = 6144;

export function policySize(policy: PolicyDocument): number {
  return JSON.stringify(policy).replace(/\s/g, "").length;
}

/**
 * The policy as few documents as fit IAM's managed-policy size (statements kept whole, in order): a stack with
 * every option on (autoscaling, e-mail alarms with their key, JWT, a state bucket) needs two.
 */
export function splitPolicy(policy: PolicyDocument, maxChars = MANAGED_POLICY_MAX_CHARS): PolicyDocument[] {
  const documents: PolicyDocument[] = [];
  let current: PolicyStatement[] = [];
  for (const statement of policy.Statement) {
    const candidate: PolicyDocument = { Version: policy.Version, Statement: [...current, statement] };
    if (current.length > 0 && policySize(candidate) > maxChars) {
      documents.push({ Version: policy.Version, Statement: current });
      current = [statement];
    } else current = candidate.Statement;
  }
  if (current.length > 0) documents.push({ Version: policy.Version, Statement: current });
  return documents;
}
