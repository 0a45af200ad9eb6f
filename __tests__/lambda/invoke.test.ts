import { backoffMs, customAttributes } from "../../lambda/invoke";

describe("invoke helpers", () => {
  it("formats the custom attributes exactly as docs/contracts.md says (Lambda → endpoint request)", () => {
    // Act / Assess
    expect(customAttributes(3, "classify")).toBe("top_k=3,task=classify");
    expect(customAttributes(5, "embed")).toBe("top_k=5,task=embed");
  });

  it("leaves top_k out when the caller gave none (a model may have fewer than 5 labels)", () => {
    // Act / Assess
    expect(customAttributes(undefined, "classify")).toBe("task=classify");
    expect(customAttributes(undefined, "embed")).toBe("task=embed");
  });

  it("backs off exponentially, longer when throttled, with bounded jitter", () => {
    // Act
    const low = [1, 2, 3].map((n) => backoffMs(n, false, () => 0));
    const high = [1, 2, 3].map((n) => backoffMs(n, false, () => 1));
    const throttled = backoffMs(1, true, () => 1);

    // Assess
    expect(low).toEqual([50, 100, 200]);
    expect(high).toEqual([100, 200, 400]);
    expect(throttled).toBe(250);
  });
});
