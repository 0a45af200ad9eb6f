import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsSagemakerPrebuiltEcrImage } from "@cdktf/provider-aws/lib/data-aws-sagemaker-prebuilt-ecr-image";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { SagemakerEndpoint as SagemakerEndpointResource } from "@cdktf/provider-aws/lib/sagemaker-endpoint";
import { SagemakerEndpointConfiguration } from "@cdktf/provider-aws/lib/sagemaker-endpoint-configuration";
import { SagemakerModel } from "@cdktf/provider-aws/lib/sagemaker-model";
import { containerEnvironment } from "../../src/config/container-environment";
import type { EndpointVariant } from "../../src/config/derived";
import { SagemakerEndpoint, SagemakerEndpointProps } from "../../src/constructs/sagemaker-endpoint";
import { awsContext, only, statements, TfJson } from "./helpers";

const SHA = "a".repeat(64);
const realtime: EndpointVariant = {
  kind: "realtime",
  instanceType: "ml.m5.xlarge",
  instanceCount: 2,
  startupHealthCheckTimeoutSeconds: 900,
};
const serverless: EndpointVariant = { kind: "serverless", memorySizeMb: 4096, maxConcurrency: 8 };
const realtimeEnvironment = containerEnvironment({ serving: {}, serverless: false, inferenceDeadlineMs: 25_000, extraEnvironment: {} });
const serverlessEnvironment = containerEnvironment({ serving: {}, serverless: true, inferenceDeadlineMs: 25_000, extraEnvironment: {} });
const ARTIFACT = {
  s3Uri: "s3://model-bucket/models/aaa/rev12345/model.tar.gz",
  modelObjectsArn: "arn:aws:s3:::model-bucket/models/*",
  contentSha256: SHA,
  revisionId: "rev12345",
};

function synthEndpoint(props: Partial<SagemakerEndpointProps> = {}): { text: string; json: TfJson } {
  const text = Testing.synthScope((scope) => {
    new SagemakerEndpoint(scope, "endpoint", {
      endpointName: "Vit-Classifier",
      namePrefix: "vit-classifier",
      executionRoleName: "vit-classifier-eu-west-1-sagemaker",
      variantName: "AllTraffic",
      variant: realtime,
      modelArtifact: ARTIFACT,
      imageRepository: "huggingface-pytorch-inference",
      imageTag: "2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04",
      networkIsolation: true,
      environment: realtimeEnvironment,
      logRetentionDays: 30,
      aws: awsContext(scope),
      ...props,
    });
  });
  return { text, json: JSON.parse(text) };
}

describe("Construct: SagemakerEndpoint", () => {
  const { text, json } = synthEndpoint();
  const roleRef = () => only(json, "aws_iam_role").ref;
  const logGroupRef = () => only(json, "aws_cloudwatch_log_group").ref;

  it("resolves the Hugging Face PyTorch CPU image per region with the prebuilt-ECR data source", () => {
    expect(text).toHaveDataSourceWithProperties(DataAwsSagemakerPrebuiltEcrImage, {
      repository_name: "huggingface-pytorch-inference",
      image_tag: "2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04",
    });
  });

  it("refuses at plan time a region the image has no registry in, when synth could not know the region", () => {
    // Prepare
    const image = Object.values(json.data.aws_sagemaker_prebuilt_ecr_image)[0] as TfJson;
    const [precondition] = image.lifecycle.precondition;
    // Assess
    expect(precondition.condition).toMatch(/^\$\{contains\(\["af-south-1", .*"us-west-2"\], data\.aws_region\.region\.name\)\}$/);
    expect(precondition.condition).not.toContain("mx-central-1");
    expect(precondition.error_message).toContain(
      "The huggingface-pytorch-inference image has no registry in ${data.aws_region.region.name}",
    );
    const custom = Object.values(
      synthEndpoint({ imageRepository: "my-own-image" }).json.data.aws_sagemaker_prebuilt_ecr_image,
    )[0] as TfJson;
    expect(custom.lifecycle).toBeUndefined();
  });

  it("creates the model with the container settings the HF toolkit and our inference.py need", () => {
    // Prepare
    const imageRef = `data.aws_sagemaker_prebuilt_ecr_image.${Object.keys(json.data.aws_sagemaker_prebuilt_ecr_image)[0]}`;
    // Assess
    expect(text).toHaveResourceWithProperties(SagemakerModel, {
      name: "vit-classifier-aaaaaaaaaaaa-rev12345",
      execution_role_arn: `\${${roleRef()}.arn}`,
      enable_network_isolation: true,
      lifecycle: { create_before_destroy: true },
      primary_container: {
        image: `\${${imageRef}.registry_path}`,
        model_data_url: "s3://model-bucket/models/aaa/rev12345/model.tar.gz",
        environment: {
          HF_TASK: "image-classification",
          SAGEMAKER_PROGRAM: "inference.py",
          SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code",
          SAGEMAKER_CONTAINER_LOG_LEVEL: "20",
          SAGEMAKER_REGION: expect.stringMatching(/^\$\{data\.aws_region\.region\.name\}$/),
          HF_HUB_OFFLINE: "1",
          TRANSFORMERS_OFFLINE: "1",
          INFERENCE_DEADLINE_MS: "25000",
        },
      },
    });
  });

  it("creates the model only after the role's grants exist (CreateModel validates tarball access)", () => {
    expect(only(json, "aws_sagemaker_model").body.depends_on).toEqual([only(json, "aws_iam_role_policy").ref]);
  });

  it("names the model from the tarball hash and the artifact's revision, so every rollout gets a fresh name", () => {
    const name = (j: TfJson) => only(j, "aws_sagemaker_model").body.name;
    expect(name(synthEndpoint().json)).toBe(name(json));
    expect(name(synthEndpoint({ modelArtifact: { ...ARTIFACT, revisionId: "rev99999" } }).json)).toBe(
      "vit-classifier-aaaaaaaaaaaa-rev99999",
    );
    expect(name(synthEndpoint({ modelArtifact: { ...ARTIFACT, contentSha256: "b".repeat(64) } }).json)).toMatch(
      /^vit-classifier-bbbbbbbbbbbb-/,
    );
  });

  it("fails the apply when SageMaker keeps the endpoint on another configuration (a rolled-back update)", () => {
    // Prepare
    const endpoint = only(json, "aws_sagemaker_endpoint").body;
    const configRef = only(json, "aws_sagemaker_endpoint_configuration").ref;
    // Assess
    expect(endpoint.lifecycle.postcondition).toEqual([
      {
        condition: `\${(self.endpoint_config_name == ${configRef}.name)}`,
        error_message: expect.stringContaining(
          "Rollout failed: endpoint Vit-Classifier still runs endpoint configuration ${self.endpoint_config_name}",
        ),
      },
    ]);
    expect(endpoint.lifecycle.postcondition[0].error_message).toContain("nothing it uses was deleted");
  });

  it("creates a real-time endpoint configuration from a name prefix with create_before_destroy", () => {
    expect(text).toHaveResourceWithProperties(SagemakerEndpointConfiguration, {
      name_prefix: "vit-classifier-",
      lifecycle: { create_before_destroy: true },
      production_variants: [
        {
          variant_name: "AllTraffic",
          model_name: `\${${only(json, "aws_sagemaker_model").ref}.name}`,
          instance_type: "ml.m5.xlarge",
          initial_instance_count: 2,
          container_startup_health_check_timeout_in_seconds: 900,
          model_data_download_timeout_in_seconds: 900,
        },
      ],
    });
  });

  it("points the endpoint (stable name) at the configuration", () => {
    expect(text).toHaveResourceWithProperties(SagemakerEndpointResource, {
      name: "Vit-Classifier",
      endpoint_config_name: `\${${only(json, "aws_sagemaker_endpoint_configuration").ref}.name}`,
    });
  });

  it("creates the endpoint's log group with retention", () => {
    expect(text).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "/aws/sagemaker/Endpoints/Vit-Classifier",
      retention_in_days: 30,
    });
  });

  it("gives the execution role a trust policy for sagemaker.amazonaws.com only", () => {
    expect(text).toHaveResourceWithProperties(IamRole, { name: "vit-classifier-eu-west-1-sagemaker" });
    expect(statements(only(json, "aws_iam_role").body.assume_role_policy)).toEqual([
      { Sid: "TrustService", Effect: "Allow", Principal: { Service: "sagemaker.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
  });

  it("grants the execution role exactly: the stack's model tarballs, the image repository, its own log group, SageMaker metrics", () => {
    // Prepare
    const imageRef = `data.aws_sagemaker_prebuilt_ecr_image.${Object.keys(json.data.aws_sagemaker_prebuilt_ecr_image)[0]}`;
    const policy = only(json, "aws_iam_role_policy").body;
    // Assess
    expect(policy.role).toBe(`\${${roleRef()}.id}`);
    expect(statements(policy.policy)).toEqual([
      { Sid: "ReadModelArtifact", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::model-bucket/models/*"] },
      { Sid: "EcrAuthToken", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
      {
        Sid: "PullInferenceImage",
        Effect: "Allow",
        Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Resource: [
          `arn:\${data.aws_partition.partition.partition}:ecr:\${data.aws_region.region.name}:\${${imageRef}.registry_id}:repository/huggingface-pytorch-inference`,
        ],
      },
      {
        Sid: "WriteEndpointLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        Resource: [`\${${logGroupRef()}.arn}`, `\${${logGroupRef()}.arn}:*`],
      },
      {
        Sid: "PublishEndpointMetrics",
        Effect: "Allow",
        Action: ["cloudwatch:PutMetricData"],
        Resource: ["*"],
        Condition: { StringLike: { "cloudwatch:namespace": ["/aws/sagemaker/*", "aws/sagemaker/*"] } },
      },
    ]);
  });
});

describe("Construct: SagemakerEndpoint (serverless)", () => {
  const { text, json } = synthEndpoint({ variant: serverless, networkIsolation: false, environment: serverlessEnvironment });

  it("creates a serverless variant with no instance settings", () => {
    const variant = only(json, "aws_sagemaker_endpoint_configuration").body.production_variants[0];
    expect(variant.serverless_config).toEqual({ memory_size_in_mb: 4096, max_concurrency: 8 });
    expect(variant.instance_type).toBeUndefined();
    expect(variant.initial_instance_count).toBeUndefined();
    expect(variant.container_startup_health_check_timeout_in_seconds).toBeUndefined();
  });

  it("keeps provisioned instances warm when asked (cold starts can outlast API Gateway's 30 s)", () => {
    const config = only(
      synthEndpoint({ variant: { ...serverless, provisionedConcurrency: 2 } }).json,
      "aws_sagemaker_endpoint_configuration",
    ).body;
    expect(config.production_variants[0].serverless_config).toEqual({
      memory_size_in_mb: 4096,
      max_concurrency: 8,
      provisioned_concurrency: 2,
    });
  });

  it("runs without network isolation (unsupported) and one model server worker", () => {
    expect(text).toHaveResourceWithProperties(SagemakerModel, {
      enable_network_isolation: false,
      primary_container: expect.objectContaining({ environment: expect.objectContaining({ SAGEMAKER_MODEL_SERVER_WORKERS: "1" }) }),
    });
  });

  it("adds the region (a plan-time reference) to the environment it is given, and nothing else", () => {
    const env = only(synthEndpoint({ environment: { MY_FLAG: "1" } }).json, "aws_sagemaker_model").body.primary_container.environment;
    expect(env).toEqual({ MY_FLAG: "1", SAGEMAKER_REGION: "${data.aws_region.region.name}" });
  });
});
