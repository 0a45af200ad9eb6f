/**
 * Command-line options of `npm run cost`: parsed and checked in one pass, every problem reported together.
 */
import { parseArgs } from "util";
import { DeploymentMode } from "./inputs";

export interface CostCliOptions {
  readonly requestsPerSecond: number;
  readonly mode?: DeploymentMode;
  readonly configPath?: string;
  readonly modelMsPerImage?: number;
  readonly serverlessMsPerImage?: number;
  readonly requestKb?: number;
  readonly responseKb?: number;
  readonly logBytesPerRequest?: number;
  readonly hoursPerMonth?: number;
  readonly targetUtilization?: number;
  readonly pricesPath?: string;
  readonly benchPath?: string;
  /** --catalogue <images>: the cost of embedding that many images once, Batch Transform vs POST /embed. */
  readonly catalogueImages?: number;
  /** --transform-startup-minutes: a transform job's start-up before images flow. */
  readonly transformStartupMinutes?: number;
  readonly json: boolean;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run cost -- --requests-per-second <n> [options]
       npm run cost -- --catalogue <images> [options]

Prints the monthly AWS cost of the configured stack at an average request rate, and whether the
configured capacity sustains that rate; or, with --catalogue, what embedding a catalogue once costs
and takes with a Batch Transform job (per instance type and count) and through POST /embed.

  --requests-per-second <n>     average request rate over the month (required without --catalogue)
  --catalogue <images>          price embedding this many images once instead
  --transform-startup-minutes <m>  a transform job's start-up before images flow (default 5, assumed)
  --mode realtime|serverless    endpoint mode to price (default: the config's)
  --config <file>               stack config (default: $CLASSIFIER_CONFIG, else classifier.config.json, else defaults)
  --model-ms-per-image <ms>     instance-ms per image on the real-time instance (1000 / images per second);
                                default: from the model benchmark JSON for the config's instance type (measured
                                there, or estimated from the benchmark run; the report says which)
  --bench <file.json>           model benchmark to read (default model/bench/model-bench.json, npm run bench:model)
  --serverless-ms-per-image <ms> billed ms per request on serverless (default: --model-ms-per-image)
  --request-kb <kb>             average upload size (default 150)
  --response-kb <kb>            average response size (default 1)
  --log-bytes-per-request <b>   CloudWatch Logs bytes per request (default 1500)
  --hours-per-month <h>         default 730
  --target-utilization <0-1>    capacity headroom the check keeps (default 0.7)
  --prices <file.json>          partial price list overriding the defaults (same keys as the "prices" of tools/cost/default-prices.json)
  --json                        machine-readable output
  --help
`;

const NUMERIC: Array<[flag: string, key: keyof CostCliOptions, min: number, max: number]> = [
  ["requests-per-second", "requestsPerSecond", Number.MIN_VALUE, 1e6],
  ["model-ms-per-image", "modelMsPerImage", Number.MIN_VALUE, 600_000],
  ["serverless-ms-per-image", "serverlessMsPerImage", Number.MIN_VALUE, 600_000],
  ["request-kb", "requestKb", 0, 1e6],
  ["response-kb", "responseKb", 0, 1e6],
  ["log-bytes-per-request", "logBytesPerRequest", 0, 1e9],
  ["hours-per-month", "hoursPerMonth", Number.MIN_VALUE, 744],
  ["target-utilization", "targetUtilization", Number.MIN_VALUE, 1],
  ["catalogue", "catalogueImages", 1, 1e10],
  ["transform-startup-minutes", "transformStartupMinutes", 0, 1440],
];

export function parseCostArgs(argv: string[]): { options?: CostCliOptions; problems: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(NUMERIC.map(([flag]) => [flag, { type: "string" as const }])),
        mode: { type: "string" },
        config: { type: "string" },
        prices: { type: "string" },
        bench: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    return { problems: [(error as Error).message] };
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { options: { requestsPerSecond: 0, json: false, help: true }, problems: [] };

  const problems: string[] = [];
  const numbers: Partial<Record<keyof CostCliOptions, number>> = {};
  for (const [flag, key, min, max] of NUMERIC) {
    const text = values[flag];
    if (text === undefined) continue;
    const value = Number(text);
    if (typeof text !== "string" || text.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
      problems.push(`--${flag}: must be a number ${min === 0 ? ">= 0" : "> 0"} and <= ${max}, got ${JSON.stringify(text)}`);
    } else {
      numbers[key] = value;
    }
  }
  if (values["requests-per-second"] === undefined && values.catalogue === undefined) {
    problems.push("--requests-per-second: required (or --catalogue <images>)");
  }
  const mode = values.mode;
  if (mode !== undefined && mode !== "realtime" && mode !== "serverless") {
    problems.push(`--mode: must be realtime or serverless, got ${JSON.stringify(mode)}`);
  }
  if (problems.length > 0) return { problems };
  return {
    options: {
      requestsPerSecond: 0,
      ...(numbers as { requestsPerSecond?: number }),
      mode: mode as DeploymentMode | undefined,
      configPath: values.config as string | undefined,
      pricesPath: values.prices as string | undefined,
      benchPath: values.bench as string | undefined,
      json: values.json === true,
      help: false,
    },
    problems: [],
  };
}
