/**
 * Names this stack would create that already exist and are not this stack's (not in its state): a second copy of
 * the stack, another project, or a leftover of an earlier deploy. Creating them fails the apply (IAM roles,
 * functions, log groups, the endpoint) or, worse, silently takes over someone else's (a dashboard and alarms are
 * overwritten by their Put calls; SNS CreateTopic is idempotent: it answers with the topic of that name that exists).
 */
import { DescribeAlarmsCommand, ListDashboardsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetRoleCommand } from "@aws-sdk/client-iam";
import { GetFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { ListEndpointsCommand } from "@aws-sdk/client-sagemaker";
import { GetTopicAttributesCommand } from "@aws-sdk/client-sns";
import { ACCOUNT_WIDE_NAMES, AwsContextValues, StackName } from "./account-wide-names";
import { PreflightClients } from "./aws-clients";
import { describeError, errorName, isAccessDenied } from "./aws-errors";
import { CheckResult, fail, pass, warn } from "./check-result";

type Clients = Pick<PreflightClients, "iam" | "lambda" | "logs" | "sagemaker" | "cloudwatch" | "sns">;

interface NameLookup {
  /** The read action it needs. */
  readonly action: string;
  /** Which of `names` exist (in `where`'s account and region). */
  readonly existing: (clients: Clients, names: readonly string[], where: AwsContextValues) => Promise<Set<string>>;
  /** How to delete a leftover. */
  readonly remove: (names: readonly string[], where: AwsContextValues) => string;
  /** What creating the name does when one exists, for kinds whose create does not fail (said with the FAIL). */
  readonly takeover?: string;
}

const quoted = (names: readonly string[]) => names.map((n) => `'${n}'`).join(" ");

/** One by one, where the API answers "not found" with a named error. */
const eachByName =
  (get: (clients: Clients, name: string, where: AwsContextValues) => Promise<unknown>, notFound: string) =>
  async (clients: Clients, names: readonly string[], where: AwsContextValues): Promise<Set<string>> => {
    const found = new Set<string>();
    for (const name of names) {
      try {
        await get(clients, name, where);
        found.add(name);
      } catch (error) {
        if (errorName(error) !== notFound) throw error;
      }
    }
    return found;
  };

/** One by one, where a prefix search answers: the exact name among its results. */
const eachByPrefix =
  (search: (clients: Clients, name: string) => Promise<(string | undefined)[]>) =>
  async (clients: Clients, names: readonly string[]): Promise<Set<string>> => {
    const found = new Set<string>();
    for (const name of names) if ((await search(clients, name)).includes(name)) found.add(name);
    return found;
  };

export const NAME_LOOKUPS: Readonly<Record<string, NameLookup>> = {
  aws_iam_role: {
    action: "iam:GetRole",
    existing: eachByName((c, name) => c.iam.send(new GetRoleCommand({ RoleName: name })), "NoSuchEntityException"),
    remove: (names) => `IAM console → Roles → ${names.join(", ")} → Delete (it deletes the inline policies with the role)`,
  },
  aws_lambda_function: {
    action: "lambda:GetFunctionConfiguration",
    existing: eachByName(
      (c, name) => c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name })),
      "ResourceNotFoundException",
    ),
    remove: (names, { region }) => names.map((n) => `aws lambda delete-function --function-name '${n}' --region ${region}`).join("; "),
  },
  aws_cloudwatch_log_group: {
    action: "logs:DescribeLogGroups",
    existing: eachByPrefix(async (c, name) =>
      ((await c.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))).logGroups ?? []).map((g) => g.logGroupName),
    ),
    remove: (names, { region }) => names.map((n) => `aws logs delete-log-group --log-group-name '${n}' --region ${region}`).join("; "),
  },
  aws_sagemaker_endpoint: {
    action: "sagemaker:ListEndpoints",
    existing: eachByPrefix(async (c, name) =>
      ((await c.sagemaker.send(new ListEndpointsCommand({ NameContains: name }))).Endpoints ?? []).map((e) => e.EndpointName),
    ),
    remove: (names, { region }) => names.map((n) => `aws sagemaker delete-endpoint --endpoint-name '${n}' --region ${region}`).join("; "),
  },
  aws_cloudwatch_dashboard: {
    action: "cloudwatch:ListDashboards",
    existing: eachByPrefix(async (c, name) =>
      ((await c.cloudwatch.send(new ListDashboardsCommand({ DashboardNamePrefix: name }))).DashboardEntries ?? []).map(
        (d) => d.DashboardName,
      ),
    ),
    remove: (names, { region }) => `aws cloudwatch delete-dashboards --dashboard-names ${quoted(names)} --region ${region}`,
    // AWS's PutDashboard reference: "Creates a dashboard if it does not already exist, or updates an existing
    // dashboard. If you update a dashboard, the entire contents are replaced"; the provider creates with it.
    takeover:
      "PutDashboard replaces a dashboard of that name instead of failing: the deploy would overwrite it and cdktf destroy would delete it",
  },
  aws_cloudwatch_metric_alarm: {
    action: "cloudwatch:DescribeAlarms",
    existing: async (c, names) => {
      const found = new Set<string>();
      // DescribeAlarms takes at most 100 names per call.
      for (let i = 0; i < names.length; i += 100) {
        const answer = await c.cloudwatch.send(
          new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100), AlarmTypes: ["MetricAlarm"] }),
        );
        for (const alarm of answer.MetricAlarms ?? []) if (alarm.AlarmName) found.add(alarm.AlarmName);
      }
      return found;
    },
    remove: (names, { region }) => `aws cloudwatch delete-alarms --alarm-names ${quoted(names)} --region ${region}`,
    // AWS's PutMetricAlarm reference: "Creates or updates an alarm ... the update completely overwrites the previous
    // configuration of the alarm"; the provider creates with it.
    takeover:
      "PutMetricAlarm replaces an alarm of that name instead of failing: the deploy would overwrite it and cdktf destroy would delete it",
  },
  aws_sns_topic: {
    action: "sns:GetTopicAttributes",
    existing: eachByName(
      (c, name, where) => c.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn(name, where) })),
      "NotFoundException",
    ),
    remove: (names, where) =>
      names.map((n) => `aws sns delete-topic --topic-arn ${topicArn(n, where)} --region ${where.region}`).join("; "),
    // AWS's CreateTopic reference: "This action is idempotent, so if the requester already owns a topic with the
    // specified name, that topic's ARN is returned without creating a new topic." Terraform then manages that topic.
    // Users report (not AWS's docs) that a topic with other tags is refused instead: this stack's default tags are
    // the same in every copy of it, so a second copy or a leftover is the silent case.
    takeover:
      "SNS may not refuse the name: CreateTopic is idempotent and answers with a topic of that name whose tags match " +
      "(another copy of this stack's do), so the deploy would take it over (its policy and encryption rewritten) and " +
      "cdktf destroy would delete it",
  },
};

/** A topic's ARN: its name in the caller's partition, region and account (topics are looked up by ARN only). */
export function topicArn(name: string, where: AwsContextValues): string {
  return `arn:${where.partition}:sns:${where.region}:${where.account}:${name}`;
}

export interface NameCollisionInput {
  readonly clients: Clients;
  readonly names: readonly StackName[];
  /** Names only known at apply (not checked). */
  readonly unresolved: readonly StackName[];
  /** `type:name` of what this stack's state holds; undefined when the state could not be read. */
  readonly owned: ReadonlySet<string> | undefined;
  /** Where the state is (or why it could not be read), for the report. */
  readonly stateDescription: string;
  /** The caller's account and partition and the deploy region: where the names are looked up. */
  readonly context: AwsContextValues;
}

const kindOf = (type: string) => ACCOUNT_WIDE_NAMES[type]?.kind ?? type;
const listNames = (names: readonly StackName[]) => names.map((n) => `${kindOf(n.type)} ${n.name}`).join(", ");
const alreadyExist = (names: readonly StackName[]) => `${listNames(names)} already ${names.length === 1 ? "exists" : "exist"}`;

export async function nameCollisionCheck(input: NameCollisionInput): Promise<CheckResult> {
  const existing: StackName[] = [];
  const unchecked: StackName[] = [...input.unresolved];
  const problems: string[] = [];
  const deniedActions: string[] = [];
  const byType = new Map<string, string[]>();
  for (const { type, name } of input.names) byType.set(type, [...(byType.get(type) ?? []), name]);
  for (const [type, names] of byType) {
    const lookup = NAME_LOOKUPS[type];
    if (!lookup) {
      unchecked.push(...names.map((name) => ({ type, name })));
      continue;
    }
    try {
      const found = await lookup.existing(input.clients, names, input.context);
      existing.push(...names.filter((n) => found.has(n)).map((name) => ({ type, name })));
    } catch (error) {
      problems.push(`${kindOf(type)} names not checked (${describeError(error)})`);
      if (isAccessDenied(error)) deniedActions.push(lookup.action);
    }
  }
  const foreign = input.owned ? existing.filter((n) => !input.owned!.has(`${n.type}:${n.name}`)) : [];
  const unknownOwner = input.owned === undefined && existing.length > 0;
  // Names no lookup covers are said, not warned about: a warning on every run would teach people to skip warnings.
  const notes = [...problems, ...(unchecked.length > 0 ? [`not checked: ${listNames(unchecked)}`] : [])];
  const tail = notes.length > 0 ? `; ${notes.join("; ")}` : "";

  if (foreign.length > 0) {
    const foreignTypes = [...new Set(foreign.map((n) => n.type))];
    const removals = foreignTypes.map((type) =>
      NAME_LOOKUPS[type].remove(
        foreign.filter((n) => n.type === type).map((n) => n.name),
        input.context,
      ),
    );
    const takeovers = foreignTypes.flatMap((type) => NAME_LOOKUPS[type].takeover ?? []).map((t) => `; ${t}`);
    return fail(
      "account-wide names",
      `${alreadyExist(foreign)} and ${foreign.length === 1 ? "is" : "are"} not in this stack's state (${input.stateDescription})` +
        `${takeovers.join("")}${tail}`,
      "if another stack uses these names, give this one others (namePrefix, endpoint.name in classifier.config.json); if they are " +
        `left over from an earlier deploy of this stack (log groups written to after a destroy are the usual case), delete them: ${removals.join("; ")}`,
    );
  }
  const summary =
    existing.length === 0
      ? `none of the ${input.names.length} names this stack creates exists yet`
      : unknownOwner
        ? `${alreadyExist(existing)}, and whether ${existing.length === 1 ? "it is" : "they are"} this stack's own is unknown: ${input.stateDescription}`
        : `${existing.length} of the ${input.names.length} names exist, all in this stack's state (${input.stateDescription})`;
  if (problems.length === 0 && !unknownOwner) return pass("account-wide names", summary + tail);
  const access = [...new Set(deniedActions), ...(unknownOwner ? ["read access to the state"] : [])];
  const fix =
    access.length > 0
      ? `allow ${access.join(", ")} (docs/deploy.md lists the read actions the preflight needs), then run it again`
      : "run the preflight again; if it keeps failing, look for the names in the console before the first deploy";
  return warn("account-wide names", summary + tail, fix);
}
