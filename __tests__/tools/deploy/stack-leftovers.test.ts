// The leftover search after a destroy, with the services mocked: account-wide listings (buckets, roles, dashboards)
// are narrowed to the copy's region, so a copy of the stack elsewhere (the same prefix) is never taken for a leftover.
import { mockClient } from "aws-sdk-client-mock";
import { ApiGatewayV2Client, GetApisCommand } from "@aws-sdk/client-apigatewayv2";
import { CloudWatchClient, DescribeAlarmsCommand, ListDashboardsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { IAMClient, ListRolesCommand, Role } from "@aws-sdk/client-iam";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { GetBucketLocationCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { ListEndpointConfigsCommand, ListEndpointsCommand, ListModelsCommand, SageMakerClient } from "@aws-sdk/client-sagemaker";
import { destroyClients, emulatorClients } from "../../../tools/deploy/aws-clients";
import { listStackLeftovers } from "../../../tools/deploy/stack-leftovers";

const s3 = mockClient(S3Client);
const iam = mockClient(IAMClient);
const cloudwatch = mockClient(CloudWatchClient);
const apigateway = mockClient(ApiGatewayV2Client);
const logs = mockClient(CloudWatchLogsClient);
const lambda = mockClient(LambdaClient);
const sagemaker = mockClient(SageMakerClient);

beforeEach(() => {
  for (const mock of [s3, iam, cloudwatch, apigateway, logs, lambda, sagemaker]) mock.reset();
  // Prepare: two copies of the stack (prefix vit-classifier) in us-east-1 and eu-west-1, and someone else's role.
  s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: "vit-classifier-model-aaa" }, { Name: "vit-classifier-model-bbb" }] });
  s3.on(GetBucketLocationCommand, { Bucket: "vit-classifier-model-aaa" }).resolves({});
  s3.on(GetBucketLocationCommand, { Bucket: "vit-classifier-model-bbb" }).resolves({ LocationConstraint: "eu-west-1" });
  const role = (RoleName: string) => ({ RoleName }) as Role;
  iam.on(ListRolesCommand).resolves({
    Roles: [role("vit-classifier-us-east-1-sagemaker"), role("vit-classifier-eu-west-1-lambda"), role("admin")],
  });
  cloudwatch.on(ListDashboardsCommand).resolves({
    DashboardEntries: [{ DashboardName: "vit-classifier-us-east-1-inference" }, { DashboardName: "vit-classifier-eu-west-1-inference" }],
  });
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  apigateway.on(GetApisCommand).resolves({ Items: [] });
  logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
  lambda.on(ListFunctionsCommand).resolves({ Functions: [] });
  sagemaker.on(ListModelsCommand).resolves({ Models: [] });
  sagemaker.on(ListEndpointConfigsCommand).resolves({ EndpointConfigs: [] });
  sagemaker.on(ListEndpointsCommand).resolves({ Endpoints: [] });
});

it.each([
  [
    "us-east-1",
    [
      "S3 bucket vit-classifier-model-aaa",
      "IAM role vit-classifier-us-east-1-sagemaker",
      "CloudWatch dashboard vit-classifier-us-east-1-inference",
    ],
  ],
  [
    "eu-west-1",
    [
      "S3 bucket vit-classifier-model-bbb",
      "IAM role vit-classifier-eu-west-1-lambda",
      "CloudWatch dashboard vit-classifier-eu-west-1-inference",
    ],
  ],
])("reports only the %s copy's account-wide leftovers", async (region, expected) => {
  // Act
  const clients = emulatorClients("http://127.0.0.1:9", region);
  const found = await listStackLeftovers(clients, { namePrefix: "vit-classifier", endpointName: "vit-classifier", region });
  destroyClients(clients);
  // Assess
  expect(found).toEqual(expected);
});
