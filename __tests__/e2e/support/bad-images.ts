/** Hostile or broken uploads for the end-to-end tests, built from bytes so each one is exactly what it claims. */
import * as zlib from "zlib";

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A valid PNG whose every row is `row` (filter byte first). */
function pngOfRows(width: number, height: number, bitDepth: number, colourType: number, row: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(bitDepth, 8);
  header.writeUInt8(colourType, 9);
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: height }, () => row)), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A valid 1-bit grey PNG of width x height: a few kB on disk, width*height pixels once decoded (a "bomb"). */
export function pngBomb(width: number, height: number): Buffer {
  return pngOfRows(width, height, 1, 0, Buffer.alloc(1 + Math.ceil(width / 8))); // filter byte + packed pixels
}

/** The first `share` of a real image: right magic bytes, missing data. */
export function truncated(image: Buffer, share = 0.5): Buffer {
  return image.subarray(0, Math.floor(image.length * share));
}

/** A little-endian TIFF header and directory stub: a real image format that is not on the allow-list. */
export const TIFF_BYTES = Buffer.concat([Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]), Buffer.alloc(64)]);

/** A valid RGBA PNG of width x height in one colour: a few hundred kB on the wire, a busy second for a worker. */
export function pngRgba(width: number, height: number): Buffer {
  const row = Buffer.alloc(1 + 4 * width, 0x80);
  row[0] = 0; // filter: none
  return pngOfRows(width, height, 8, 6, row);
}

/** multipart/form-data as curl -F sends it, cut inside the file data (no closing boundary). */
export function cutMultipart(image: Buffer): { body: Buffer; contentType: string } {
  const boundary = "------------------------e2ecut0123456789";
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head), image.subarray(0, Math.floor(image.length / 2))]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
