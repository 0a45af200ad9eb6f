/** What a finished run prints, and its warning when the function serving /similar cannot hold the new index. */
import { CATALOGUE_INDEX_FORMAT, IndexMetadata, INDEX_FILES } from "../../../common/catalogue-index";
import type { CatalogueRunResult } from "../../../tools/catalogue/catalogue-run";
import { formatRunResult } from "../../../tools/catalogue/run-report";

function indexed(count: number, keysBytes: number): CatalogueRunResult {
  const metadata: IndexMetadata = {
    format: CATALOGUE_INDEX_FORMAT,
    version: 1,
    id: "20261203T101500Z-1a2b3c",
    modelFingerprint: "sha256:ab",
    dim: 768,
    count,
    dtype: "float32",
    source: "s3://acme-products/images/",
    created: "2026-12-03T11:00:00.000Z",
    files: INDEX_FILES,
    run: {
      runId: "20261203T101500Z-1a2b3c",
      mode: "first run",
      previousIndex: null,
      embedded: count + 1,
      reused: 0,
      deleted: 0,
      failedBefore: 0,
      skipped: 0,
      failed: [{ key: "shoes/broken.jpg", code: "undecodable_image", message: "truncated" }],
      job: "vit-cat-1",
      startedAt: "",
      finishedAt: "",
    },
  };
  return { kind: "indexed", metadata, keysBytes };
}

describe("formatRunResult", () => {
  it("reports the index, the run, each failure and the pointer", () => {
    // Act
    const lines = formatRunResult(indexed(100_000, 6_400_000), "s3://acme-catalogue/catalogue/latest.json", 512);

    // Assess
    expect(lines).toEqual([
      "index 20261203T101500Z-1a2b3c: 100000 images, dim 768 (first run; job vit-cat-1)",
      "  embedded 100001, reused 0, deleted 0, failed 1, skipped 0 (not images)",
      "  failed: shoes/broken.jpg  undecodable_image  truncated",
      "pointer moved: s3://acme-catalogue/catalogue/latest.json",
    ]);
  });

  it("warns when the function that serves /similar cannot hold the index, naming the memory it needs", () => {
    // Act: 600,000 rows with 64-byte key lines, for a function of 512 MB.
    const lines = formatRunResult(indexed(600_000, 38_400_000), "s3://acme-catalogue/catalogue/latest.json", 512);

    // Assess
    const warning = lines[lines.length - 1];
    expect(warning).toMatch(/^warning: 600000 images are more than a function of 512 MB holds \(about \d+ with these keys\)/);
    expect(warning).toMatch(/catalogue_too_large until lambda\.memoryMb is at least \d+ and deployed/);
    const needed = Number(/at least (\d+)/.exec(warning)![1]);
    expect(formatRunResult(indexed(600_000, 38_400_000), "p", needed).some((line) => line.startsWith("warning"))).toBe(false);
    expect(formatRunResult(indexed(600_000, 38_400_000), "p", needed - 1).some((line) => line.startsWith("warning"))).toBe(true);
  });
  it("says that no memory size helps when the search kernel's 4 GiB is the bound", () => {
    const lines = formatRunResult(indexed(6_000_000, 384_000_000), "p", 10_240);
    expect(lines[lines.length - 1]).toMatch(/catalogue_too_large at any lambda\.memoryMb: serve the index from a vector database/);
  });
});
