/**
 * Unit prices the cost estimate uses: inputs with defaults, never hidden constants.
 *
 * The defaults are dated data (default-prices.json: us-east-1 on-demand list prices, each with where it was read,
 * `verified: false` unless read on AWS's own pricing page): check them against https://aws.amazon.com/pricing/ (or
 * the AWS Price List API) for your region before relying on them, and override any of them with `--prices`.
 * Free tiers and volume tiers are ignored on purpose: the estimate is an upper bound for a steady month.
 */
import { z } from "zod";
import defaultPriceFile from "./default-prices.json";

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

export interface PriceSource {
  readonly where: string;
  /** True only when read on AWS's own pricing page. */
  readonly verified: boolean;
}

type PriceKey = Exclude<keyof PriceList, "asOf" | "region">;

const priceFileSchema = z
  .object({
    "//": z.string().optional(),
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date (YYYY-MM-DD)"),
    region: z.string().min(1),
    prices: z
      .object({
        sagemakerInstanceHourly: z.record(z.number().nonnegative()),
        sagemakerServerlessPerGbSecond: z.number().nonnegative(),
        sagemakerDataProcessedPerGb: z.number().nonnegative(),
        lambdaPerMillionRequests: z.number().nonnegative(),
        lambdaArm64PerGbSecond: z.number().nonnegative(),
        lambdaX86PerGbSecond: z.number().nonnegative(),
        httpApiPerMillionRequests: z.number().nonnegative(),
        dataTransferOutPerGb: z.number().nonnegative(),
        s3StandardPerGbMonth: z.number().nonnegative(),
        logsIngestionPerGb: z.number().nonnegative(),
        logsStoragePerGbMonth: z.number().nonnegative(),
        alarmPerMetricMonth: z.number().nonnegative(),
        dashboardPerMonth: z.number().nonnegative(),
        kmsKeyPerMonth: z.number().nonnegative(),
      })
      .strict(),
    sources: z.record(z.object({ where: z.string().min(1), verified: z.boolean() }).strict()),
  })
  .strict();

/** Reads a dated price file (the defaults: default-prices.json); every problem is listed at once. */
export function parsePriceFile(data: unknown, source: string): { prices: PriceList; sources: Record<string, PriceSource> } {
  const result = priceFileSchema.safeParse(data);
  if (!result.success) {
    throw new Error(`${source}: ${result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  }
  const { asOf, region, prices, sources } = result.data;
  const unsourced = Object.keys(prices).filter((key) => !(key in sources));
  if (unsourced.length > 0) throw new Error(`${source}: no source for ${unsourced.join(", ")}`);
  return { prices: { asOf, region, ...prices }, sources };
}

const defaults = parsePriceFile(defaultPriceFile, "tools/cost/default-prices.json");
export const DEFAULT_PRICES: PriceList = defaults.prices;
export const PRICE_SOURCES: Readonly<Record<PriceKey, PriceSource>> = defaults.sources as Record<PriceKey, PriceSource>;

/** Problems of a partial price list read from a file: unknown keys and prices that are not numbers >= 0. */
export function priceOverrideProblems(override: unknown): string[] {
  if (override === null || typeof override !== "object" || Array.isArray(override)) return ["must be a JSON object"];
  const problems: string[] = [];
  const isPrice = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value >= 0;
  for (const [key, value] of Object.entries(override)) {
    if (key === "asOf" || key === "region") {
      if (typeof value !== "string") problems.push(`${key}: must be a string`);
    } else if (key === "sagemakerInstanceHourly") {
      if (value === null || typeof value !== "object" || Array.isArray(value))
        problems.push(`${key}: must be an object of instance type -> USD per hour`);
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
