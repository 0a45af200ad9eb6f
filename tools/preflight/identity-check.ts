/** Who the credentials are: account, partition and principal, from STS GetCallerIdentity (needs no permission). */
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { describeError } from "./aws-errors";
import { CheckResult, fail, pass } from "./check-result";

export interface CallerIdentity {
  readonly account: string;
  readonly partition: string;
  readonly arn: string;
}

export const CREDENTIALS_FIX =
  "give the AWS SDK credentials: `aws configure` (access keys), or `aws sso login --profile <name>` and `export AWS_PROFILE=<name>` " +
  "(IAM Identity Center), or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN in the environment";

export async function callerIdentity(sts: STSClient): Promise<{ identity?: CallerIdentity; result: CheckResult }> {
  try {
    const answer = await sts.send(new GetCallerIdentityCommand({}));
    const arn = answer.Arn ?? "";
    const identity = { account: answer.Account ?? "", partition: arn.split(":")[1] ?? "aws", arn };
    return { identity, result: pass("identity", `account ${identity.account}, partition ${identity.partition}, as ${arn}`) };
  } catch (error) {
    return { result: fail("identity", `no usable AWS credentials (${describeError(error)})`, CREDENTIALS_FIX) };
  }
}
