/**
 * Monitoring inside the whole stack: alarms and dashboard point at the stack's own API, function and
 * endpoint through Terraform references, and follow the `alarms` config section.
 */
import { ConfigError } from "../../src/config/load-config";
import { TfJson, only, resources, synthStack, testConfig } from "./helpers";

function alarmsByName(json: TfJson): Record<string, TfJson> {
  return Object.fromEntries(resources(json, "aws_cloudwatch_metric_alarm").map(([, body]) => [body.alarm_name, body]));
}

describe("Stack: monitoring wiring", () => {
  const { json } = synthStack();
  const alarms = alarmsByName(json);
  const api = only(json, "aws_apigatewayv2_api");
  const stage = only(json, "aws_apigatewayv2_stage");
  const fn = only(json, "aws_lambda_function");
  const endpoint = only(json, "aws_sagemaker_endpoint");

  it("creates the real-time alarm set by default, named after the prefix", () => {
    expect(Object.keys(alarms).sort()).toEqual(
      [
        "api-5xx-rate",
        "endpoint-cpu",
        "endpoint-memory",
        "lambda-duration",
        "lambda-errors",
        "lambda-throttles",
        "model-latency-p95",
        "sagemaker-5xx",
      ].map((id) => `vit-classifier-${id}`),
    );
  });

  it("points the API alarm at this API and stage by reference", () => {
    const queries: TfJson[] = alarms["vit-classifier-api-5xx-rate"].metric_query;
    const dimensions = queries.filter((q) => q.metric).map((q) => q.metric.dimensions);

    expect(dimensions).toEqual([
      { ApiId: `\${${api.ref}.id}`, Stage: `\${${stage.ref}.name}` },
      { ApiId: `\${${api.ref}.id}`, Stage: `\${${stage.ref}.name}` },
    ]);
  });

  it("points the Lambda alarms at this function by reference", () => {
    for (const id of ["lambda-errors", "lambda-throttles", "lambda-duration"]) {
      expect(alarms[`vit-classifier-${id}`].dimensions).toEqual({ FunctionName: `\${${fn.ref}.function_name}` });
    }
  });

  it("points the SageMaker alarms at this endpoint by reference and at its variant", () => {
    for (const id of ["sagemaker-5xx", "model-latency-p95", "endpoint-cpu", "endpoint-memory"]) {
      expect(alarms[`vit-classifier-${id}`].dimensions).toEqual({ EndpointName: `\${${endpoint.ref}.name}`, VariantName: "AllTraffic" });
    }
  });

  it("derives the duration threshold from the function's configured timeout", () => {
    expect(fn.body.timeout).toBe(28);
    expect(alarms["vit-classifier-lambda-duration"].threshold).toBe(28 * 1000 * 0.8);
  });

  it("builds the dashboard from the same references", () => {
    const body = JSON.parse(only(json, "aws_cloudwatch_dashboard").body.dashboard_body);
    const text = JSON.stringify(body);

    expect(text).toContain(`"ApiId","\${${api.ref}.id}","Stage","\${${stage.ref}.name}"`);
    expect(text).toContain(`"FunctionName","\${${fn.ref}.function_name}"`);
    expect(text).toContain(`"EndpointName","\${${endpoint.ref}.name}","VariantName","AllTraffic"`);
  });

  it("follows the alarms section: off, e-mail, thresholds", () => {
    expect(synthStack({ alarms: { enabled: false } }).json.resource.aws_cloudwatch_metric_alarm).toBeUndefined();

    const withEmail = synthStack({ alarms: { email: "oncall@example.com", modelLatencyP95Ms: 900 } }).json;
    const topic = only(withEmail, "aws_sns_topic");
    const emailAlarms = alarmsByName(withEmail);
    expect(emailAlarms["vit-classifier-lambda-errors"].alarm_actions).toEqual([`\${${topic.ref}.arn}`]);
    expect(emailAlarms["vit-classifier-model-latency-p95"].threshold).toBe(900_000);
  });

  it("uses the configured instance type's vCPUs and drops instance alarms for serverless", () => {
    const c5 = alarmsByName(synthStack({ endpoint: { instance: { type: "ml.c5.2xlarge" } } }).json);
    expect(c5["vit-classifier-endpoint-cpu"].threshold).toBe(80 * 8);

    const serverless = alarmsByName(synthStack({ endpoint: { serverless: {} } }).json);
    expect(Object.keys(serverless)).toHaveLength(6);
    expect(serverless["vit-classifier-endpoint-cpu"]).toBeUndefined();
  });

  it("reports bad alarm settings together with the other config problems", () => {
    let error: unknown;
    try {
      testConfig({ alarms: { email: "nope", datapointsToAlarm: 9 }, lambda: { memoryMb: 1 } });
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(["alarms.email", "alarms.datapointsToAlarm", "lambda.memoryMb"]));
  });
});
