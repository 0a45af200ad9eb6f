/** Partition, region and account of the deployment, from data sources (never literals): created once by the stack. */
import { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";

export interface AwsContext {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

export function awsContext(scope: Construct): AwsContext {
  return {
    partition: new DataAwsPartition(scope, "partition").partition,
    region: new DataAwsRegion(scope, "region").name,
    accountId: new DataAwsCallerIdentity(scope, "account").accountId,
  };
}
