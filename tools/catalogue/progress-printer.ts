/** Prints a run's progress at most once every few seconds (and always the last state), with rate and ETA. */
import { formatProgress } from "./progress";
import type { TransformProgress } from "./transform-job";

export class ProgressPrinter {
  /** Set by the first update: the rate counts from the job's start, not from the container's start-up. */
  private started: number | undefined;
  private lastPrinted = 0;
  private last: TransformProgress | undefined;

  constructor(
    private readonly print: (line: string) => void,
    private readonly everyMs = 2000,
  ) {}

  update(progress: TransformProgress): void {
    const now = Date.now();
    this.started ??= now;
    this.last = progress;
    if (now - this.lastPrinted >= this.everyMs) {
      this.lastPrinted = now;
      this.last = undefined;
      this.print(formatProgress({ ...progress, elapsedMs: now - this.started }));
    }
  }

  /** The final state, unless it was the last line printed. */
  finish(): void {
    if (this.last !== undefined && this.started !== undefined)
      this.print(formatProgress({ ...this.last, elapsedMs: Date.now() - this.started }));
    this.last = undefined;
  }
}
