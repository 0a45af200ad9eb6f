/**
 * Plain-text report of a cost estimate: the line-item table, the total, the capacity checks and the price
 * list's provenance. Pure (returns a string) so the command stays a thin shell and the layout is tested.
 */
import { CapacityCheck } from "./capacity";
import { CostEstimate } from "./estimate";
import { InstanceTypePerformance } from "./instance-performance";
import { PriceList } from "./prices";

export interface ReportContext {
  readonly configSource: string;
  readonly requestsPerSecond: number;
  readonly modelMsPerImage: number;
  /** Where modelMsPerImage came from, e.g. "--model-ms-per-image" or "PLACEHOLDER (not measured)". */
  readonly modelMsSource: string;
  readonly prices: PriceList;
  /** Warnings to print before the table (placeholder inputs, unverified prices). */
  readonly notes: readonly string[];
}

export function usd(value: number): string {
  return `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function table(header: string[], rows: string[][], rightAligned: number[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (rightAligned.includes(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
}

export function formatReport(estimate: CostEstimate, checks: readonly CapacityCheck[], context: ReportContext): string {
  const out: string[] = [];
  out.push(
    `Monthly cost estimate: ${estimate.mode} endpoint, ${context.requestsPerSecond} req/s average ` +
      `(${estimate.monthlyRequests.toLocaleString("en-US")} requests/month)`,
  );
  out.push(`config: ${context.configSource}`);
  out.push(`model time per image: ${context.modelMsPerImage} ms (${context.modelMsSource})`);
  out.push(
    `prices: ${context.prices.region} list prices as read on ${context.prices.asOf} (see docs/cost.md, "Default prices"; override with --prices)`,
  );
  for (const note of context.notes) out.push(`NOTE: ${note}`);
  out.push("");
  out.push(
    ...table(
      ["service", "item", "usage", "monthly", "formula"],
      estimate.lineItems.map((item) => [item.service, item.item, item.usage, usd(item.monthlyUsd), item.formula]),
      [3],
    ),
  );
  out.push("");
  out.push(`TOTAL  ${usd(estimate.totalUsd)} per month`);
  out.push("");
  out.push("Capacity check:");
  for (const check of checks) out.push(`  [${check.ok ? "ok" : "TOO SMALL"}] ${check.hop}: ${check.detail}`);
  return out.join("\n") + "\n";
}

/** The cost-per-classification table: one row per instance type, cheapest first, each with its provenance. */
export function formatInstanceTypeTable(
  rows: readonly InstanceTypePerformance[],
  context: { readonly current: string; readonly benchSource: string; readonly measuredHere: string },
): string {
  const out: string[] = [];
  out.push(`Cost per million images by instance type (batch 1, one worker on all physical cores, 100 % busy; ${context.benchSource}):`);
  out.push(`  measured here: ${context.measuredHere}`);
  out.push(
    ...table(
      ["instance type", "$/hour", "precision", "ms/image", "images/s", "$ per 1M images", "source"],
      rows.map((row) => [
        `${row.instanceType}${row.instanceType === context.current ? " *" : ""}`,
        row.hourlyUsd === undefined ? "-" : `$${row.hourlyUsd}`,
        row.precision,
        row.msPerImage.toFixed(1),
        row.imagesPerSecond.toFixed(2),
        row.usdPerMillionImages === undefined ? "-" : usd(row.usdPerMillionImages),
        row.provenance,
      ]),
      [1, 3, 4, 5],
    ),
  );
  out.push("  * = the config's instance type. measured: benchmark run on that type; reference: same CPU generation measured");
  out.push("    elsewhere (named in tools/cost/instance-performance.ts); estimated: this run's efficiency x the family's GEMM rate.");
  for (const row of rows) out.push(`  ${row.instanceType}: ${row.basis}`);
  return out.join("\n") + "\n";
}
