/**
 * The catalogue's objects in S3, as the function reads them: the pointer with a conditional GET (If-None-Match: a
 * 304 costs no download), the index files streamed (a 100 MB file is never buffered whole). GetObject only: the role
 * may read <prefix>latest.json and <prefix>indexes/ and nothing else.
 *
 * The S3 client is loaded on the first catalogue request, not at module load: /classify and /embed never pay for it.
 * In the deployed bundle it is a file of its own, s3-get.js beside index.js (src/support/lambda-bundle.ts): the
 * require names it through a variable, so esbuild leaves it a runtime require instead of bundling it into index.js.
 * AWS_ENDPOINT_URL_S3 points it at the local stack's S3 front.
 */
import type { GetObjectCommandOutput } from "@aws-sdk/client-s3";
import { describeError } from "../errors";

/** ./s3-get.ts beside this file in the sources, ./s3-get.js beside index.js in the bundle. */
const S3_READER_MODULE = "./s3-get";

function get(bucket: string, key: string, signal: AbortSignal, ifNoneMatch?: string): Promise<GetObjectCommandOutput> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require is the point (see above)
  const { getObject } = require(S3_READER_MODULE) as typeof import("./s3-get");
  return getObject(bucket, key, signal, ifNoneMatch);
}

/** Why an object could not be read: "missing" (NoSuchKey), "denied" (AccessDenied) or "failed" (anything else). */
export class CatalogueReadError extends Error {
  constructor(
    readonly kind: "missing" | "denied" | "failed",
    readonly location: string,
    readonly detail: Record<string, unknown>,
  ) {
    super(`${kind}: ${location}`);
    this.name = "CatalogueReadError";
  }
}

export type PointerRead =
  { readonly modified: false } | { readonly modified: true; readonly etag: string | undefined; readonly body: Buffer };

/** latest.json, unless its ETag is still `etag`. */
export async function readPointerObject(bucket: string, key: string, etag: string | undefined, signal: AbortSignal): Promise<PointerRead> {
  try {
    const output = await get(bucket, key, signal, etag);
    return { modified: true, etag: output.ETag, body: Buffer.from(await output.Body!.transformToByteArray()) };
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 304) return { modified: false };
    throw readError(error, bucket, key);
  }
}

/** A whole (small) object. */
export async function readObject(bucket: string, key: string, signal: AbortSignal): Promise<Buffer> {
  try {
    const output = await get(bucket, key, signal);
    return Buffer.from(await output.Body!.transformToByteArray());
  } catch (error) {
    throw readError(error, bucket, key);
  }
}

/**
 * A large object chunk by chunk, as it arrives: `onSize(bytes)` once S3 has answered (before any body byte is read;
 * what it throws ends the download), then `onChunk(bytes, position)`. Returns the size read.
 */
export async function streamObject(
  bucket: string,
  key: string,
  signal: AbortSignal,
  onChunk: (chunk: Uint8Array, position: number) => void,
  onSize: (bytes: number | undefined) => void = () => undefined,
): Promise<number> {
  let position = 0;
  let rejected: { error: unknown } | undefined; // what a callback threw: the file's content, not S3
  try {
    const output = await get(bucket, key, signal);
    try {
      onSize(output.ContentLength);
    } catch (error) {
      rejected = { error };
      (output.Body as { destroy?: () => void } | undefined)?.destroy?.(); // leave the rest unread, free the connection
      throw error;
    }
    for await (const chunk of output.Body as AsyncIterable<Uint8Array>) {
      try {
        onChunk(chunk, position);
      } catch (error) {
        rejected = { error };
        throw error;
      }
      position += chunk.length;
    }
    return position;
  } catch (error) {
    if (rejected !== undefined) throw rejected.error;
    throw readError(error, bucket, key);
  }
}

function readError(error: unknown, bucket: string, key: string): CatalogueReadError {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const location = `s3://${bucket}/${key}`;
  const detail = { error: describeError(error), httpStatusCode: e.$metadata?.httpStatusCode };
  if (e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404) return new CatalogueReadError("missing", location, detail);
  if (e.name === "AccessDenied" || e.$metadata?.httpStatusCode === 403) return new CatalogueReadError("denied", location, detail);
  return new CatalogueReadError("failed", location, detail);
}
