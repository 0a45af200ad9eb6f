/**
 * The one place the stack config comes from.
 *
 *   CLASSIFIER_CONFIG=<path to JSON file>   (default: classifier.config.json in the repository root,
 *                                            optional — without it every setting takes its default)
 *
 * `resolveConfig` validates everything (each section on its own, then the cross-section rules, then
 * the model tarball's existence) and throws ONE `ConfigError` listing every problem found.
 */
import * as fs from "fs";
import * as path from "path";
import type { z } from "zod";
import { REPO_ROOT } from "../../common/repo-root";
import { defaultConfigFilePath, defaultModelArtifactPath } from "./defaults";
import { DerivedConfig, deriveConfig } from "./derived";
import { UserFacingError } from "./errors";
import { ModelSource, modelSource, modelSourceProblems } from "./model-source";
import { prebuiltImageRegionProblem } from "./prebuilt-image-regions";
import { ConfigProblem, ParsedConfig, RawConfig, configSections, crossSectionProblems, modelArtifactSection } from "./schema";

/** The validated config with defaults applied and derived values resolved. */
export type ClassifierConfig = ParsedConfig &
  DerivedConfig & {
    /** Which model is deployed: the demo model, a tarball of your own, or a Hugging Face model at a commit. */
    readonly modelSource: ModelSource;
    /** Absolute path of the model tarball (exists unless resolved with requireArtifact: false). */
    readonly modelArtifactPath: string;
    /** Where the config was read from, for messages ("defaults" when no file). */
    readonly source: string;
  };

export class ConfigError extends UserFacingError {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid classifier config (${source}): ${problems.length} problem${problems.length === 1 ? "" : "s"}\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n"),
    );
  }
}

export interface ResolveOptions {
  /** Folder relative paths in the config are resolved against. @default the repository root */
  readonly baseDir?: string;
  /** Shown in error messages. @default "inline config" */
  readonly source?: string;
  /**
   * Check that the model tarball exists (synth needs it; the cost estimate and tools that only read settings do
   * not). Nothing is ever built here: a missing default tarball is a problem that names the command. @default true
   */
  readonly requireArtifact?: boolean;
  /** The demo model's tarball, used when the config names no model. @default model/.cache/model.tar.gz (npm run model:artifact) */
  readonly defaultArtifactPath?: string;
  /**
   * Where the provider will deploy when the config sets no `region`: AWS_REGION / AWS_DEFAULT_REGION at synth.
   * Only checked (against the inference image's regions), never written into the stack. @default undefined
   */
  readonly environmentRegion?: { readonly variable: string; readonly region: string };
}

/** Validates a raw config object (as parsed from JSON) and returns the typed config. */
export function resolveConfig(raw: unknown, options: ResolveOptions = {}): ClassifierConfig {
  const source = options.source ?? "inline config";
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(source, [{ path: "(root)", message: "must be a JSON object" }]);
  }
  const input = raw as RawConfig;
  const problems: ConfigProblem[] = [];
  for (const key of Object.keys(input)) {
    if (!(key in configSections))
      problems.push({ path: key, message: `unknown setting (known: ${Object.keys(configSections).join(", ")})` });
  }
  const parsed: Partial<Record<keyof ParsedConfig, unknown>> = {};
  for (const [key, schema] of Object.entries(configSections) as [keyof ParsedConfig, z.ZodTypeAny][]) {
    const result = schema.safeParse(input[key]);
    if (result.success) parsed[key] = result.data;
    else problems.push(...result.error.issues.map((i) => ({ path: [key, ...i.path].join("."), message: i.message })));
  }
  problems.push(...crossSectionProblems(input, parsed as Partial<ParsedConfig>));
  problems.push(...imageRegionProblems(parsed as Partial<ParsedConfig>, options.environmentRegion));
  const artifactSection = parsed.modelArtifact as ParsedConfig["modelArtifact"] | undefined;
  const model = modelSource(
    artifactSection ?? modelArtifactSection.parse({}),
    options.baseDir ?? REPO_ROOT,
    options.defaultArtifactPath ?? defaultModelArtifactPath(),
  );
  // An invalid section (or one setting both path and huggingFace) is already reported; its tarball is not looked for.
  const decided = artifactSection !== undefined && !(artifactSection.path !== undefined && artifactSection.huggingFace !== undefined);
  if ((options.requireArtifact ?? true) && decided) problems.push(...modelSourceProblems(model));
  if (problems.length > 0) throw new ConfigError(source, problems);

  const config = parsed as ParsedConfig;
  return { ...config, ...deriveConfig(config), modelSource: model, modelArtifactPath: model.tarballPath, source };
}

function imageRegionProblems(parsed: Partial<ParsedConfig>, environmentRegion: ResolveOptions["environmentRegion"]): ConfigProblem[] {
  const repository = parsed.model?.imageRepository;
  const region = parsed.region ?? environmentRegion?.region;
  const problem = repository && region ? prebuiltImageRegionProblem(repository, region) : undefined;
  if (!problem) return [];
  return [{ path: parsed.region ? "region" : `(environment) ${environmentRegion!.variable}`, message: problem }];
}

/** The deploy region AWS_REGION / AWS_DEFAULT_REGION name, as the AWS provider reads them. */
export function environmentRegion(env: NodeJS.ProcessEnv): ResolveOptions["environmentRegion"] {
  for (const variable of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
    const region = env[variable]?.trim();
    if (region) return { variable, region };
  }
  return undefined;
}

/** Reads the config from CLASSIFIER_CONFIG (or the default file, if present) and validates it. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  baseOptions: Omit<ResolveOptions, "baseDir" | "source"> = {},
): ClassifierConfig {
  const file = readConfigFile(env.CLASSIFIER_CONFIG, "CLASSIFIER_CONFIG points to a file that does not exist");
  return resolveConfig(file.raw, { environmentRegion: environmentRegion(env), ...baseOptions, baseDir: file.baseDir, source: file.source });
}

export interface ConfigFile {
  /** The parsed JSON ({} when there is no file). */
  readonly raw: unknown;
  /** Folder the file's relative paths are resolved against (undefined: the repository root). */
  readonly baseDir?: string;
  /** Where the settings came from, for messages. */
  readonly source: string;
}

/**
 * The raw config file: `explicitPath` (which must exist: `missingMessage` otherwise), else classifier.config.json in
 * the repository root when present, else no settings at all (every default).
 */
export function readConfigFile(explicitPath: string | undefined, missingMessage = "config file does not exist"): ConfigFile {
  const file = explicitPath ? path.resolve(explicitPath) : defaultConfigFilePath();
  if (!fs.existsSync(file)) {
    if (explicitPath) throw new ConfigError(file, [{ path: "(file)", message: missingMessage }]);
    return { raw: {}, source: "defaults (no classifier.config.json)" };
  }
  try {
    return { raw: JSON.parse(fs.readFileSync(file, "utf8")), baseDir: path.dirname(file), source: file };
  } catch (error) {
    throw new ConfigError(file, [{ path: "(file)", message: `not valid JSON: ${(error as Error).message}` }]);
  }
}
