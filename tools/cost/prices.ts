/**
 * Unit prices the cost estimate uses: inputs with defaults, never hidden constants.
 *
 * Defaults are us-east-1 on-demand list prices as read on 2026-11-25. AWS's own pricing pages render their
 * tables client-side, so most numbers were read from third-party transcriptions or sample bills, named in
 * `PRICE_SOURCES` with `verified: false`; check them against https://aws.amazon.com/pricing/ (or the AWS
 * Price List API) for your region before relying on them, and override any of them with `--prices file.json`.
 * Free tiers and volume tiers are ignored on purpose: the estimate is an upper bound for a steady month.
 */

export interface PriceList {
  /** Day the defaults were read. */
  readonly asOf: string;
  readonly region: string;
  /** SageMaker real-time inference (hosting), USD per instance-hour, by instance type. */
  readonly sagemakerInstanceHourly: Readonly<Record<string, number>>;
  /** SageMaker serverless inference, USD per GB-second of configured memory x billed duration. */
  readonly sagemakerServerlessPerGbSecond: number;
  /** SageMaker data processed, USD per GB, charged for data IN and again for data OUT. */
  readonly sagemakerDataProcessedPerGb: number;
  /** Lambda requests, USD per million. */
  readonly lambdaPerMillionRequests: number;
  /** Lambda duration, USD per GB-second, arm64 (first pricing tier). */
  readonly lambdaArm64PerGbSecond: number;
  /** Lambda duration, USD per GB-second, x86_64 (first pricing tier). */
  readonly lambdaX86PerGbSecond: number;
  /** API Gateway HTTP API, USD per million requests (first 300 M/month; metered in 512 KB increments). */
  readonly httpApiPerMillionRequests: number;
  /** Data transfer out to the internet, USD per GB (first 10 TB tier). */
  readonly dataTransferOutPerGb: number;
  /** S3 Standard storage, USD per GB-month. */
  readonly s3StandardPerGbMonth: number;
  /** CloudWatch Logs ingestion (standard class), USD per GB. */
  readonly logsIngestionPerGb: number;
  /** CloudWatch Logs storage, USD per GB-month. */
  readonly logsStoragePerGbMonth: number;
  /** CloudWatch standard-resolution alarm, USD per alarm metric per month. */
  readonly alarmPerMetricMonth: number;
  /** CloudWatch custom dashboard, USD per month. */
  readonly dashboardPerMonth: number;
  /** KMS customer-managed key, USD per month (rotation adds $1 per rotated version, up to 2). */
  readonly kmsKeyPerMonth: number;
}

export const DEFAULT_PRICES: PriceList = {
  asOf: "2026-11-25",
  region: "us-east-1",
  sagemakerInstanceHourly: {
    "ml.m5.xlarge": 0.23,
    "ml.c5.xlarge": 0.204,
    "ml.m6i.xlarge": 0.23,
    "ml.c6i.xlarge": 0.204,
    "ml.m7i.xlarge": 0.242,
    "ml.c7i.xlarge": 0.214,
    "ml.m5.2xlarge": 0.461,
    "ml.c5.2xlarge": 0.408,
    "ml.m6i.2xlarge": 0.461,
    "ml.c6i.2xlarge": 0.408,
    "ml.m7i.2xlarge": 0.484,
    "ml.c7i.2xlarge": 0.428,
    "ml.g4dn.xlarge": 0.736,
  },
  sagemakerServerlessPerGbSecond: 0.00002,
  sagemakerDataProcessedPerGb: 0.016,
  lambdaPerMillionRequests: 0.2,
  lambdaArm64PerGbSecond: 0.0000133334,
  lambdaX86PerGbSecond: 0.0000166667,
  httpApiPerMillionRequests: 1.0,
  dataTransferOutPerGb: 0.09,
  s3StandardPerGbMonth: 0.023,
  logsIngestionPerGb: 0.5,
  logsStoragePerGbMonth: 0.03,
  alarmPerMetricMonth: 0.1,
  dashboardPerMonth: 3.0,
  kmsKeyPerMonth: 1.0,
};

export interface PriceSource {
  readonly where: string;
  /** True only when read on AWS's own pricing page. */
  readonly verified: boolean;
}

type PriceKey = Exclude<keyof PriceList, "asOf" | "region">;

export const PRICE_SOURCES: Readonly<Record<PriceKey, PriceSource>> = {
  sagemakerInstanceHourly: {
    where:
      "aws.amazon.com/sagemaker/pricing renders prices client-side; values from several public cost tables in open-source code (m5.xlarge 0.23, c5.xlarge 0.204, g4dn.xlarge 0.736). The m6i/c6i/m7i/c7i rows (and all 2xlarge) come from one open-source table that says it read the AWS Price List API's AmazonSageMaker offer file for us-east-1 on 2026-09-27 (it agrees with the others on m5/c5/g4dn). One 2025 blog (zircon.tech) quotes 0.269 for ml.m5.xlarge",
    verified: false,
  },
  sagemakerServerlessPerGbSecond: {
    where: "public serverless-inference cost tables in code (1024 MB: $0.0000200/s ... 6144 MB: $0.0001200/s, i.e. $0.00002 per GB-s)",
    verified: false,
  },
  sagemakerDataProcessedPerGb: {
    where: "same code tables ($0.016/GB) and aws-samples/sagemaker-ssh-helper Sample_Costs.md bill lines 'Endpoint Data IN/OUT $0.016 per GB' (eu-west-1)",
    verified: false,
  },
  lambdaPerMillionRequests: { where: "api-evangelist/aws-lambda pricing transcript of aws.amazon.com/lambda/pricing (2026-09-20)", verified: false },
  lambdaArm64PerGbSecond: { where: "cloudchipr.com/blog/aws-lambda-pricing (us-east-1 tier table)", verified: false },
  lambdaX86PerGbSecond: { where: "cloudchipr.com/blog/aws-lambda-pricing (us-east-1 tier table)", verified: false },
  httpApiPerMillionRequests: {
    where: "apigatewaycost.com/aws and awsforengineers.com (May 2025); 512 KB metering from the AWS whitepaper 'Best practices for private APIs', cost optimization",
    verified: false,
  },
  dataTransferOutPerGb: { where: "apigatewaycost.com/aws ($0.09/GB)", verified: false },
  s3StandardPerGbMonth: { where: "well-known S3 Standard first-50-TB price; not re-read here", verified: false },
  logsIngestionPerGb: { where: "factualminds.com CloudWatch pricing (June 2026), cloudburn.io (Feb 2026)", verified: false },
  logsStoragePerGbMonth: { where: "cloudburn.io CloudWatch pricing (Feb 2026)", verified: false },
  alarmPerMetricMonth: { where: "cloudburn.io CloudWatch pricing (Feb 2026); free tier wording on aws.amazon.com/cloudwatch/pricing", verified: false },
  dashboardPerMonth: { where: "factualminds.com CloudWatch pricing (June 2026): $3 per dashboard", verified: false },
  kmsKeyPerMonth: { where: "aws.amazon.com/kms/pricing: 'Each AWS KMS key that you create in KMS costs $1/month'", verified: true },
};

/** Problems of a partial price list read from a file: unknown keys and prices that are not numbers >= 0. */
export function priceOverrideProblems(override: unknown): string[] {
  if (override === null || typeof override !== "object" || Array.isArray(override)) return ["must be a JSON object"];
  const problems: string[] = [];
  const isPrice = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value >= 0;
  for (const [key, value] of Object.entries(override)) {
    if (key === "asOf" || key === "region") {
      if (typeof value !== "string") problems.push(`${key}: must be a string`);
    } else if (key === "sagemakerInstanceHourly") {
      if (value === null || typeof value !== "object" || Array.isArray(value)) problems.push(`${key}: must be an object of instance type -> USD per hour`);
      else for (const [type, price] of Object.entries(value)) if (!isPrice(price)) problems.push(`${key}.${type}: must be a number >= 0`);
    } else if (!(key in DEFAULT_PRICES)) {
      problems.push(`${key}: unknown price (known: ${Object.keys(DEFAULT_PRICES).join(", ")})`);
    } else if (!isPrice(value)) {
      problems.push(`${key}: must be a number >= 0`);
    }
  }
  return problems;
}

/** Overrides a price list with a partial one (e.g. parsed from `--prices file.json`); instance prices merge. */
export function mergePrices(base: PriceList, override: Partial<PriceList>): PriceList {
  return {
    ...base,
    ...override,
    sagemakerInstanceHourly: { ...base.sagemakerInstanceHourly, ...(override.sagemakerInstanceHourly ?? {}) },
  };
}
