/**
 * A fake AWS account for the preflight's unit tests: what exists in it (quotas, endpoints, named resources, the
 * state bucket) as plain data, served through aws-sdk-client-mock on every client class the preflight uses. Each
 * test writes the account it needs and reads the lines the preflight prints about it.
 */
import { mockClient } from "aws-sdk-client-mock";
import { CloudWatchClient, DescribeAlarmsCommand, ListDashboardsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { GetBucketVersioningCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  DescribeEndpointCommand,
  DescribeEndpointCommandOutput,
  DescribeEndpointConfigCommand,
  DescribeEndpointConfigCommandOutput,
  ListEndpointsCommand,
  SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  ListAWSDefaultServiceQuotasCommand,
  ServiceQuotasClient,
} from "@aws-sdk/client-service-quotas";
import { GetTopicAttributesCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { EXAMPLE_ACCOUNT_ID } from "../../example-account";

/** An AWS SDK error as the clients throw them: a name and the HTTP status. */
export function awsError(name: string, httpStatusCode = 400, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode } });
}

export interface FakeQuota {
  readonly service: string;
  readonly name: string;
  readonly code: string;
  readonly defaultValue: number;
  /** Unset: nothing ever requested (GetServiceQuota answers NoSuchResource). */
  readonly applied?: number;
}

export interface FakeEndpoint {
  readonly describe: Partial<DescribeEndpointCommandOutput> & { EndpointName: string };
  readonly config?: Partial<DescribeEndpointConfigCommandOutput>;
}

export interface FakeAccount {
  readonly account: string;
  /** The caller GetCallerIdentity names (its partition is the preflight's). */
  arn: string;
  /** Thrown by GetCallerIdentity (no credentials). */
  identityError?: Error;
  quotas: FakeQuota[];
  /** Thrown by every Service Quotas call. */
  quotasError?: Error;
  endpoints: FakeEndpoint[];
  /** Thrown by every SageMaker call. */
  sagemakerError?: Error;
  lambdaSettings: { ConcurrentExecutions: number; UnreservedConcurrentExecutions: number };
  /** Reserved concurrency by function name (a function listed here exists). */
  functions: Record<string, number | undefined>;
  roles: string[];
  logGroups: string[];
  dashboards: string[];
  alarms: string[];
  /** SNS topics by name, in this account (GetTopicAttributes finds them by their ARN). */
  topics: string[];
  /** Thrown by the named-resource lookups of one service ("iam", "logs", ...). */
  lookupErrors: Partial<Record<"iam" | "lambda" | "logs" | "cloudwatch" | "sns", Error>>;
  /** S3: buckets by name, with their objects (key -> body) and versioning. */
  buckets: Record<string, { objects: Record<string, string>; versioning?: "Enabled" | "Suspended"; error?: Error }>;
}

export function emptyAccount(): FakeAccount {
  return {
    account: EXAMPLE_ACCOUNT_ID,
    arn: `arn:aws:iam::${EXAMPLE_ACCOUNT_ID}:user/alice`,
    quotas: [],
    endpoints: [],
    lambdaSettings: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 },
    functions: {},
    roles: [],
    logGroups: [],
    dashboards: [],
    alarms: [],
    topics: [],
    lookupErrors: {},
    buckets: {},
  };
}

/** SageMaker's quotas as Service Quotas lists them (codes made up, values as a new account might have them). */
export function sagemakerQuotas(
  values: { instanceType?: Record<string, number | undefined>; applied?: Record<string, number> } = {},
): FakeQuota[] {
  const instanceTypes = values.instanceType ?? { "ml.c7i.xlarge": undefined, "ml.m5.xlarge": undefined };
  const quotas: FakeQuota[] = Object.entries(instanceTypes).map(([type, applied], i) => ({
    service: "sagemaker",
    name: `${type} for endpoint usage`,
    code: `L-${String(1000 + i).padStart(8, "0")}`,
    defaultValue: 0,
    applied,
  }));
  const shared: [string, string, number][] = [
    ["Number of instances across active endpoints", "L-00000001", 20],
    ["Maximum number of instances per endpoint", "L-00000002", 10],
    ["Maximum number of serverless endpoints", "L-00000003", 5],
    ["Maximum total concurrency that can be allocated across all serverless endpoints", "L-00000004", 10],
    ["ml.c7i.xlarge for transform job usage", "L-00000005", 0],
  ];
  for (const [name, code, defaultValue] of shared)
    quotas.push({ service: "sagemaker", name, code, defaultValue, applied: values.applied?.[name] });
  quotas.push({ service: "lambda", name: "Concurrent executions", code: "L-0000C0C0", defaultValue: 1000 });
  return quotas;
}

/** A real-time endpoint holding `count` instances of `type` (current = desired). */
export function realtimeEndpoint(name: string, type: string, count: number): FakeEndpoint {
  return {
    describe: {
      EndpointName: name,
      EndpointStatus: "InService",
      EndpointConfigName: `${name}-config`,
      ProductionVariants: [{ VariantName: "AllTraffic", CurrentInstanceCount: count, DesiredInstanceCount: count }],
    },
    config: { ProductionVariants: [{ VariantName: "AllTraffic", InstanceType: type as never, InitialInstanceCount: count }] },
  };
}

export function serverlessEndpoint(name: string, maxConcurrency: number): FakeEndpoint {
  return {
    describe: {
      EndpointName: name,
      EndpointStatus: "InService",
      EndpointConfigName: `${name}-config`,
      ProductionVariants: [
        { VariantName: "AllTraffic", CurrentServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: maxConcurrency } },
      ],
    },
    config: {
      ProductionVariants: [{ VariantName: "AllTraffic", ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: maxConcurrency } }],
    },
  };
}

/** Serves `account` on every client class until the returned `restore()`; the mocks record every call. */
export function mockAccount(account: FakeAccount) {
  const sts = mockClient(STSClient);
  const quotas = mockClient(ServiceQuotasClient);
  const sagemaker = mockClient(SageMakerClient);
  const lambda = mockClient(LambdaClient);
  const iam = mockClient(IAMClient);
  const logs = mockClient(CloudWatchLogsClient);
  const cloudwatch = mockClient(CloudWatchClient);
  const s3 = mockClient(S3Client);
  const sns = mockClient(SNSClient);
  const orThrow = <T>(error: Error | undefined, answer: () => T): T => {
    if (error) throw error;
    return answer();
  };

  sts
    .on(GetCallerIdentityCommand)
    .callsFake(() => orThrow(account.identityError, () => ({ Account: account.account, Arn: account.arn, UserId: "AIDEXAMPLE" })));

  const quota = (service: string, code: string) => account.quotas.find((q) => q.service === service && q.code === code);
  const asQuota = (q: FakeQuota, value: number) => ({ ServiceCode: q.service, QuotaCode: q.code, QuotaName: q.name, Value: value });
  quotas.on(ListAWSDefaultServiceQuotasCommand).callsFake((input) =>
    orThrow(account.quotasError, () => {
      // Two pages, so the paginator is exercised.
      const all = account.quotas.filter((q) => q.service === input.ServiceCode).map((q) => asQuota(q, q.defaultValue));
      const half = Math.ceil(all.length / 2);
      return input.NextToken
        ? { Quotas: all.slice(half) }
        : { Quotas: all.slice(0, half), NextToken: all.length > half ? "page-2" : undefined };
    }),
  );
  quotas.on(GetServiceQuotaCommand).callsFake((input) =>
    orThrow(account.quotasError, () => {
      const q = quota(input.ServiceCode, input.QuotaCode);
      if (!q || q.applied === undefined) throw awsError("NoSuchResourceException");
      return { Quota: asQuota(q, q.applied) };
    }),
  );
  quotas.on(GetAWSDefaultServiceQuotaCommand).callsFake((input) =>
    orThrow(account.quotasError, () => {
      const q = quota(input.ServiceCode, input.QuotaCode);
      if (!q) throw awsError("NoSuchResourceException");
      return { Quota: asQuota(q, q.defaultValue) };
    }),
  );

  sagemaker.on(ListEndpointsCommand).callsFake((input) =>
    orThrow(account.sagemakerError, () => ({
      Endpoints: account.endpoints
        .filter((e) => !input.NameContains || e.describe.EndpointName.includes(input.NameContains))
        .map((e) => ({ EndpointName: e.describe.EndpointName, EndpointStatus: e.describe.EndpointStatus ?? "InService" })),
    })),
  );
  sagemaker.on(DescribeEndpointCommand).callsFake((input) =>
    orThrow(account.sagemakerError, () => {
      const found = account.endpoints.find((e) => e.describe.EndpointName === input.EndpointName);
      if (!found) throw awsError("ValidationException", 400, `Could not find endpoint "${input.EndpointName}".`);
      return found.describe;
    }),
  );
  sagemaker.on(DescribeEndpointConfigCommand).callsFake((input) =>
    orThrow(account.sagemakerError, () => {
      const found = account.endpoints.find((e) => e.describe.EndpointConfigName === input.EndpointConfigName);
      if (!found?.config) throw awsError("ValidationException", 400, "Could not find endpoint configuration.");
      return { EndpointConfigName: input.EndpointConfigName, ...found.config };
    }),
  );

  lambda.on(GetAccountSettingsCommand).callsFake(() => ({ AccountLimit: account.lambdaSettings }));
  lambda.on(GetFunctionConcurrencyCommand).callsFake((input) => {
    if (!(input.FunctionName in account.functions)) throw awsError("ResourceNotFoundException", 404);
    return { ReservedConcurrentExecutions: account.functions[input.FunctionName] };
  });
  lambda.on(GetFunctionConfigurationCommand).callsFake((input) =>
    orThrow(account.lookupErrors.lambda, () => {
      if (!(input.FunctionName in account.functions)) throw awsError("ResourceNotFoundException", 404);
      return { FunctionName: input.FunctionName };
    }),
  );
  iam.on(GetRoleCommand).callsFake((input) =>
    orThrow(account.lookupErrors.iam, () => {
      if (!account.roles.includes(input.RoleName)) throw awsError("NoSuchEntityException", 404);
      return { Role: { RoleName: input.RoleName } };
    }),
  );
  logs.on(DescribeLogGroupsCommand).callsFake((input) =>
    orThrow(account.lookupErrors.logs, () => ({
      logGroups: account.logGroups.filter((g) => g.startsWith(input.logGroupNamePrefix ?? "")).map((logGroupName) => ({ logGroupName })),
    })),
  );
  cloudwatch.on(ListDashboardsCommand).callsFake((input) =>
    orThrow(account.lookupErrors.cloudwatch, () => ({
      DashboardEntries: account.dashboards
        .filter((d) => d.startsWith(input.DashboardNamePrefix ?? ""))
        .map((DashboardName) => ({ DashboardName })),
    })),
  );
  cloudwatch.on(DescribeAlarmsCommand).callsFake((input) =>
    orThrow(account.lookupErrors.cloudwatch, () => ({
      MetricAlarms: (input.AlarmNames ?? []).filter((n: string) => account.alarms.includes(n)).map((AlarmName: string) => ({ AlarmName })),
    })),
  );

  sns.on(GetTopicAttributesCommand).callsFake((input) =>
    orThrow(account.lookupErrors.sns, () => {
      // arn:<partition>:sns:<region>:<account>:<name>; topics live in the caller's account and partition.
      const [, partition, service, , owner, name] = (input.TopicArn ?? "").split(":");
      if (service !== "sns" || partition !== account.arn.split(":")[1] || owner !== account.account || !name)
        throw awsError("InvalidParameterException", 400, "Invalid parameter: TopicArn");
      if (!account.topics.includes(name)) throw awsError("NotFoundException", 404, "Topic does not exist");
      return { Attributes: { TopicArn: input.TopicArn!, Owner: account.account } };
    }),
  );

  const bucket = (name: string) => {
    const found = account.buckets[name];
    if (!found) throw awsError("NotFound", 404, "UnknownError");
    if (found.error) throw found.error;
    return found;
  };
  s3.on(HeadBucketCommand).callsFake((input) => (bucket(input.Bucket), {}));
  s3.on(GetBucketVersioningCommand).callsFake((input) => ({ Status: bucket(input.Bucket).versioning }));
  s3.on(HeadObjectCommand).callsFake((input) => {
    const body = bucket(input.Bucket).objects[input.Key];
    if (body === undefined) throw awsError("NotFound", 404, "UnknownError");
    return { ContentLength: Buffer.byteLength(body) };
  });
  s3.on(GetObjectCommand).callsFake((input) => {
    const body = bucket(input.Bucket).objects[input.Key];
    if (body === undefined) throw awsError("NoSuchKey", 404);
    // The one method of the SDK stream the state reader calls.
    return { Body: { transformToString: async () => body } as never };
  });

  const mocks = { sts, quotas, sagemaker, lambda, iam, logs, cloudwatch, s3, sns };
  return {
    ...mocks,
    /** Every command sent to any client, by name. */
    commandNames: () =>
      Object.values(mocks).flatMap((mock) =>
        mock.calls().map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name),
      ),
    restore: () => Object.values(mocks).forEach((mock) => mock.restore()),
  };
}

export type MockedAccount = ReturnType<typeof mockAccount>;

/** The fake account of the running test and the mocks serving it. */
export interface FakeAccountInUse {
  /** What exists: write what the test needs into it before acting (the mocks read it on every call). */
  readonly account: FakeAccount;
  readonly aws: MockedAccount;
}

/**
 * A fresh account for each test of the enclosing describe block (or file), served from before the test until after
 * it: call it where `beforeEach` would go, and read `account` and `aws` inside tests. `start` makes the account
 * each test begins with.
 */
export function useFakeAccount(start: () => FakeAccount = emptyAccount): FakeAccountInUse {
  let current: { account: FakeAccount; aws: MockedAccount } | undefined;
  beforeEach(() => {
    const account = start();
    current = { account, aws: mockAccount(account) };
  });
  afterEach(() => {
    current?.aws.restore();
    current = undefined;
  });
  const inTest = () => {
    if (!current) throw new Error("the fake account exists only while a test runs (useFakeAccount serves one per test)");
    return current;
  };
  return {
    get account() {
      return inTest().account;
    },
    get aws() {
      return inTest().aws;
    },
  };
}
