/**
 * The deploy rehearsal: the real `cdktf deploy / plan / destroy` of this stack against a local AWS emulator, with
 * the checks that say whether it did what a real account would need. Used step by step by `npm run rehearse`
 * (tools/deploy/rehearse-cli.ts) and by the rehearsal test (__tests__/tools/deploy/rehearsal.e2e.test.ts).
 *
 * Everything lives in a temporary workspace (cdktf project, state, configs, AWS config files); the emulator and
 * Terraform never see the caller's AWS credentials, ~/.aws or ~/.terraformrc.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DescribeEndpointCommand } from "@aws-sdk/client-sagemaker";
import { resolveConfig } from "../../src/config/load-config";
import { AwsClients, destroyClients, emulatorClients } from "./aws-clients";
import { AwsEmulator, EMULATOR_REGION, emulatorEnvironment, startAwsEmulator } from "./aws-emulator";
import { CdktfWorkspace, CommandResult } from "./cdktf-workspace";
import { checkDeployedStack, CheckResult } from "./deployed-stack-checks";
import { PlanJson } from "./plan-json";
import { listStackLeftovers } from "./stack-leftovers";
import { pinnedAwsProviderVersion } from "./provider-version";
import { setUpTerraform, TerraformSetup } from "./terraform-setup";
import { StateJson, StateView } from "./terraform-refs";

/** Container environment variable that makes the emulator fail a model's health checks (tools/deploy/emulator). */
export const FAILS_HEALTH_CHECK_ENV = "EMULATOR_FAILS_HEALTH_CHECK";

export interface RehearsalOptions {
  /** Progress lines. @default nothing */
  readonly log?: (line: string) => void;
  /** Fail unless a provider mirror is found (tests must run offline); else Terraform may use the registry. */
  readonly requireMirror: boolean;
  /** Keep the workspace folder after stop(), for a look at state and logs. @default false */
  readonly keepWorkspace?: boolean;
  /** Copy the emulator's log to stderr. @default false */
  readonly echoEmulator?: boolean;
}

export interface StackNames {
  readonly stackName: string;
  readonly namePrefix: string;
  readonly endpointName: string;
}

/** Names a config gives the stack (relative paths in it resolve against `baseDir`). */
export function stackNames(raw: unknown, baseDir?: string): StackNames {
  const config = resolveConfig(raw, { requireArtifact: false, baseDir });
  return { stackName: config.stackName, namePrefix: config.namePrefix, endpointName: config.endpointName };
}

/** Names the default config gives the stack (what the rehearsal deploys first). */
export function defaultStackNames(): StackNames {
  return stackNames({});
}

export class Rehearsal {
  private readonly log: (line: string) => void;
  /** The config cdktf.out was last synthesized from: the same config again needs no new synth (saves ~10 s). */
  private synthesizedFrom: string | undefined;

  private constructor(
    readonly workspace: CdktfWorkspace,
    readonly emulator: AwsEmulator,
    readonly terraform: TerraformSetup,
    readonly clients: AwsClients,
    private readonly options: RehearsalOptions,
    /** The stack this checkout deploys. */
    readonly names: StackNames,
    /** The region it deploys to (AWS_REGION of its commands, the clients' region). */
    readonly region: string,
    /** The first checkout started the emulator and owns the temporary folder; others only borrow them. */
    private readonly owner: boolean,
  ) {
    this.log = options.log ?? (() => undefined);
  }

  static async start(options: RehearsalOptions): Promise<Rehearsal> {
    const log = options.log ?? (() => undefined);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vit-rehearsal-"));
    const providerVersion = pinnedAwsProviderVersion();
    const terraform = setUpTerraform({ providerVersion, workDir: dir, requireMirror: options.requireMirror });
    log(`terraform ${terraform.version}; hashicorp/aws ${providerVersion} from ${terraform.mirror ?? "the Terraform registry"}`);
    const emulator = await startAwsEmulator({ echo: options.echoEmulator });
    log(`AWS emulator (moto + tools/deploy/emulator/workarounds.py) at ${emulator.url}; workspace ${dir}`);
    const env = emulatorEnvironment(emulator.url, path.join(dir, "aws"), terraform.env);
    const workspace = new CdktfWorkspace(dir, env);
    return new Rehearsal(
      workspace,
      emulator,
      terraform,
      emulatorClients(emulator.url),
      options,
      defaultStackNames(),
      EMULATOR_REGION,
      true,
    );
  }

  /**
   * A second checkout of the project (its own cdktf project, cdktf.out and local state, in a folder of this one's)
   * deploying `names`' stack to `region` of the same emulator account: how a copy of the stack in another region is
   * deployed, side by side with this one.
   */
  anotherCheckout(folder: string, region: string, names: StackNames): Rehearsal {
    const dir = path.join(this.workspace.dir, folder);
    const env = emulatorEnvironment(this.emulator.url, path.join(dir, "aws"), this.terraform.env, region);
    const clients = emulatorClients(this.emulator.url, region);
    return new Rehearsal(new CdktfWorkspace(dir, env), this.emulator, this.terraform, clients, this.options, names, region, false);
  }

  get stackDir(): string {
    return this.workspace.stackDir(this.names.stackName);
  }

  config(name: string, config: Record<string, unknown>): string {
    return this.workspace.writeConfig(name, config);
  }

  /** `cdktf deploy --auto-approve`; throws with the output's tail when it fails. */
  async deploy(configFile: string): Promise<CommandResult> {
    return this.expectSuccess("cdktf deploy", await this.cdktf(["deploy", "--auto-approve"], configFile));
  }

  /** `cdktf deploy --auto-approve` that may fail (the failed-rollout rehearsal). */
  deployMayFail(configFile: string): Promise<CommandResult> {
    return this.cdktf(["deploy", "--auto-approve"], configFile);
  }

  /** `cdktf output --outputs-file`: the stack's outputs as the CLI reports them. */
  async outputs(configFile: string): Promise<Record<string, unknown>> {
    const file = path.join(this.workspace.dir, "outputs.json");
    this.expectSuccess("cdktf output", await this.cdktf(["output", "--outputs-file", file], configFile));
    return (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, Record<string, unknown>>)[this.names.stackName];
  }

  /** `cdktf plan` (saved by cdktf as <stack>/plan), read back with `terraform show -json`. */
  async plan(configFile: string): Promise<PlanJson> {
    this.expectSuccess("cdktf plan", await this.cdktf(["plan"], configFile));
    return this.showJson<PlanJson>("plan");
  }

  /**
   * `terraform apply -target=...` of the last synthesized config: only these resources (a rehearsal step that must
   * not apply the emulator's read-back differences along with them).
   */
  async applyTargets(addresses: string[]): Promise<CommandResult> {
    const targets = addresses.map((address) => `-target=${address}`);
    return this.expectSuccess(
      `terraform apply ${targets.join(" ")}`,
      await this.workspace.terraform(this.names.stackName, ["apply", "-input=false", "-auto-approve", "-no-color", ...targets]),
    );
  }

  async destroy(configFile: string): Promise<CommandResult> {
    return this.expectSuccess("cdktf destroy", await this.cdktf(["destroy", "--auto-approve"], configFile));
  }

  /** A cdktf command, with --skip-synth when cdktf.out already holds this config's stack. */
  private async cdktf(args: string[], configFile: string): Promise<CommandResult> {
    const fresh = this.synthesizedFrom === configFile;
    const result = await this.workspace.cdktf(fresh ? [...args, "--skip-synth"] : args, configFile);
    this.synthesizedFrom = result.status === 0 || fresh ? configFile : undefined;
    return result;
  }

  /** The Terraform state as `terraform show -json` reports it. */
  async state(): Promise<StateView> {
    return new StateView(await this.showJson<StateJson>(), this.stackDir);
  }

  async stateList(): Promise<string[]> {
    const result = await this.workspace.terraform(this.names.stackName, ["state", "list"]);
    return result.output.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("No state"));
  }

  /** Compares what exists in the emulator with the synthesized stack. */
  async checkDeployed(configFile: string): Promise<CheckResult[]> {
    const stackJson = JSON.parse(fs.readFileSync(path.join(this.stackDir, "cdk.tf.json"), "utf8"));
    const outputs = await this.outputs(configFile);
    return checkDeployedStack({ stackJson, state: await this.state(), stackDir: this.stackDir, clients: this.clients, outputs });
  }

  /** The endpoint configuration the stack's endpoint runs now. */
  async endpointConfigName(): Promise<string | undefined> {
    const endpoint = await this.clients.sagemaker.send(new DescribeEndpointCommand({ EndpointName: this.names.endpointName }));
    return endpoint.EndpointConfigName;
  }

  leftovers(): Promise<string[]> {
    return listStackLeftovers(this.clients, { ...this.names, region: this.region });
  }

  async stop(): Promise<void> {
    destroyClients(this.clients);
    if (!this.owner) return;
    await this.emulator.stop();
    if (!this.options.keepWorkspace) fs.rmSync(this.workspace.dir, { recursive: true, force: true });
  }

  private async showJson<T>(planFile?: string): Promise<T> {
    const result = await this.workspace.terraform(this.names.stackName, ["show", "-json", ...(planFile ? [planFile] : [])]);
    this.expectSuccess("terraform show -json", result);
    return JSON.parse(result.output) as T;
  }

  private expectSuccess(what: string, result: CommandResult): CommandResult {
    if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}):\n${result.output.slice(-6000)}`);
    this.log(`${what}: ok in ${(result.durationMs / 1000).toFixed(1)} s`);
    return result;
  }
}
