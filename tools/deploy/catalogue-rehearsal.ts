/**
 * The deploy rehearsal's catalogue steps (one block of rehearsal-scenario.ts): deploy a `catalogue` section on the
 * running stack, run `npm run catalogue:embed -- s3://...`'s AWS code against it so a transform job is created on the
 * stack's model, and ask IAM (SimulatePrincipalPolicy) what the deployed roles may do with the catalogue's objects.
 * The emulator runs no container, so the job writes no output: the run ends with every image reported as
 * `no_output` and the pointer left as the stack wrote it ("no index yet").
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { GetFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeTransformJobCommand,
} from "@aws-sdk/client-sagemaker";
import * as path from "path";
import { CATALOGUE_INDEX_FORMAT } from "../../common/catalogue-index";
import { parseS3Folder } from "../../src/config/catalogue";
import { resolveConfig } from "../../src/config/load-config";
import { runAwsCatalogue } from "../catalogue/aws-run";
import { CatalogueStackOutputs, parseCatalogueOutputs } from "../catalogue/stack-outputs";
import type { Rehearsal } from "./rehearsal";
import { writeTarball } from "./rehearsal-scenario";

/** The source bucket the rehearsal creates itself (a catalogue's images are never the stack's own). */
export const REHEARSAL_SOURCE_BUCKET = "rehearsal-catalogue-products";
const SOURCE = `s3://${REHEARSAL_SOURCE_BUCKET}/images/`;
const IMAGES = ["red/shoe-1.jpg", "red/shoe-2.jpg", "blue/bag-1.png"];

export type CatalogueStep = [name: string, run: () => Promise<string[]>];

/**
 * The block deploys a catalogue section with a model tarball of its own: a new model revision, as a catalogue usually
 * arrives (and a second apply of an unchanged model would make the emulator replace it in place: it reads back an empty
 * VpcConfig, tools/deploy/emulator-fidelity.ts).
 */
export function catalogueSteps(r: Rehearsal): CatalogueStep[] {
  const tarball = writeTarball(path.join(r.workspace.dir, "catalogue-model"), "# the catalogue rehearsal's model\n");
  const raw = { modelArtifact: { path: tarball }, catalogue: { source: SOURCE } };
  const configFile = r.config("catalogue", raw);
  let outputs: CatalogueStackOutputs | undefined;
  let jobName: string | undefined;

  return [
    [
      "a catalogue section deploys its bucket, pointer and grants, and tells the function",
      async () => {
        await r.clients.s3.send(new CreateBucketCommand({ Bucket: REHEARSAL_SOURCE_BUCKET }));
        await r.deploy(configFile);
        outputs = parseCatalogueOutputs(await r.outputs(configFile), "the rehearsal stack");
        return deployedCatalogueProblems(r, outputs);
      },
    ],
    [
      "a catalogue run creates the transform job on the stack's model and role",
      async () => {
        for (const key of IMAGES) {
          await r.clients.s3.send(new PutObjectCommand({ Bucket: REHEARSAL_SOURCE_BUCKET, Key: `images/${key}`, Body: Buffer.from(key) }));
        }
        const config = resolveConfig(raw, { requireArtifact: false });
        const { result } = await runAwsCatalogue({
          sourceUri: SOURCE,
          settings: config.catalogue!,
          namePrefix: config.namePrefix,
          stackName: config.stackName,
          outputs: outputs!,
          s3: r.clients.s3,
          sagemaker: r.clients.sagemaker,
          log: () => undefined,
          pollMs: 100,
          onJobCreated: (name) => (jobName = name),
        });
        const problems = await transformJobProblems(r, outputs!, jobName);
        // No container runs on the emulator: every image comes back without output, and the pointer stays.
        if (
          result.kind !== "nothing indexed" ||
          result.failed.length !== IMAGES.length ||
          result.failed.some((f) => f.code !== "no_output")
        ) {
          problems.push(`expected every image reported without output, got ${JSON.stringify(result).slice(0, 300)}`);
        }
        return problems;
      },
    ],
    [
      "the job's role reads the source and writes its runs, nothing wider; the function reads only the index",
      async () => {
        try {
          return await grantProblems(r, outputs!);
        } finally {
          await emptyAndDelete(r, REHEARSAL_SOURCE_BUCKET);
        }
      },
    ],
  ];
}

async function deployedCatalogueProblems(r: Rehearsal, outputs: CatalogueStackOutputs): Promise<string[]> {
  const problems: string[] = [];
  if (outputs.source_uri !== SOURCE) problems.push(`output source_uri is ${outputs.source_uri}, not ${SOURCE}`);
  const output = parseS3Folder(outputs.output_uri);
  const pointer = await r.clients.s3.send(new GetObjectCommand({ Bucket: output.bucket, Key: `${output.prefix}latest.json` }));
  const body = JSON.parse(await pointer.Body!.transformToString());
  if (body.format !== CATALOGUE_INDEX_FORMAT || body.index !== null)
    problems.push(`latest.json is ${JSON.stringify(body)}, not "no index yet"`);
  const state = await r.state();
  const fn = String(state.only("aws_lambda_function").values.function_name);
  const variables = (await r.clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }))).Environment?.Variables ?? {};
  if (variables.CATALOGUE_INDEX_URI !== outputs.output_uri)
    problems.push(`the function's CATALOGUE_INDEX_URI is ${variables.CATALOGUE_INDEX_URI}`);
  if (variables.MODEL_FINGERPRINT !== outputs.model_fingerprint)
    problems.push(`the function's MODEL_FINGERPRINT is ${variables.MODEL_FINGERPRINT}`);
  const tarballKey = String(state.resources("aws_s3_object").find((o) => String(o.values.key).startsWith("models/"))?.values.key);
  if (outputs.model_fingerprint !== `sha256:${tarballKey.split("/")[1]}`) {
    problems.push(`the fingerprint ${outputs.model_fingerprint} is not the deployed tarball's SHA-256 (${tarballKey})`);
  }
  return problems;
}

async function transformJobProblems(r: Rehearsal, outputs: CatalogueStackOutputs, jobName: string | undefined): Promise<string[]> {
  if (jobName === undefined) return ["no transform job was created"];
  const problems: string[] = [];
  const job = await r.clients.sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: jobName }));
  const endpoint = await r.clients.sagemaker.send(new DescribeEndpointCommand({ EndpointName: r.names.endpointName }));
  const endpointConfig = await r.clients.sagemaker.send(
    new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }),
  );
  const servingModel = endpointConfig.ProductionVariants?.[0]?.ModelName;
  if (job.ModelName !== servingModel || job.ModelName !== outputs.model_name) {
    problems.push(`the job runs model ${job.ModelName}; the endpoint serves ${servingModel}, the output names ${outputs.model_name}`);
  }
  const model = await r.clients.sagemaker.send(new DescribeModelCommand({ ModelName: job.ModelName }));
  if (model.ExecutionRoleArn !== outputs.execution_role_arn)
    problems.push(`the job's model runs as ${model.ExecutionRoleArn}, not ${outputs.execution_role_arn}`);
  if (job.Environment?.INFERENCE_TASK !== "embed" || job.Environment?.INFERENCE_BATCH_MODE !== "1") {
    problems.push(`the job's Environment is ${JSON.stringify(job.Environment)}`);
  }
  const manifest = job.TransformInput?.DataSource?.S3DataSource?.S3Uri ?? "";
  if (!manifest.startsWith(`${outputs.output_uri}runs/`)) problems.push(`the manifest ${manifest} is not below ${outputs.output_uri}runs/`);
  if (!(job.TransformOutput?.S3OutputPath ?? "").startsWith(`${outputs.output_uri}runs/`))
    problems.push(`the output path is ${job.TransformOutput?.S3OutputPath}`);
  return problems;
}

/** [principal, action, resource, s3:prefix or undefined, expected decision] */
type Expectation = [string, string, string, string | undefined, "allowed" | "implicitDeny"];

async function grantProblems(r: Rehearsal, outputs: CatalogueStackOutputs): Promise<string[]> {
  const output = parseS3Folder(outputs.output_uri);
  const out = `arn:aws:s3:::${output.bucket}/${output.prefix}`;
  const src = `arn:aws:s3:::${REHEARSAL_SOURCE_BUCKET}`;
  const job = outputs.execution_role_arn;
  const fnName = String((await r.state()).only("aws_lambda_function").values.function_name);
  const fn = (await r.clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fnName }))).Role!;
  const expectations: Expectation[] = [
    [job, "s3:GetObject", `${src}/images/red/shoe-1.jpg`, undefined, "allowed"],
    [job, "s3:ListBucket", src, "images/", "allowed"],
    [job, "s3:GetObject", `${out}runs/r1/manifest.json`, undefined, "allowed"],
    [job, "s3:PutObject", `${out}runs/r1/out/red/shoe-1.jpg.out`, undefined, "allowed"],
    [job, "s3:GetObject", `${src}/private/payroll.csv`, undefined, "implicitDeny"],
    [job, "s3:ListBucket", src, "", "implicitDeny"],
    [job, "s3:PutObject", `${src}/images/red/shoe-1.jpg`, undefined, "implicitDeny"],
    [job, "s3:PutObject", `${out}latest.json`, undefined, "implicitDeny"],
    [job, "s3:PutObject", `${out}indexes/x/vectors.npy`, undefined, "implicitDeny"],
    [job, "s3:DeleteObject", `${out}runs/r1/manifest.json`, undefined, "implicitDeny"],
    [fn, "s3:GetObject", `${out}latest.json`, undefined, "allowed"],
    [fn, "s3:GetObject", `${out}indexes/x/vectors-int8.npy`, undefined, "allowed"],
    [fn, "s3:GetObject", `${out}runs/r1/out/red/shoe-1.jpg.out`, undefined, "implicitDeny"],
    [fn, "s3:PutObject", `${out}latest.json`, undefined, "implicitDeny"],
    [fn, "s3:GetObject", `${src}/images/red/shoe-1.jpg`, undefined, "implicitDeny"],
  ];
  const problems: string[] = [];
  for (const [principal, action, resource, prefix, expected] of expectations) {
    const answer = await r.clients.iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: principal,
        ActionNames: [action],
        ResourceArns: [resource],
        ContextEntries:
          prefix === undefined ? undefined : [{ ContextKeyName: "s3:prefix", ContextKeyValues: [prefix], ContextKeyType: "string" }],
      }),
    );
    const decision = answer.EvaluationResults?.[0]?.EvalDecision;
    if (decision !== expected) {
      problems.push(
        `${principal.split("/").pop()} ${action} ${resource}${prefix === undefined ? "" : ` (prefix "${prefix}")`}: ${decision}, expected ${expected}`,
      );
    }
  }
  return problems;
}

async function emptyAndDelete(r: Rehearsal, bucket: string): Promise<void> {
  const listed = await r.clients.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  for (const object of listed.Contents ?? []) await r.clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
  await r.clients.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}
