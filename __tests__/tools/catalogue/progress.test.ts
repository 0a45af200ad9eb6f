import { duration, formatProgress } from "../../../tools/catalogue/progress";

describe("progress", () => {
  it("prints done / total, rate and the time left", () => {
    expect(formatProgress({ done: 250, total: 1000, elapsedMs: 50_000, status: "InProgress" })).toBe(
      "InProgress: 250/1000 images (25 %), 5.0 images/s, ETA 2 min 30 s, elapsed 50 s",
    );
  });

  it("has no ETA before the first image or after the last", () => {
    expect(formatProgress({ done: 0, total: 10, elapsedMs: 3000, status: "running" })).toBe(
      "running: 0/10 images (0 %), 0.0 images/s, elapsed 3 s",
    );
    expect(formatProgress({ done: 10, total: 10, elapsedMs: 2000, status: "Completed" })).not.toContain("ETA");
  });

  it("writes durations a person reads", () => {
    expect([duration(0), duration(59.6), duration(61), duration(3 * 3600 + 120)]).toEqual(["0 s", "1 min 0 s", "1 min 1 s", "3 h 2 min"]);
  });
});
