/** How the preflight reads AWS SDK errors: by name and HTTP status, never by message text. */
import { CheckResult, warn } from "./check-result";

interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

export function errorName(error: unknown): string {
  return (error as SdkError)?.name ?? "Error";
}

export function httpStatus(error: unknown): number | undefined {
  return (error as SdkError)?.$metadata?.httpStatusCode;
}

/** `Name: message`, or the name alone when the message adds nothing (S3's HEAD errors have no body). */
export function describeError(error: unknown): string {
  const name = errorName(error);
  const message = (error as SdkError)?.message?.trim();
  return message && message !== name && message !== "UnknownError" ? `${name}: ${message}` : name;
}

export function isAccessDenied(error: unknown): boolean {
  return /AccessDenied|Unauthorized|Forbidden/i.test(errorName(error)) || httpStatus(error) === 403;
}

/** A check the preflight could not make: a warning naming the read actions it needs, never a silent pass. */
export function notChecked(check: string, what: string, error: unknown, actions: readonly string[]): CheckResult {
  const fix = isAccessDenied(error)
    ? `allow ${actions.join(", ")} to these credentials (docs/deploy.md lists every read action the preflight needs), then run it again`
    : "run the preflight again; if it keeps failing, check the network and the AWS service health for this region";
  return warn(check, `${what} not checked (${describeError(error)})`, fix);
}
