/**
 * Strict base64 decoding. Node's Buffer.from(text, "base64") silently skips characters it does not know
 * and stops at the first "=", so "hello world!" would decode to garbage instead of failing; a caller who
 * sent a broken string must hear so (400 invalid_base64), not get a confusing 415 or 422 later.
 * Accepts the standard and URL-safe alphabets, optional padding, and line breaks (MIME-style wrapping).
 */
import { ApiError } from "./errors";

const BASE64_BODY = /^[A-Za-z0-9+/_-]*$/;

export function decodeBase64Strict(text: string, what = "The image"): Buffer {
  const compact = text.replace(/[\r\n]/g, "");
  const unpadded = compact.replace(/={1,2}$/, "");
  const padded = unpadded.length !== compact.length;
  const invalid =
    !BASE64_BODY.test(unpadded) ||
    unpadded.length % 4 === 1 || // one leftover character cannot encode a byte
    (padded && compact.length % 4 !== 0);
  if (invalid) throw new ApiError("invalid_base64", { message: `${what} is not valid base64.` });
  return Buffer.from(unpadded, "base64");
}
