import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { AlarmTopic } from "../../src/constructs/alarm-topic";
import { awsContext } from "./helpers";

interface Statement {
  Sid: string;
  Effect: string;
  Principal: Record<string, string>;
  Action: string | string[];
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

function synth(): { json: string; resources: Record<string, Record<string, Record<string, unknown>>> } {
  const json = Testing.synthScope((scope) => {
    new AlarmTopic(scope, "topic", { namePrefix: "vit", email: "ops@example.com", aws: awsContext(scope) });
  });
  return { json, resources: JSON.parse(json).resource };
}

const only = (group: Record<string, Record<string, unknown>>) => {
  const values = Object.values(group);
  expect(values).toHaveLength(1);
  return values[0];
};

describe("Construct: AlarmTopic", () => {
  it("encrypts the topic with its own rotating KMS key", () => {
    const { json, resources } = synth();

    expect(json).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
    expect(json).toHaveResourceWithProperties(SnsTopic, { name: "vit-alarms" });
    expect(only(resources.aws_sns_topic).kms_master_key_id).toMatch(/^\$\{aws_kms_key\..+\.arn\}$/);
  });

  it("subscribes the e-mail address to the topic", () => {
    const { json, resources } = synth();

    expect(json).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: "email", endpoint: "ops@example.com" });
    expect(only(resources.aws_sns_topic_subscription).topic_arn).toMatch(/^\$\{aws_sns_topic\..+\.arn\}$/);
  });

  it("lets only this account's prefixed alarms publish to the topic", () => {
    const { resources } = synth();
    const policy = only(resources.aws_sns_topic_policy);
    const statements: Statement[] = JSON.parse(policy.policy as string).Statement;

    expect(policy.arn).toMatch(/^\$\{aws_sns_topic\..+\.arn\}$/);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish" });
    expect(statements[0].Resource).toMatch(/^\$\{aws_sns_topic\..+\.arn\}$/);
    expect(statements[0].Condition?.StringEquals["aws:SourceAccount"]).toMatch(/aws_caller_identity\..+\.account_id/);
    expect(statements[0].Condition?.ArnLike["aws:SourceArn"]).toMatch(
      /^arn:\$\{data\.aws_partition\..+\}:cloudwatch:\$\{data\.aws_region\..+\.name\}:\$\{data\.aws_caller_identity\..+\.account_id\}:alarm:vit-\*$/,
    );
  });

  it("lets CloudWatch use the key exactly as AWS documents it (the topic policy limits who publishes), and no wildcard principal", () => {
    const { resources } = synth();
    const statements: Statement[] = JSON.parse(only(resources.aws_kms_key).policy as string).Statement;

    const cloudwatch = statements.find((s) => s.Principal.Service === "cloudwatch.amazonaws.com");
    expect(cloudwatch?.Action).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
    expect(cloudwatch?.Resource).toBe("*");
    expect(cloudwatch?.Condition).toBeUndefined();
    const root = statements.find((s) => s.Principal.AWS !== undefined);
    expect(root?.Principal.AWS).toMatch(/^arn:\$\{data\.aws_partition\..+\}:iam::\$\{data\.aws_caller_identity\..+\.account_id\}:root$/);
    for (const statement of statements) expect(Object.values(statement.Principal)).not.toContain("*");
  });
});
