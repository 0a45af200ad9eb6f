/**
 * Reads the stack config for the cost command through the stack's own validation (src/config), from the
 * same place synth reads it: --config, else $CLASSIFIER_CONFIG, else classifier.config.json, else defaults.
 *
 * The estimate does not need the model tarball, so the config is validated without requiring it; when the config
 * names a model (`modelArtifact.path` or `.huggingFace`) whose tarball exists, its real size prices the S3 line.
 */
import * as fs from "fs";
import { ClassifierConfig, readConfigFile, resolveConfig } from "../../src/config/load-config";

export interface CostConfig {
  readonly config: ClassifierConfig;
  /** Size of the model tarball in GB, when it exists. */
  readonly modelArtifactGb?: number;
}

export function loadCostConfig(configPath: string | undefined, env: NodeJS.ProcessEnv = process.env): CostConfig {
  const file = readConfigFile(configPath ?? env.CLASSIFIER_CONFIG);
  // Validate everything except the tarball's existence, which only synth needs.
  const config = resolveConfig(file.raw, { baseDir: file.baseDir, source: file.source, requireArtifact: false });
  // Only a configured model's tarball is priced by its size: the default one holds the small demo model, not ViT-B/16-384.
  const configured = config.modelSource.kind !== "demo";
  const modelArtifactGb =
    configured && fs.existsSync(config.modelArtifactPath) ? fs.statSync(config.modelArtifactPath).size / 1024 ** 3 : undefined;
  return { config, modelArtifactGb };
}
