/**
 * Applies the stack's resource-level checkov skips (see src/support/checkov-skip.ts) to a checkov JSON
 * report and decides the scan's result.
 *
 *   ts-node scripts/checkov-gate.ts <checkov-report.json> <cdk.tf.json> [--list-skips]
 *
 * Exit 0 only when: the report parsed every file, at least one check ran, every failed check is
 * skipped on that exact resource with a reason, and every declared skip was actually needed (a
 * skip whose check passes is stale and must be removed). Prints what needs a reader (failures, stale skips, errors)
 * and a one-line summary; the skips applied, each with its reason, only with --list-skips (they are in the code,
 * next to their resources, and the same on every run).
 */
import * as fs from "fs";

interface CheckRecord {
  readonly check_id: string;
  readonly check_name?: string;
  readonly resource: string;
}
interface CheckovReport {
  readonly check_type: string;
  readonly results: { readonly failed_checks: CheckRecord[]; readonly passed_checks: CheckRecord[] };
  readonly summary: { readonly passed: number; readonly failed: number; readonly parsing_errors: number };
}
interface Skip {
  readonly id: string;
  readonly comment: string;
}

/** checkov names terraform_json resources "resource.<name>" or "<type>.<name>": the logical name is the last part. */
function logicalName(resource: string): string {
  return resource.split(".").pop() ?? resource;
}

/** The part of a synthesized stack the gate reads: each resource's "//" comment block. */
export interface SynthesizedStack {
  readonly resource?: Record<string, Record<string, { readonly "//"?: { readonly checkov?: { readonly skip?: Skip[] } } }>>;
}

export function declaredSkips(tfJson: SynthesizedStack): Map<string, Skip[]> {
  const skips = new Map<string, Skip[]>();
  for (const byName of Object.values(tfJson.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      const list: Skip[] = body?.["//"]?.checkov?.skip ?? [];
      if (list.length > 0) skips.set(name, list);
    }
  }
  return skips;
}

export interface GateResult {
  readonly ok: boolean;
  /** Failures, stale skips, errors, then the summary line. */
  readonly lines: string[];
  /** Each skip applied, with its reason. */
  readonly skips: string[];
}

export function gate(reports: CheckovReport[], tfJson: SynthesizedStack): GateResult {
  const lines: string[] = [];
  const applied: string[] = [];
  let ok = true;
  const skips = declaredSkips(tfJson);
  const used = new Set<string>();
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const report of reports) {
    if (report.summary.parsing_errors > 0) {
      ok = false;
      lines.push(`ERROR: checkov could not parse ${report.summary.parsing_errors} file(s) (${report.check_type})`);
    }
    passed += report.results.passed_checks.length;
    for (const record of report.results.failed_checks) {
      const name = logicalName(record.resource);
      const skip = (skips.get(name) ?? []).find((s) => s.id === record.check_id);
      if (skip && skip.comment.trim().length > 0) {
        used.add(`${name}/${skip.id}`);
        skipped += 1;
        applied.push(`SKIPPED ${record.check_id} on ${name}: ${skip.comment}`);
      } else {
        failed += 1;
        ok = false;
        lines.push(`FAILED  ${record.check_id} on ${record.resource}: ${record.check_name ?? ""}`);
      }
    }
  }
  for (const [name, list] of skips) {
    for (const skip of list) {
      if (!used.has(`${name}/${skip.id}`)) {
        ok = false;
        lines.push(`STALE   skip ${skip.id} on ${name}: the check did not fail there; remove the skip`);
      }
    }
  }
  if (passed + failed + skipped === 0) {
    ok = false;
    lines.push("ERROR: checkov ran no checks (wrong file or framework?)");
  }
  lines.push(`checkov: passed ${passed}, failed ${failed}, skipped (in code, with reasons) ${skipped}`);
  return { ok, lines, skips: applied };
}

if (require.main === module) {
  const [reportPath, tfJsonPath, option] = process.argv.slice(2);
  if (!reportPath || !tfJsonPath || (option !== undefined && option !== "--list-skips")) {
    console.error("usage: checkov-gate.ts <checkov-report.json> <cdk.tf.json> [--list-skips]");
    process.exit(2);
  }
  const raw = JSON.parse(fs.readFileSync(reportPath, "utf8"));
  const reports: CheckovReport[] = Array.isArray(raw) ? raw : [raw];
  const result = gate(reports, JSON.parse(fs.readFileSync(tfJsonPath, "utf8")));
  for (const line of [...(option === "--list-skips" ? result.skips : []), ...result.lines]) console.log(line);
  process.exit(result.ok ? 0 : 1);
}
