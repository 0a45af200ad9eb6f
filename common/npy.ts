/**
 * NumPy's .npy format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html) for the two arrays the
 * catalogue index stores: little-endian float32 ("<f4") and int8 ("|i1"), C order, any shape. numpy.load, pandas
 * (through numpy) and Spark (through numpy in a UDF) read these files as they are.
 *
 * The format is a magic string, a version, a header length and a Python dict literal padded with spaces so the data
 * starts on a 64-byte boundary. Only the header is parsed here; the data is the raw array bytes. Written by hand rather
 * than with an npm parser because the function reads the header first and then streams the data (a 300 MB array must
 * not be buffered whole), which none of them do.
 */

export type NpyDtype = "<f4" | "|i1";

export interface NpyHeader {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  /** Byte offset of the first data byte. */
  readonly dataOffset: number;
  /** Bytes of data the header promises (product of the shape x item size). */
  readonly dataBytes: number;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
const ALIGNMENT = 64;
const ITEM_BYTES: Record<NpyDtype, number> = { "<f4": 4, "|i1": 1 };
/** How much of a file the header can need: enough for any header this module writes or accepts. */
export const NPY_MAX_HEADER_BYTES = 4096;

export class NpyFormatError extends Error {
  constructor(message: string) {
    super(`not a supported .npy file: ${message}`);
    this.name = "NpyFormatError";
  }
}

/** The header (version 1.0) of an array of `shape`, padded so the data starts at a multiple of 64 bytes. */
export function npyHeader(dtype: NpyDtype, shape: readonly number[]): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1; // + the closing newline
  const padding = (ALIGNMENT - (unpadded % ALIGNMENT)) % ALIGNMENT;
  const text = `${dict}${" ".repeat(padding)}\n`;
  const header = Buffer.alloc(MAGIC.length + 4);
  MAGIC.copy(header, 0);
  header.writeUInt8(1, 6);
  header.writeUInt8(0, 7);
  header.writeUInt16LE(text.length, 8);
  return Buffer.concat([header, Buffer.from(text, "latin1")]);
}

/** A whole .npy file: header + the array's bytes (little-endian, as every platform Node runs on stores them). */
export function encodeNpy(dtype: NpyDtype, shape: readonly number[], data: Float32Array | Int8Array): Buffer {
  const expected = shape.reduce((a, b) => a * b, 1);
  if (data.length !== expected) throw new Error(`data has ${data.length} values, shape ${JSON.stringify(shape)} needs ${expected}`);
  return Buffer.concat([npyHeader(dtype, shape), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/**
 * Parses the header at the start of `bytes`. Returns undefined when more bytes are needed (streaming readers call it
 * again with more); throws NpyFormatError for anything but a C-order float32/int8 array.
 */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 10) return undefined;
  if (!buffer.subarray(0, 6).equals(MAGIC)) throw new NpyFormatError("no \\x93NUMPY magic");
  const major = buffer.readUInt8(6);
  const lengthBytes = major === 1 ? 2 : major === 2 || major === 3 ? 4 : 0;
  if (lengthBytes === 0) throw new NpyFormatError(`format version ${major} is unknown`);
  if (buffer.length < 8 + lengthBytes) return undefined;
  const headerLength = lengthBytes === 2 ? buffer.readUInt16LE(8) : buffer.readUInt32LE(8);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (dataOffset > NPY_MAX_HEADER_BYTES) throw new NpyFormatError(`header of ${headerLength} bytes`);
  if (buffer.length < dataOffset) return undefined;
  const dict = buffer.subarray(8 + lengthBytes, dataOffset).toString(major === 3 ? "utf8" : "latin1");

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(dict)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(dict)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (descr !== "<f4" && descr !== "|i1" && descr !== "i1") throw new NpyFormatError(`dtype ${descr ?? "missing"} (expected <f4 or |i1)`);
  if (fortran !== "False") throw new NpyFormatError("Fortran order (expected C order)");
  if (shapeText === undefined) throw new NpyFormatError("no shape");
  const shape = shapeText
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      if (!/^\d+L?$/.test(part)) throw new NpyFormatError(`shape (${shapeText})`);
      return Number(part.replace(/L$/, ""));
    });
  const dtype: NpyDtype = descr === "<f4" ? "<f4" : "|i1";
  return { dtype, shape, dataOffset, dataBytes: shape.reduce((a, b) => a * b, 1) * ITEM_BYTES[dtype] };
}

/** A whole .npy file as a typed array (copied, so it is aligned whatever the buffer's offset). */
export function decodeNpy(bytes: Uint8Array): { header: NpyHeader; data: Float32Array | Int8Array } {
  const header = parseNpyHeader(bytes);
  if (header === undefined) throw new NpyFormatError("the file ends inside its header");
  if (bytes.length < header.dataOffset + header.dataBytes) {
    throw new NpyFormatError(`${bytes.length - header.dataOffset} data bytes, the shape needs ${header.dataBytes}`);
  }
  // A copy into a buffer of its own: Buffer.slice would share (and misalign within) Node's pooled memory.
  const raw = new Uint8Array(bytes.subarray(header.dataOffset, header.dataOffset + header.dataBytes)).buffer;
  const data = header.dtype === "<f4" ? new Float32Array(raw) : new Int8Array(raw);
  return { header, data };
}
