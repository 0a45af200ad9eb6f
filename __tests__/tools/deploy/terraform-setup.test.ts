import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  findProviderMirror,
  mirrorCandidates,
  offlineCliConfig,
  requiredAwsProviderVersion,
  setUpTerraform,
  terraformPlatform,
  TerraformSetupError,
} from "../../../tools/deploy/terraform-setup";

/** A fake mirror holding hashicorp/aws <version> for this platform. */
function fakeMirror(version: string, platform = terraformPlatform()): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-"));
  const dir = path.join(root, "registry.terraform.io", "hashicorp", "aws", version, platform);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `terraform-provider-aws_v${version}_x5`), "");
  return root;
}

describe("Terraform set-up: finding a provider mirror", () => {
  it("names platforms the way Terraform does", () => {
    expect(terraformPlatform("linux", "x64")).toBe("linux_amd64");
    expect(terraformPlatform("linux", "arm64")).toBe("linux_arm64");
    expect(terraformPlatform("darwin", "arm64")).toBe("darwin_arm64");
    expect(terraformPlatform("win32", "x64")).toBe("windows_amd64");
  });

  it("looks only where TF_PROVIDER_MIRROR points when it is set", () => {
    expect(mirrorCandidates({ TF_PROVIDER_MIRROR: "/somewhere/mirror", HOME: "/home/u" })).toEqual(["/somewhere/mirror"]);
  });

  it("otherwise looks where Terraform looks for implied local mirrors, per OS", () => {
    expect(mirrorCandidates({ HOME: "/home/u" }, "linux")).toEqual(
      expect.arrayContaining(["/home/u/.terraform.d/plugins", "/home/u/.local/share/terraform/plugins", "/usr/share/terraform/plugins"]),
    );
    expect(mirrorCandidates({ HOME: "/Users/u" }, "darwin")).toEqual(
      expect.arrayContaining(["/Users/u/Library/Application Support/io.terraform/plugins"]),
    );
  });

  it("picks the first candidate holding exactly the pinned version for this platform", () => {
    // Prepare
    const wrongVersion = fakeMirror("6.25.0");
    const wrongPlatform = fakeMirror("5.100.0", "plan9_amd64");
    const right = fakeMirror("5.100.0");
    // Act / Assess
    expect(findProviderMirror("5.100.0", [wrongVersion, wrongPlatform, right])).toBe(right);
    expect(findProviderMirror("5.100.0", [wrongVersion, wrongPlatform])).toBeUndefined();
  });

  it("reads the pinned version from a synthesized stack and refuses a range", () => {
    expect(requiredAwsProviderVersion({ terraform: { required_providers: { aws: { version: "5.100.0" } } } })).toBe("5.100.0");
    expect(() => requiredAwsProviderVersion({ terraform: { required_providers: { aws: { version: "~> 5.0" } } } })).toThrow(
      TerraformSetupError,
    );
  });

  it("writes a CLI config that installs hashicorp/aws from the mirror and nothing from the network", () => {
    expect(offlineCliConfig("/opt/mirror")).toBe(
      [
        "# Written by tools/deploy/terraform-setup.ts for one run: hashicorp/aws from a filesystem mirror, nothing from the network.",
        "provider_installation {",
        "  filesystem_mirror {",
        '    path    = "/opt/mirror"',
        '    include = ["registry.terraform.io/hashicorp/aws"]',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });
});

describe("Terraform set-up: the environment for terraform and cdktf", () => {
  const work = () => fs.mkdtempSync(path.join(os.tmpdir(), "tf-setup-"));
  const home = () => fs.mkdtempSync(path.join(os.tmpdir(), "home-"));

  it("points TF_CLI_CONFIG_FILE at its own file, never at the user's ~/.terraformrc", () => {
    // Prepare
    const mirror = fakeMirror("5.100.0");
    const userHome = home();
    const workDir = work();
    // Act
    const setup = setUpTerraform({
      providerVersion: "5.100.0",
      workDir,
      requireMirror: true,
      env: { ...process.env, HOME: userHome, TF_PROVIDER_MIRROR: mirror },
    });
    // Assess
    expect(setup.mirror).toBe(mirror);
    expect(setup.env.TF_CLI_CONFIG_FILE).toBe(path.join(workDir, "terraform-cli.tfrc"));
    expect(fs.readFileSync(setup.env.TF_CLI_CONFIG_FILE!, "utf8")).toBe(offlineCliConfig(mirror));
    expect(setup.env).toMatchObject({ CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" });
    expect(fs.readdirSync(userHome)).toEqual([]);
  });

  it("says what to do when no mirror holds the pinned version and the run must be offline", () => {
    const env = { ...process.env, TF_PROVIDER_MIRROR: fakeMirror("6.25.0") };
    const platform = terraformPlatform();
    expect(() => setUpTerraform({ providerVersion: "5.100.0", workDir: work(), requireMirror: true, env })).toThrow(
      `No filesystem mirror with hashicorp/aws 5.100.0 for ${platform} (looked in: ${env.TF_PROVIDER_MIRROR}). ` +
        `Set TF_PROVIDER_MIRROR to a folder holding registry.terraform.io/hashicorp/aws/5.100.0/${platform}/`,
    );
  });

  it("falls back to the registry (the user's own Terraform set-up) when a mirror is optional", () => {
    const env = { ...process.env, TF_PROVIDER_MIRROR: fakeMirror("6.25.0"), TF_CLI_CONFIG_FILE: "/users/own.tfrc" };
    const setup = setUpTerraform({ providerVersion: "5.100.0", workDir: work(), requireMirror: false, env });
    expect(setup.mirror).toBeUndefined();
    expect(setup.env.TF_CLI_CONFIG_FILE).toBe("/users/own.tfrc");
  });

  it("says how to get terraform when there is none", () => {
    const env = { ...process.env, TERRAFORM_BINARY_NAME: "/nonexistent/terraform" };
    expect(() => setUpTerraform({ providerVersion: "5.100.0", workDir: work(), requireMirror: true, env })).toThrow(
      /terraform not found \(ran "\/nonexistent\/terraform version": .*\)\. Install Terraform >= 1\.10\.0 \(https:\/\/developer\.hashicorp\.com\/terraform\/install\)/,
    );
  });
});
