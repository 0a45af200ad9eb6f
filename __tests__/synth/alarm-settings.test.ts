import { alarmsSection, defaultAlarmSettings } from "../../src/config/alarms";
import { EXAMPLE_ACCOUNT_ID } from "../example-account";

/** Parses a section and returns its problems as "path: message" lines. */
function problemsOf(section: unknown): string[] {
  const result = alarmsSection.safeParse(section);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("Config section: alarms", () => {
  it("defaults to alarms and dashboard on, no notifications, documented thresholds", () => {
    // Prepare / Act
    const parsed = alarmsSection.parse(undefined);

    // Assess
    expect(parsed).toEqual({
      enabled: true,
      dashboard: true,
      periodSeconds: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      api5xxRatePercent: 5,
      api5xxMinRequests: 10,
      lambdaErrors: 1,
      lambdaThrottles: 1,
      lambdaDurationPercentOfTimeout: 80,
      sagemaker5xxErrors: 1,
      modelLatencyP95Ms: 1000,
      cpuUtilizationPercent: 80,
      memoryUtilizationPercent: 85,
    });
    expect(defaultAlarmSettings()).toEqual(parsed);
  });

  it("keeps given values and fills the rest with defaults", () => {
    const parsed = alarmsSection.parse({ email: "ops@example.com", modelLatencyP95Ms: 900, enabled: true });

    expect(parsed.email).toBe("ops@example.com");
    expect(parsed.modelLatencyP95Ms).toBe(900);
    expect(parsed.lambdaErrors).toBe(1);
  });

  it("accepts an existing topic ARN", () => {
    expect(problemsOf({ snsTopicArn: `arn:aws:sns:eu-west-1:${EXAMPLE_ACCOUNT_ID}:ops-alerts` })).toEqual([]);
  });

  it.each([
    [{ snsTopicArn: `arn:aws:sqs:eu-west-1:${EXAMPLE_ACCOUNT_ID}:q` }, "snsTopicArn: must be an SNS topic ARN"],
    [{ email: "not-an-address" }, "email: must be an e-mail address"],
    [{ periodSeconds: 90 }, "periodSeconds: must be a multiple of 60"],
    [{ periodSeconds: 30 }, "periodSeconds: must be at least 60"],
    [{ evaluationPeriods: 0 }, "evaluationPeriods: must be at least 1"],
    [{ datapointsToAlarm: 6 }, "datapointsToAlarm: must not exceed evaluationPeriods (5)"],
    [{ lambdaErrors: 0.5 }, "lambdaErrors: must be an integer"],
    [{ lambdaDurationPercentOfTimeout: 100 }, "lambdaDurationPercentOfTimeout: must be at most 99"],
    [{ modelLatencyP95Ms: 0 }, "modelLatencyP95Ms: must be at least 1"],
    [{ cpuUtilizationPercent: 150 }, "cpuUtilizationPercent: must be at most 100"],
    [{ enabled: "yes" }, "enabled: Expected boolean"],
    [{ thresholds: {} }, ": Unrecognized key(s) in object: 'thresholds'"],
    [
      { email: "a@b.co", snsTopicArn: `arn:aws:sns:us-east-1:${EXAMPLE_ACCOUNT_ID}:t` },
      ": set either snsTopicArn (an existing topic) or email (a new topic), not both",
    ],
  ])("rejects %j with a message naming the setting", (section, expected) => {
    const problems = problemsOf(section);

    expect(problems.some((p) => p.startsWith(expected))).toBe(true);
  });

  it("lists field and cross-field problems together in one result", () => {
    // Prepare: three independent mistakes, one of them a cross-field rule.
    const section = { email: "nope", datapointsToAlarm: 9, memoryUtilizationPercent: -1 };

    // Act
    const problems = problemsOf(section);

    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^email: must be an e-mail address/),
        "datapointsToAlarm: must not exceed evaluationPeriods (5)",
        "memoryUtilizationPercent: must be at least 1",
      ]),
    );
  });
});
