/**
 * Records what would take a Lambda execution environment down: an uncaught exception or an unhandled promise
 * rejection anywhere in the process while the handler runs. The handler can answer correctly *and* leave one of
 * these behind (an event emitter's "error" with no listener fires on a later tick), so tests that feed it hostile
 * input check both. Listeners on the real process object also stop Node's default "crash the process" action
 * while they are installed, so the test can report the fault instead of dying with it.
 */
export interface ProcessFaults {
  /** Every fault seen so far, as "uncaughtException: <message>" lines. */
  readonly seen: () => string[];
  /** Waits for the ticks on which a stray "error" event or rejection would surface. */
  readonly settle: () => Promise<void>;
  readonly restore: () => void;
}

export function watchProcessFaults(): ProcessFaults {
  const faults: string[] = [];
  const onException = (error: unknown) => faults.push(`uncaughtException: ${describe(error)}`);
  const onRejection = (reason: unknown) => faults.push(`unhandledRejection: ${describe(reason)}`);
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  return {
    seen: () => [...faults],
    settle: () => new Promise((resolve) => setImmediate(() => setImmediate(resolve))),
    restore: () => {
      process.off("uncaughtException", onException);
      process.off("unhandledRejection", onRejection);
    },
  };
}

function describe(value: unknown): string {
  return value instanceof Error ? `${value.name}: ${value.message}` : String(value);
}
