import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CataloguePointer, IndexMetadata } from "../../../common/catalogue-index";
import { decodeNpy } from "../../../common/npy";
import { runCatalogue } from "../../../tools/catalogue/catalogue-run";
import { FolderStore } from "../../../tools/catalogue/folder-store";
import { TransformExecutor, TransformJobFailed, TransformJobRequest } from "../../../tools/catalogue/transform-job";

/** A job that "embeds" an image as a unit vector named by its first byte, and answers non-images with an error object. */
class FakeJob implements TransformExecutor {
  readonly requests: TransformJobRequest[] = [];
  constructor(
    private readonly source: FolderStore,
    private readonly output: FolderStore,
    private readonly options: { fail?: boolean; nest?: string } = {},
  ) {}

  async run(request: TransformJobRequest): Promise<{ jobName: string }> {
    this.requests.push(request);
    if (this.options.fail) throw new TransformJobFailed("job-x", "ClientError: access denied");
    for (const key of request.keys) {
      const bytes = (await this.source.get(key))!;
      const body = bytes[0] === 0 ? { error: { code: "undecodable_image", message: "broken" } } : { embedding: unit(bytes[0]), dim: 4 };
      await this.output.put(`${request.outputPrefix}${this.options.nest ?? ""}${key}.out`, JSON.stringify(body), "application/json");
    }
    return { jobName: "job-1" };
  }
}

const unit = (n: number) => [Math.cos(n), Math.sin(n), 0, 0];

describe("runCatalogue", () => {
  let dir: string;
  let source: FolderStore;
  let output: FolderStore;
  const write = (key: string, firstByte: number) => {
    fs.mkdirSync(path.dirname(path.join(dir, "src", key)), { recursive: true });
    fs.writeFileSync(path.join(dir, "src", key), Buffer.from([firstByte, 1, 2, 3]));
  };
  const pointer = () => JSON.parse(fs.readFileSync(path.join(dir, "out", "latest.json"), "utf8")) as CataloguePointer;
  const index = (id: string) => {
    const folder = path.join(dir, "out", "indexes", id);
    const keys = fs
      .readFileSync(path.join(folder, "keys.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).key);
    return {
      metadata: JSON.parse(fs.readFileSync(path.join(folder, "index.json"), "utf8")) as IndexMetadata,
      keys,
      vectors: decodeNpy(fs.readFileSync(path.join(folder, "vectors.npy"))),
      int8: decodeNpy(fs.readFileSync(path.join(folder, "vectors-int8.npy"))),
      scales: decodeNpy(fs.readFileSync(path.join(folder, "scales.npy"))),
    };
  };
  const run = (executor: TransformExecutor, fingerprint = "model-1") =>
    runCatalogue({ source, output, executor, modelFingerprint: fingerprint, maxPayloadBytes: 1000 });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "catalogue-run-"));
    source = new FolderStore(path.join(dir, "src"));
    output = new FolderStore(path.join(dir, "out"));
    for (const [key, byte] of [
      ["a.jpg", 1],
      ["b.png", 2],
      ["shoes/c.jpg", 3],
      ["shoes/d.webp", 4],
      ["broken.jpg", 0],
    ] as const)
      write(key, byte);
    write("notes.txt", 9);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("embeds a first catalogue, reports the image it could not embed and moves the pointer last", async () => {
    // Act
    const result = await run(new FakeJob(source, output));

    // Assess
    if (result.kind !== "indexed") throw new Error(result.kind);
    const { metadata, keys, vectors, int8, scales } = index(result.metadata.id);
    expect(keys).toEqual(["a.jpg", "b.png", "shoes/c.jpg", "shoes/d.webp"]);
    expect(metadata).toMatchObject({ count: 4, dim: 4, dtype: "float32", modelFingerprint: "model-1", source: path.join(dir, "src") });
    expect(metadata.run).toMatchObject({ mode: "first run", embedded: 5, reused: 0, deleted: 0, skipped: 1, job: "job-1" });
    expect(metadata.run.failed).toEqual([
      { key: "broken.jpg", etag: expect.stringMatching(/^"[0-9a-f]{32}"$/), code: "undecodable_image", message: "broken" },
    ]);
    expect(vectors.header.shape).toEqual([4, 4]);
    expect(Array.from(vectors.data.subarray(8, 12))).toEqual(Array.from(Float32Array.from(unit(3))));
    expect(int8.header).toMatchObject({ dtype: "|i1", shape: [4, 4] });
    expect(scales.header.shape).toEqual([4]);
    expect(int8.data[0] * scales.data[0]).toBeCloseTo(Math.cos(1), 2);
    expect(pointer()).toMatchObject({ index: metadata.id, modelFingerprint: "model-1", count: 4, dim: 4 });
    expect(result.keysBytes).toBe(fs.statSync(path.join(dir, "out", "indexes", metadata.id, "keys.jsonl")).size);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "out", "runs", metadata.id, "manifest.json"), "utf8"));
    expect(manifest).toEqual([{ prefix: path.join(dir, "src") }, "a.jpg", "b.png", "broken.jpg", "shoes/c.jpg", "shoes/d.webp"]);
  });

  it("embeds only what changed on the next run, keeps the other rows and drops deleted keys", async () => {
    // Prepare
    const first = await run(new FakeJob(source, output));
    write("b.png", 5); // changed
    fs.rmSync(path.join(dir, "src", "shoes", "c.jpg")); // deleted
    write("new.jpg", 6); // new
    const job = new FakeJob(source, output);

    // Act
    const second = await run(job);

    // Assess
    if (first.kind !== "indexed" || second.kind !== "indexed") throw new Error("not indexed");
    expect(job.requests[0].keys).toEqual(["b.png", "new.jpg"]); // not broken.jpg: unchanged since it failed for its bytes
    const { metadata, keys, vectors } = index(second.metadata.id);
    expect(keys).toEqual(["a.jpg", "b.png", "new.jpg", "shoes/d.webp"]);
    expect(metadata.run).toMatchObject({
      mode: "incremental",
      previousIndex: first.metadata.id,
      embedded: 2,
      reused: 2,
      deleted: 1,
      failedBefore: 1,
    });
    expect(metadata.run.failed.map((f) => f.key)).toEqual(["broken.jpg"]);
    expect(Array.from(vectors.data.subarray(4, 8))).toEqual(Array.from(Float32Array.from(unit(5))));
    expect(Array.from(vectors.data.subarray(0, 4))).toEqual(Array.from(Float32Array.from(unit(1))));
    expect(pointer().index).toBe(second.metadata.id);
  });

  it("starts no job and leaves the pointer when nothing changed", async () => {
    const first = await run(new FakeJob(source, output));
    const job = new FakeJob(source, output);

    const second = await run(job);

    expect([first.kind, second.kind]).toEqual(["indexed", "up to date"]);
    expect(job.requests).toEqual([]);
    expect(pointer().index).toBe(first.kind === "indexed" ? first.metadata.id : "");
  });

  it("embeds everything again for another model", async () => {
    await run(new FakeJob(source, output));
    const job = new FakeJob(source, output);

    const result = await run(job, "model-2");

    expect(job.requests[0].keys).toHaveLength(5);
    expect(result.kind === "indexed" && result.metadata.run).toMatchObject({ mode: "model changed", reused: 0, embedded: 5 });
    expect(pointer().modelFingerprint).toBe("model-2");
  });

  it("leaves the pointer where it was when the job fails", async () => {
    const first = await run(new FakeJob(source, output));
    write("a.jpg", 7);

    await expect(run(new FakeJob(source, output, { fail: true }))).rejects.toThrow(
      "transform job job-x failed: ClientError: access denied",
    );

    expect(pointer().index).toBe(first.kind === "indexed" ? first.metadata.id : "");
  });

  it("writes no index when no image could be embedded", async () => {
    for (const key of ["a.jpg", "b.png", "shoes/c.jpg", "shoes/d.webp"]) write(key, 0);

    const result = await run(new FakeJob(source, output));

    expect(result).toMatchObject({ kind: "nothing indexed", failed: expect.arrayContaining([expect.objectContaining({ key: "a.jpg" })]) });
    expect(fs.existsSync(path.join(dir, "out", "latest.json"))).toBe(false);
  });

  it("finds the .out objects of a job that nests them one folder deeper", async () => {
    const result = await run(new FakeJob(source, output, { nest: "src/" }));

    expect(result.kind === "indexed" && result.metadata.count).toBe(4);
  });

  it("says so when the source holds no image", async () => {
    const empty = new FolderStore(path.join(dir, "empty"));

    await expect(
      runCatalogue({ source: empty, output, executor: new FakeJob(empty, output), modelFingerprint: "m", maxPayloadBytes: 1 }),
    ).rejects.toThrow(/no images under .*empty \(file names ending in \.jpg/);
  });
});
