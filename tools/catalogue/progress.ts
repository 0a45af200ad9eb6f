/** Progress lines of a run: images done / total, rate and time left, from what the job has written so far. */

export interface ProgressLine {
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
  readonly status: string;
}

export function formatProgress({ done, total, elapsedMs, status }: ProgressLine): string {
  const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const parts = [`${done}/${total} images (${percent} %)`, `${rate.toFixed(1)} images/s`];
  if (rate > 0 && done < total) parts.push(`ETA ${duration((total - done) / rate)}`);
  parts.push(`elapsed ${duration(elapsedMs / 1000)}`);
  return `${status}: ${parts.join(", ")}`;
}

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
