/**
 * The catalogue in the stack (config section `catalogue`): the output location, the pointer, the SageMaker role's
 * grants for transform jobs and the function's read grant, least privilege; and the config checks.
 */
import "cdktf/lib/testing/adapters/jest";
import { TRANSFORM_INSTANCE_FAMILIES, transformInstanceTypeProblem } from "../../src/config/catalogue";
import { ConfigError } from "../../src/config/load-config";
import { EXAMPLE_ACCOUNT_ID } from "../example-account";
import { only, resources, statements, synthStack, testConfig, TfJson } from "./helpers";

const SOURCE = "s3://acme-products/catalogue/images/";
const KMS = `arn:aws:kms:eu-west-1:${EXAMPLE_ACCOUNT_ID}:key/0f8b7a3c-2d1e-4c5b-9a8f-7e6d5c4b3a21`;
const PARTITION = "arn:${data.aws_partition.partition.partition}";

function policyNamed(json: TfJson, name: string): TfJson & { statements: ReturnType<typeof statements> } {
  const found = resources(json, "aws_iam_role_policy").find(([, p]) => p.name === name);
  if (!found) throw new Error(`no policy ${name}`);
  return { ...found[1], statements: statements(found[1].policy) };
}

describe("Stack: catalogue", () => {
  describe("without a catalogue section", () => {
    const { json } = synthStack();

    it("creates no catalogue bucket, pointer or grant, and the function has no catalogue", () => {
      expect(resources(json, "aws_s3_bucket")).toHaveLength(1); // the model's
      expect(resources(json, "aws_iam_role_policy").map(([, p]) => p.name)).not.toEqual(
        expect.arrayContaining(["catalogue-transform-jobs", "read-catalogue-index"]),
      );
      expect(only(json, "aws_lambda_function").body.environment.variables.CATALOGUE_INDEX_URI).toBeUndefined();
      expect(json.output.catalogue).toBeUndefined();
    });

    it("still routes POST /similar (it answers 501 catalogue_not_configured) and outputs its URL", () => {
      expect(resources(json, "aws_apigatewayv2_route").map(([, r]) => r.route_key)).toContain("POST /similar");
      expect(json.output.similar_url.value).toMatch(/\.api_endpoint}\/similar$/);
    });
  });

  describe("with a source and the stack's own bucket", () => {
    const { json } = synthStack({ catalogue: { source: SOURCE } });
    const bucket = resources(json, "aws_s3_bucket").find(([name]) => name.startsWith("catalogue"))!;
    const bucketName = `\${aws_s3_bucket.${bucket[0]}.bucket}`;

    it("creates a private, versioned catalogue bucket whose run output expires", () => {
      expect(bucket[1].bucket_prefix).toBe("vit-classifier-catalogue-");
      const id = `aws_s3_bucket.${bucket[0]}.id`;
      for (const type of [
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_policy",
      ]) {
        expect(resources(json, type).filter(([, r]) => r.bucket === `\${${id}}`)).toHaveLength(1);
      }
      const lifecycle = resources(json, "aws_s3_bucket_lifecycle_configuration").find(([, r]) => r.bucket === `\${${id}}`)![1];
      expect(lifecycle.rule[0]).toMatchObject({ filter: [{ prefix: "catalogue/runs/" }], expiration: [{ days: 7 }] });
    });

    it("writes latest.json saying 'no index yet', once: the catalogue runner moves it later", () => {
      const pointer = resources(json, "aws_s3_object").find(([name]) => name.startsWith("catalogue"))![1];
      expect(pointer).toMatchObject({ bucket: bucketName, key: "catalogue/latest.json", content_type: "application/json" });
      expect(JSON.parse(pointer.content)).toEqual({ format: "vit-classifier/catalogue-index", version: 1, index: null });
      expect(pointer.lifecycle).toEqual({ ignore_changes: "all" });
    });

    it("lets the SageMaker role read the source prefix and write the runs' output, nothing wider", () => {
      const policy = policyNamed(json, "catalogue-transform-jobs");
      expect(policy.role).toMatch(/aws_iam_role\.endpoint_execution-role_.*\.id/);
      expect(policy.statements).toEqual([
        {
          Sid: "ReadCatalogueSource",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: [`${PARTITION}:s3:::acme-products/catalogue/images/*`],
        },
        {
          Sid: "ListCatalogueSource",
          Effect: "Allow",
          Action: ["s3:ListBucket"],
          Resource: [`${PARTITION}:s3:::acme-products`],
          Condition: { StringLike: { "s3:prefix": ["catalogue/images/*"] } },
        },
        {
          Sid: "ReadManifestWriteOutput",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject"],
          Resource: [`${PARTITION}:s3:::${bucketName}/catalogue/runs/*`],
        },
        {
          Sid: "ListCatalogueRuns",
          Effect: "Allow",
          Action: ["s3:ListBucket"],
          Resource: [`${PARTITION}:s3:::${bucketName}`],
          Condition: { StringLike: { "s3:prefix": ["catalogue/runs/*"] } },
        },
      ]);
    });

    it("lets the function read latest.json and the indexes, and nothing else of the bucket", () => {
      const policy = policyNamed(json, "read-catalogue-index");
      expect(policy.statements).toEqual([
        {
          Sid: "ReadCatalogueIndex",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: [`${PARTITION}:s3:::${bucketName}/catalogue/latest.json`, `${PARTITION}:s3:::${bucketName}/catalogue/indexes/*`],
        },
      ]);
      const fn = only(json, "aws_lambda_function").body;
      expect(fn.depends_on).toContain(
        `aws_iam_role_policy.${resources(json, "aws_iam_role_policy").find(([, p]) => p.name === "read-catalogue-index")![0]}`,
      );
      expect(policy.role).toMatch(/aws_iam_role\.function_role_.*\.id/);
    });

    it("tells the function where the index is and which model it must come from", () => {
      const variables = only(json, "aws_lambda_function").body.environment.variables;
      const tarballSha = only(json, "aws_sagemaker_model").body.name.split("-")[2];
      expect(variables).toMatchObject({ CATALOGUE_INDEX_URI: `s3://${bucketName}/catalogue/`, CATALOGUE_REFRESH_SECONDS: "10" });
      expect(variables.MODEL_FINGERPRINT).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(variables.MODEL_FINGERPRINT.slice(7, 19)).toBe(tarballSha);
    });

    it("outputs what a catalogue run needs: the stack's model, its role, the locations and the fingerprint", () => {
      expect(json.output.catalogue.value).toEqual({
        source_uri: SOURCE,
        output_uri: `s3://${bucketName}/catalogue/`,
        model_name: `\${${only(json, "aws_sagemaker_model").ref}.name}`,
        model_fingerprint: only(json, "aws_lambda_function").body.environment.variables.MODEL_FINGERPRINT,
        execution_role_arn: expect.stringMatching(/^\$\{aws_iam_role\.endpoint_execution-role_.*\.arn\}$/),
      });
    });
  });

  describe("with an existing output location and a KMS key", () => {
    const { json } = synthStack({ catalogue: { source: "s3://acme-products", output: "s3://acme-lake/embeddings/vit", kmsKeyArn: KMS } });

    it("creates no bucket and writes the pointer into the given prefix", () => {
      expect(resources(json, "aws_s3_bucket")).toHaveLength(1);
      const pointer = resources(json, "aws_s3_object").find(([name]) => name.startsWith("catalogue"))![1];
      expect(pointer).toMatchObject({ bucket: "acme-lake", key: "embeddings/vit/latest.json" });
    });

    it("grants the key only where objects are encrypted with it, and lists a whole-bucket source without a prefix condition", () => {
      const transform = policyNamed(json, "catalogue-transform-jobs").statements;
      expect(transform.find((s) => s.Sid === "UseCatalogueKey")).toEqual({
        Sid: "UseCatalogueKey",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: [KMS],
      });
      expect(transform.find((s) => s.Sid === "ListCatalogueSource")).toEqual({
        Sid: "ListCatalogueSource",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [`${PARTITION}:s3:::acme-products`],
      });
      expect(transform.find((s) => s.Sid === "ReadManifestWriteOutput")!.Resource).toEqual([
        `${PARTITION}:s3:::acme-lake/embeddings/vit/runs/*`,
      ]);
      const read = policyNamed(json, "read-catalogue-index").statements;
      expect(read.find((s) => s.Sid === "DecryptCatalogueIndex")).toEqual({
        Sid: "DecryptCatalogueIndex",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: [KMS],
      });
    });
  });
});

describe("Config: catalogue", () => {
  it("applies the job defaults and normalises the locations", () => {
    const { catalogue } = testConfig({ catalogue: { source: "s3://acme-products/images" } });
    expect(catalogue).toEqual({
      source: { bucket: "acme-products", prefix: "images/" },
      refreshSeconds: 10,
      instance: { type: "ml.c7i.xlarge", count: 1 },
      maxConcurrentTransforms: 4,
      maxPayloadMb: 6,
      invocationTimeoutSeconds: 600,
      invocationMaxRetries: 3,
    });
  });

  it("lists every problem at once: location, instance type (checked like the endpoint's), limits, KMS key, unknown keys", () => {
    let error: unknown;
    try {
      testConfig({
        catalogue: {
          source: "https://acme-products.s3.amazonaws.com/images/",
          output: "s3://Bad_Bucket/x/",
          instance: { type: "ml.c6g.xlarge", count: 0 },
          maxPayloadMb: 101,
          kmsKeyArn: "alias/catalogue",
          colour: "blue",
        },
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "catalogue.source",
        "catalogue.output",
        "catalogue.instance.type",
        "catalogue.instance.count",
        "catalogue.maxPayloadMb",
        "catalogue.kmsKeyArn",
        "catalogue",
      ]),
    );
    expect((error as ConfigError).message).toContain('unknown instance family "c6g"');
  });

  it("needs a source when the section is there", () => {
    expect(() => testConfig({ catalogue: {} })).toThrow(/catalogue\.source: Required/);
  });
});

describe("Config: the transform job's instance families", () => {
  it("are the SageMaker API's transform families the x86 Hugging Face image runs on (no Neuron: inf2, trn1)", () => {
    const { TransformInstanceType } = require("@aws-sdk/client-sagemaker");
    const sdkFamilies = new Set(Object.values(TransformInstanceType as Record<string, string>).map((type) => type.split(".")[1]));
    expect(new Set([...TRANSFORM_INSTANCE_FAMILIES, "inf2", "trn1"])).toEqual(sdkFamilies);
  });

  it("refuses an endpoint family Batch Transform does not offer", () => {
    expect(transformInstanceTypeProblem("ml.c5d.xlarge")).toMatch(/Batch Transform does not offer the "c5d" family/);
    expect(transformInstanceTypeProblem("ml.c7i.xlarge")).toBeUndefined();
  });
});
