/**
 * The preflight only reads, and docs/deploy.md names every action it needs: the calls it really sends (through a
 * run that takes every path: endpoints to describe, reserved concurrency, an alarm topic, an S3 backend) are the calls the action
 * list knows, all of them reads, and the documented policy holds exactly those actions.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../../common/repo-root";
import { PREFLIGHT_CALLS, PREFLIGHT_READ_ACTIONS } from "../../../tools/preflight/iam-read-actions";
import { realtimeEndpoint, sagemakerQuotas, useFakeAccount } from "./fake-account";
import { preflightOf } from "./run";

describe("Preflight: read actions", () => {
  const fake = useFakeAccount();

  it("sends only the calls the documented action list covers, every one of them, and all are reads", async () => {
    // Prepare
    fake.account.quotas = sagemakerQuotas({ instanceType: { "ml.c7i.xlarge": 4 } });
    fake.account.endpoints = [realtimeEndpoint("other-app", "ml.c7i.xlarge", 1)];
    fake.account.buckets["team-state"] = { versioning: "Enabled", objects: { "vit/terraform.tfstate": '{"resources": []}' } };

    // Act
    await preflightOf({
      region: "eu-west-1",
      lambda: { reservedConcurrency: 5 },
      alarms: { email: "ops@example.com" },
      backend: { bucket: "team-state", key: "vit/terraform.tfstate", region: "eu-west-1" },
    });
    const sent = [...new Set(fake.aws.commandNames())].sort();

    // Assess
    expect(sent).toEqual(Object.keys(PREFLIGHT_CALLS).sort());
    expect(sent.filter((name) => !/^(Get|List|Describe|Head)[A-Z]/.test(name))).toEqual([]);
  });

  it("documents exactly those actions as the policy to attach", () => {
    // Prepare
    const deployDoc = fs.readFileSync(path.join(REPO_ROOT, "docs", "deploy.md"), "utf8");
    const section = deployDoc.slice(deployDoc.indexOf("### The read actions the preflight needs"));
    const policy = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(section)![1]);

    // Act
    const documented = policy.Statement.flatMap((statement: { Action: string[] }) => statement.Action);

    // Assess
    expect(documented).toEqual([...PREFLIGHT_READ_ACTIONS]);
  });
});
