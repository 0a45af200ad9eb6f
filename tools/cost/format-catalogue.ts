/** The printed answer of `npm run cost -- --catalogue <images>`. */
import { duration } from "../catalogue/progress";
import type { EmbedThroughApi, TransformOption } from "./catalogue-estimate";

const usd = (value: number) => `$${value < 10 ? value.toFixed(2) : value.toFixed(0)}`;
const n = (value: number) => value.toLocaleString("en-US");

export interface CatalogueReportContext {
  readonly images: number;
  readonly startupMinutes: number;
  /** Where the ms per image of each type comes from. */
  readonly benchSource: string;
  readonly configSource: string;
  /** The configured stack's endpoint and throttle, for the /embed line. */
  readonly endpoint: string;
}

export function formatCatalogueReport(options: TransformOption[], api: EmbedThroughApi, context: CatalogueReportContext): string {
  const lines = [
    `Embedding a catalogue of ${n(context.images)} images once (config: ${context.configSource})`,
    "",
    `Batch Transform: one job, wall time = ${context.startupMinutes} min start-up (assumed, not measured) + images / (count x images/s per instance);`,
    "price = count x wall time x the instance's hourly price. * = catalogue.instance in the config.",
    "",
    "  instance type       count   images/s   wall time        price",
  ];
  for (const option of options) {
    lines.push(
      `  ${`${option.instanceType}${option.configured ? " *" : ""}`.padEnd(18)} ${String(option.count).padStart(5)}  ${option.imagesPerSecond.toFixed(1).padStart(9)}   ${duration(option.wallSeconds).padEnd(15)} ${usd(option.usd).padStart(7)}`,
    );
  }
  const cheapest = options.reduce((best, option) => (option.usd < best.usd ? option : best), options[0]);
  lines.push(
    "",
    `Through POST /embed, one image per request (${context.endpoint}): ${api.imagesPerSecond.toFixed(1)} images/s, limited by ${api.limitedBy}`,
    `  wall time ${duration(api.wallSeconds)}, price ${usd(api.usd)}: endpoint ${usd(api.endpointUsd)}, Lambda ${usd(api.lambdaUsd)}, ` +
      `API Gateway ${usd(api.apiUsd)}, SageMaker data processed ${usd(api.dataUsd)}`,
    `  the cheapest job above (${cheapest.count} x ${cheapest.instanceType}) costs ${(api.usd / cheapest.usd).toFixed(1)}x less and is ${(api.wallSeconds / cheapest.wallSeconds).toFixed(1)}x faster`,
    "",
    `ms per image: ${context.benchSource}.`,
    "Prices: tools/cost/default-prices.json (list prices, not all verified); Batch Transform is billed at the instance",
    "type's hourly rate, the same table as real-time hosting. Not counted: S3 requests and storage of the index (cents).",
  );
  return `${lines.join("\n")}\n`;
}
