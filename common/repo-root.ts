/** The repository's root folder, for build-time code (synth, local stack, tools); the Lambda bundle never needs it. */
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "..");
