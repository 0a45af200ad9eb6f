import { capacityChecks } from "../../../tools/cost/capacity";
import { estimateMonthlyCost } from "../../../tools/cost/estimate";
import { formatReport, usd } from "../../../tools/cost/format-report";
import { PRICES, REALTIME, WORKLOAD } from "./fixtures";

describe("formatReport", () => {
  const estimate = estimateMonthlyCost(REALTIME, WORKLOAD, PRICES);
  const one = { ...REALTIME, realtime: { ...REALTIME.realtime, instanceCount: 1 } };
  const text = formatReport(estimate, capacityChecks(one, WORKLOAD), {
    configSource: "test.json",
    requestsPerSecond: 5,
    modelMsPerImage: 200,
    modelMsSource: "--model-ms-per-image",
    prices: PRICES,
    notes: ["a note"],
  });

  it("formats dollars with two decimals and thousands separators", () => {
    expect(usd(1234.5)).toBe("$1,234.50");
    expect(usd(0.004)).toBe("$0.00");
  });

  it("states the inputs and the prices' date", () => {
    expect(text).toContain("Monthly cost estimate: realtime endpoint, 5 req/s average (13,140,000 requests/month)");
    expect(text).toContain("model time per image: 200 ms (--model-ms-per-image)");
    expect(text).toContain("prices: test-region-1 list prices as read on 2000-01-01");
    expect(text).toContain("NOTE: a note");
  });

  it("prints one table row per line item with its amount and formula", () => {
    const rows = text
      .split("\n")
      .filter((line) => line.startsWith("SageMaker") || line.startsWith("Lambda") || line.startsWith("CloudWatch"));

    expect(rows).toHaveLength(estimate.lineItems.filter((i) => ["SageMaker", "Lambda", "CloudWatch"].includes(i.service)).length);
    expect(rows[0]).toMatch(/^SageMaker\s+real-time ml\.m5\.xlarge\s+2 instance\(s\) x 730 h\s+\$365\.00\s+2 x 730 h x \$0\.25\/h$/);
  });

  it("prints the total and flags the capacity problem", () => {
    expect(text).toContain("TOTAL  $433.50 per month");
    expect(text).toContain("[TOO SMALL] SageMaker real-time: 1 x ml.m5.xlarge at 200 ms/image");
    expect(text).toContain("[ok] Lambda: 1.20 concurrent of reserved 10");
  });
});
