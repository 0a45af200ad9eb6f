// Shared fixtures for the infrastructure tests: a tiny model tarball and a tiny Lambda bundle made in
// os.tmpdir() (tests never need the real demo model or handler), a config builder and JSON helpers.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Testing } from "cdktf";
import { ClassifierStack } from "../../src/stack";
import { resolveConfig, ClassifierConfig } from "../../src/config/load-config";
import { bundleLambda, LambdaBundle } from "../../src/support/lambda-bundle";
import { awsContext } from "../../src/support/aws-context";

const fixtureRoot = fs.mkdtempSync(path.join(os.tmpdir(), "infra-test-"));

/** A real (tiny) model.tar.gz holding code/inference.py with the given text. */
export function fixtureTarball(content = "print('fixture')\n", name = "model.tar.gz"): string {
  const dir = fs.mkdtempSync(path.join(fixtureRoot, "model-"));
  fs.mkdirSync(path.join(dir, "code"));
  fs.writeFileSync(path.join(dir, "code", "inference.py"), content);
  const tarball = path.join(dir, name);
  const result = spawnSync("tar", ["-czf", tarball, "-C", dir, "code"]);
  if (result.status !== 0) throw new Error(`tar failed: ${result.stderr}`);
  return tarball;
}

let bundle: LambdaBundle | undefined;
/** A tiny Lambda bundle built by the real bundler from a stub entry (the handler is tested elsewhere). */
export function fixtureBundle(): LambdaBundle {
  if (!bundle) {
    const entry = path.join(fixtureRoot, "handler.ts");
    fs.writeFileSync(entry, "export const handler = async () => ({ statusCode: 200, body: 'ok' });\n");
    bundle = bundleLambda({ entry, outdir: path.join(fixtureRoot, "bundle") });
  }
  return bundle;
}

let defaultTarball: string | undefined;
export function testTarball(): string {
  defaultTarball ??= fixtureTarball();
  return defaultTarball;
}

/** A validated config: the fixture tarball plus `overrides` (never builds the real default artifact). */
export function testConfig(overrides: Record<string, unknown> = {}): ClassifierConfig {
  const modelArtifact = { path: testTarball(), ...((overrides.modelArtifact as object) ?? {}) };
  return resolveConfig({ ...overrides, modelArtifact }, { source: "test" });
}

export interface SynthResult {
  readonly stack: ClassifierStack;
  readonly json: TfJson;
  readonly text: string;
}

export function synthStack(overrides: Record<string, unknown> = {}): SynthResult {
  const app = Testing.app();
  const stack = new ClassifierStack(app, "test", { config: testConfig(overrides), lambdaBundle: fixtureBundle() });
  const text = Testing.synth(stack);
  return { stack, json: JSON.parse(text), text };
}

/** Data-source backed partition/region/account, as the stack provides them. */
export { awsContext };

export type TfJson = Record<string, any>;

/** [logical name, body] of every resource of a type. */
export function resources(json: TfJson, type: string): [string, TfJson][] {
  return Object.entries(json.resource?.[type] ?? {});
}

/** The single resource of a type (fails if there is not exactly one). */
export function only(json: TfJson, type: string): { name: string; body: TfJson; ref: string } {
  const list = resources(json, type);
  if (list.length !== 1) throw new Error(`expected one ${type}, found ${list.length}`);
  return { name: list[0][0], body: list[0][1], ref: `${type}.${list[0][0]}` };
}

export interface Statement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: string[];
  Principal?: Record<string, unknown>;
  Condition?: Record<string, unknown>;
}

export function statements(policy: string): Statement[] {
  return JSON.parse(policy).Statement;
}
