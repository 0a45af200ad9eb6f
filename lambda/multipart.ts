/**
 * Extracts the one file part of a multipart/form-data body (what `curl -F image=@cat.jpg` sends) with busboy,
 * a well-kept streaming parser, instead of hand-splitting on the boundary.
 */
import type busboy from "busboy";
import { ApiError, imageTooLarge } from "./errors";

/** The most a form may hold (docs/api.md): the image, plus text fields some clients add (a caption, a token). */
export const MULTIPART_LIMITS = { files: 1, fields: 20 } as const;

export async function extractMultipartFile(body: Buffer, contentType: string, maxImageBytes: number): Promise<Buffer> {
  // Loaded on the first multipart request only: most callers send raw bytes, and a cold start should not pay
  // for a parser it does not use (esbuild keeps a bundled require lazy).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require is the point (see above)
  const busboy: typeof import("busboy") = require("busboy");
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": contentType },
      // One byte over the endpoint's limit is enough to know the image is too large, without buffering more.
      // busboy signals files and fields one past their limit, but parts on reaching it: one more part than the
      // form may hold, so a form at the limit (1 file + 20 fields) is not refused.
      limits: {
        files: MULTIPART_LIMITS.files,
        fileSize: maxImageBytes + 1,
        fields: MULTIPART_LIMITS.fields,
        parts: MULTIPART_LIMITS.files + MULTIPART_LIMITS.fields + 1,
      },
    });
  } catch (err) {
    // busboy throws synchronously for a missing boundary or a non-multipart type.
    throw invalid({ reason: (err as Error).message });
  }

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let files = 0;
    let failure: ApiError | undefined;
    const fail = (error: ApiError): void => {
      failure ??= error;
    };

    parser.on("file", (field, stream) => {
      files += 1;
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("limit", () => fail(imageTooLarge(maxImageBytes, { field })));
      // busboy destroys an open file stream with "Unexpected end of form" when the body ends inside it (a cut
      // upload). Without a listener that "error" is an uncaught exception, which kills the execution environment.
      stream.on("error", (err: Error) => fail(invalid({ reason: err.message, field })));
    });
    parser.on("filesLimit", () => fail(invalid({ reason: "more than one file part" }, MORE_THAN_ONE_FILE)));
    parser.on("fieldsLimit", () => fail(invalid({ reason: `more than ${MULTIPART_LIMITS.fields} text fields` }, TOO_MANY_FIELDS)));
    // Unreachable while files and fields are limited (a part past them is one of those), kept as a backstop.
    parser.on("partsLimit", () => fail(invalid({ reason: "too many parts" }, TOO_MANY_FIELDS)));
    parser.on("error", (err: Error) => {
      fail(invalid({ reason: err.message }));
      reject(failure);
    });
    parser.on("close", () => {
      if (failure) return reject(failure);
      if (files === 0) return reject(invalid({ reason: "no file part" }));
      resolve(Buffer.concat(chunks));
    });
    parser.end(body);
  });
}

const MORE_THAN_ONE_FILE =
  "The multipart/form-data body holds more than one file part: send one image per request (e.g. curl -F image=@cat.jpg).";
const TOO_MANY_FIELDS =
  `The multipart/form-data body holds more than ${MULTIPART_LIMITS.fields} text fields: ` +
  `send the image as its one file part with at most ${MULTIPART_LIMITS.fields} text fields beside it.`;

/** The catalogue's message unless a more precise one says which limit the form passed. */
function invalid(detail: Record<string, unknown>, message?: string): ApiError {
  return new ApiError("invalid_multipart", { detail, ...(message ? { message } : {}) });
}
