import { decodeBase64Strict } from "../../lambda/base64";
import { ApiError } from "../../lambda/errors";

describe("decodeBase64Strict", () => {
  it.each([
    ["padded", "aGVsbG8=", "hello"],
    ["unpadded", "aGVsbG8", "hello"],
    ["wrapped in lines", "aGVs\r\nbG8=", "hello"],
    ["URL-safe alphabet", Buffer.from([0xfb, 0xff]).toString("base64url"), "\u00fb\u00ff"],
    ["empty", "", ""],
  ])("decodes %s base64", (_name, text, expected) => {
    // Act
    const bytes = decodeBase64Strict(text);

    // Assess
    expect(bytes.toString("latin1")).toBe(expected);
  });

  it.each([
    ["spaces and punctuation", "hello world!"],
    ["a stray character", "aGVs*bG8="],
    ["padding in the middle", "aG==VsbG8="],
    ["a single leftover character", "aGVsb"],
    ["wrong padding length", "aGVsbG8=="],
  ])("refuses %s with invalid_base64", (_name, text) => {
    // Act
    const attempt = () => decodeBase64Strict(text);

    // Assess
    expect(attempt).toThrow(ApiError);
    expect(attempt).toThrow(expect.objectContaining({ code: "invalid_base64", status: 400 }));
  });
});
