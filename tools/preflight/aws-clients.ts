/**
 * The AWS SDK clients the preflight reads with: the caller's own credentials through the SDK's default chain
 * (environment variables, shared config and credentials files with AWS_PROFILE, SSO, container and instance roles)
 * in the deploy region. AWS_ENDPOINT_URL, when set, points them elsewhere (the deploy rehearsal's emulator).
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { IAMClient } from "@aws-sdk/client-iam";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { SNSClient } from "@aws-sdk/client-sns";
import { STSClient } from "@aws-sdk/client-sts";

export interface PreflightClients {
  readonly sts: STSClient;
  readonly serviceQuotas: ServiceQuotasClient;
  readonly sagemaker: SageMakerClient;
  readonly lambda: LambdaClient;
  readonly iam: IAMClient;
  readonly logs: CloudWatchLogsClient;
  readonly cloudwatch: CloudWatchClient;
  readonly sns: SNSClient;
  /** S3 in another region (the state bucket's). */
  s3(region: string): S3Client;
  /** Closes every client (their connections would keep the process alive a little longer). */
  destroy(): void;
}

/** Where to connect instead of the SDK's defaults (the emulator, in tests that run the preflight in process). */
export interface ClientConnection {
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export function preflightClients(region: string, connection: ClientConnection = {}): PreflightClients {
  const config = { region, maxAttempts: 3, ...connection };
  const s3Clients = new Map<string, S3Client>();
  const clients = {
    sts: new STSClient(config),
    serviceQuotas: new ServiceQuotasClient(config),
    sagemaker: new SageMakerClient(config),
    lambda: new LambdaClient(config),
    iam: new IAMClient(config),
    logs: new CloudWatchLogsClient(config),
    cloudwatch: new CloudWatchClient(config),
    sns: new SNSClient(config),
  };
  return {
    ...clients,
    s3(bucketRegion: string): S3Client {
      let client = s3Clients.get(bucketRegion);
      if (!client) s3Clients.set(bucketRegion, (client = new S3Client({ ...config, region: bucketRegion })));
      return client;
    },
    destroy(): void {
      for (const client of [...Object.values(clients), ...s3Clients.values()]) client.destroy();
    },
  };
}

/** The region the SDK resolves without one given: AWS_REGION, else the profile's `region` (AWS_PROFILE or default). */
export async function sdkDefaultRegion(): Promise<string | undefined> {
  const client = new STSClient({});
  try {
    return await client.config.region();
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}
