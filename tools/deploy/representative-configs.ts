/**
 * The configurations every gate synthesizes (the checkov scan, `terraform validate`): between them they switch on
 * every mode-dependent resource — real-time and serverless variants, autoscaling, IAM and JWT auth, e-mail alarms
 * with their KMS-encrypted topic, the S3 backend, serverless provisioned concurrency, and the catalogue with the
 * stack's own bucket or an existing one with a KMS key.
 *
 *   npx ts-node --transpile-only tools/deploy/representative-configs.ts <folder> <model.tar.gz>
 * writes <folder>/<name>.json for each and prints their paths (scripts/checkov.sh uses this).
 */
import * as fs from "fs";
import * as path from "path";
import type { ConfigInput } from "../../src/config/schema";

/** An account-ID-shaped number for the example KMS key, built at run time: no account ID is committed. */
const EXAMPLE_ACCOUNT = "1234".repeat(3);

export function representativeConfigs(tarball: string): Record<string, ConfigInput> {
  return {
    "realtime-open": {
      stackName: "scan-realtime-open",
      modelArtifact: { path: tarball },
      catalogue: { source: "s3://example-products/images/" },
    },
    "realtime-iam": {
      stackName: "scan-realtime-iam",
      modelArtifact: { path: tarball },
      endpoint: { instance: { type: "ml.c6i.xlarge", count: 2 } },
      autoscaling: { enabled: true, minInstances: 2, maxInstances: 6 },
      lambda: { reservedConcurrency: 20 },
      auth: { mode: "iam" },
      alarms: { email: "ops@example.com" },
      backend: { bucket: "example-terraform-state", region: "eu-west-1" },
      catalogue: {
        source: "s3://example-products/",
        output: "s3://example-data-lake/embeddings/vit/",
        kmsKeyArn: `arn:aws:kms:eu-west-1:${EXAMPLE_ACCOUNT}:key/0f8b7a3c-2d1e-4c5b-9a8f-7e6d5c4b3a21`,
        instance: { type: "ml.c6i.2xlarge", count: 3 },
      },
    },
    "serverless-jwt": {
      stackName: "scan-serverless-jwt",
      modelArtifact: { path: tarball },
      endpoint: { serverless: { memorySizeMb: 6144, maxConcurrency: 10, provisionedConcurrency: 2 } },
      auth: { mode: "jwt", jwtIssuer: "https://issuer.example.com/", jwtAudience: ["classifier"] },
    },
  };
}

if (require.main === module) {
  const [folder, tarball] = process.argv.slice(2);
  if (!folder || !tarball) {
    console.error("usage: representative-configs.ts <folder> <model.tar.gz>");
    process.exit(2);
  }
  fs.mkdirSync(folder, { recursive: true });
  for (const [name, config] of Object.entries(representativeConfigs(path.resolve(tarball)))) {
    const file = path.join(folder, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify(config, null, 2));
    console.log(file);
  }
}
