/**
 * Reserved concurrency (`lambda.reservedConcurrency`) against the account: Lambda refuses a reservation that leaves
 * fewer unreserved executions than its minimum (100, or the whole quota on accounts whose quota is lower, as new
 * accounts' 10 or 50 often are: then nothing can be reserved). This stack's function, when it exists, gives its own
 * current reservation back first. Not set: nothing to check, and no call is made.
 */
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { PreflightClients } from "./aws-clients";
import { errorName, notChecked } from "./aws-errors";
import { CheckResult, fail, pass } from "./check-result";
import { listQuotasByName, quotaIncreaseFix } from "./service-quotas";

/** Unreserved executions Lambda always keeps (docs/deploy.md, "Defaults that matter on a first real deploy"). */
export const LAMBDA_MIN_UNRESERVED = 100;
export const LAMBDA_CONCURRENCY_QUOTA_NAME = "Concurrent executions";

export interface LambdaConcurrencyInput {
  readonly clients: Pick<PreflightClients, "lambda" | "serviceQuotas">;
  readonly reservedConcurrency: number | null;
  readonly functionName: string;
  readonly region: string;
  readonly partition: string;
}

export async function lambdaConcurrencyCheck(input: LambdaConcurrencyInput): Promise<CheckResult> {
  const reserved = input.reservedConcurrency;
  if (reserved === null) {
    return pass("Lambda concurrency", "lambda.reservedConcurrency is not set: the function shares the account's unreserved pool");
  }
  let limit: number;
  let unreserved: number;
  let own: number;
  try {
    const settings = await input.clients.lambda.send(new GetAccountSettingsCommand({}));
    limit = settings.AccountLimit?.ConcurrentExecutions ?? 0;
    unreserved = settings.AccountLimit?.UnreservedConcurrentExecutions ?? 0;
    own = await currentReservation(input);
  } catch (error) {
    return notChecked("Lambda concurrency", "lambda.reservedConcurrency", error, [
      "lambda:GetAccountSettings",
      "lambda:GetFunctionConcurrency",
    ]);
  }
  const minimum = Math.min(LAMBDA_MIN_UNRESERVED, limit);
  const room = unreserved + own - minimum;
  const detail =
    `lambda.reservedConcurrency ${reserved}; the account's quota is ${limit} concurrent executions, ${unreserved} unreserved` +
    (own > 0 ? ` (+${own} this stack's function holds now)` : "") +
    `, of which Lambda keeps ${minimum}`;
  if (reserved <= room) return pass("Lambda concurrency", `${detail}: room for ${room}`);
  const options = [
    "remove lambda.reservedConcurrency from classifier.config.json (the API stage's throttling still caps requests)",
    room > 0 ? `set it to at most ${room}` : undefined,
    // Raised to 100 or more, Lambda keeps 100: the quota must cover the reservation, the other functions' and 100.
    await raiseQuota(input, reserved + (limit - unreserved - own) + LAMBDA_MIN_UNRESERVED),
  ].filter((o): o is string => o !== undefined);
  return fail("Lambda concurrency", `${detail}: ${room > 0 ? `room for ${room}` : "nothing can be reserved"}`, options.join("; or "));
}

async function currentReservation(input: LambdaConcurrencyInput): Promise<number> {
  try {
    const answer = await input.clients.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: input.functionName }));
    return answer.ReservedConcurrentExecutions ?? 0;
  } catch (error) {
    if (errorName(error) === "ResourceNotFoundException") return 0;
    throw error;
  }
}

/** The quota request that makes room, with the real quota code when Service Quotas names it. */
async function raiseQuota(input: LambdaConcurrencyInput, desired: number): Promise<string> {
  try {
    const quota = (await listQuotasByName(input.clients.serviceQuotas, "lambda")).get(LAMBDA_CONCURRENCY_QUOTA_NAME);
    if (quota) return `raise the Lambda quota: ${quotaIncreaseFix(quota, desired, input.region, input.partition)}`;
  } catch {
    // Fall through to the console path: the fix must not depend on one more permission.
  }
  return `raise the Lambda quota "${LAMBDA_CONCURRENCY_QUOTA_NAME}" to ${desired} (Service Quotas console → AWS Lambda → Request increase)`;
}
