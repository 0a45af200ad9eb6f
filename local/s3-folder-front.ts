/**
 * The local stack's S3, as far as the function uses it: GetObject on one bucket served from a folder (the local
 * catalogue, CATALOGUE_DIR), path-style (http://127.0.0.1:<port>/<bucket>/<key>), with S3's ETag and If-None-Match
 * (304) and S3's XML errors. The function's real @aws-sdk/client-s3 talks to it through AWS_ENDPOINT_URL_S3, so the
 * code that reads the index on AWS is the code that reads it locally. Read-only: the local catalogue runner writes
 * the folder itself, as the transform job and the runner write the bucket on AWS.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";

export interface S3FolderFront {
  /** http://127.0.0.1:<port>: AWS_ENDPOINT_URL_S3 for the function. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startS3FolderFront(bucket: string, folder: string, port = 0): Promise<S3FolderFront> {
  const root = path.resolve(folder);
  const etags = new Map<string, { mtimeMs: number; size: number; etag: string }>();
  const etagOf = (file: string, stat: fs.Stats): string => {
    const known = etags.get(file);
    if (known && known.mtimeMs === stat.mtimeMs && known.size === stat.size) return known.etag;
    // S3's ETag of a single-part upload: the MD5 of the bytes, quoted.
    const etag = `"${crypto.createHash("md5").update(fs.readFileSync(file)).digest("hex")}"`;
    etags.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, etag });
    return etag;
  };

  const server = http.createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? "/", "http://local");
    const [, requestedBucket, ...rest] = url.pathname.split("/");
    const key = decodeURIComponent(rest.join("/"));
    if (req.method !== "GET" && req.method !== "HEAD") return error(res, 405, "MethodNotAllowed", "The local S3 front only reads objects.");
    if (requestedBucket !== bucket) return error(res, 404, "NoSuchBucket", "The specified bucket does not exist");
    const file = path.resolve(root, ...key.split("/"));
    if (key === "" || !file.startsWith(root + path.sep)) return error(res, 404, "NoSuchKey", "The specified key does not exist.");
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return error(res, 404, "NoSuchKey", "The specified key does not exist.");
    }
    if (!stat.isFile()) return error(res, 404, "NoSuchKey", "The specified key does not exist.");
    const etag = etagOf(file, stat);
    const headers = { etag, "last-modified": stat.mtime.toUTCString(), "x-amz-request-id": crypto.randomUUID() };
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, "content-type": contentType(key), "content-length": stat.size });
    if (req.method === "HEAD") return void res.end();
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function error(res: http.ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) }).end(body);
}

function contentType(key: string): string {
  if (key.endsWith(".json")) return "application/json";
  if (key.endsWith(".jsonl")) return "application/x-ndjson";
  return "application/octet-stream";
}
