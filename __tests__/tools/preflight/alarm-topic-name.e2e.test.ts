/**
 * The alarm topic's name through the AWS emulator (moto over HTTP): the preflight, run in process with its real clients
 * pointed at the emulator, looks the topic of `alarms.email` up by the ARN it builds from the caller's identity. A
 * topic of that name made with the SDK first fails the names line with a delete command, and that command's ARN,
 * deleted, makes it pass; a topic the stack's state holds passes. No deploy: the topic is all the test needs.
 */
import { CreateTopicCommand, DeleteTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { preflightClients } from "../../../tools/preflight/aws-clients";
import { AwsEmulator, EMULATOR_REGION, startAwsEmulator } from "../../../tools/deploy/aws-emulator";
import { preflightOf } from "./run";

jest.setTimeout(120_000);

const CONFIG = { region: EMULATOR_REGION, alarms: { email: "ops@example.com" } };
const TOPIC = "vit-classifier-alarms";
const CREDENTIALS = { accessKeyId: "emulator", secretAccessKey: "emulator" };

let emulator: AwsEmulator;
let sns: SNSClient;
let account: string;

beforeAll(async () => {
  emulator = await startAwsEmulator();
  const connection = { endpoint: emulator.url, credentials: CREDENTIALS, region: EMULATOR_REGION };
  sns = new SNSClient(connection);
  const sts = new STSClient(connection);
  account = (await sts.send(new GetCallerIdentityCommand({}))).Account!;
  sts.destroy();
}, 120_000);

afterAll(async () => {
  sns?.destroy();
  await emulator?.stop();
});

const namesLine = async (localState?: unknown) =>
  (
    await preflightOf(CONFIG, {
      localState,
      clients: (region) => preflightClients(region, { endpoint: emulator.url, credentials: CREDENTIALS }),
    })
  ).line("account-wide names");

describe("Preflight on the AWS emulator: the alarm topic's name", () => {
  it("passes when no topic has the name; fails on one that is not this stack's, and passes once it is deleted as printed", async () => {
    // Act
    const free = await namesLine();
    const created = await sns.send(new CreateTopicCommand({ Name: TOPIC }));
    const taken = await namesLine();
    const printedArn = /aws sns delete-topic --topic-arn (\S+) --region (\S+)/.exec(taken);
    if (printedArn) await sns.send(new DeleteTopicCommand({ TopicArn: printedArn[1] }));
    const freedAsPrinted = await namesLine();

    // Assess
    expect(free).toMatch(/^PASS {2}account-wide names: none of the \d+ names this stack creates exists yet$/);
    expect(taken).toMatch(
      new RegExp(
        `^FAIL {2}account-wide names: SNS topic ${TOPIC} already exists and is not in this stack's state .*; SNS may not refuse the name`,
      ),
    );
    expect(printedArn?.slice(1)).toEqual([created.TopicArn, EMULATOR_REGION]);
    expect(created.TopicArn).toBe(`arn:aws:sns:${EMULATOR_REGION}:${account}:${TOPIC}`);
    expect(freedAsPrinted).toBe(free);
  });

  it("passes a topic of that name that this stack's state holds (its own deploy)", async () => {
    // Prepare
    const created = await sns.send(new CreateTopicCommand({ Name: TOPIC }));
    const state = {
      version: 4,
      resources: [
        { mode: "managed", type: "aws_sns_topic", name: "topic", instances: [{ attributes: { name: TOPIC, arn: created.TopicArn } }] },
      ],
    };

    try {
      // Act
      const line = await namesLine(state);

      // Assess
      expect(line).toMatch(
        /^PASS {2}account-wide names: 1 of the \d+ names exist, all in this stack's state \(\S+terraform\.vit-classifier\.tfstate\)$/,
      );
    } finally {
      await sns.send(new DeleteTopicCommand({ TopicArn: created.TopicArn }));
    }
  });
});
