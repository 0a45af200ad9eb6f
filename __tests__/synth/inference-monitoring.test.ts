import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { AlarmSettings, defaultAlarmSettings } from "../../src/config/alarms";
import { InferenceMonitoring, InferenceMonitoringProps } from "../../src/constructs/inference-monitoring";
import { awsContext } from "./helpers";
import { EXAMPLE_ACCOUNT_ID } from "../example-account";

const base: Omit<InferenceMonitoringProps, "settings" | "aws"> = {
  namePrefix: "vit",
  dashboardName: "vit-eu-west-1-inference",
  apiId: "a1b2c3",
  stageName: "$default",
  functionName: "vit-classify",
  functionTimeoutSeconds: 28,
  endpointName: "vit-endpoint",
  variantName: "AllTraffic",
  serverless: false,
  instanceType: "ml.m5.xlarge",
};

type Resources = Record<string, Record<string, Record<string, unknown>>>;

function synth(settings: Partial<AlarmSettings> = {}, props: Partial<InferenceMonitoringProps> = {}): Resources {
  const json = Testing.synthScope((scope) => {
    new InferenceMonitoring(scope, "monitoring", {
      ...base,
      aws: awsContext(scope),
      ...props,
      settings: { ...defaultAlarmSettings(), ...settings },
    });
  });
  return JSON.parse(json).resource ?? {};
}

const alarms = (resources: Resources) => Object.values(resources.aws_cloudwatch_metric_alarm ?? {});
const dashboardBody = (resources: Resources) =>
  (Object.values(resources.aws_cloudwatch_dashboard)[0] as { dashboard_body: string }).dashboard_body;

describe("Construct: InferenceMonitoring", () => {
  it("by default creates the alarms and the dashboard, and no topic", () => {
    const resources = synth();

    expect(alarms(resources)).toHaveLength(8);
    expect(Object.keys(resources.aws_cloudwatch_dashboard)).toHaveLength(1);
    expect(resources.aws_sns_topic).toBeUndefined();
    expect(resources.aws_kms_key).toBeUndefined();
  });

  it("with alarms off creates no alarms and no topic, and keeps the dashboard", () => {
    const resources = synth({ enabled: false, email: "ops@example.com" });

    expect(resources.aws_cloudwatch_metric_alarm).toBeUndefined();
    expect(resources.aws_sns_topic).toBeUndefined();
    expect(resources.aws_sns_topic_subscription).toBeUndefined();
    expect(JSON.parse(dashboardBody(resources)).widgets.some((w: { type: string }) => w.type === "alarm")).toBe(false);
  });

  it("with the dashboard off creates none", () => {
    expect(synth({ dashboard: false }).aws_cloudwatch_dashboard).toBeUndefined();
  });

  it("with an e-mail creates the topic and points every alarm's actions at it", () => {
    const resources = synth({ email: "ops@example.com" });
    const topicId = Object.keys(resources.aws_sns_topic)[0];

    expect(Object.values(resources.aws_sns_topic_subscription)[0]).toMatchObject({ protocol: "email", endpoint: "ops@example.com" });
    for (const alarm of alarms(resources)) {
      expect(alarm.alarm_actions).toEqual([`\${aws_sns_topic.${topicId}.arn}`]);
      expect(alarm.ok_actions).toEqual([`\${aws_sns_topic.${topicId}.arn}`]);
    }
  });

  it("with an existing topic ARN notifies it and creates no topic", () => {
    const arn = `arn:aws:sns:eu-west-1:${EXAMPLE_ACCOUNT_ID}:ops`;

    const resources = synth({ snsTopicArn: arn });

    expect(resources.aws_sns_topic).toBeUndefined();
    for (const alarm of alarms(resources)) expect(alarm.alarm_actions).toEqual([arn]);
  });

  it("for a serverless endpoint leaves out the instance alarms", () => {
    const names = alarms(synth({}, { serverless: true, instanceType: undefined })).map((a) => a.alarm_name);

    expect(names).toHaveLength(6);
    expect(names).not.toEqual(expect.arrayContaining(["vit-endpoint-cpu"]));
    expect(names).not.toEqual(expect.arrayContaining(["vit-endpoint-memory"]));
  });

  it("shows every alarm on the dashboard by reference", () => {
    const resources = synth();
    const alarmWidget = JSON.parse(dashboardBody(resources)).widgets.find((w: { type: string }) => w.type === "alarm");
    const ids = Object.keys(resources.aws_cloudwatch_metric_alarm);

    expect(ids).toHaveLength(8);
    expect([...alarmWidget.properties.alarms].sort()).toEqual(ids.map((id) => `\${aws_cloudwatch_metric_alarm.${id}.arn}`).sort());
  });
});
