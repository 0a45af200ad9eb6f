/**
 * What `npm run plan:review` leaves beside the plan it saved (cdktf.out/stacks/<stack>/review.json), so that
 * `npm run deploy` applies exactly that plan and nothing else: the plan file's hash, the fingerprint of the synth it
 * was made from, and the review's verdict.
 */
import * as fs from "fs";
import * as path from "path";
import { fileSha256 } from "./stack-fingerprint";

export const REVIEWED_PLAN_FILE = "review.tfplan";
export const REVIEW_RECORD_FILE = "review.json";

export interface ReviewRecord {
  readonly version: 1;
  readonly stackName: string;
  /** SHA-256 of review.tfplan as it was reviewed. */
  readonly planSha256: string;
  /** stackFingerprint() of the synthesized folder the plan was made from. */
  readonly stackFingerprint: string;
  readonly reviewedAt: string;
  /** The review found destructive changes (endpoint replaced or deleted, data-bearing resources deleted). */
  readonly destructive: boolean;
  /** The reviewer passed --allow-destructive. */
  readonly allowDestructive: boolean;
  /** The review's one-line summary ("2 to create, 1 to update in place, ..."). */
  readonly summary: string;
}

export function writeReviewRecord(stackDir: string, record: ReviewRecord): string {
  const file = path.join(stackDir, REVIEW_RECORD_FILE);
  fs.writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
  return file;
}

export function readReviewRecord(stackDir: string): ReviewRecord | undefined {
  const file = path.join(stackDir, REVIEW_RECORD_FILE);
  if (!fs.existsSync(file)) return undefined;
  const record = JSON.parse(fs.readFileSync(file, "utf8")) as ReviewRecord;
  return record.version === 1 ? record : undefined;
}

/** A plan is applied once: afterwards its record and file go, so a second `npm run deploy` cannot replay it. */
export function removeReviewedPlan(stackDir: string): void {
  for (const file of [REVIEW_RECORD_FILE, REVIEWED_PLAN_FILE]) fs.rmSync(path.join(stackDir, file), { force: true });
}

export interface CurrentSynth {
  readonly stackName: string;
  /** stackFingerprint() of what synthesizing the app gives now. */
  readonly stackFingerprint: string;
}

/**
 * Why the reviewed plan in `stackDir` must not be applied to what synthesizing gives now; empty when it may.
 * Each reason says what to do.
 */
export function reasonsNotToApply(stackDir: string, current: CurrentSynth): string[] {
  const again = "run `npm run synth && npm run plan:review` again";
  const record = readReviewRecord(stackDir);
  const planFile = path.join(stackDir, REVIEWED_PLAN_FILE);
  if (!record || !fs.existsSync(planFile)) {
    return [
      `no reviewed plan in ${stackDir}: run \`npm run plan:review\` first (it saves ${REVIEWED_PLAN_FILE} and ${REVIEW_RECORD_FILE})`,
    ];
  }
  const reasons: string[] = [];
  if (record.stackName !== current.stackName) {
    reasons.push(`the plan was reviewed for stack ${record.stackName}, but the config now synthesizes ${current.stackName}: ${again}`);
  }
  if (fileSha256(planFile) !== record.planSha256) {
    reasons.push(`${REVIEWED_PLAN_FILE} is not the file that was reviewed (its SHA-256 changed since ${record.reviewedAt}): ${again}`);
  }
  if (record.stackFingerprint !== current.stackFingerprint) {
    reasons.push(
      `the plan is stale: synthesizing now gives a different stack than the one reviewed at ${record.reviewedAt} ` +
        `(the config, the code or the model tarball changed since): ${again}`,
    );
  }
  if (record.destructive && !record.allowDestructive) {
    reasons.push(
      "the review found destructive changes and they were not allowed: read the review, then " +
        "`npm run plan:review -- --allow-destructive` if they are intended",
    );
  }
  return reasons;
}
