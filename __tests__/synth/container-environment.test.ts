import {
  containerEnvironment,
  ContainerSettings,
  modelSettingsFingerprint,
  STACK_CONTAINER_ENV_KEYS,
} from "../../src/config/container-environment";
import { SERVING_SETTINGS } from "../../src/config/serving-settings";
import { testConfig } from "./helpers";

const base: ContainerSettings = { serving: {}, serverless: false, inferenceDeadlineMs: 25_000, extraEnvironment: {} };

describe("Container environment (derived from the config once)", () => {
  it("sets what the Hugging Face toolkit and our inference.py need, offline", () => {
    expect(containerEnvironment(base)).toEqual({
      HF_TASK: "image-classification",
      SAGEMAKER_PROGRAM: "inference.py",
      SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code",
      SAGEMAKER_CONTAINER_LOG_LEVEL: "20",
      HF_HUB_OFFLINE: "1",
      TRANSFORMERS_OFFLINE: "1",
      INFERENCE_DEADLINE_MS: "25000",
    });
  });

  it("gives each request in the container the function's time budget and no longer", () => {
    expect(testConfig({}).containerEnvironment.INFERENCE_DEADLINE_MS).toBe(String(testConfig({}).invokeBudgetMs));
    expect(testConfig({ lambda: { timeoutSeconds: 20 } }).containerEnvironment.INFERENCE_DEADLINE_MS).toBe("17000");
  });

  it("runs one model server worker on serverless, the server's default on real-time, or what the config says", () => {
    expect(containerEnvironment({ ...base, serverless: true }).SAGEMAKER_MODEL_SERVER_WORKERS).toBe("1");
    expect(containerEnvironment({ ...base, serverless: true, serving: { workers: 2 } }).SAGEMAKER_MODEL_SERVER_WORKERS).toBe("2");
    expect(containerEnvironment({ ...base, serving: { workers: 1 } }).SAGEMAKER_MODEL_SERVER_WORKERS).toBe("1");
    expect(containerEnvironment(base).SAGEMAKER_MODEL_SERVER_WORKERS).toBeUndefined();
  });

  it("lets extra variables through but never over the stack's own", () => {
    const env = containerEnvironment({ ...base, extraEnvironment: { MY_FLAG: "1", HF_TASK: "image-segmentation" } });
    expect(env.MY_FLAG).toBe("1");
    expect(env.HF_TASK).toBe("image-classification");
  });

  it("lists exactly the stack's own keys as reserved (read from the environment it builds with every setting set)", () => {
    const everySetting = { workers: 1, dtype: "float32", threads: 2, maxBatch: 2, warmup: false } as const;
    const built = Object.keys(containerEnvironment({ ...base, serving: everySetting }));
    expect(built).toEqual(expect.arrayContaining(["INFERENCE_DTYPE", "INFERENCE_THREADS", "INFERENCE_MAX_BATCH", "INFERENCE_WARMUP"]));
    expect([...STACK_CONTAINER_ENV_KEYS].sort()).toEqual(
      [...new Set([...built, ...Object.values(SERVING_SETTINGS).map((s) => s.variable), "SAGEMAKER_REGION"])].sort(),
    );
  });

  it("fingerprints every model setting (the artifact's revision trigger), and nothing else", () => {
    // Prepare
    const fingerprint = (raw: Record<string, unknown>) => testConfig(raw).modelSettingsFingerprint;
    // Assess
    expect(fingerprint({})).toBe(fingerprint({}));
    expect(fingerprint({ endpoint: { instance: { count: 7 } } })).toBe(fingerprint({}));
    expect(fingerprint({ lambda: { memoryMb: 1024 } })).toBe(fingerprint({}));
    for (const change of [
      { model: { serving: { logLevel: "10" } } },
      { model: { imageTag: "other" } },
      { model: { imageRepository: "other-repo" } },
      { model: { networkIsolation: false } },
      { model: { serving: { workers: 2 } } },
      { model: { serving: { dtype: "bfloat16" } } },
      { model: { serving: { warmup: false } } },
      { lambda: { timeoutSeconds: 20 } }, // the container's time limit per request follows the function's budget
      { model: { environment: { MY_FLAG: "1" } } },
      { endpoint: { serverless: {} } },
    ]) {
      expect(fingerprint(change)).not.toBe(fingerprint({}));
    }
    expect(modelSettingsFingerprint({ imageRepository: "r", imageTag: "t", networkIsolation: true, environment: {} })).toMatch(
      /^[0-9a-f]{12}$/,
    );
  });
});
