/**
 * The deploy region, resolved as the stack's AWS provider resolves it: the config's `region`, else AWS_REGION /
 * AWS_DEFAULT_REGION, else the AWS profile's region. Then whether the inference image is published there (the same
 * list the synth check uses).
 */
import { environmentRegion } from "../../src/config/load-config";
import { prebuiltImageRegionProblem } from "../../src/config/prebuilt-image-regions";
import { CheckResult, fail, pass } from "./check-result";

export interface ResolvedRegion {
  readonly region: string;
  /** Where it came from, for the report. */
  readonly source: string;
}

export async function resolveRegion(
  configRegion: string | undefined,
  configSource: string,
  env: NodeJS.ProcessEnv,
  profileRegion: () => Promise<string | undefined>,
): Promise<ResolvedRegion | undefined> {
  if (configRegion) return { region: configRegion, source: `"region" in ${configSource}` };
  const fromEnvironment = environmentRegion(env);
  if (fromEnvironment) return { region: fromEnvironment.region, source: fromEnvironment.variable };
  const fromProfile = await profileRegion();
  return fromProfile ? { region: fromProfile, source: `the region of AWS profile ${env.AWS_PROFILE ?? "default"}` } : undefined;
}

export function regionCheck(resolved: ResolvedRegion | undefined, imageRepository: string): CheckResult {
  if (!resolved) {
    return fail(
      "region",
      'none: the config has no "region", and neither AWS_REGION, AWS_DEFAULT_REGION nor the AWS profile names one',
      'set "region" in classifier.config.json (e.g. "eu-west-1"), or export AWS_REGION=<region>',
    );
  }
  const problem = prebuiltImageRegionProblem(imageRepository, resolved.region);
  if (problem)
    return fail(
      "region",
      `${resolved.region} (from ${resolved.source}): ${problem}`,
      'deploy to one of those regions ("region" in classifier.config.json)',
    );
  return pass("region", `${resolved.region} (from ${resolved.source}); the ${imageRepository} image is published there`);
}
