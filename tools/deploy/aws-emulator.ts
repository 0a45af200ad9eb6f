/**
 * The AWS emulator for deploy rehearsals: tools/deploy/emulator/serve.py (moto's server plus this project's
 * workarounds) on a free loopback port, as a child process in its own process group.
 *
 * `emulatorEnvironment` is what Terraform, cdktf and the AWS SDKs need to talk to it and to nothing else: every
 * AWS_* variable of the caller is dropped (no real credentials, profile or endpoint override leaks in), and the
 * shared config/credentials files point at a folder of the rehearsal's own.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../common/repo-root";
import { ManagedProcess, startProcess } from "../../dev-runtime/processes";

export const EMULATOR_REGION = "us-east-1";

export interface AwsEmulator {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

export function emulatorPython(env: NodeJS.ProcessEnv = process.env): string {
  return env.EMULATOR_PYTHON ?? path.join(REPO_ROOT, ".venv-emulator", "bin", "python");
}

export async function startAwsEmulator(options: { readonly echo?: boolean } = {}): Promise<AwsEmulator> {
  const python = emulatorPython();
  if (!fs.existsSync(python)) {
    throw new Error(
      `${python} not found: run \`bash scripts/setup.sh\` (it makes .venv-emulator from tools/deploy/emulator/requirements.txt)`,
    );
  }
  const child = await startProcess({
    name: "aws-emulator",
    command: python,
    args: [path.join(REPO_ROOT, "tools", "deploy", "emulator", "serve.py"), "--host", "127.0.0.1", "--port", "0"],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: process.env.LANG },
    cwd: REPO_ROOT,
    readyLine: /^AWS_EMULATOR_READY (\S+)$/,
    readyTimeoutMs: 60_000,
    echo: options.echo,
  });
  return { url: child.ready, process: child, stop: () => child.stop(5_000) };
}

/**
 * The caller's environment minus every AWS_* variable, plus the emulator's endpoint, dummy keys and region.
 * `awsDir` receives empty shared config and credentials files, so ~/.aws is never read.
 */
export function emulatorEnvironment(
  url: string,
  awsDir: string,
  base: NodeJS.ProcessEnv = process.env,
  region: string = EMULATOR_REGION,
): NodeJS.ProcessEnv {
  fs.mkdirSync(awsDir, { recursive: true });
  const config = path.join(awsDir, "config");
  const credentials = path.join(awsDir, "credentials");
  for (const file of [config, credentials]) if (!fs.existsSync(file)) fs.writeFileSync(file, "");
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) if (!name.startsWith("AWS_")) env[name] = value;
  return {
    ...env,
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: "emulator",
    AWS_SECRET_ACCESS_KEY: "emulator",
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_EC2_METADATA_DISABLED: "true",
  };
}
