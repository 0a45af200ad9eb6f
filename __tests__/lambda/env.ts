/**
 * Environment for running the real SDK against a local fake endpoint: dummy credentials (never real ones),
 * no shared config files, no instance metadata lookups.
 */
export function useLocalEndpointEnv(endpointUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: endpointUrl,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "AKIDTESTFAKEKEY",
    AWS_SECRET_ACCESS_KEY: "fake-secret-for-tests",
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
    AWS_EC2_METADATA_DISABLED: "true",
    SAGEMAKER_ENDPOINT_NAME: "test-endpoint",
    POWERTOOLS_SERVICE_NAME: "classifier-test",
    ...extra,
  };
  Object.assign(process.env, env);
  return env;
}
