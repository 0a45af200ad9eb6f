/** Where the deploy region comes from (as the stack's AWS provider resolves it), the image check, and the caller's identity. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { STSClient } from "@aws-sdk/client-sts";
import { sdkDefaultRegion } from "../../../tools/preflight/aws-clients";
import { formatCheck } from "../../../tools/preflight/check-result";
import { callerIdentity } from "../../../tools/preflight/identity-check";
import { regionCheck, resolveRegion } from "../../../tools/preflight/region-check";
import { EXAMPLE_ACCOUNT_ID } from "../../example-account";
import { useFakeAccount } from "./fake-account";

const noProfile = async () => undefined;

describe("Preflight: region", () => {
  it.each([
    ["the config", "eu-west-1", { AWS_REGION: "us-east-1" }, '"region" in classifier.config.json'],
    ["AWS_REGION", undefined, { AWS_REGION: "eu-central-1", AWS_DEFAULT_REGION: "us-east-1" }, "AWS_REGION"],
    ["AWS_DEFAULT_REGION", undefined, { AWS_DEFAULT_REGION: "eu-north-1" }, "AWS_DEFAULT_REGION"],
  ])("takes it from %s first", async (_source, configRegion, env, expected) => {
    // Act
    const resolved = await resolveRegion(configRegion, "classifier.config.json", env, async () => "ap-south-1");

    // Assess
    expect(resolved?.source).toBe(expected);
  });

  it("then from the AWS profile, naming it", async () => {
    // Act
    const resolved = await resolveRegion(undefined, "c.json", { AWS_PROFILE: "ml" }, async () => "ap-south-1");

    // Assess
    expect(resolved).toEqual({ region: "ap-south-1", source: "the region of AWS profile ml" });
  });

  it("reads the profile's region from the shared config file as the SDK does", async () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aws-config-"));
    fs.writeFileSync(path.join(dir, "config"), "[default]\nregion = eu-south-1\n\n[profile ml]\nregion = ca-central-1\n");
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_CONFIG_FILE: path.join(dir, "config"), AWS_PROFILE: "ml" });
    delete process.env.AWS_REGION;
    try {
      // Act
      const region = await sdkDefaultRegion();

      // Assess
      expect(region).toBe("ca-central-1");
    } finally {
      process.env = saved;
    }
  });

  it("passes a region the inference image is published in, and fails one it is not, listing where it is", async () => {
    // Act
    const good = formatCheck(regionCheck(await resolveRegion("eu-west-1", "c.json", {}, noProfile), "huggingface-pytorch-inference"));
    const bad = formatCheck(regionCheck({ region: "ap-southeast-7", source: "AWS_REGION" }, "huggingface-pytorch-inference"));

    // Assess
    expect(good).toBe('PASS  region: eu-west-1 (from "region" in c.json); the huggingface-pytorch-inference image is published there');
    expect(bad).toMatch(
      /^FAIL {2}region: ap-southeast-7 \(from AWS_REGION\): the huggingface-pytorch-inference image has no registry in ap-southeast-7 \(hashicorp\/aws 5\.100\.0 knows it in: af-south-1, .*us-west-2\)\n {6}fix: deploy to one of those regions \("region" in classifier\.config\.json\)$/,
    );
  });
});

describe("Preflight: identity", () => {
  const fake = useFakeAccount();

  it("names the account, partition and principal", async () => {
    // Prepare
    fake.account.arn = `arn:aws-us-gov:sts::${EXAMPLE_ACCOUNT_ID}:assumed-role/Deployer/alice`;

    // Act
    const { identity, result } = await callerIdentity(new STSClient({ region: "us-gov-west-1" }));

    // Assess
    expect(identity).toEqual({ account: EXAMPLE_ACCOUNT_ID, partition: "aws-us-gov", arn: fake.account.arn });
    expect(formatCheck(result)).toBe(
      `PASS  identity: account ${EXAMPLE_ACCOUNT_ID}, partition aws-us-gov, as arn:aws-us-gov:sts::${EXAMPLE_ACCOUNT_ID}:assumed-role/Deployer/alice`,
    );
  });

  it("fails with the SDK's reason when the credentials are refused (an expired SSO session, a deleted key)", async () => {
    // Prepare
    fake.account.identityError = Object.assign(new Error("The security token included in the request is expired"), {
      name: "ExpiredTokenException",
    });

    // Act
    const { identity, result } = await callerIdentity(new STSClient({ region: "eu-west-1" }));

    // Assess
    expect(identity).toBeUndefined();
    expect(formatCheck(result)).toMatch(
      /^FAIL {2}identity: no usable AWS credentials \(ExpiredTokenException: The security token included in the request is expired\)\n {6}fix: give the AWS SDK credentials: `aws configure`/,
    );
  });
});
