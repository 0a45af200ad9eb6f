/**
 * The `alarms` section of the stack config (a zod schema, like the other sections in src/config/schema.ts):
 * whether alarms and the dashboard exist, where alarms notify, and every threshold, with defaults.
 *
 * Cross-field rules (topic XOR e-mail, datapointsToAlarm <= evaluationPeriods) are checked on the raw input
 * before the fields are parsed, so they are reported together with field problems rather than after them.
 */
import { z } from "zod";

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/;
// Deliberately loose: SNS verifies the address with a confirmation mail; this only catches obvious typos.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const DEFAULT_EVALUATION_PERIODS = 5;

const int = (min: number, max: number) =>
  z.number().int("must be an integer").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
const num = (min: number, max: number) => z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

const alarmsObject = z
  .object({
    /** Create the CloudWatch alarms. */
    enabled: z.boolean().default(true),
    /** Create the CloudWatch dashboard (independent of `enabled`). */
    dashboard: z.boolean().default(true),
    /** Existing SNS topic notified on ALARM and OK; its policy must let cloudwatch.amazonaws.com publish. */
    snsTopicArn: z.string().regex(SNS_TOPIC_ARN, "must be an SNS topic ARN such as arn:aws:sns:us-east-1:<account-id>:alerts").optional(),
    /** E-mail to notify: creates a KMS-encrypted topic and an e-mail subscription (confirm the mail AWS sends). */
    email: z.string().regex(EMAIL, "must be an e-mail address").optional(),
    /** Seconds per evaluation period; the metrics here are per minute, so a multiple of 60. */
    periodSeconds: int(60, 86_400)
      .refine((s) => s % 60 === 0, "must be a multiple of 60")
      .default(60),
    /** Periods each alarm looks back over ("N" of M-of-N). */
    evaluationPeriods: int(1, 100).default(DEFAULT_EVALUATION_PERIODS),
    /** Breaching periods among them that fire the alarm ("M" of M-of-N). */
    datapointsToAlarm: int(1, 100).default(3),
    /** API 5xx responses, percent of requests per period. */
    api5xxRatePercent: num(0.01, 100).default(5),
    /** Periods with fewer requests than this count as a 0 % error rate (3 requests, 1 failure must not page). */
    api5xxMinRequests: int(1, 1_000_000).default(10),
    /** Lambda Errors per period (unhandled errors and timeouts; client errors are 4xx responses, not errors). */
    lambdaErrors: int(1, 1_000_000).default(1),
    /** Lambda Throttles per period (reserved concurrency or the account limit reached). */
    lambdaThrottles: int(1, 1_000_000).default(1),
    /** Lambda p99 Duration, percent of the function timeout. */
    lambdaDurationPercentOfTimeout: num(1, 99).default(80),
    /** SageMaker Invocation5XXErrors per period. */
    sagemaker5xxErrors: int(1, 1_000_000).default(1),
    /**
     * SageMaker ModelLatency p95 in MILLIseconds (converted to the metric's microseconds): about 6x the ~155 ms per
     * image of the default ml.c7i.xlarge (`npm run cost`), so it fires when requests queue, not on a slow image.
     */
    modelLatencyP95Ms: num(1, 60_000).default(1000),
    /** Real-time only: average CPU, percent of ALL the instance's vCPUs (scaled to CloudWatch's summed units). */
    cpuUtilizationPercent: num(1, 100).default(80),
    /** Real-time only: average memory, percent. */
    memoryUtilizationPercent: num(1, 100).default(85),
  })
  .strict();

export type AlarmSettings = z.output<typeof alarmsObject>;
export type AlarmSettingsInput = z.input<typeof alarmsObject>;

/** Rules across fields, read from the raw section so they show up alongside field-level problems. */
function crossFieldProblems(raw: Record<string, unknown>): Array<{ path: string[]; message: string }> {
  const problems: Array<{ path: string[]; message: string }> = [];
  if (raw.snsTopicArn !== undefined && raw.email !== undefined) {
    problems.push({ path: [], message: "set either snsTopicArn (an existing topic) or email (a new topic), not both" });
  }
  const evaluationPeriods = raw.evaluationPeriods ?? DEFAULT_EVALUATION_PERIODS;
  if (typeof raw.datapointsToAlarm === "number" && typeof evaluationPeriods === "number" && raw.datapointsToAlarm > evaluationPeriods) {
    problems.push({ path: ["datapointsToAlarm"], message: `must not exceed evaluationPeriods (${evaluationPeriods})` });
  }
  if (typeof raw.periodSeconds === "number" && typeof evaluationPeriods === "number" && raw.periodSeconds * evaluationPeriods > 86_400) {
    problems.push({ path: ["evaluationPeriods"], message: "periodSeconds x evaluationPeriods must not exceed one day (86400 s)" });
  }
  return problems;
}

/** The `alarms` config section; absent means all defaults. */
export const alarmsSection = z.preprocess((raw, ctx) => {
  const section = raw === undefined ? {} : raw;
  if (section !== null && typeof section === "object" && !Array.isArray(section)) {
    for (const problem of crossFieldProblems(section as Record<string, unknown>)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: problem.path, message: problem.message });
    }
  }
  return section;
}, alarmsObject);

/** Every default, e.g. for tests and for the construct when no settings are passed. */
export function defaultAlarmSettings(): AlarmSettings {
  return alarmsObject.parse({});
}
