/** AWS SDK clients pointed at one endpoint (the emulator) with explicit dummy credentials: never the caller's AWS. */
import { ApiGatewayV2Client } from "@aws-sdk/client-apigatewayv2";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { IAMClient } from "@aws-sdk/client-iam";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { EMULATOR_REGION } from "./aws-emulator";

export interface AwsClients {
  readonly s3: S3Client;
  readonly iam: IAMClient;
  readonly lambda: LambdaClient;
  readonly sagemaker: SageMakerClient;
  readonly apigateway: ApiGatewayV2Client;
  readonly cloudwatch: CloudWatchClient;
  readonly logs: CloudWatchLogsClient;
  readonly serviceQuotas: ServiceQuotasClient;
}

export function emulatorClients(endpoint: string, region: string = EMULATOR_REGION): AwsClients {
  const config = {
    endpoint,
    region,
    credentials: { accessKeyId: "emulator", secretAccessKey: "emulator" },
    maxAttempts: 2,
  };
  return {
    s3: new S3Client({ ...config, forcePathStyle: true }),
    iam: new IAMClient(config),
    lambda: new LambdaClient(config),
    sagemaker: new SageMakerClient(config),
    apigateway: new ApiGatewayV2Client(config),
    cloudwatch: new CloudWatchClient(config),
    logs: new CloudWatchLogsClient(config),
    serviceQuotas: new ServiceQuotasClient(config),
  };
}

export function destroyClients(clients: AwsClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
