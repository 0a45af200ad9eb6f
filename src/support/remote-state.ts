/**
 * Optional S3 remote state. Off by default so synth and tests need nothing; when configured the
 * state is encrypted and locked with S3's native lock file (Terraform >= 1.10: no DynamoDB table).
 * `use_lockfile` is not typed in cdktf 0.21's S3Backend, hence the override.
 */
import { S3Backend, TerraformStack } from "cdktf";

export interface RemoteStateConfig {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  readonly encrypt: boolean;
  readonly useLockfile: boolean;
}

export function configureRemoteState(stack: TerraformStack, config: RemoteStateConfig | undefined): S3Backend | undefined {
  if (!config) return undefined;
  const backend = new S3Backend(stack, { bucket: config.bucket, key: config.key, region: config.region, encrypt: config.encrypt });
  if (config.useLockfile) stack.addOverride("terraform.backend.s3.use_lockfile", true);
  return backend;
}
