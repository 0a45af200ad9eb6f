import { declaredSkips, gate } from "../../scripts/checkov-gate";
import { synthStack } from "./helpers";

function report(failed: [string, string][], passed = 3, parsingErrors = 0) {
  return {
    check_type: "terraform_json",
    results: {
      failed_checks: failed.map(([check_id, resource]) => ({ check_id, resource, check_name: "a check" })),
      passed_checks: Array.from({ length: passed }, (_, i) => ({ check_id: `CKV_OK_${i}`, resource: "resource.x" })),
    },
    summary: { passed, failed: failed.length, parsing_errors: parsingErrors },
  };
}

const tfJson = {
  resource: {
    aws_s3_bucket: { bucket_1: { "//": { checkov: { skip: [{ id: "CKV_AWS_18", comment: "no log bucket" }] } } } },
    aws_lambda_function: { fn_2: {} },
  },
};

describe("checkov gate", () => {
  it("passes when every failure is skipped on that exact resource: a summary line, the skip with its reason apart", () => {
    const result = gate([report([["CKV_AWS_18", "aws_s3_bucket.bucket_1"]])], tfJson);
    expect(result.ok).toBe(true);
    expect(result.lines).toEqual(["checkov: passed 3, failed 0, skipped (in code, with reasons) 1"]);
    expect(result.skips).toEqual(["SKIPPED CKV_AWS_18 on bucket_1: no log bucket"]);
  });

  it("fails on a failure that no skip covers, even if the same check is skipped elsewhere", () => {
    const result = gate(
      [
        report([
          ["CKV_AWS_18", "aws_s3_bucket.bucket_1"],
          ["CKV_AWS_18", "resource.fn_2"],
        ]),
      ],
      tfJson,
    );
    expect(result.ok).toBe(false);
    expect(result.lines).toContain("FAILED  CKV_AWS_18 on resource.fn_2: a check");
  });

  it("fails on a stale skip (its check passes)", () => {
    const result = gate([report([])], tfJson);
    expect(result.ok).toBe(false);
    expect(result.lines).toContain("STALE   skip CKV_AWS_18 on bucket_1: the check did not fail there; remove the skip");
  });

  it("fails when checkov could not parse the file or ran nothing", () => {
    expect(gate([report([["CKV_AWS_18", "aws_s3_bucket.bucket_1"]], 3, 1)], tfJson).ok).toBe(false);
    expect(gate([report([], 0)], { resource: {} }).lines).toContain("ERROR: checkov ran no checks (wrong file or framework?)");
  });

  it("reads the skips the stack writes into each resource's comment block, each with a reason", () => {
    // Prepare: Testing.synth strips "//", the real synth output keeps it
    const { stack } = synthStack({ auth: { mode: "none" } });
    // Act
    const skips = declaredSkips(JSON.parse(JSON.stringify(stack.toTerraform())));
    // Assess
    const ids = [...skips.values()].flat().map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(["CKV_AWS_18", "CKV_AWS_145", "CKV_AWS_158", "CKV_AWS_309", "CKV_AWS_98"]));
    for (const skip of [...skips.values()].flat()) expect(skip.comment.length).toBeGreaterThan(20);
    const iam = declaredSkips(JSON.parse(JSON.stringify(synthStack({ auth: { mode: "iam" } }).stack.toTerraform())));
    expect([...iam.values()].flat().map((s) => s.id)).not.toContain("CKV_AWS_309");
  });
});
