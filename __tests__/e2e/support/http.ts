/** Small HTTP helpers for the end-to-end tests: the upload shapes clients really send. */
import * as fs from "fs";
import * as path from "path";

export interface JsonAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
  readonly elapsedMs: number;
}

export type InputKind = "raw" | "octet-stream" | "multipart" | "json-base64" | "json-data-url";
export const INPUT_KINDS: readonly InputKind[] = ["raw", "octet-stream", "multipart", "json-base64", "json-data-url"];

export function mimeOf(file: string): string {
  const ext = path.extname(file).slice(1).toLowerCase();
  return (
    { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp", gif: "image/gif", bmp: "image/bmp" }[ext] ??
    "application/octet-stream"
  );
}

/** Request init for one image sent as `kind`, as curl would send it. */
export function imageRequest(file: string, kind: InputKind): RequestInit {
  const bytes = fs.readFileSync(file);
  const mime = mimeOf(file);
  switch (kind) {
    case "raw": // curl --data-binary @cat.jpg -H 'Content-Type: image/jpeg'
      return { method: "POST", body: bytes, headers: { "content-type": mime } };
    case "octet-stream":
      return { method: "POST", body: bytes, headers: { "content-type": "application/octet-stream" } };
    case "multipart": {
      // curl -F image=@cat.jpg: one file part with a filename and the file's type
      const form = new FormData();
      form.append("image", new Blob([bytes], { type: mime }), path.basename(file));
      return { method: "POST", body: form };
    }
    case "json-base64":
      return { method: "POST", body: JSON.stringify({ image: bytes.toString("base64") }), headers: { "content-type": "application/json" } };
    case "json-data-url":
      return {
        method: "POST",
        body: JSON.stringify({ image: `data:${mime};base64,${bytes.toString("base64")}` }),
        headers: { "content-type": "application/json" },
      };
  }
}

export async function call(url: string, init: RequestInit): Promise<JsonAnswer> {
  const started = Date.now();
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the assertion on `body` will show the text
  }
  return { status: response.status, headers: response.headers, body, elapsedMs: Date.now() - started };
}

/** Runs `work` over `items` with at most `limit` in flight (a few concurrent clients, in order of results). */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]);
      }
    }),
  );
  return results;
}
