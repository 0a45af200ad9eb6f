import { parseTopK } from "../../lambda/top-k";

describe("parseTopK", () => {
  it("is undefined when not given, so the endpoint's own default applies", () => {
    // Act / Assess
    expect(parseTopK(undefined, 1000)).toBeUndefined();
    expect(parseTopK([], 1000)).toBeUndefined();
  });

  it.each([
    [["1"], 1],
    [["10"], 10],
  ])("reads %j", (values, expected) => {
    // Act / Assess
    expect(parseTopK(values, 10)).toBe(expected);
  });

  it.each([[["0"]], [["11"]], [["2", "3"]], [["+3"]], [["0x5"]], [["99999999"]]])("refuses %j with bad_top_k", (values) => {
    // Act / Assess
    expect(() => parseTopK(values, 10)).toThrow(expect.objectContaining({ code: "bad_top_k", status: 400 }));
  });
});
