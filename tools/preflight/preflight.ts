/**
 * The preflight: everything a first `cdktf deploy` (or the next one) on this account needs, checked read-only
 * before anything is created, one line per check (PASS / WARN / FAIL, each WARN and FAIL with its fix). Run by
 * `npm run preflight`, first by `npm run plan:review`, and by whatever deploys (call `preflightCommand`).
 *
 * It reads with the caller's own credentials (the AWS SDK's default chain) in the deploy region the stack's
 * provider would use. Checks that need AWS are not run when there is no region or no credentials; the model and
 * cost lines need neither.
 */
import * as fs from "fs";
import type { ClassifierConfig } from "../../src/config/load-config";
import { ConfigError, readConfigFile, resolveConfig } from "../../src/config/load-config";
import { UserFacingError } from "../../src/config/errors";
import { ModelBenchmark, readModelBenchmark } from "../cost/model-benchmark";
import { NAME_ATTRIBUTES, accountWideNames } from "./account-wide-names";
import { PreflightClients, preflightClients, sdkDefaultRegion } from "./aws-clients";
import { describeError } from "./aws-errors";
import { CheckResult, fail, formatCheck, pass, warn } from "./check-result";
import { costCheck } from "./cost-check";
import { endpointQuotaChecks } from "./endpoint-quota-checks";
import { CallerIdentity, callerIdentity } from "./identity-check";
import { lambdaConcurrencyCheck } from "./lambda-concurrency-check";
import { modelArtifactCheck } from "./model-artifact-check";
import { nameCollisionCheck } from "./name-collision-check";
import { regionCheck, resolveRegion } from "./region-check";
import { StateJson, describeStateLocation, namesInState, readState, stateLocation } from "./stack-state";
import { localStateCheck, s3BackendChecks } from "./state-backend-check";
import { SynthesizedStack, synthesizeStack } from "./synthesized-stack";

export interface PreflightOptions {
  /** The config file. @default $CLASSIFIER_CONFIG, else classifier.config.json, else every default (as synth reads it) */
  readonly configPath?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default preflightClients (the SDK's default credential chain) */
  readonly clients?: (region: string) => PreflightClients;
  /** The region the AWS profile names. @default the SDK's resolution */
  readonly profileRegion?: () => Promise<string | undefined>;
  /** The model benchmark the cost line uses. @default model/bench/model-bench.json */
  readonly bench?: () => ModelBenchmark | undefined;
}

export interface PreflightReport {
  /** What was checked: "stack <name> (<config source>)". */
  readonly subject: string;
  readonly results: readonly CheckResult[];
  /** Checks not run, and why. */
  readonly notRun?: string;
}

/** Checks that need a region and working credentials. */
const AWS_CHECKS = "instance type and endpoint quotas, Lambda concurrency, state, account-wide names";

export async function runPreflight(options: PreflightOptions = {}): Promise<PreflightReport> {
  const env = options.env ?? process.env;
  let config: ClassifierConfig;
  let source = "the config";
  try {
    const file = readConfigFile(options.configPath ?? env.CLASSIFIER_CONFIG, "the config file does not exist");
    source = file.source;
    // A missing tarball is the model line's to report, and a region from the environment or a profile the region line's.
    config = resolveConfig(file.raw, { baseDir: file.baseDir, source: file.source, requireArtifact: false });
  } catch (error) {
    if (!(error instanceof UserFacingError)) throw error;
    const problems = error instanceof ConfigError ? error.problems.map((p) => `${p.path}: ${p.message}`).join("; ") : error.message;
    return {
      subject: source,
      results: [fail("config", problems, "fix classifier.config.json (every setting: docs/configuration.md)")],
      notRun: "everything else (the config must be valid first)",
    };
  }
  const results: CheckResult[] = [pass("config", `${config.source}: stack ${config.stackName}, ${describeVariant(config)}`)];
  const offline = () => [
    modelArtifactCheck(config.modelSource),
    costCheck(config, { bench: loadBench(options.bench), modelArtifactGb: tarballGb(config.modelArtifactPath) }),
  ];
  const subject = `stack ${config.stackName} (${config.source})`;

  const region = await resolveRegion(config.region, config.source, env, options.profileRegion ?? sdkDefaultRegion);
  results.push(regionCheck(region, config.model.imageRepository));
  if (!region) return { subject, results: [...results, ...offline()], notRun: `${AWS_CHECKS} (no region)` };
  const clients = (options.clients ?? preflightClients)(region.region);
  try {
    const { identity, result } = await callerIdentity(clients.sts);
    results.push(result);
    if (!identity) return { subject, results: [...results, ...offline()], notRun: `${AWS_CHECKS} (no credentials)` };
    results.push(...(await accountChecks(config, clients, region.region, identity)));
    return { subject, results: [...results, ...offline()] };
  } finally {
    clients.destroy();
  }
}

/** What needs the account: the endpoint's quotas, Lambda's concurrency, the state and the names. */
async function accountChecks(
  config: ClassifierConfig,
  clients: PreflightClients,
  region: string,
  identity: CallerIdentity,
): Promise<CheckResult[]> {
  const context = { clients, region, partition: identity.partition };
  return [
    ...(await endpointQuotaChecks({
      ...context,
      variant: config.variant,
      autoscaling: config.autoscaling,
      endpointName: config.endpointName,
    })),
    await lambdaConcurrencyCheck({ ...context, reservedConcurrency: config.lambda.reservedConcurrency, functionName: config.functionName }),
    ...(await stackChecks(config, clients, region, identity)),
  ];
}

/** The state and the names, both read from the synthesized stack. */
async function stackChecks(
  config: ClassifierConfig,
  clients: PreflightClients,
  region: string,
  identity: CallerIdentity,
): Promise<CheckResult[]> {
  let stack: SynthesizedStack;
  try {
    stack = synthesizeStack(config);
  } catch (error) {
    const fix = "run npm run synth to see the error in full";
    return [warn("account-wide names", `not checked: the stack did not synthesize (${(error as Error).message})`, fix)];
  }
  const results: CheckResult[] = [];
  const location = stateLocation(stack);
  let state: StateJson | undefined;
  let stateProblem: string | undefined;
  if (location) {
    try {
      state = await readState(location, (r) => clients.s3(r));
    } catch (error) {
      stateProblem = `${describeStateLocation(location)} could not be read: ${describeError(error)}`;
    }
  }
  if (location?.kind === "local") {
    results.push(localStateCheck(location, state !== undefined));
  } else if (location?.kind === "s3" && config.backend) {
    results.push(...(await s3BackendChecks(clients.s3(location.region), { ...location, useLockfile: config.backend.useLockfile })));
  }
  const context = { region, account: identity.account, partition: identity.partition };
  const { names, unresolved } = accountWideNames(stack, context);
  results.push(
    await nameCollisionCheck({
      clients,
      names,
      unresolved,
      owned: stateProblem ? undefined : namesInState(state, NAME_ATTRIBUTES),
      stateDescription: stateProblem ?? (location ? describeStateLocation(location) : "no backend"),
      context,
    }),
  );
  return results;
}

function describeVariant(config: ClassifierConfig): string {
  const v = config.variant;
  if (v.kind === "serverless")
    return `serverless endpoint ${config.endpointName} (${v.memorySizeMb} MB, max concurrency ${v.maxConcurrency})`;
  const scaling = config.autoscaling.enabled ? `, autoscaling to ${config.autoscaling.maxInstances}` : "";
  return `endpoint ${config.endpointName} on ${v.instanceCount} x ${v.instanceType}${scaling}`;
}

function loadBench(read: PreflightOptions["bench"]): ModelBenchmark | undefined {
  try {
    return (read ?? readModelBenchmark)();
  } catch {
    // A broken benchmark file leaves the cost line on its placeholder model time, which the line then says.
    return undefined;
  }
}

function tarballGb(tarball: string): number | undefined {
  return fs.existsSync(tarball) ? fs.statSync(tarball).size / 1024 ** 3 : undefined;
}

export function preflightPassed(report: PreflightReport): boolean {
  return !report.results.some((r) => r.status === "fail");
}

export function formatPreflight(report: PreflightReport): string {
  const count = (status: CheckResult["status"]) => report.results.filter((r) => r.status === status).length;
  const [failed, warned, passed] = [count("fail"), count("warn"), count("pass")];
  const verdict =
    failed > 0
      ? "fix the FAIL lines before deploying"
      : warned > 0
        ? "nothing blocks a deploy; read the WARN lines first"
        : "nothing blocks a deploy";
  return [
    `Preflight of ${report.subject}`,
    ...report.results.map(formatCheck),
    ...(report.notRun ? [`not run: ${report.notRun}`] : []),
    `Preflight: ${passed} passed, ${warned} ${warned === 1 ? "warning" : "warnings"}, ${failed} failed: ${verdict}.`,
  ].join("\n");
}

/** Runs the preflight, prints its report, and returns the exit code: 0 when nothing failed, 1 otherwise. */
export async function preflightCommand(options: PreflightOptions = {}, print: (text: string) => void = console.log): Promise<number> {
  const report = await runPreflight(options);
  print(formatPreflight(report));
  return preflightPassed(report) ? 0 : 1;
}
