/**
 * The endpoint lines of the preflight, every outcome: the region offers the type or not; the quota (applied, or the
 * AWS default when nothing was ever requested) against what the config needs beyond the account's other endpoints;
 * too few to deploy (FAIL) or only for rollouts and scale-outs (WARN), each with the request to make; serverless
 * quotas; quotas that cannot be read.
 */
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { EndpointVariant } from "../../../src/config/derived";
import { EndpointQuotaInput, endpointQuotaChecks } from "../../../tools/preflight/endpoint-quota-checks";
import { formatCheck } from "../../../tools/preflight/check-result";
import { awsError, realtimeEndpoint, sagemakerQuotas, serverlessEndpoint, useFakeAccount } from "./fake-account";

const C7I: EndpointVariant = { kind: "realtime", instanceType: "ml.c7i.xlarge", instanceCount: 1, startupHealthCheckTimeoutSeconds: 600 };
const SERVERLESS: EndpointVariant = { kind: "serverless", memorySizeMb: 4096, maxConcurrency: 5 };

describe("Preflight: endpoint quotas", () => {
  const fake = useFakeAccount();

  const check = async (overrides: Partial<EndpointQuotaInput> = {}) =>
    (
      await endpointQuotaChecks({
        clients: {
          serviceQuotas: new ServiceQuotasClient({ region: "eu-west-1" }),
          sagemaker: new SageMakerClient({ region: "eu-west-1" }),
        },
        variant: C7I,
        autoscaling: { enabled: false, maxInstances: 4 },
        endpointName: "vit-classifier",
        region: "eu-west-1",
        partition: "aws",
        ...overrides,
      })
    ).map(formatCheck);

  it("fails when the region does not list the instance type for endpoints, and stops there", async () => {
    // Prepare
    fake.account.quotas = sagemakerQuotas({ instanceType: { "ml.m5.xlarge": 4 } });

    // Act
    const lines = await check();

    // Assess
    expect(lines).toEqual([
      'FAIL  instance type: eu-west-1 lists no quota "ml.c7i.xlarge for endpoint usage": SageMaker does not offer ml.c7i.xlarge for endpoints there\n' +
        "      fix: set endpoint.instance.type to a type the region offers (aws service-quotas list-aws-default-service-quotas --service-code " +
        `sagemaker --region eu-west-1 --query "Quotas[?ends_with(QuotaName, 'for endpoint usage')].QuotaName"), or deploy to another region`,
    ]);
  });

  it("reads the AWS default when nothing was ever requested (GetServiceQuota answers NoSuchResource)", async () => {
    // Prepare
    fake.account.quotas = sagemakerQuotas();

    // Act
    const lines = await check();

    // Assess
    expect(lines[1]).toMatch(/^FAIL {2}endpoint quota: "ml\.c7i\.xlarge for endpoint usage" is 0 \(the AWS default\)/);
    expect(fake.aws.quotas.calls().map((c) => c.args[0].constructor.name)).toEqual(
      expect.arrayContaining(["GetServiceQuotaCommand", "GetAWSDefaultServiceQuotaCommand"]),
    );
  });

  it("fails when the quota cannot hold the fleet beside the other endpoints, and asks for the peak plus what they hold", async () => {
    // Prepare: 3 applied, 2 held by another endpoint of the same type, 1 by one of another type.
    fake.account.quotas = sagemakerQuotas({ instanceType: { "ml.c7i.xlarge": 3, "ml.m5.xlarge": 1 } });
    fake.account.endpoints = [realtimeEndpoint("other-app", "ml.c7i.xlarge", 2), realtimeEndpoint("m5-app", "ml.m5.xlarge", 1)];

    // Act
    const lines = await check({ variant: { ...C7I, instanceCount: 2 } });

    // Assess
    expect(lines[1]).toBe(
      'FAIL  endpoint quota: "ml.c7i.xlarge for endpoint usage" is 3 (applied to this account); other endpoints hold 2 (other-app (2)); ' +
        "this config needs 2 to deploy, 4 during a rollout: room for 1, too few to deploy and during a rollout\n" +
        "      fix: request 6: Service Quotas console (https://eu-west-1.console.aws.amazon.com/servicequotas/home/services/sagemaker/quotas/L-00001000) " +
        '→ "ml.c7i.xlarge for endpoint usage" → Request increase at account level; or aws service-quotas request-service-quota-increase ' +
        "--service-code sagemaker --quota-code L-00001000 --desired-value 6 --region eu-west-1",
    );
    expect(lines[2]).toMatch(
      /^PASS {2}instances quota: "Number of instances across active endpoints" is 20 \(the AWS default\); other endpoints hold 3 \(other-app \(2\), m5-app \(1\)\)/,
    );
  });

  it("warns when the quota holds the deploy but not a rollout's second fleet", async () => {
    // Prepare
    fake.account.quotas = sagemakerQuotas({ instanceType: { "ml.c7i.xlarge": 1 } });

    // Act
    const lines = await check();

    // Assess
    expect(lines[1]).toBe(
      'WARN  endpoint quota: "ml.c7i.xlarge for endpoint usage" is 1 (applied to this account); other endpoints hold 0; this config needs ' +
        "1 to deploy, 2 during a rollout: room for 1, too few during a rollout\n" +
        "      fix: request 2: Service Quotas console (https://eu-west-1.console.aws.amazon.com/servicequotas/home/services/sagemaker/quotas/L-00001000) " +
        '→ "ml.c7i.xlarge for endpoint usage" → Request increase at account level; or aws service-quotas request-service-quota-increase ' +
        "--service-code sagemaker --quota-code L-00001000 --desired-value 2 --region eu-west-1",
    );
  });

  it("with autoscaling, needs the maximum, and the maximum plus the count for a rollout while scaled out", async () => {
    // Prepare
    fake.account.quotas = sagemakerQuotas({
      instanceType: { "ml.c7i.xlarge": 4 },
      applied: { "Maximum number of instances per endpoint": 3 },
    });

    // Act
    const lines = await check({ autoscaling: { enabled: true, maxInstances: 4 } });

    // Assess
    expect(lines[1]).toBe(
      'WARN  endpoint quota: "ml.c7i.xlarge for endpoint usage" is 4 (applied to this account); other endpoints hold 0; this config needs ' +
        "1 to deploy, 2 during a rollout, 4 at autoscaling's maximum, 5 for a rollout while scaled out: room for 4, too few for a rollout while scaled out\n" +
        "      fix: request 5: Service Quotas console (https://eu-west-1.console.aws.amazon.com/servicequotas/home/services/sagemaker/quotas/L-00001000) " +
        '→ "ml.c7i.xlarge for endpoint usage" → Request increase at account level; or aws service-quotas request-service-quota-increase ' +
        "--service-code sagemaker --quota-code L-00001000 --desired-value 5 --region eu-west-1",
    );
    expect(lines[3]).toMatch(
      /^WARN {2}instances per endpoint: "Maximum number of instances per endpoint" is 3 \(applied to this account\); other endpoints hold 0; this config needs 1 to deploy, 4 at autoscaling's maximum: room for 3, too few at autoscaling's maximum\n {6}fix: request 4: .*--quota-code L-00000002 --desired-value 4 --region eu-west-1$/,
    );
  });

  it("passes with room for every figure, and names what the quota is", async () => {
    // Prepare
    fake.account.quotas = sagemakerQuotas({ instanceType: { "ml.c7i.xlarge": 2 } });

    // Act
    const lines = await check();

    // Assess
    expect(lines).toEqual([
      'PASS  instance type: eu-west-1 offers ml.c7i.xlarge for endpoints (quota "ml.c7i.xlarge for endpoint usage", L-00001000)',
      'PASS  endpoint quota: "ml.c7i.xlarge for endpoint usage" is 2 (applied to this account); other endpoints hold 0; this config needs 1 to deploy, 2 during a rollout',
      'PASS  instances quota: "Number of instances across active endpoints" is 20 (the AWS default); other endpoints hold 0; this config needs 1 to deploy, 2 during a rollout',
      'PASS  instances per endpoint: "Maximum number of instances per endpoint" is 10 (the AWS default); other endpoints hold 0; this config needs 1 to deploy',
    ]);
  });

  it("does not count this stack's own endpoint (a rollout replaces it) nor failed endpoints, and counts updates in progress twice", async () => {
    // Prepare
    fake.account.quotas = sagemakerQuotas({ instanceType: { "ml.c7i.xlarge": 6 } });
    const updating = realtimeEndpoint("updating-app", "ml.c7i.xlarge", 1);
    fake.account.endpoints = [
      realtimeEndpoint("vit-classifier", "ml.c7i.xlarge", 2),
      {
        ...realtimeEndpoint("broken-app", "ml.c7i.xlarge", 3),
        describe: { ...realtimeEndpoint("broken-app", "ml.c7i.xlarge", 3).describe, EndpointStatus: "Failed" },
      },
      {
        ...updating,
        describe: {
          ...updating.describe,
          EndpointStatus: "Updating",
          // Scaling out (desired 2) while a new fleet of 2 starts beside it.
          ProductionVariants: [{ VariantName: "AllTraffic", CurrentInstanceCount: 1, DesiredInstanceCount: 2 }],
          PendingDeploymentSummary: {
            EndpointConfigName: "updating-app-config-2",
            ProductionVariants: [
              { VariantName: "AllTraffic", InstanceType: "ml.c7i.xlarge", CurrentInstanceCount: 0, DesiredInstanceCount: 2 },
            ],
          },
        },
      },
    ];

    // Act
    const lines = await check();

    // Assess
    expect(lines[1]).toMatch(
      /^PASS {2}endpoint quota: .* other endpoints hold 4 \(updating-app \(4\)\); this config needs 1 to deploy, 2 during a rollout$/,
    );
    expect(fake.aws.sagemaker.calls().map((c) => (c.args[0].input as { EndpointName?: string }).EndpointName)).not.toContain(
      "vit-classifier",
    );
  });

  it("counts shadow variants, and an endpoint still being created by its configured count", async () => {
    // Prepare
    fake.account.quotas = sagemakerQuotas({ instanceType: { "ml.c7i.xlarge": 2 } });
    const creating = realtimeEndpoint("new-app", "ml.c7i.xlarge", 1);
    fake.account.endpoints = [
      {
        describe: {
          ...creating.describe,
          EndpointStatus: "Creating",
          ProductionVariants: [{ VariantName: "AllTraffic" }],
          ShadowProductionVariants: [{ VariantName: "Shadow", CurrentInstanceCount: 1 }],
        },
        config: {
          ...creating.config,
          ShadowProductionVariants: [{ VariantName: "Shadow", InstanceType: "ml.c7i.xlarge", InitialInstanceCount: 1 }],
        },
      },
    ];

    // Act
    const lines = await check();

    // Assess
    expect(lines[1]).toMatch(
      /^FAIL {2}endpoint quota: .* other endpoints hold 2 \(new-app \(2\)\); this config needs 1 to deploy, 2 during a rollout: no room/,
    );
  });

  it("warns, with the fix, when a shared quota is not listed in the region", async () => {
    // Prepare
    fake.account.quotas = sagemakerQuotas({ instanceType: { "ml.c7i.xlarge": 2 } }).filter(
      (q) => q.name !== "Number of instances across active endpoints",
    );

    // Act
    const lines = await check();

    // Assess
    expect(lines[2]).toBe(
      "WARN  instances quota: eu-west-1 lists no such SageMaker quota: not checked\n" +
        "      fix: nothing to do unless CreateEndpoint fails with ResourceLimitExceeded; then compare the SageMaker quotas in the Service Quotas console with the config",
    );
  });

  it("warns, naming the read actions, when these credentials may not read Service Quotas", async () => {
    // Prepare
    fake.account.quotasError = awsError(
      "AccessDeniedException",
      400,
      "User is not authorized to perform: servicequotas:ListAWSDefaultServiceQuotas",
    );

    // Act
    const lines = await check();

    // Assess
    expect(lines).toEqual([
      "WARN  endpoint quotas: SageMaker's quotas not checked (AccessDeniedException: User is not authorized to perform: servicequotas:ListAWSDefaultServiceQuotas)\n" +
        "      fix: allow servicequotas:ListAWSDefaultServiceQuotas, servicequotas:GetServiceQuota, servicequotas:GetAWSDefaultServiceQuota to these " +
        "credentials (docs/deploy.md lists every read action the preflight needs), then run it again",
    ]);
  });

  it("warns when the other endpoints cannot be listed, after saying whether the type is offered", async () => {
    // Prepare
    fake.account.quotas = sagemakerQuotas({ instanceType: { "ml.c7i.xlarge": 2 } });
    fake.account.sagemakerError = awsError("AccessDeniedException", 400, "not authorized: sagemaker:ListEndpoints");

    // Act
    const lines = await check();

    // Assess
    expect(lines[0]).toMatch(/^PASS {2}instance type:/);
    expect(lines[1]).toBe(
      "WARN  endpoint quotas: the quotas against the account's other endpoints not checked (AccessDeniedException: not authorized: sagemaker:ListEndpoints)\n" +
        "      fix: allow sagemaker:ListEndpoints, sagemaker:DescribeEndpoint, sagemaker:DescribeEndpointConfig to these credentials " +
        "(docs/deploy.md lists every read action the preflight needs), then run it again",
    );
  });

  it("serverless: fails when the account's serverless endpoints or their total concurrency are used up", async () => {
    // Prepare: 10 concurrency in all, 8 held by another serverless endpoint; 5 endpoints allowed, 1 used.
    fake.account.quotas = sagemakerQuotas();
    fake.account.endpoints = [serverlessEndpoint("chat", 8), realtimeEndpoint("other-app", "ml.m5.xlarge", 1)];

    // Act
    const lines = await check({ variant: SERVERLESS });

    // Assess
    expect(lines).toEqual([
      'PASS  serverless endpoints: "Maximum number of serverless endpoints" is 5 (the AWS default); other endpoints hold 1 (chat (1)); this config needs 1 to deploy',
      'FAIL  serverless concurrency: "Maximum total concurrency that can be allocated across all serverless endpoints" is 10 (the AWS default); ' +
        "other endpoints hold 8 (chat (8)); this config needs 5 to deploy (endpoint.serverless.maxConcurrency): room for 2, too few to deploy (endpoint.serverless.maxConcurrency)\n" +
        "      fix: request 13: Service Quotas console (https://eu-west-1.console.aws.amazon.com/servicequotas/home/services/sagemaker/quotas/L-00000004) " +
        '→ "Maximum total concurrency that can be allocated across all serverless endpoints" → Request increase at account level; or ' +
        "aws service-quotas request-service-quota-increase --service-code sagemaker --quota-code L-00000004 --desired-value 13 --region eu-west-1",
    ]);
  });

  it("serverless: passes with room, and does not ask about instance types", async () => {
    // Prepare
    fake.account.quotas = sagemakerQuotas();

    // Act
    const lines = await check({ variant: SERVERLESS });

    // Assess
    expect(lines.map((l) => l.slice(0, 4))).toEqual(["PASS", "PASS"]);
  });

  it("gives the console address of the partition (China) and none where it has no address", async () => {
    // Prepare
    fake.account.quotas = sagemakerQuotas();

    // Act
    const china = await check({ partition: "aws-cn", region: "cn-north-1" });
    const iso = await check({ partition: "aws-iso", region: "us-iso-east-1" });

    // Assess
    expect(china[1]).toContain(
      "Service Quotas console (https://console.amazonaws.cn/servicequotas/home/services/sagemaker/quotas/L-00001000) →",
    );
    expect(iso[1]).toContain('fix: request 2: Service Quotas console → "ml.c7i.xlarge for endpoint usage" →');
  });
});
