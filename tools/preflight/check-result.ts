/** One line of the preflight: what was checked, what was found and, when it is not a pass, the exact fix. */

export type CheckStatus = "pass" | "warn" | "fail";

export interface CheckResult {
  readonly status: CheckStatus;
  /** What was checked, a few words ("endpoint quota"). */
  readonly check: string;
  /** What was found. */
  readonly detail: string;
  /** What to do about it: a command, a setting, a console path. Always set on warn and fail. */
  readonly fix?: string;
}

export const pass = (check: string, detail: string): CheckResult => ({ status: "pass", check, detail });
export const warn = (check: string, detail: string, fix: string): CheckResult => ({ status: "warn", check, detail, fix });
export const fail = (check: string, detail: string, fix: string): CheckResult => ({ status: "fail", check, detail, fix });

/** The worst status first: a check that both warns and fails is a fail. */
export function worst(results: readonly CheckResult[]): CheckStatus {
  if (results.some((r) => r.status === "fail")) return "fail";
  return results.some((r) => r.status === "warn") ? "warn" : "pass";
}

const LABEL: Record<CheckStatus, string> = { pass: "PASS", warn: "WARN", fail: "FAIL" };

/** `PASS  check: detail`, and for warn and fail the fix on the line below, indented under the detail. */
export function formatCheck(result: CheckResult): string {
  const line = `${LABEL[result.status]}  ${result.check}: ${result.detail}`;
  return result.fix ? `${line}\n      fix: ${result.fix}` : line;
}
