import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StateView } from "../../../tools/deploy/terraform-refs";

const stackDir = fs.mkdtempSync(path.join(os.tmpdir(), "refs-"));
fs.mkdirSync(path.join(stackDir, "assets"));
fs.writeFileSync(path.join(stackDir, "assets", "code.zip"), "zip bytes");

const state = new StateView(
  {
    values: {
      root_module: {
        resources: [
          {
            address: "aws_sagemaker_endpoint.e_1",
            mode: "managed",
            type: "aws_sagemaker_endpoint",
            name: "e_1",
            values: { name: "Vit-Classifier", endpoint_config_name: "c-1" },
          },
          {
            address: "aws_sagemaker_endpoint_configuration.c",
            mode: "managed",
            type: "aws_sagemaker_endpoint_configuration",
            name: "c",
            values: { name: "c-1" },
          },
          { address: "terraform_data.rev-A1", mode: "managed", type: "terraform_data", name: "rev-A1", values: { id: "0a1b2c3d-4e5f" } },
          {
            address: "aws_s3_bucket.b",
            mode: "managed",
            type: "aws_s3_bucket",
            name: "b",
            values: { arn: "arn:aws:s3:::bucket", tags: [{ k: "v" }] },
          },
          { address: "data.aws_region.region", mode: "data", type: "aws_region", name: "region", values: { name: "eu-west-1" } },
        ],
      },
    },
  },
  stackDir,
);

describe("StateView: resolving the stack's references with state values", () => {
  it("resolves references, lower(), substr() and comparisons inside strings and nested values", () => {
    expect(
      state.resolve({
        arn: "arn:aws:sagemaker:${data.aws_region.region.name}:1:endpoint/${lower(aws_sagemaker_endpoint.e_1.name)}",
        key: "models/x/${substr(terraform_data.rev-A1.id, 0, 8)}/model.tar.gz",
        list: ["${aws_s3_bucket.b.arn}/models/*", "${aws_s3_bucket.b.tags[0].k}"],
        same: "${(aws_sagemaker_endpoint.e_1.endpoint_config_name == aws_sagemaker_endpoint_configuration.c.name)}",
        "//": { metadata: "dropped" },
      }),
    ).toEqual({
      arn: "arn:aws:sagemaker:eu-west-1:1:endpoint/vit-classifier",
      key: "models/x/0a1b2c3d/model.tar.gz",
      list: ["arn:aws:s3:::bucket/models/*", "v"],
      same: "true",
    });
  });

  it("hashes a file of the stack folder like filebase64sha256()", () => {
    const expected = crypto.createHash("sha256").update("zip bytes").digest("base64");
    expect(state.resolve('${filebase64sha256("assets/code.zip")}')).toBe(expected);
  });

  it("refuses what it cannot evaluate, so no check compares an unresolved expression", () => {
    expect(() => state.resolve("${jsonencode(aws_s3_bucket.b.arn)}")).toThrow(
      "cannot resolve the expression ${jsonencode(aws_s3_bucket.b.arn)}",
    );
    expect(() => state.resolve("${aws_s3_bucket.missing.arn}")).toThrow("aws_s3_bucket.missing is not in the state");
    expect(() => state.resolve("${aws_s3_bucket.b.policy}")).toThrow("aws_s3_bucket.b.policy has no value in the state");
  });

  it("finds resources by type", () => {
    expect(state.only("aws_s3_bucket").values.arn).toBe("arn:aws:s3:::bucket");
    expect(() => state.only("aws_lambda_function")).toThrow("expected one aws_lambda_function in the state, found 0");
  });
});
