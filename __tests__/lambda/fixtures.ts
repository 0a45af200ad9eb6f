/**
 * Test inputs for the Lambda: tiny images of each format, the three HTTP event shapes, a Lambda context.
 * The Lambda only reads magic bytes (the endpoint decodes), so the small real files below are enough.
 */
import type { Context } from "aws-lambda";

/** A real 1x1 PNG and GIF (the smallest valid files of their formats). */
export const PNG_1X1 = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);
export const GIF_1X1 = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");
/** JPEG start of image + JFIF APP0 header, then filler: what the Lambda inspects of a JPEG. */
export const JPEG = Buffer.concat([
  Buffer.from("ffd8ffe000104a46494600010100000100010000", "hex"),
  Buffer.alloc(200, 0x11),
  Buffer.from("ffd9", "hex"),
]);
/** RIFF container of type WEBP with a VP8L chunk header. */
export const WEBP = Buffer.concat([Buffer.from("RIFF"), Buffer.from([26, 0, 0, 0]), Buffer.from("WEBPVP8L"), Buffer.alloc(18, 0)]);

/** A real 1x1 24-bit BMP: 14-byte file header, 40-byte BITMAPINFOHEADER, one padded pixel row. */
export function bmp1x1(): Buffer {
  const file = Buffer.alloc(58);
  file.write("BM", 0, "ascii");
  file.writeUInt32LE(58, 2);
  file.writeUInt32LE(54, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(1, 18);
  file.writeInt32LE(1, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(24, 28);
  file.writeUInt32LE(4, 34);
  file.writeUInt8(0xff, 56);
  return file;
}
export const BMP = bmp1x1();

export const TIFF = Buffer.concat([Buffer.from("49492a00", "hex"), Buffer.alloc(64, 0)]);
export const PDF = Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "latin1");
export const TEXT = Buffer.from("BM is not a bitmap, this is a plain text file.\n");

export type Shape = "http-api-v2" | "rest-api-v1" | "function-url";

export interface EventOptions {
  readonly path?: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly query?: Record<string, string>;
}

/** A binary body as API Gateway delivers it: base64 with the flag set. */
export function binaryEvent(shape: Shape, bytes: Buffer, contentType: string | undefined, extra: EventOptions = {}) {
  const headers: Record<string, string> = contentType === undefined ? {} : { "content-type": contentType };
  return httpEvent(shape, { ...extra, headers: { ...headers, ...extra.headers }, body: bytes.toString("base64"), isBase64Encoded: true });
}

export function httpEvent(shape: Shape, options: EventOptions = {}) {
  const path = options.path ?? "/classify";
  const method = options.method ?? "POST";
  const query = options.query;
  if (shape === "rest-api-v1") {
    // REST API keeps the sender's header case.
    const headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [titleCase(k), v]));
    return {
      resource: path,
      path,
      httpMethod: method,
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      queryStringParameters: query ?? null,
      multiValueQueryStringParameters: query ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null,
      pathParameters: null,
      stageVariables: null,
      requestContext: { requestId: "gw-req-1", stage: "prod", httpMethod: method, path: `/prod${path}` },
      body: options.body ?? null,
      isBase64Encoded: options.isBase64Encoded ?? false,
    };
  }
  const rawQueryString = query ? new URLSearchParams(query).toString() : "";
  return {
    version: "2.0",
    routeKey: shape === "function-url" ? "$default" : `${method} ${path}`,
    rawPath: path,
    rawQueryString,
    headers: options.headers ?? {},
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      requestId: "gw-req-2",
      domainName: shape === "function-url" ? "abcdefg.lambda-url.eu-west-1.on.aws" : "abc123.execute-api.eu-west-1.amazonaws.com",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "curl/8" },
    },
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

function titleCase(header: string): string {
  return header.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

export function lambdaContext(overrides: Partial<Context> & { remainingMs?: number } = {}): Context {
  const deadline = Date.now() + (overrides.remainingMs ?? 28_000);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "classifier",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:eu-west-1:000000000000:function:classifier",
    memoryLimitInMB: "512",
    awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    logGroupName: "/aws/lambda/classifier",
    logStreamName: "2026/11/25/[$LATEST]abc",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  } as Context;
}

/** multipart/form-data exactly as `curl -F image=@cat.jpg;type=image/jpeg` writes it. */
export function curlMultipart(bytes: Buffer, fileContentType = "image/jpeg", field = "image", filename = "cat.jpg") {
  const boundary = "------------------------d74496d66958873e";
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${fileContentType}\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The same form as encoded by the platform's FormData (undici), an independent encoder. */
export async function formDataMultipart(parts: Array<{ field: string; bytes?: Buffer; filename?: string; value?: string }>) {
  const form = new FormData();
  for (const part of parts) {
    if (part.bytes) form.append(part.field, new Blob([new Uint8Array(part.bytes)], { type: "image/png" }), part.filename ?? "x.png");
    else form.append(part.field, part.value ?? "");
  }
  const response = new Response(form);
  return { body: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get("content-type") as string };
}

/** Parses the JSON body of a proxy response. */
export function bodyOf(result: { body?: string }): any {
  return JSON.parse(result.body ?? "");
}
