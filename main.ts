// Composition root: config (CLASSIFIER_CONFIG, see docs/configuration.md) -> one stack -> synth.
import { App } from "cdktf";
import { ClassifierStack } from "./src/stack";
import { UserFacingError } from "./src/config/errors";
import { loadConfig } from "./src/config/load-config";

try {
  const config = loadConfig();
  const app = new App();
  new ClassifierStack(app, config.stackName, { config });
  app.synth();
} catch (error) {
  // Config and artifact problems are explained by their message; anything else keeps its stack trace.
  if (!(error instanceof UserFacingError)) throw error;
  console.error(error.message);
  process.exit(1);
}
