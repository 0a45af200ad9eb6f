import { parseTopK, topKRangeMessage } from "../../lambda/top-k";

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

  it.each([["0"], ["7"], ["abc"]])("names the label count in the range when it is known (top_k=%s of 6 labels)", (value) => {
    // Act / Assess
    expect(() => parseTopK([value], 6)).toThrow("top_k must be an integer from 1 to 6, the number of labels.");
  });

  it.each([["0"], ["abc"], ["99999999"]])("states no number it does not know (top_k=%s, label count unknown)", (value) => {
    // Act / Assess: not "from 1 to 1000", which is ImageNet's count, not necessarily the model's
    expect(() => parseTopK([value], undefined)).toThrow("top_k must be an integer from 1 to the number of labels.");
  });

  it("leaves the upper bound to the endpoint when the label count is unknown (it answers with its count)", () => {
    // Act / Assess
    expect(parseTopK(["1001"], undefined)).toBe(1001);
  });

  it("says a repeated top_k was repeated", () => {
    // Act / Assess
    expect(() => parseTopK(["3", "3"], undefined)).toThrow("top_k was given 2 times; give it once.");
  });
});

describe("topKRangeMessage", () => {
  it("is the container's wording (model/code/serving_request.py top_k_for) for a known count", () => {
    // Act / Assess
    expect(topKRangeMessage(6)).toBe("top_k must be an integer from 1 to 6, the number of labels.");
    expect(topKRangeMessage(undefined)).toBe("top_k must be an integer from 1 to the number of labels.");
  });
});
