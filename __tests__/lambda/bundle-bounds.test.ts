/**
 * Bounds on the deployed bundle that a test can hold without timing anything: the size of index.js, the file every
 * cold start loads (minified, at most 400 KB), with the S3 client /similar reads its catalogue index with kept out of
 * it in s3-get.js beside it (docs/decisions.md: performance targets; the S3 client in a file of its own), the source
 * maps, and the multipart parser and the S3 client loaded only by requests that need them. The cold-load time bound
 * (<= 50 ms over bare Node 22) is measured by `npm run bench:lambda`, not tested.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bundleLambda } from "../../src/support/lambda-bundle";
import { curlMultipart, JPEG } from "./fixtures";

describe("Lambda bundle bounds", () => {
  let workdir: string;
  beforeAll(() => {
    workdir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-bounds-"));
  });
  afterAll(() => fs.rmSync(workdir, { recursive: true, force: true }));

  it("is minified, at most 400 KB, with a source map that names the TypeScript sources", () => {
    // Act
    const bundle = bundleLambda({ outdir: workdir });

    // Assess
    const code = fs.readFileSync(bundle.file, "utf8");
    expect(code.length).toBeLessThanOrEqual(400 * 1024);
    expect(code.length / code.split("\n").length).toBeGreaterThan(1000); // minified: few, very long lines
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    const map = JSON.parse(fs.readFileSync(`${bundle.file}.map`, "utf8"));
    expect(map.sources).toEqual(
      expect.arrayContaining([expect.stringMatching(/lambda\/handler\.ts$/), expect.stringMatching(/lambda\/multipart\.ts$/)]),
    );
    expect(map.sources.every((source: string) => !path.isAbsolute(source))).toBe(true);
  });

  it("keeps the S3 client out of index.js, in s3-get.js beside it (at most 450 KB, with its source map), required by that name", () => {
    // Act
    const bundle = bundleLambda({ outdir: workdir });

    // Assess: the S3 service's model ("AmazonS3") is in the second file only, which index.js names.
    const index = fs.readFileSync(bundle.file, "utf8");
    const s3 = fs.readFileSync(path.join(bundle.outdir, "s3-get.js"), "utf8");
    expect(index).not.toContain('"AmazonS3"');
    expect(index).toContain('"./s3-get"');
    expect(s3).toContain('"AmazonS3"');
    expect(s3.length).toBeLessThanOrEqual(450 * 1024); // GetObject and the SDK core, which index.js has a copy of too
    expect(s3).toMatch(/\/\/# sourceMappingURL=s3-get\.js\.map\s*$/);
    expect(fs.readdirSync(bundle.outdir).sort()).toEqual(["index.js", "index.js.map", "s3-get.js", "s3-get.js.map"]);
  });
});

describe("lazy loading", () => {
  it("loads the multipart parser on the first multipart body, not when the handler module loads", async () => {
    // Prepare: count loads of busboy while still using the real one.
    let loads = 0;
    jest.resetModules();
    jest.doMock("busboy", () => {
      loads += 1;
      return jest.requireActual("busboy");
    });

    // Act / Assess
    await jest.isolateModulesAsync(async () => {
      await import("../../lambda/handler");
      expect(loads).toBe(0);
      const { extractMultipartFile } = await import("../../lambda/multipart");
      const form = curlMultipart(JPEG);
      const file = await extractMultipartFile(form.body, form.contentType, 1_000_000);
      expect(file.equals(JPEG)).toBe(true);
      expect(loads).toBe(1);
    });
    jest.dontMock("busboy");
  });

  it("loads the S3 client on the first catalogue read, not when the handler module loads", async () => {
    // Prepare: count loads of @aws-sdk/client-s3 while still using the real one.
    let loads = 0;
    jest.resetModules();
    jest.doMock("@aws-sdk/client-s3", () => {
      loads += 1;
      return jest.requireActual("@aws-sdk/client-s3");
    });

    // Act / Assess
    await jest.isolateModulesAsync(async () => {
      await import("../../lambda/handler");
      expect(loads).toBe(0);
      const { readObject } = await import("../../lambda/similar/catalogue-objects");
      const nowhere = AbortSignal.abort();
      await expect(readObject("bucket", "latest.json", nowhere)).rejects.toThrow();
      expect(loads).toBe(1);
    });
    jest.dontMock("@aws-sdk/client-s3");
  });
});
