/**
 * Recognises an upload sent with `curl -d @photo.jpg` (also --data, --data-ascii): curl reads the file as text and
 * drops every CR and LF byte, so the image arrives damaged. Any binary file holds such bytes (about one in 128),
 * so a raw body with none at all is the mark of that mistake, and the answer says what to send instead.
 * Only for raw bodies: multipart (`curl -F`) and base64 JSON keep every byte of the file.
 */
import { ApiError } from "./errors";

const CR = 0x0d;
const LF = 0x0a;
/** The PNG signature (89 50 4E 47 0D 0A 1A 0A) without its CR and LF bytes. */
const PNG_SIGNATURE_STRIPPED = [0x89, 0x50, 0x4e, 0x47, 0x1a];

const advice = (example: string) => `curl -d removes them from a file: send it with curl --data-binary @${example} instead.`;

export function holdsNoLineBreak(bytes: Uint8Array): boolean {
  return bytes.length > 0 && !bytes.includes(CR) && !bytes.includes(LF);
}

/**
 * The endpoint could not decode a raw image with no CR or LF byte: the same 422, with the cause and the fix.
 * @param rawBytes the image when it came as a raw body, else undefined (other body kinds keep every byte)
 */
export function withCurlDataHint(error: ApiError, rawBytes: Uint8Array | undefined): ApiError {
  if (error.code !== "undecodable_image" || rawBytes === undefined || !holdsNoLineBreak(rawBytes)) return error;
  return new ApiError("undecodable_image", {
    message: `The image could not be decoded, and it holds no line-break bytes (CR or LF) at all: ${advice("photo.jpg")}`,
    detail: { ...error.detail, hint: "no CR or LF byte: curl -d" },
    cause: error.cause,
  });
}

/** A raw body that is no accepted format but starts as a PNG whose signature lost its CR and LF bytes. */
export function isPngStrippedOfLineBreaks(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE_STRIPPED.every((byte, i) => bytes[i] === byte) && holdsNoLineBreak(bytes);
}

export const STRIPPED_PNG_MESSAGE =
  "The body starts like a PNG whose line-break bytes (CR, LF) were removed, so it is no image any more: " + advice("photo.png");
