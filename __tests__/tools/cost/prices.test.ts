import { DEFAULT_PRICES, parsePriceFile, PRICE_SOURCES } from "../../../tools/cost/prices";
import defaultPriceFile from "../../../tools/cost/default-prices.json";

describe("Dated price data", () => {
  it("reads the default file: a date, a region, a price and a source for every item", () => {
    expect(DEFAULT_PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(DEFAULT_PRICES.region).toBe("us-east-1");
    for (const key of Object.keys(DEFAULT_PRICES).filter((k) => k !== "asOf" && k !== "region")) {
      expect(PRICE_SOURCES[key as keyof typeof PRICE_SOURCES].where.length).toBeGreaterThan(10);
    }
  });

  it("lists every problem of a bad price file at once", () => {
    const bad = {
      ...defaultPriceFile,
      asOf: "last week",
      prices: { ...defaultPriceFile.prices, lambdaPerMillionRequests: -1, surprise: 2 },
    };
    expect(() => parsePriceFile(bad, "bad.json")).toThrow(
      /^bad\.json: asOf: must be a date \(YYYY-MM-DD\); prices\.lambdaPerMillionRequests: .*; prices: Unrecognized key\(s\) in object: 'surprise'$/,
    );
  });

  it("refuses a price without a source", () => {
    const { dashboardPerMonth: _dropped, ...sources } = defaultPriceFile.sources;
    expect(() => parsePriceFile({ ...defaultPriceFile, sources }, "unsourced.json")).toThrow(
      "unsourced.json: no source for dashboardPerMonth",
    );
  });
});
