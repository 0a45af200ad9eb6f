/**
 * Every AWS call the preflight makes, and the IAM action it needs: all reads. docs/deploy.md ("Preflight") gives
 * them as a policy to attach; a test keeps the two, and the calls the preflight really sends, the same.
 */
export const PREFLIGHT_CALLS: Readonly<Record<string, string>> = {
  GetCallerIdentityCommand: "sts:GetCallerIdentity",
  ListAWSDefaultServiceQuotasCommand: "servicequotas:ListAWSDefaultServiceQuotas",
  GetServiceQuotaCommand: "servicequotas:GetServiceQuota",
  GetAWSDefaultServiceQuotaCommand: "servicequotas:GetAWSDefaultServiceQuota",
  ListEndpointsCommand: "sagemaker:ListEndpoints",
  DescribeEndpointCommand: "sagemaker:DescribeEndpoint",
  DescribeEndpointConfigCommand: "sagemaker:DescribeEndpointConfig",
  GetAccountSettingsCommand: "lambda:GetAccountSettings",
  GetFunctionConcurrencyCommand: "lambda:GetFunctionConcurrency",
  GetFunctionConfigurationCommand: "lambda:GetFunctionConfiguration",
  GetRoleCommand: "iam:GetRole",
  DescribeLogGroupsCommand: "logs:DescribeLogGroups",
  ListDashboardsCommand: "cloudwatch:ListDashboards",
  DescribeAlarmsCommand: "cloudwatch:DescribeAlarms",
  GetTopicAttributesCommand: "sns:GetTopicAttributes",
  HeadBucketCommand: "s3:ListBucket",
  GetBucketVersioningCommand: "s3:GetBucketVersioning",
  HeadObjectCommand: "s3:GetObject",
  GetObjectCommand: "s3:GetObject",
};

export const PREFLIGHT_READ_ACTIONS: readonly string[] = [...new Set(Object.values(PREFLIGHT_CALLS))].sort();
