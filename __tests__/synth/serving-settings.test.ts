import * as fs from "fs";
import * as path from "path";
import "cdktf/lib/testing/adapters/jest";
import { SagemakerModel } from "@cdktf/provider-aws/lib/sagemaker-model";
import { REPO_ROOT } from "../../common/repo-root";
import { ConfigError, resolveConfig } from "../../src/config/load-config";
import { SERVING_KEYS, SERVING_SETTINGS, ServingKey, ServingSpec } from "../../src/config/serving-settings";
import { only, synthStack, testConfig, testTarball } from "./helpers";

/** The problems a config raises, as "path: message" lines ([] when it is valid). */
function problemsOf(model: Record<string, unknown>): string[] {
  try {
    resolveConfig({ modelArtifact: { path: testTarball() }, model }, { source: "test" });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
}

const environmentOf = (serving: Record<string, unknown>) => testConfig({ model: { serving } }).containerEnvironment;

/** Values each kind of setting must accept, and must refuse, by the table. */
function cases(spec: ServingSpec): { accepted: [unknown, string][]; refused: unknown[] } {
  if (spec.type === "integer") {
    return {
      accepted: [spec.min, spec.max, Math.floor((spec.min + spec.max) / 2)].map((n) => [n, String(n)]),
      refused: [spec.min - 1, spec.max + 1, spec.min + 0.5, String(spec.min), null],
    };
  }
  if (spec.type === "choice") return { accepted: spec.choices.map((c) => [c, c]), refused: ["bogus", 1, null] };
  return {
    accepted: [
      [true, "1"],
      [false, "0"],
    ],
    refused: ["true", 1, "yes"],
  };
}

describe("model.serving: the container's settings, checked at synth", () => {
  it.each(SERVING_KEYS)("%s: accepts what the table allows and writes it to its variable", (key) => {
    const spec = SERVING_SETTINGS[key];
    for (const [value, written] of cases(spec).accepted) {
      // Act
      const environment = environmentOf({ [key]: value });
      // Assess
      expect(environment[spec.variable]).toBe(written);
    }
  });

  it.each(SERVING_KEYS)("%s: refuses anything else, naming what it allows", (key) => {
    const spec = SERVING_SETTINGS[key];
    const allowed =
      spec.type === "integer"
        ? `must be an integer from ${spec.min} to ${spec.max}`
        : spec.type === "choice"
          ? `must be one of ${spec.choices.map((c) => `"${c}"`).join(", ")}`
          : "must be true or false";
    for (const value of cases(spec).refused) {
      expect(problemsOf({ serving: { [key]: value } })).toEqual([`model.serving.${key}: ${allowed}`]);
    }
  });

  it("writes nothing for settings the config leaves unset: the container keeps its defaults", () => {
    // Act
    const environment = environmentOf({});
    // Assess: only the log level (always written, as before), the time limit per request (the function's budget, not
    // the table's default) and no workers on real-time
    const variables = SERVING_KEYS.map((k) => SERVING_SETTINGS[k].variable).filter((v) => v in environment);
    expect(variables).toEqual(["SAGEMAKER_CONTAINER_LOG_LEVEL", "INFERENCE_DEADLINE_MS"]);
    expect(environment.SAGEMAKER_CONTAINER_LOG_LEVEL).toBe(SERVING_SETTINGS.logLevel.default);
    expect(environment.INFERENCE_DEADLINE_MS).toBe(String(testConfig({}).invokeBudgetMs));
  });

  it("lets the config set the time limit per request instead of the function's budget", () => {
    expect(environmentOf({ deadlineMs: 0 }).INFERENCE_DEADLINE_MS).toBe("0");
    expect(problemsOf({ serving: { deadlineMs: 3_600_001 } })).toEqual(["model.serving.deadlineMs: must be an integer from 0 to 3600000"]);
  });

  it("lists every bad serving value at once, and suggests the setting a misspelt key meant", () => {
    // Act
    const problems = problemsOf({ serving: { dtype: "float64", maxBatch: 0, dtyp: "int8", warmup: "no" } });
    // Assess
    expect(problems).toEqual([
      'model.serving.dtype: must be one of "auto", "float32", "bfloat16", "float16", "int8"',
      "model.serving.warmup: must be true or false",
      "model.serving.maxBatch: must be an integer from 1 to 64",
      `model.serving: unknown setting "dtyp" (did you mean "dtype"?); the settings are ${SERVING_KEYS.join(", ")}`,
    ]);
  });

  it("names the new place of the two settings that moved into model.serving", () => {
    expect(problemsOf({ serverWorkers: 2, containerLogLevel: "10" })).toEqual([
      "model.serverWorkers: moved to model.serving.workers",
      "model.containerLogLevel: moved to model.serving.logLevel",
    ]);
  });
});

describe("model.environment: only variables the project does not know", () => {
  it("refuses a misspelt serving variable at synth, with the setting and its allowed values", () => {
    expect(problemsOf({ environment: { INFERENCE_DTYP: "bfloat16" } })).toEqual([
      "model.environment.INFERENCE_DTYP: is not a variable the container reads; did you mean INFERENCE_DTYPE? " +
        'Then set model.serving.dtype instead (one of "auto", "float32", "bfloat16", "float16", "int8")',
    ]);
  });

  it.each([
    [
      "a serving variable in lower case",
      "image_max_side",
      "did you mean IMAGE_MAX_SIDE? Then set model.serving.maxSide instead (an integer from 1 to 100000)",
    ],
    [
      "a dropped letter",
      "SAGEMAKER_MODEL_SERVER_WORKER",
      "did you mean SAGEMAKER_MODEL_SERVER_WORKERS? Then set model.serving.workers instead",
    ],
    ["a stack variable misspelt", "HF_TASKS", "did you mean HF_TASK? The stack sets that one itself"],
    [
      "an unknown INFERENCE_ variable",
      "INFERENCE_BATCH_TIMEOUT",
      "is not a variable the container reads (its INFERENCE_* and IMAGE_* settings are",
    ],
    [
      "an unknown IMAGE_ variable",
      "IMAGE_MAX_MEGAPIXELS",
      "is not a variable the container reads (its INFERENCE_* and IMAGE_* settings are",
    ],
  ])("refuses %s (%s)", (_name, variable, expected) => {
    const problems = problemsOf({ environment: { [variable]: "1" } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`model.environment.${variable}: `);
    expect(problems[0]).toContain(expected);
  });

  it.each(SERVING_KEYS)("refuses %s's variable itself, pointing at the setting", (key: ServingKey) => {
    const variable = SERVING_SETTINGS[key].variable;
    expect(problemsOf({ environment: { [variable]: "1" } })).toEqual([
      expect.stringMatching(
        new RegExp(`^model\\.environment\\.${variable}: is written by the stack from model\\.serving\\.${key}: set that instead \\(`),
      ),
    ]);
  });

  it("lets through variables the project does not know, the toolkit's own included", () => {
    // Prepare
    const environment = { MY_FLAG: "1", SAGEMAKER_MODEL_SERVER_TIMEOUT: "120", HF_TOKEN: "x", EMULATOR_FAILS_HEALTH_CHECK: "true" };
    // Act
    const written = testConfig({ model: { environment } }).containerEnvironment;
    // Assess
    expect(written).toEqual(expect.objectContaining(environment));
  });
});

describe("model.serving in the synthesized stack", () => {
  it("sets the container's variables on the SageMaker model, and a changed setting is a rollout (a new model name)", () => {
    // Prepare
    const serving = { workers: 2, dtype: "bfloat16", maxBatch: 4, maxPixels: 24_000_000, warmup: false, compile: true };
    // Act
    const { text, json } = synthStack({ model: { serving } });
    const plain = synthStack({}).json;
    // Assess
    expect(text).toHaveResourceWithProperties(SagemakerModel, {
      primary_container: expect.objectContaining({
        environment: expect.objectContaining({
          SAGEMAKER_MODEL_SERVER_WORKERS: "2",
          INFERENCE_DTYPE: "bfloat16",
          INFERENCE_MAX_BATCH: "4",
          IMAGE_MAX_PIXELS: "24000000",
          INFERENCE_WARMUP: "0",
          INFERENCE_COMPILE: "1",
        }),
      }),
    });
    const environment = only(json, "aws_sagemaker_model").body.primary_container.environment;
    expect(environment.INFERENCE_THREADS).toBeUndefined(); // not set in the config: the container's default
    expect(environment.IMAGE_MAX_SIDE).toBeUndefined();
    const trigger = (j: typeof json) => only(j, "terraform_data").body.triggers_replace.modelSettings;
    expect(trigger(json)).not.toBe(trigger(plain));
  });
});

describe("model.serving in the docs", () => {
  const read = (page: string) => fs.readFileSync(path.join(REPO_ROOT, "docs", page), "utf8");

  it("docs/configuration.md has a row per setting with its variable, docs/model.md a row per variable with its default", () => {
    const configuration = read("configuration.md");
    const model = read("model.md");
    for (const key of SERVING_KEYS) {
      const spec = SERVING_SETTINGS[key];
      expect(configuration).toMatch(new RegExp(`^\\| \`model\\.serving\\.${key}\` \\|.*\`${spec.variable}\``, "m"));
      const shown =
        spec.default === null ? "(server default)" : typeof spec.default === "boolean" ? (spec.default ? "1" : "0") : String(spec.default);
      expect(model).toMatch(
        new RegExp(`^\\| \`${spec.variable}\` \\| \`model\\.serving\\.${key}\` \\| ${shown.replace(/[()]/g, "\\$&")} \\|`, "m"),
      );
    }
  });
});
