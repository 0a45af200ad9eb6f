/**
 * The one allow-list of image formats, decided by magic bytes (never by the declared content type: a label
 * that disagrees with the bytes is ignored). It mirrors the model's own allow-list in model/inference code,
 * and the detected MIME type is what the endpoint receives as ContentType (docs/contracts.md, "Lambda → endpoint request").
 */

export type ImageMime = "image/jpeg" | "image/png" | "image/webp" | "image/gif" | "image/bmp";

export const ACCEPTED_IMAGE_TYPES: readonly ImageMime[] = ["image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp"];

// BMP has only a two-byte signature ("BM"), so the DIB header size must also be one of the known ones,
// which keeps a text file that happens to start with "BM" from passing as an image.
const BMP_DIB_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((byte, i) => bytes[offset + i] === byte);
}

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/** The MIME type of an accepted image format, or undefined when the bytes are not one of them. */
export function detectImageType(bytes: Uint8Array): ImageMime | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) return "image/gif";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "image/webp";
  if (startsWith(bytes, ascii("BM")) && bytes.length >= 26) {
    const dibHeaderSize = bytes[14] | (bytes[15] << 8) | (bytes[16] << 16) | (bytes[17] << 24);
    if (BMP_DIB_HEADER_SIZES.has(dibHeaderSize)) return "image/bmp";
  }
  return undefined;
}
