/**
 * The account-wide names line, every outcome: nothing exists yet; everything that exists is this stack's (in its
 * state); a name exists and is someone else's (FAIL, with how to rename or delete a leftover); the state cannot be
 * read; a lookup is refused; names nobody can look up are said. The SNS alarm topic gets its own tests: SNS does not
 * refuse a name that exists (CreateTopic returns that topic), so only this check stands between a deploy and someone
 * else's topic.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { IAMClient } from "@aws-sdk/client-iam";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { GetTopicAttributesCommand, SNSClient } from "@aws-sdk/client-sns";
import { StackName } from "../../../tools/preflight/account-wide-names";
import { formatCheck } from "../../../tools/preflight/check-result";
import { NameCollisionInput, nameCollisionCheck } from "../../../tools/preflight/name-collision-check";
import { EXAMPLE_ACCOUNT_ID } from "../../example-account";
import { awsError, useFakeAccount } from "./fake-account";

const NAMES: StackName[] = [
  { type: "aws_iam_role", name: "vit-classifier-eu-west-1-lambda" },
  { type: "aws_lambda_function", name: "vit-classifier-api" },
  { type: "aws_cloudwatch_log_group", name: "/aws/sagemaker/Endpoints/vit-classifier" },
  { type: "aws_cloudwatch_log_group", name: "/aws/lambda/vit-classifier-api" },
  { type: "aws_sagemaker_endpoint", name: "vit-classifier" },
  { type: "aws_cloudwatch_dashboard", name: "vit-classifier-eu-west-1-inference" },
  { type: "aws_cloudwatch_metric_alarm", name: "vit-classifier-lambda-errors" },
  { type: "aws_cloudwatch_metric_alarm", name: "vit-classifier-api-5xx-rate" },
  { type: "aws_sns_topic", name: "vit-classifier-alarms" },
];
const TOPIC = NAMES.filter((n) => n.type === "aws_sns_topic");
const TOPIC_ARN = `arn:aws:sns:eu-west-1:${EXAMPLE_ACCOUNT_ID}:vit-classifier-alarms`;
const EVERY_NAME = new Set(NAMES.map((n) => `${n.type}:${n.name}`));

describe("Preflight: account-wide names", () => {
  const fake = useFakeAccount();

  const check = async (input: Partial<NameCollisionInput> = {}) =>
    formatCheck(
      await nameCollisionCheck({
        clients: {
          iam: new IAMClient({ region: "us-east-1" }),
          lambda: new LambdaClient({ region: "eu-west-1" }),
          logs: new CloudWatchLogsClient({ region: "eu-west-1" }),
          sagemaker: new SageMakerClient({ region: "eu-west-1" }),
          cloudwatch: new CloudWatchClient({ region: "eu-west-1" }),
          sns: new SNSClient({ region: "eu-west-1" }),
        },
        names: NAMES,
        unresolved: [],
        owned: new Set(),
        stateDescription: "/work/terraform.vit-classifier.tfstate",
        context: { region: "eu-west-1", account: EXAMPLE_ACCOUNT_ID, partition: "aws" },
        ...input,
      }),
    );

  it("passes when none of the names exists yet", async () => {
    // Prepare: similar names that are not the stack's (prefix searches must match exactly).
    fake.account.logGroups = ["/aws/lambda/vit-classifier-api-old"];
    fake.account.dashboards = ["vit-classifier-eu-west-1-inference-v2"];
    fake.account.endpoints = [{ describe: { EndpointName: "vit-classifier-staging" } }];

    // Act
    const line = await check();

    // Assess
    expect(line).toBe("PASS  account-wide names: none of the 9 names this stack creates exists yet");
  });

  it("passes when every name that exists is in this stack's state (its own deploy)", async () => {
    // Prepare
    fake.account.roles = ["vit-classifier-eu-west-1-lambda"];
    fake.account.functions["vit-classifier-api"] = undefined;
    fake.account.dashboards = ["vit-classifier-eu-west-1-inference"];

    // Act
    const line = await check({ owned: EVERY_NAME });

    // Assess
    expect(line).toBe(
      "PASS  account-wide names: 3 of the 9 names exist, all in this stack's state (/work/terraform.vit-classifier.tfstate)",
    );
  });

  it("fails on names that exist outside the stack's state, with how to rename or delete leftovers", async () => {
    // Prepare: a log group SageMaker wrote to after a destroy, another stack's dashboard and alarms, a role.
    fake.account.logGroups = ["/aws/sagemaker/Endpoints/vit-classifier"];
    fake.account.dashboards = ["vit-classifier-eu-west-1-inference"];
    fake.account.alarms = ["vit-classifier-lambda-errors", "vit-classifier-api-5xx-rate"];
    fake.account.roles = ["vit-classifier-eu-west-1-lambda"];

    // Act
    const line = await check();

    // Assess
    expect(line).toBe(
      "FAIL  account-wide names: IAM role vit-classifier-eu-west-1-lambda, log group /aws/sagemaker/Endpoints/vit-classifier, dashboard vit-classifier-eu-west-1-inference, " +
        "alarm vit-classifier-lambda-errors, alarm vit-classifier-api-5xx-rate already exist and are not in this stack's state (/work/terraform.vit-classifier.tfstate); " +
        "PutDashboard replaces a dashboard of that name instead of failing: the deploy would overwrite it and cdktf destroy would delete it; " +
        "PutMetricAlarm replaces an alarm of that name instead of failing: the deploy would overwrite it and cdktf destroy would delete it\n" +
        "      fix: if another stack uses these names, give this one others (namePrefix, endpoint.name in classifier.config.json); if they are left over " +
        "from an earlier deploy of this stack (log groups written to after a destroy are the usual case), delete them: " +
        "IAM console → Roles → vit-classifier-eu-west-1-lambda → Delete (it deletes the inline policies with the role); " +
        "aws logs delete-log-group --log-group-name '/aws/sagemaker/Endpoints/vit-classifier' --region eu-west-1; " +
        "aws cloudwatch delete-dashboards --dashboard-names 'vit-classifier-eu-west-1-inference' --region eu-west-1; " +
        "aws cloudwatch delete-alarms --alarm-names 'vit-classifier-lambda-errors' 'vit-classifier-api-5xx-rate' --region eu-west-1",
    );
  });

  it("fails on an endpoint and a function of the same names that are not this stack's", async () => {
    // Prepare
    fake.account.endpoints = [{ describe: { EndpointName: "vit-classifier" } }];
    fake.account.functions["vit-classifier-api"] = undefined;

    // Act
    const line = await check({ owned: new Set(["aws_iam_role:vit-classifier-eu-west-1-lambda"]) });

    // Assess
    expect(line).toMatch(
      /^FAIL {2}account-wide names: Lambda function vit-classifier-api, SageMaker endpoint vit-classifier already exist/,
    );
    expect(line).toContain(
      "aws lambda delete-function --function-name 'vit-classifier-api' --region eu-west-1; aws sagemaker delete-endpoint --endpoint-name 'vit-classifier' --region eu-west-1",
    );
  });

  it("warns when names exist but the state cannot be read to tell whose they are", async () => {
    // Prepare
    fake.account.roles = ["vit-classifier-eu-west-1-lambda"];

    // Act
    const line = await check({ owned: undefined, stateDescription: "s3://team-state/vit.tfstate could not be read: AccessDenied" });

    // Assess
    expect(line).toBe(
      "WARN  account-wide names: IAM role vit-classifier-eu-west-1-lambda already exists, and whether it is this stack's own is unknown: " +
        "s3://team-state/vit.tfstate could not be read: AccessDenied\n" +
        "      fix: allow read access to the state (docs/deploy.md lists the read actions the preflight needs), then run it again",
    );
  });

  it("warns, naming the read action, when a lookup is refused, and still fails on what it did find", async () => {
    // Prepare
    fake.account.lookupErrors.iam = awsError("AccessDenied", 403, "not authorized: iam:GetRole");
    fake.account.dashboards = ["vit-classifier-eu-west-1-inference"];

    // Act
    const refused = await check({ names: NAMES.filter((n) => n.type === "aws_iam_role") });
    const both = await check();

    // Assess
    expect(refused).toBe(
      "WARN  account-wide names: none of the 1 names this stack creates exists yet; IAM role names not checked (AccessDenied: not authorized: iam:GetRole)\n" +
        "      fix: allow iam:GetRole (docs/deploy.md lists the read actions the preflight needs), then run it again",
    );
    expect(both).toMatch(
      /^FAIL {2}account-wide names: dashboard vit-classifier-eu-west-1-inference already exists and is not in .*; IAM role names not checked/,
    );
  });

  it("says which names it could not check (known only at apply, or a kind no lookup knows) without warning", async () => {
    // Act
    const line = await check({
      names: [...NAMES, { type: "aws_sqs_queue", name: "vit-classifier-jobs" }],
      unresolved: [{ type: "aws_iam_role", name: "app-${random_id.x.hex}" }],
    });

    // Assess
    expect(line).toBe(
      "PASS  account-wide names: none of the 10 names this stack creates exists yet; not checked: IAM role app-${random_id.x.hex}, aws_sqs_queue vit-classifier-jobs",
    );
  });

  it("looks the alarm topic up by its ARN in the caller's partition, region and account, and passes when there is none", async () => {
    // Prepare: a topic of a similar name.
    fake.account.topics = ["vit-classifier-alarms-old"];

    // Act
    const line = await check({ names: TOPIC });

    // Assess
    expect(line).toBe("PASS  account-wide names: none of the 1 names this stack creates exists yet");
    expect(fake.aws.sns.commandCalls(GetTopicAttributesCommand).map((c) => c.args[0].input.TopicArn)).toEqual([TOPIC_ARN]);
  });

  it("passes an alarm topic that exists and is in this stack's state (its own deploy)", async () => {
    // Prepare
    fake.account.topics = ["vit-classifier-alarms"];

    // Act
    const line = await check({ names: TOPIC, owned: EVERY_NAME });

    // Assess
    expect(line).toBe(
      "PASS  account-wide names: 1 of the 1 names exist, all in this stack's state (/work/terraform.vit-classifier.tfstate)",
    );
  });

  it("fails on an alarm topic that is not this stack's, saying a deploy would take it over, with the command that deletes a leftover", async () => {
    // Prepare: a partition other than aws, so the ARN's parts are seen to come from the caller.
    fake.account.arn = `arn:aws-us-gov:iam::${EXAMPLE_ACCOUNT_ID}:user/alice`;
    fake.account.topics = ["vit-classifier-alarms"];
    const gov = { region: "us-gov-west-1", account: EXAMPLE_ACCOUNT_ID, partition: "aws-us-gov" };

    // Act
    const line = await check({ names: TOPIC, context: gov });

    // Assess
    expect(line).toBe(
      "FAIL  account-wide names: SNS topic vit-classifier-alarms already exists and is not in this stack's state (/work/terraform.vit-classifier.tfstate); " +
        "SNS may not refuse the name: CreateTopic is idempotent and answers with a topic of that name whose tags match (another copy of " +
        "this stack's do), so the deploy would take it over (its policy and encryption rewritten) and cdktf destroy would delete it\n" +
        "      fix: if another stack uses these names, give this one others (namePrefix, endpoint.name in classifier.config.json); if they are left over " +
        "from an earlier deploy of this stack (log groups written to after a destroy are the usual case), delete them: " +
        `aws sns delete-topic --topic-arn arn:aws-us-gov:sns:us-gov-west-1:${EXAMPLE_ACCOUNT_ID}:vit-classifier-alarms --region us-gov-west-1`,
    );
  });

  it("warns, naming sns:GetTopicAttributes, when the topic lookup is refused", async () => {
    // Prepare: SNS refuses with its own error name (AuthorizationError, HTTP 403).
    fake.account.lookupErrors.sns = awsError(
      "AuthorizationErrorException",
      403,
      `User: arn:aws:iam::${EXAMPLE_ACCOUNT_ID}:user/alice is not authorized to perform: SNS:GetTopicAttributes`,
    );

    // Act
    const line = await check({ names: TOPIC });

    // Assess
    expect(line).toBe(
      "WARN  account-wide names: none of the 1 names this stack creates exists yet; SNS topic names not checked (AuthorizationErrorException: " +
        `User: arn:aws:iam::${EXAMPLE_ACCOUNT_ID}:user/alice is not authorized to perform: SNS:GetTopicAttributes)\n` +
        "      fix: allow sns:GetTopicAttributes (docs/deploy.md lists the read actions the preflight needs), then run it again",
    );
  });

  it("asks for alarms in batches of 100 (DescribeAlarms' limit)", async () => {
    // Prepare
    const alarms = Array.from({ length: 150 }, (_, i) => ({ type: "aws_cloudwatch_metric_alarm", name: `alarm-${i}` }));

    // Act
    await check({ names: alarms });

    // Assess
    expect(fake.aws.cloudwatch.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input.AlarmNames?.length)).toEqual([100, 50]);
  });
});
