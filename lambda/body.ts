/**
 * Gets the image bytes out of a request, whatever way they were sent:
 *   - raw bytes (any image/* type, application/octet-stream or no content type at all),
 *   - multipart/form-data with one file part,
 *   - JSON {"image": "<base64>"} where the string may be a data: URL.
 * Then it enforces the size limit on the decoded bytes and decides the format from magic bytes.
 */
import { decodeBase64Strict } from "./base64";
import { isPngStrippedOfLineBreaks, STRIPPED_PNG_MESSAGE } from "./curl-data";
import { ApiError, imageTooLarge } from "./errors";
import { HttpRequest } from "./event";
import { ACCEPTED_IMAGE_TYPES, detectImageType, ImageMime } from "./image-format";
import { extractMultipartFile } from "./multipart";

export type InputKind = "raw" | "multipart" | "json";

export interface DecodedImage {
  readonly bytes: Buffer;
  /** Detected from the bytes; what the endpoint is told the image is. */
  readonly mime: ImageMime;
  readonly inputKind: InputKind;
  /** The media type the caller declared (lower-case, parameters dropped), for logs. */
  readonly declaredType: string | undefined;
  /** Size of the request body as it reached the function (after API Gateway's base64, before ours). */
  readonly bodyBytes: number;
}

/** "Image/JPEG; charset=x" -> "image/jpeg". */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(";")[0].trim().toLowerCase();
  return type === "" ? undefined : type;
}

/** @param maxImageBytes the endpoint's body limit (config MAX_IMAGE_BYTES): 6,291,456 real-time, 4 MB serverless. */
export async function decodeImage(request: HttpRequest, maxImageBytes: number): Promise<DecodedImage> {
  const contentType = withoutRepeats(request.headers["content-type"]);
  const declaredType = mediaTypeOf(contentType);
  const body = bodyBytesOf(request);
  if (body.length === 0) throw new ApiError("empty_body");

  let inputKind: InputKind = "raw";
  let bytes = body;
  if (declaredType === "multipart/form-data") {
    inputKind = "multipart";
    bytes = await extractMultipartFile(body, contentType as string, maxImageBytes);
  } else if (declaredType === "application/json" || declaredType?.endsWith("+json")) {
    inputKind = "json";
    bytes = imageFromJson(body);
  }

  if (bytes.length === 0) throw new ApiError("empty_body", { message: "The image is empty." });
  if (bytes.length > maxImageBytes) throw imageTooLarge(maxImageBytes, { bytes: bytes.length });
  const mime = detectImageType(bytes);
  if (mime === undefined) {
    throw new ApiError("unsupported_media_type", {
      message: unsupportedMessage(declaredType, inputKind, bytes),
      detail: { declaredType, accepted: ACCEPTED_IMAGE_TYPES, leadingBytes: bytes.subarray(0, 8).toString("hex") },
    });
  }
  return { bytes, mime, inputKind, declaredType, bodyBytes: body.length };
}

/** The catalogue's 415 text, unless the way the body was sent explains it better (undefined: the catalogue's). */
function unsupportedMessage(declaredType: string | undefined, inputKind: InputKind, bytes: Buffer): string | undefined {
  // `curl --data-binary @cat.jpg URL` without -H sends this type, and API Gateway then passes the body as text,
  // mangling the image's bytes: the generic message would not tell the caller what to change.
  if (declaredType === "application/x-www-form-urlencoded") return FORM_URLENCODED_MESSAGE;
  if (inputKind === "raw" && isPngStrippedOfLineBreaks(bytes)) return STRIPPED_PNG_MESSAGE;
  return undefined;
}

/**
 * API Gateway (payload 2.0) joins a header sent twice with commas, so `-H 'Content-Type: application/json'` given
 * twice arrives as "application/json,application/json". Identical repeats are one type; different values are left
 * as they are (then no JSON or multipart reading applies and the bytes decide).
 */
function withoutRepeats(contentType: string | undefined): string | undefined {
  const parts = contentType?.split(",").map((part) => part.trim());
  return parts && parts.length > 1 && parts.every((part) => part === parts[0]) ? parts[0] : contentType;
}

function bodyBytesOf(request: HttpRequest): Buffer {
  if (request.body === undefined || request.body === "") return Buffer.alloc(0);
  // API Gateway base64-encodes binary bodies (and, for HTTP APIs, any non-text type) and says so in the flag.
  if (request.isBase64Encoded) return decodeBase64Strict(request.body, "The request body");
  return Buffer.from(request.body, "utf8");
}

const FORM_URLENCODED_MESSAGE =
  "The body was sent as application/x-www-form-urlencoded (curl's default for --data-binary), which is not an image. " +
  "Send it with Content-Type: image/jpeg (or the image's type) or application/octet-stream. " +
  "Accepted types: image/jpeg, image/png, image/webp, image/gif, image/bmp.";

const DATA_URL = /^data:([^,]*),/i;

function imageFromJson(body: Buffer): Buffer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new ApiError("invalid_json", { message: "The body is not valid JSON." });
  }
  const image = (parsed as { image?: unknown } | null)?.image;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || typeof image !== "string") {
    throw new ApiError("invalid_json");
  }
  if (image.trim() === "") throw new ApiError("empty_body", { message: 'The "image" field is empty.' });

  const dataUrl = DATA_URL.exec(image);
  if (dataUrl) {
    // The declared type inside the data: URL is ignored like any other label: the bytes decide.
    const parameters = dataUrl[1].split(";").map((p) => p.trim().toLowerCase());
    if (!parameters.includes("base64")) {
      throw new ApiError("invalid_base64", { message: 'A data: URL in "image" must be base64 (data:<type>;base64,...).' });
    }
    return decodeBase64Strict(image.slice(dataUrl[0].length), 'The "image" field');
  }
  return decodeBase64Strict(image.trim(), 'The "image" field');
}
