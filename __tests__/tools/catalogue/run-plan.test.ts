import { isImageKey, planRun, PreviousIndex } from "../../../tools/catalogue/run-plan";

const object = (key: string, etag = `"${key}-1"`, size = 1000) => ({ key, etag, size });
const MB = 1024 * 1024;

describe("planRun", () => {
  it("embeds every image on a first run and skips what is not an image", () => {
    // Act
    const plan = planRun([object("a.jpg"), object("b.PNG"), object("notes.txt"), object(".DS_Store")], undefined, "model-1", 6 * MB);

    // Assess
    expect(plan.mode).toBe("first run");
    expect(plan.embed.map((o) => o.key)).toEqual(["a.jpg", "b.PNG"]);
    expect(plan.skipped).toBe(2);
    expect(plan.reuse).toEqual([]);
    expect(plan.deleted).toEqual([]);
  });

  it("embeds only new and changed images, keeps the rest and drops deleted keys", () => {
    // Prepare
    const previous: PreviousIndex = {
      id: "index-1",
      modelFingerprint: "model-1",
      keys: ["a.jpg", "b.jpg", "c.jpg", "gone.jpg"],
      etags: ['"a.jpg-1"', '"b.jpg-1"', '"c.jpg-1"', '"gone.jpg-1"'],
      failed: [],
    };

    // Act
    const plan = planRun([object("a.jpg"), object("b.jpg", '"b.jpg-2"'), object("c.jpg"), object("new.jpg")], previous, "model-1", 6 * MB);

    // Assess
    expect(plan.mode).toBe("incremental");
    expect(plan.embed.map((o) => o.key)).toEqual(["b.jpg", "new.jpg"]);
    expect(plan.reuse).toEqual([
      { key: "a.jpg", etag: '"a.jpg-1"', row: 0 },
      { key: "c.jpg", etag: '"c.jpg-1"', row: 2 },
    ]);
    expect(plan.deleted).toEqual(["gone.jpg"]);
  });

  it("embeds everything again when the model changed", () => {
    const previous: PreviousIndex = {
      id: "index-1",
      modelFingerprint: "model-1",
      keys: ["a.jpg", "b.jpg"],
      etags: ['"a.jpg-1"', '"b.jpg-1"'],
      failed: [],
    };

    const plan = planRun([object("a.jpg"), object("b.jpg")], previous, "model-2", 6 * MB);

    expect(plan.mode).toBe("model changed");
    expect(plan.embed.map((o) => o.key)).toEqual(["a.jpg", "b.jpg"]);
    expect(plan.reuse).toEqual([]);
  });

  it("does not resend an unchanged image that failed for its bytes, but resends it once changed, and retries other failures", () => {
    // Prepare
    const previous: PreviousIndex = {
      id: "index-1",
      modelFingerprint: "model-1",
      keys: ["a.jpg"],
      etags: ['"a.jpg-1"'],
      failed: [
        { key: "broken.jpg", etag: '"broken.jpg-1"', code: "undecodable_image", message: "truncated" },
        { key: "fixed.jpg", etag: '"fixed.jpg-1"', code: "undecodable_image", message: "truncated" },
        { key: "flaky.jpg", etag: '"flaky.jpg-1"', code: "internal_error", message: "the model failed" },
      ],
    };

    // Act
    const listing = [object("a.jpg"), object("broken.jpg"), object("fixed.jpg", '"fixed.jpg-2"'), object("flaky.jpg")];
    const plan = planRun(listing, previous, "model-1", 6 * MB);

    // Assess
    expect(plan.embed.map((o) => o.key)).toEqual(["fixed.jpg", "flaky.jpg"]);
    expect(plan.refused).toEqual([previous.failed[0]]);
    expect(plan.failedBefore).toBe(1);
  });

  it("refuses images over the job's payload limit instead of letting one fail the job", () => {
    const plan = planRun([object("small.jpg", '"s"', 6 * MB), object("huge.jpg", '"h"', 6 * MB + 1)], undefined, "model-1", 6 * MB);

    expect(plan.embed.map((o) => o.key)).toEqual(["small.jpg"]);
    expect(plan.refused).toEqual([expect.objectContaining({ key: "huge.jpg", code: "image_too_large" })]);
  });

  it("takes image file names whatever their case", () => {
    expect(["x.jpg", "x.JPEG", "a/b/c.webp", "x.gif", "x.bmp", "x.png"].every(isImageKey)).toBe(true);
    expect(["x.jpg.json", "x", "x.tiff", "x.svg"].some(isImageKey)).toBe(false);
  });
});
