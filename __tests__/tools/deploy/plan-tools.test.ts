import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../../common/repo-root";
import { parseArgs, runPlanReview } from "../../../tools/deploy/plan-review-cli";
import { UsageError } from "../../../tools/deploy/stack-folder";
import { EMULATOR_FIDELITY_DIFFERENCES, unexplainedChanges } from "../../../tools/deploy/emulator-fidelity";
import { changeCauses, changeKind, managedChanges } from "../../../tools/deploy/plan-json";
import { formatReview, reviewPlan } from "../../../tools/deploy/plan-review";
import { rolloutProblems } from "../../../tools/deploy/rollout-expectations";
import { change, plan, rolloutPlan, variant } from "./plan-fixtures";

describe("Plan JSON: what changes and why", () => {
  it("names replacements by which object goes first", () => {
    expect(changeKind(["create", "delete"])).toBe("replace, new first");
    expect(changeKind(["delete", "create"])).toBe("replace, old deleted first");
    expect(changeKind(["no-op"])).toBe("no-op");
    expect(changeKind(["update"])).toBe("update");
  });

  it("leaves no-ops and data-source reads out of the changes", () => {
    const p = plan(
      change("aws_iam_role.r", ["no-op"], {}, {}),
      { ...change("data.aws_region.r", ["read"], null, {}), mode: "data" },
      change("aws_s3_bucket.b", ["update"], { a: 1 }, { a: 2 }),
    );
    expect(managedChanges(p).map((rc) => rc.address)).toEqual(["aws_s3_bucket.b"]);
  });

  it("reports known leaf differences and forced replacements, not values that only become unknown", () => {
    // Prepare
    const rc = change(
      "aws_sagemaker_endpoint_configuration.c",
      ["create", "delete"],
      {
        arn: "a1",
        production_variants: [{ instance_type: "ml.m5.xlarge", model_name: "m1" }],
        data_capture_config: [{ enable_capture: false }],
      },
      { production_variants: [{ instance_type: "ml.c6i.xlarge" }], data_capture_config: [] },
      { after_unknown: { arn: true, production_variants: [{ model_name: true }] }, replace_paths: [["data_capture_config"]] },
    );
    // Act / Assess
    expect(changeCauses(rc)).toEqual(["data_capture_config", "production_variants.instance_type"]);
  });

  it("treats an unset value and its zero value as the same, as the AWS provider does", () => {
    const rc = change(
      "aws_sagemaker_model.m",
      ["update"],
      { tags: {}, hostname: "", flag: false, list: [] },
      { tags: null, hostname: null, flag: null, list: null },
    );
    expect(changeCauses(rc)).toEqual([]);
    expect(changeCauses(change("aws_sagemaker_model.m", ["update"], { flag: true }, { flag: false }))).toEqual(["flag"]);
  });

  it("calls a whole-resource create or delete a (resource) change", () => {
    expect(changeCauses(change("aws_s3_bucket.b", ["delete"], { bucket: "b" }, null))).toEqual(["(resource)"]);
  });
});

describe("Emulator fidelity: the idempotency check", () => {
  it("accepts exactly the listed read-back differences", () => {
    // Prepare
    const known = plan(
      change("aws_lambda_function.f", ["update"], { logging_config: [] }, { logging_config: [{ log_format: "Text" }] }),
      change(
        "aws_sagemaker_model.m",
        ["create", "delete"],
        { vpc_config: [{ subnets: [] }] },
        { vpc_config: [] },
        { replace_paths: [["vpc_config"]] },
      ),
    );
    const drift = plan(
      change(
        "aws_lambda_function.f",
        ["update"],
        { memory_size: 1024, logging_config: [] },
        { memory_size: 512, logging_config: [{ log_format: "Text" }] },
      ),
    );
    // Act / Assess
    expect(unexplainedChanges(known)).toEqual([]);
    expect(unexplainedChanges(drift)).toEqual([{ address: "aws_lambda_function.f", cause: "memory_size" }]);
    expect(unexplainedChanges(plan(change("aws_s3_bucket.b", ["create"], null, {})))).toEqual([
      { address: "aws_s3_bucket.b", cause: "(resource)" },
    ]);
  });

  it("gives every listed difference a reason", () => {
    for (const difference of EMULATOR_FIDELITY_DIFFERENCES) expect(difference.reason.length).toBeGreaterThan(40);
  });
});

describe("Rollout expectations", () => {
  it("accept a model rollout: revision, object, model and configuration new first, endpoint updated in place", () => {
    expect(rolloutProblems(rolloutPlan())).toEqual([]);
  });

  it("flag a replaced endpoint, an old-first replacement and anything else that changes", () => {
    // Prepare
    const changes = rolloutPlan().resource_changes!.map((rc) =>
      rc.type === "aws_sagemaker_endpoint" ? { ...rc, change: { ...rc.change, actions: ["delete", "create"] as const } } : rc,
    );
    changes.push(change("aws_iam_role_policy.p", ["update"], { policy: "a" }, { policy: "b" }));
    changes[1] = { ...changes[1], change: { ...changes[1].change, actions: ["delete", "create"] } };
    // Act
    const problems = rolloutProblems(plan(...(changes as Parameters<typeof plan>)));
    // Assess
    expect(problems).toEqual([
      'aws_s3_object: expected one "replace, new first", got "replace, old deleted first"',
      'aws_sagemaker_endpoint: expected one "update", got "replace, old deleted first"',
      "aws_iam_role_policy.p: unexpected update (policy)",
    ]);
  });
});

describe("Plan review", () => {
  it("calls a model rollout safe", () => {
    // Act
    const review = reviewPlan(rolloutPlan());
    // Assess
    expect(review.destructive).toBe(false);
    expect(review.findings.map((f) => [f.severity, f.title])).toEqual([
      ["ok", "model rollout without downtime"],
      ["note", "other changes"],
    ]);
    expect(formatReview(review, false)).toContain("Verdict: no destructive changes.");
  });

  it("stops on a replaced endpoint and on destroyed data, and says how to allow it", () => {
    // Prepare
    const p = plan(
      change("aws_sagemaker_endpoint.endpoint", ["delete", "create"], { name: "a" }, { name: "b" }, { replace_paths: [["name"]] }),
      change(
        "aws_cloudwatch_log_group.logs",
        ["delete", "create"],
        { name: "/aws/sagemaker/Endpoints/a" },
        { name: "/aws/sagemaker/Endpoints/b" },
        { replace_paths: [["name"]] },
      ),
      change("aws_s3_bucket.bucket", ["delete"], { bucket: "b" }, null),
    );
    // Act
    const review = reviewPlan(p);
    const text = formatReview(review, false);
    // Assess
    expect(review.destructive).toBe(true);
    expect(text).toContain("STOP endpoint REPLACED (downtime)");
    expect(text).toContain("aws_sagemaker_endpoint.endpoint: replace, old deleted first (name)");
    expect(text).toContain("STOP data-bearing resources destroyed");
    expect(text).toContain("aws_s3_bucket.bucket: delete");
    expect(text).toContain("re-run with --allow-destructive");
    expect(formatReview(review, true)).toContain("destructive changes, allowed by --allow-destructive");
  });

  it("notes permission and capacity changes", () => {
    // Prepare
    const p = plan(
      change("aws_iam_role_policy.p", ["update"], { policy: "a" }, { policy: "b" }),
      change("aws_sagemaker_endpoint_configuration.c", ["create", "delete"], variant("ml.m5.xlarge", 1), variant("ml.c7i.xlarge", 2), {
        replace_paths: [["production_variants", 0, "instance_type"]],
      }),
      change("aws_sagemaker_endpoint.e", ["update"], { endpoint_config_name: "c1" }, {}, { after_unknown: { endpoint_config_name: true } }),
    );
    // Act
    const review = reviewPlan(p);
    // Assess
    expect(review.destructive).toBe(false);
    const byTitle = Object.fromEntries(review.findings.map((f) => [f.title, f]));
    expect(byTitle["IAM / resource-policy changes"].details).toEqual(["aws_iam_role_policy.p: update (policy)"]);
    expect(byTitle["instance type or count changes"].details).toEqual(
      expect.arrayContaining(["AllTraffic instance_type: ml.m5.xlarge -> ml.c7i.xlarge", "AllTraffic initial_instance_count: 1 -> 2"]),
    );
    expect(byTitle["endpoint configuration rollout without downtime"]).toBeDefined();
  });

  it("says so when nothing changes", () => {
    expect(reviewPlan(plan(change("aws_iam_role.r", ["no-op"], {}, {}))).summary).toBe(
      "No changes: the deployed stack matches the configuration.",
    );
  });
});

describe("plan:review arguments", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "review-args-"));

  it("reads a JSON plan without needing a synthesized stack", () => {
    expect(parseArgs(["--plan", "plan.json"], root)).toEqual({
      stackDir: undefined,
      plan: path.join(root, "plan.json"),
      allowDestructive: false,
      skipPreflight: false,
    });
    expect(parseArgs(["--plan", "plan.json", "--skip-preflight"], root).skipPreflight).toBe(true);
  });

  it("runs the plan in the only synthesized stack, and asks which one when there are several or none", () => {
    // Prepare
    const stacks = path.join(root, "cdktf.out", "stacks");
    // Act / Assess
    expect(() => parseArgs([], root)).toThrow("no synthesized stack in cdktf.out/stacks: run `npm run synth` first");
    for (const name of ["one", "two"]) {
      fs.mkdirSync(path.join(stacks, name), { recursive: true });
      fs.writeFileSync(path.join(stacks, name, "cdk.tf.json"), "{}");
      if (name === "one")
        expect(parseArgs(["--allow-destructive"], root)).toEqual({
          stackDir: path.join(stacks, "one"),
          plan: undefined,
          allowDestructive: true,
          skipPreflight: false,
        });
    }
    expect(() => parseArgs([], root)).toThrow("several stacks in cdktf.out/stacks (one, two): pass --stack-dir");
    expect(parseArgs(["--plan", path.join(stacks, "two", "x.tfplan")], root).stackDir).toBe(path.join(stacks, "two"));
  });

  it("rejects unknown arguments and missing values", () => {
    expect(() => parseArgs(["--plan"], root)).toThrow(UsageError);
    expect(() => parseArgs(["--force"], root)).toThrow("unknown argument --force");
  });
});

describe("plan:review command", () => {
  const run = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(REPO_ROOT, "tools", "deploy", "plan-review-cli.ts"), ...args],
      {
        encoding: "utf8",
      },
    );

  it("prints the verdict and exits 0 on a safe plan, 1 on a destructive one (0 when allowed)", () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-cli-"));
    const safe = path.join(dir, "rollout.json");
    const destructive = path.join(dir, "delete.json");
    fs.writeFileSync(safe, JSON.stringify(rolloutPlan()));
    fs.writeFileSync(destructive, JSON.stringify(plan(change("aws_s3_bucket.bucket", ["delete"], { bucket: "b" }, null))));
    // Act
    const results = [
      run("--skip-preflight", "--plan", safe),
      run("--skip-preflight", "--plan", destructive),
      run("--skip-preflight", "--plan", destructive, "--allow-destructive"),
    ];
    // Assess
    expect(results.map((r) => r.status)).toEqual([0, 1, 0]);
    expect(results[0].stdout).toContain("OK   model rollout without downtime");
    expect(results[1].stdout).toContain("STOP data-bearing resources destroyed");
    expect(results[1].stdout.trimEnd().split("\n").pop()).toContain("Not approved");
  });

  it("says so, without a stack trace, when the plan file is missing", () => {
    const missing = run("--skip-preflight", "--plan", "/nonexistent/plan.json");
    expect({ status: missing.status, stderr: missing.stderr }).toEqual({
      status: 2,
      stderr: "plan:review: no plan at /nonexistent/plan.json\n",
    });
  });
});

describe("plan:review runs the preflight first", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-preflight-"));
  const planFile = path.join(dir, "rollout.json");
  fs.writeFileSync(planFile, JSON.stringify(rolloutPlan()));
  let order: string[];
  let errors: string[];
  beforeEach(() => {
    order = [];
    errors = [];
    jest.spyOn(console, "log").mockImplementation(() => undefined);
    jest.spyOn(console, "error").mockImplementation((line: string) => void errors.push(line));
  });
  afterEach(() => jest.restoreAllMocks());

  const steps = (preflightExit: number) => ({
    preflight: async () => (order.push("preflight"), preflightExit),
    loadPlan: () => (order.push("plan"), rolloutPlan()),
  });

  it("reviews the plan only after the preflight passed", async () => {
    // Act
    const code = await runPlanReview(["--plan", planFile], dir, steps(0));

    // Assess
    expect({ code, order }).toEqual({ code: 0, order: ["preflight", "plan"] });
  });

  it("stops with exit 1, before planning, when the preflight fails", async () => {
    // Act
    const code = await runPlanReview(["--plan", planFile], dir, steps(1));

    // Assess
    expect({ code, order }).toEqual({ code: 1, order: ["preflight"] });
    expect(errors).toEqual([
      "plan:review: the preflight failed (the FAIL lines above say how to fix it); --skip-preflight reviews a saved plan offline",
    ]);
  });

  it("leaves the preflight out with --skip-preflight (a saved plan reviewed offline)", async () => {
    // Act
    const code = await runPlanReview(["--plan", planFile, "--skip-preflight"], dir, steps(1));

    // Assess
    expect({ code, order }).toEqual({ code: 0, order: ["plan"] });
  });

  it("rejects a bad argument before asking AWS anything", async () => {
    // Act
    const code = await runPlanReview(["--bogus"], dir, steps(0));

    // Assess
    expect({ code, order }).toEqual({ code: 2, order: [] });
  });
});
