/**
 * The Lambda concurrency line, every outcome: not set (no call), fits, fits with the function's own reservation given back,
 * does not fit.
 */
import { GetAccountSettingsCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { formatCheck } from "../../../tools/preflight/check-result";
import { lambdaConcurrencyCheck } from "../../../tools/preflight/lambda-concurrency-check";
import { awsError, emptyAccount, sagemakerQuotas, useFakeAccount } from "./fake-account";

describe("Preflight: Lambda reserved concurrency", () => {
  const fake = useFakeAccount(() => ({ ...emptyAccount(), quotas: sagemakerQuotas() }));

  const check = async (reservedConcurrency: number | null) =>
    formatCheck(
      await lambdaConcurrencyCheck({
        clients: { lambda: new LambdaClient({ region: "eu-west-1" }), serviceQuotas: new ServiceQuotasClient({ region: "eu-west-1" }) },
        reservedConcurrency,
        functionName: "vit-classifier-api",
        region: "eu-west-1",
        partition: "aws",
      }),
    );

  it("passes without asking anything when no reservation is configured", async () => {
    // Act
    const line = await check(null);

    // Assess
    expect(line).toBe("PASS  Lambda concurrency: lambda.reservedConcurrency is not set: the function shares the account's unreserved pool");
    expect(fake.aws.commandNames()).toEqual([]);
  });

  it("passes when the unreserved pool keeps Lambda's 100 after the reservation", async () => {
    // Prepare
    fake.account.lambdaSettings = { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 900 };

    // Act
    const line = await check(10);

    // Assess
    expect(line).toBe(
      "PASS  Lambda concurrency: lambda.reservedConcurrency 10; the account's quota is 1000 concurrent executions, 900 unreserved, of which Lambda keeps 100: room for 800",
    );
    expect(fake.aws.lambda.commandCalls(GetAccountSettingsCommand)).toHaveLength(1);
  });

  it("counts the reservation this stack's function already holds as available (a redeploy replaces it)", async () => {
    // Prepare: 110 in all, 10 of them reserved by this stack's function.
    fake.account.lambdaSettings = { ConcurrentExecutions: 110, UnreservedConcurrentExecutions: 100 };
    fake.account.functions["vit-classifier-api"] = 10;

    // Act
    const line = await check(10);

    // Assess
    expect(line).toBe(
      "PASS  Lambda concurrency: lambda.reservedConcurrency 10; the account's quota is 110 concurrent executions, 100 unreserved " +
        "(+10 this stack's function holds now), of which Lambda keeps 100: room for 10",
    );
  });

  it("fails on a new account's quota of 10, where nothing can be reserved, with the quota request that makes room", async () => {
    // Prepare
    fake.account.lambdaSettings = { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 };

    // Act
    const line = await check(10);

    // Assess
    expect(line).toBe(
      "FAIL  Lambda concurrency: lambda.reservedConcurrency 10; the account's quota is 10 concurrent executions, 10 unreserved, " +
        "of which Lambda keeps 10: nothing can be reserved\n" +
        "      fix: remove lambda.reservedConcurrency from classifier.config.json (the API stage's throttling still caps requests); or raise the " +
        "Lambda quota: request 110: Service Quotas console (https://eu-west-1.console.aws.amazon.com/servicequotas/home/services/lambda/quotas/L-0000C0C0) " +
        '→ "Concurrent executions" → Request increase at account level; or aws service-quotas request-service-quota-increase --service-code lambda ' +
        "--quota-code L-0000C0C0 --desired-value 110 --region eu-west-1",
    );
  });

  it("fails when other functions' reservations leave too little, offering the largest value that fits", async () => {
    // Prepare: 1000 in all, 850 reserved by other functions.
    fake.account.lambdaSettings = { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 150 };

    // Act
    const line = await check(80);

    // Assess
    expect(line).toMatch(
      /^FAIL {2}Lambda concurrency: .*: room for 50\n {6}fix: remove lambda\.reservedConcurrency .*; or set it to at most 50; or raise the Lambda quota: request 1030: /,
    );
  });

  it("falls back to the console path when the Lambda quota cannot be looked up", async () => {
    // Prepare
    fake.account.lambdaSettings = { ConcurrentExecutions: 50, UnreservedConcurrentExecutions: 50 };
    fake.account.quotasError = awsError("AccessDeniedException");

    // Act
    const line = await check(5);

    // Assess
    expect(line).toContain(
      '; or raise the Lambda quota "Concurrent executions" to 105 (Service Quotas console → AWS Lambda → Request increase)',
    );
  });

  it("warns, naming the read actions, when the account settings cannot be read", async () => {
    // Prepare
    fake.aws.lambda
      .on(GetAccountSettingsCommand)
      .rejects(awsError("AccessDeniedException", 403, "not authorized: lambda:GetAccountSettings"));

    // Act
    const line = await check(5);

    // Assess
    expect(line).toBe(
      "WARN  Lambda concurrency: lambda.reservedConcurrency not checked (AccessDeniedException: not authorized: lambda:GetAccountSettings)\n" +
        "      fix: allow lambda:GetAccountSettings, lambda:GetFunctionConcurrency to these credentials (docs/deploy.md lists every read action the preflight needs), then run it again",
    );
  });
});
