/**
 * Terraform for the deploy tooling (validate tests, the deploy rehearsal, plan review), offline when it can be.
 *
 * The synthesized stack pins one hashicorp/aws version. Without internet, `terraform init` can only get it from
 * a filesystem mirror: a folder holding registry.terraform.io/hashicorp/aws/<version>/<os>_<arch>/. This module
 * finds terraform and such a mirror (TF_PROVIDER_MIRROR, else the places Terraform itself looks, else one level
 * below /opt) and writes a Terraform CLI config of its own that installs the provider from that mirror only.
 * Callers pass it to Terraform as TF_CLI_CONFIG_FILE; the user's ~/.terraformrc is never read or written.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { MIN_TERRAFORM_VERSION } from "../../common/facts";

export const AWS_PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws";

export class TerraformSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TerraformSetupError";
  }
}

/** Terraform's name for this platform, e.g. linux_amd64, darwin_arm64. */
export function terraformPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const osName = platform === "win32" ? "windows" : platform;
  const archName = ({ x64: "amd64", ia32: "386", arm64: "arm64", arm: "arm" } as Record<string, string>)[arch] ?? arch;
  return `${osName}_${archName}`;
}

/** The aws provider version a synthesized stack requires (terraform.required_providers.aws.version). */
export function requiredAwsProviderVersion(stackJson: {
  terraform?: { required_providers?: Record<string, { version?: string }> };
}): string {
  const version = stackJson.terraform?.required_providers?.aws?.version;
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new TerraformSetupError(`the synthesized stack does not pin an exact hashicorp/aws version (found ${JSON.stringify(version)})`);
  }
  return version;
}

/** Where a mirror is looked for, in order: TF_PROVIDER_MIRROR, Terraform's implied local mirrors, then /opt/<dir>. */
export function mirrorCandidates(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string[] {
  if (env.TF_PROVIDER_MIRROR) return [path.resolve(env.TF_PROVIDER_MIRROR)];
  const home = env.HOME ?? os.homedir();
  const implied =
    platform === "darwin"
      ? [
          path.join(home, ".terraform.d", "plugins"),
          path.join(home, "Library", "Application Support", "io.terraform", "plugins"),
          "/Library/Application Support/io.terraform/plugins",
        ]
      : [
          path.join(home, ".terraform.d", "plugins"),
          path.join(env.XDG_DATA_HOME ?? path.join(home, ".local", "share"), "terraform", "plugins"),
          "/usr/local/share/terraform/plugins",
          "/usr/share/terraform/plugins",
        ];
  const underOpt = listDirs("/opt");
  return [...implied, ...underOpt];
}

/** The first candidate holding hashicorp/aws <version> for this platform, or undefined. */
export function findProviderMirror(version: string, candidates: string[], platform = terraformPlatform()): string | undefined {
  return candidates.find((dir) => {
    const packageDir = path.join(dir, AWS_PROVIDER_ADDRESS, version, platform);
    return listFiles(packageDir).some((name) => name.startsWith("terraform-provider-aws"));
  });
}

/** A Terraform CLI config that installs hashicorp/aws from `mirror` only, and nothing from the network. */
export function offlineCliConfig(mirror: string): string {
  return [
    "# Written by tools/deploy/terraform-setup.ts for one run: hashicorp/aws from a filesystem mirror, nothing from the network.",
    "provider_installation {",
    "  filesystem_mirror {",
    `    path    = ${JSON.stringify(mirror)}`,
    `    include = [${JSON.stringify(AWS_PROVIDER_ADDRESS)}]`,
    "  }",
    "}",
    "",
  ].join("\n");
}

export interface TerraformSetup {
  /** The terraform executable. */
  readonly binary: string;
  readonly version: string;
  /** The mirror in use, or undefined when providers come from the registry. */
  readonly mirror: string | undefined;
  /** Environment for terraform and cdktf: the CLI config, no prompts, no update checks. */
  readonly env: NodeJS.ProcessEnv;
}

export interface TerraformSetupOptions {
  /** The aws provider version to find (requiredAwsProviderVersion of the synthesized stack). */
  readonly providerVersion: string;
  /** Folder the CLI config is written to (a temporary folder of the caller's). */
  readonly workDir: string;
  /** Fail unless a mirror is found (tests: they must run offline). Otherwise fall back to the registry. */
  readonly requireMirror: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/** The terraform executable: TERRAFORM_BINARY_NAME (as cdktf reads it), else terraform on PATH. */
export function terraformBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.TERRAFORM_BINARY_NAME || "terraform";
}

export function setUpTerraform(options: TerraformSetupOptions): TerraformSetup {
  const env = options.env ?? process.env;
  const binary = terraformBinary(env);
  const probe = spawnSync(binary, ["version", "-json"], {
    encoding: "utf8",
    env: { ...env, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "" },
  });
  if (probe.error || probe.status !== 0) {
    throw new TerraformSetupError(
      `terraform not found (ran "${binary} version": ${probe.error?.message ?? probe.stderr.trim()}). Install Terraform >= ${MIN_TERRAFORM_VERSION} ` +
        "(https://developer.hashicorp.com/terraform/install) or name the executable with TERRAFORM_BINARY_NAME.",
    );
  }
  const version = (JSON.parse(probe.stdout) as { terraform_version: string }).terraform_version;
  if (compareVersions(version, MIN_TERRAFORM_VERSION) < 0) {
    throw new TerraformSetupError(`terraform ${version} is too old: the stack needs >= ${MIN_TERRAFORM_VERSION}`);
  }

  const candidates = mirrorCandidates(env);
  const mirror = findProviderMirror(options.providerVersion, candidates);
  const base: NodeJS.ProcessEnv = { ...env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
  if (!mirror) {
    if (options.requireMirror) {
      throw new TerraformSetupError(
        `No filesystem mirror with hashicorp/aws ${options.providerVersion} for ${terraformPlatform()} (looked in: ${candidates.join(", ") || "nothing"}). ` +
          `Set TF_PROVIDER_MIRROR to a folder holding ${AWS_PROVIDER_ADDRESS}/${options.providerVersion}/${terraformPlatform()}/, ` +
          `e.g. one made with \`terraform providers mirror <folder>\` on a machine with internet.`,
      );
    }
    return { binary, version, mirror: undefined, env: base };
  }
  fs.mkdirSync(options.workDir, { recursive: true });
  const cliConfig = path.join(options.workDir, "terraform-cli.tfrc");
  fs.writeFileSync(cliConfig, offlineCliConfig(mirror));
  return { binary, version, mirror, env: { ...base, TF_CLI_CONFIG_FILE: cliConfig } };
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((n) => parseInt(n, 10) || 0);
  const pb = b.split(/[.-]/).map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

function listDirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

function listFiles(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
