/**
 * The deployed bundle's bounds (docs/decisions.md, performance targets) that a test can hold without timing anything: its size (minified,
 * at most 400 KB), the source map beside it, and the multipart parser loaded only by requests that need it.
 * The cold-load time bound (<= 50 ms over bare Node 22) is measured by `npm run bench:lambda`, not tested.
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
});
