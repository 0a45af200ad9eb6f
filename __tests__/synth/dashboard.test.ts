import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { InferenceDashboard, InferenceDashboardProps } from "../../src/constructs/inference-dashboard";
import { awsContext } from "./helpers";
import { EXAMPLE_ACCOUNT_ID } from "../example-account";

type Row = Array<string | Record<string, unknown>>;
interface Widget {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: { title: string; region?: string; metrics?: Row[]; alarms?: string[]; period?: number };
}

const base: Omit<InferenceDashboardProps, "aws"> = {
  dashboardName: "vit-eu-west-1-inference",
  apiId: "a1b2c3",
  stageName: "$default",
  functionName: "vit-classify",
  endpointName: "vit-endpoint",
  variantName: "AllTraffic",
  serverless: false,
  periodSeconds: 60,
};

function synth(props: Partial<InferenceDashboardProps> = {}): { json: string; widgets: Widget[] } {
  const json = Testing.synthScope((scope) => {
    new InferenceDashboard(scope, "dashboard", { ...base, aws: awsContext(scope), ...props });
  });
  const dashboard = Object.values(JSON.parse(json).resource.aws_cloudwatch_dashboard)[0] as { dashboard_body: string };
  return { json, widgets: JSON.parse(dashboard.dashboard_body).widgets };
}

function widget(widgets: Widget[], title: string): Widget {
  const found = widgets.find((w) => w.properties.title === title);
  if (!found) throw new Error(`no widget "${title}" in ${widgets.map((w) => w.properties.title).join(", ")}`);
  return found;
}

/** "namespace metric dim=value ... stat" for each metric row; expression rows as "= expression". */
function describeRows(rows: Row[]): string[] {
  return rows.map((row) => {
    const options = row[row.length - 1] as Record<string, unknown>;
    if (row.length === 1) return `= ${options.expression} (${options.label})`;
    const [namespace, metric, ...rest] = row.slice(0, -1) as string[];
    const dims = [];
    for (let i = 0; i < rest.length; i += 2) dims.push(`${rest[i]}=${rest[i + 1]}`);
    return `${namespace} ${metric} ${dims.join(" ")} ${options.stat}${options.visible === false ? " hidden" : ""}`;
  });
}

describe("Construct: InferenceDashboard", () => {
  it("takes the dashboard's name as given", () => {
    expect(synth().json).toHaveResourceWithProperties(CloudwatchDashboard, { dashboard_name: "vit-eu-west-1-inference" });
  });

  it.each(["p50", "p95"])("splits %s latency across the hops, converting SageMaker microseconds to ms", (stat) => {
    const { widgets } = synth();

    expect(describeRows(widget(widgets, `Latency split ${stat} (ms)`).properties.metrics ?? [])).toEqual([
      `AWS/ApiGateway Latency ApiId=a1b2c3 Stage=$default ${stat}`,
      `AWS/ApiGateway IntegrationLatency ApiId=a1b2c3 Stage=$default ${stat}`,
      `AWS/Lambda Duration FunctionName=vit-classify ${stat}`,
      `AWS/SageMaker ModelLatency EndpointName=vit-endpoint VariantName=AllTraffic ${stat} hidden`,
      `AWS/SageMaker OverheadLatency EndpointName=vit-endpoint VariantName=AllTraffic ${stat} hidden`,
      "= modelUs / 1000 (SageMaker model (ms))",
      "= overheadUs / 1000 (SageMaker overhead (ms))",
    ]);
  });

  it("the ms expressions refer to the ids of the hidden microsecond series", () => {
    const rows = widget(synth().widgets, "Latency split p95 (ms)").properties.metrics ?? [];
    const ids = rows.map((r) => (r[r.length - 1] as { id?: string }).id).filter(Boolean);

    expect(ids).toEqual(["modelUs", "overheadUs", "modelMs", "overheadMs"]);
  });

  it("counts errors at every hop", () => {
    const { widgets } = synth();

    expect(describeRows(widget(widgets, "Errors").properties.metrics ?? [])).toEqual([
      "AWS/ApiGateway 4xx ApiId=a1b2c3 Stage=$default Sum",
      "AWS/ApiGateway 5xx ApiId=a1b2c3 Stage=$default Sum",
      "AWS/Lambda Errors FunctionName=vit-classify Sum",
      "AWS/Lambda Throttles FunctionName=vit-classify Sum",
      "AWS/SageMaker Invocation4XXErrors EndpointName=vit-endpoint VariantName=AllTraffic Sum",
      "AWS/SageMaker Invocation5XXErrors EndpointName=vit-endpoint VariantName=AllTraffic Sum",
      "AWS/SageMaker InvocationModelErrors EndpointName=vit-endpoint VariantName=AllTraffic Sum",
    ]);
  });

  it("shows instance utilisation for real-time and cold-start setup time for serverless", () => {
    const realtime = synth().widgets.map((w) => w.properties.title);
    const serverless = synth({ serverless: true });

    expect(realtime).toContain("Endpoint instances (%; CPU is summed over vCPUs)");
    expect(realtime).not.toContain("Serverless cold starts: ModelSetupTime (ms)");
    expect(describeRows(widget(serverless.widgets, "Serverless cold starts: ModelSetupTime (ms)").properties.metrics ?? [])).toEqual([
      "AWS/SageMaker ModelSetupTime EndpointName=vit-endpoint VariantName=AllTraffic Maximum hidden",
      "= setupUs / 1000 (model setup, max (ms))",
    ]);
    expect(serverless.widgets.map((w) => w.properties.title)).not.toContain("Endpoint instances (%; CPU is summed over vCPUs)");
  });

  it("takes every widget's region from the provider, never a literal", () => {
    for (const w of synth().widgets.filter((w) => w.type === "metric")) {
      expect(w.properties.region).toMatch(/^\$\{data\.aws_region\..+\.name\}$/);
    }
  });

  it("lays widgets out in two non-overlapping columns", () => {
    const cells = synth({ alarmArns: ["arn:a"] }).widgets.map((w) => `${w.x},${w.y}`);

    expect(new Set(cells).size).toBe(cells.length);
  });

  it("adds an alarm-status widget only when there are alarms", () => {
    expect(synth().widgets.some((w) => w.type === "alarm")).toBe(false);

    const withAlarms = synth({ alarmArns: [`arn:aws:cloudwatch:eu-west-1:${EXAMPLE_ACCOUNT_ID}:alarm:vit-lambda-errors`] }).widgets;
    expect(withAlarms.find((w) => w.type === "alarm")?.properties.alarms).toEqual([
      `arn:aws:cloudwatch:eu-west-1:${EXAMPLE_ACCOUNT_ID}:alarm:vit-lambda-errors`,
    ]);
  });
});
