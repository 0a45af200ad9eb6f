/**
 * Captures the Powertools Logger's JSON lines during a test. It writes INFO/DEBUG to stdout and WARN/ERROR
 * to stderr (through its own Console on process.stdout/stderr), so both streams are captured.
 */
export interface CapturedLogs {
  readonly lines: () => Array<Record<string, any>>;
  readonly raw: () => string;
  readonly restore: () => void;
}

export function captureLogs(): CapturedLogs {
  const chunks: string[] = [];
  const capture = (chunk: any) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, "write").mockImplementation(capture),
    jest.spyOn(process.stderr, "write").mockImplementation(capture),
  ];
  const raw = () => chunks.join("");
  return {
    raw,
    lines: () =>
      raw()
        .split("\n")
        .filter((line) => line.trim().startsWith("{"))
        .map((line) => JSON.parse(line)),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

/** The one summary line the handler writes per request. */
export function summaryLine(logs: CapturedLogs): Record<string, any> {
  const summaries = logs.lines().filter((l) => typeof l.message === "string" && l.message.startsWith("request "));
  if (summaries.length !== 1) throw new Error(`expected one summary log line, got ${summaries.length}: ${logs.raw()}`);
  return summaries[0];
}
