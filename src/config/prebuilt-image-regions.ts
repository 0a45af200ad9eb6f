/**
 * Regions in which the pinned AWS provider (hashicorp/aws 5.100.0) can resolve an inference image with
 * `aws_sagemaker_prebuilt_ecr_image`, per repository. Elsewhere the data source fails at plan time with "no registry
 * ID available for region"; the stack checks the region at synth instead (config `region`, else AWS_REGION /
 * AWS_DEFAULT_REGION), and adds a precondition for a region only known at plan time. The list is read from the
 * provider binary itself by __tests__/tools/deploy/prebuilt-image-regions.e2e.test.ts, which fails when it drifts.
 */
export const PREBUILT_IMAGE_REGIONS: Readonly<Record<string, readonly string[]>> = {
  "huggingface-pytorch-inference": [
    "af-south-1",
    "ap-east-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-isob-east-1",
    "us-west-1",
    "us-west-2",
  ],
};

/** The regions known for a repository, or undefined when the stack has no list for it (no check then). */
export function prebuiltImageRegions(repository: string): readonly string[] | undefined {
  return PREBUILT_IMAGE_REGIONS[repository];
}

export function prebuiltImageRegionProblem(repository: string, region: string): string | undefined {
  const regions = prebuiltImageRegions(repository);
  if (!regions || regions.includes(region)) return undefined;
  return missingImageRegionMessage(repository, region, regions);
}

/** The synth check's and the plan-time precondition's message (`region` may be a Terraform reference there). */
export function missingImageRegionMessage(repository: string, region: string, regions: readonly string[]): string {
  return `the ${repository} image has no registry in ${region} (hashicorp/aws 5.100.0 knows it in: ${regions.join(", ")})`;
}
