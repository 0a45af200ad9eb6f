// The stack's list of regions where the inference image resolves (src/config/prebuilt-image-regions.ts) is read
// here from the pinned provider binary itself: one aws_sagemaker_prebuilt_ecr_image per AWS region, planned offline.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pinnedAwsProviderVersion } from "../../../tools/deploy/provider-version";
import { setUpTerraform } from "../../../tools/deploy/terraform-setup";
import { PREBUILT_IMAGE_REGIONS } from "../../../src/config/prebuilt-image-regions";
import { DEFAULT_IMAGE_TAG } from "../../../common/facts";

jest.setTimeout(120_000);

/** Every region of every partition, as the AWS SDK for JavaScript knows them. */
function allAwsRegions(): string[] {
  const file = require
    .resolve("@aws-sdk/core/package.json")
    .replace("package.json", "dist-es/submodules/client/util-endpoints/lib/aws/partitions.js");
  const info = JSON.parse(
    fs
      .readFileSync(file, "utf8")
      .replace(/^export const partitionsInfo = /, "")
      .replace(/;\s*$/, ""),
  );
  return info.partitions
    .flatMap((p: { regions: Record<string, unknown> }) => Object.keys(p.regions))
    .filter((r: string) => !r.startsWith("aws-"));
}

it.each(Object.keys(PREBUILT_IMAGE_REGIONS))("the %s regions are exactly those the pinned provider resolves", (repository) => {
  // Prepare
  const providerVersion = pinnedAwsProviderVersion();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecr-regions-"));
  const terraform = setUpTerraform({ providerVersion, workDir: dir, requireMirror: true });
  const regions = allAwsRegions();
  const key = (region: string) => region.replace(/-/g, "_");
  fs.writeFileSync(
    path.join(dir, "main.tf.json"),
    JSON.stringify({
      terraform: { required_providers: { aws: { source: "hashicorp/aws", version: providerVersion } } },
      provider: {
        aws: {
          region: "us-east-1",
          access_key: "offline",
          secret_key: "offline",
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: true,
        },
      },
      data: {
        aws_sagemaker_prebuilt_ecr_image: Object.fromEntries(
          regions.map((r) => [key(r), { repository_name: repository, image_tag: DEFAULT_IMAGE_TAG, region: r }]),
        ),
      },
    }),
  );
  const run = (args: string[]) => spawnSync("terraform", args, { cwd: dir, env: terraform.env, encoding: "utf8" });
  expect(run(["init", "-input=false", "-no-color"]).status).toBe(0);
  // Act
  const planned = run(["plan", "-input=false", "-no-color", "-refresh=true"]);
  // Assess
  const missing = [...`${planned.stdout}${planned.stderr}`.matchAll(/no registry ID available for region \(([a-z0-9-]+)\)/g)].map(
    (m) => m[1],
  );
  expect(missing.length).toBeGreaterThan(0); // the provider does lack some regions: the check is not blind
  expect([...PREBUILT_IMAGE_REGIONS[repository]].sort()).toEqual(regions.filter((r) => !missing.includes(r)).sort());
});
