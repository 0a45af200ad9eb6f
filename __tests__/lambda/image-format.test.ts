import { ACCEPTED_IMAGE_TYPES, detectImageType } from "../../lambda/image-format";
import { BMP, GIF_1X1, JPEG, PDF, PNG_1X1, TEXT, TIFF, WEBP } from "./fixtures";

describe("detectImageType (magic bytes)", () => {
  it.each([
    ["JPEG", JPEG, "image/jpeg"],
    ["PNG", PNG_1X1, "image/png"],
    ["WebP", WEBP, "image/webp"],
    ["GIF89a", GIF_1X1, "image/gif"],
    ["GIF87a", Buffer.concat([Buffer.from("GIF87a"), Buffer.alloc(10)]), "image/gif"],
    ["BMP", BMP, "image/bmp"],
  ])("recognises %s", (_name, bytes, mime) => {
    // Act / Assess
    expect(detectImageType(bytes)).toBe(mime);
  });

  it.each([
    ["TIFF (little endian)", TIFF],
    ["TIFF (big endian)", Buffer.from("4d4d002a0000000800", "hex")],
    ["PDF", PDF],
    ["text starting with BM", TEXT],
    ["a RIFF that is not WebP (WAV)", Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("WAVEfmt ")])],
    ["HEIC", Buffer.concat([Buffer.from("000000186674797068656963", "hex"), Buffer.alloc(16)])],
    ["a lone JPEG marker byte pair", Buffer.from("ffd8", "hex")],
    ["nothing", Buffer.alloc(0)],
  ])("refuses %s", (_name, bytes) => {
    // Act / Assess
    expect(detectImageType(bytes)).toBeUndefined();
  });

  it("has exactly the five accepted formats", () => {
    // Assess
    expect(ACCEPTED_IMAGE_TYPES).toEqual(["image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp"]);
  });
});
