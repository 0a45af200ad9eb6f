import fc from "fast-check";
import { decodeNpy, encodeNpy, NpyFormatError, parseNpyHeader } from "../../../common/npy";

// Written by numpy 2.4.6: np.save(f, np.array([[1.0, -2.5, 0.25], [0, 1, 2]], dtype="<f4")), and the int8 array
// [[1, -2, 127], [-127, 0, 5]].
const NUMPY_F4 =
  "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000803f000020c00000803e000000000000803f00000040";
const NUMPY_I1 =
  "934e554d5059010076007b276465736372273a20277c6931272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a01fe7f810005";

describe("npy", () => {
  it("writes float32 and int8 arrays byte for byte as numpy.save does", () => {
    // Act
    const f4 = encodeNpy("<f4", [2, 3], Float32Array.from([1, -2.5, 0.25, 0, 1, 2]));
    const i1 = encodeNpy("|i1", [2, 3], Int8Array.from([1, -2, 127, -127, 0, 5]));

    // Assess
    expect(f4.toString("hex")).toBe(NUMPY_F4);
    expect(i1.toString("hex")).toBe(NUMPY_I1);
  });

  it("reads numpy's files", () => {
    // Act
    const f4 = decodeNpy(Buffer.from(NUMPY_F4, "hex"));
    const i1 = decodeNpy(Buffer.from(NUMPY_I1, "hex"));

    // Assess
    expect(f4.header).toEqual({ dtype: "<f4", shape: [2, 3], dataOffset: 128, dataBytes: 24 });
    expect(Array.from(f4.data)).toEqual([1, -2.5, 0.25, 0, 1, 2]);
    expect(Array.from(i1.data)).toEqual([1, -2, 127, -127, 0, 5]);
  });

  it("round-trips any float32 matrix, with the data 64-byte aligned", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 40 }), fc.integer(), (rows, cols, seed) => {
        const data = Float32Array.from({ length: rows * cols }, (_, i) => Math.fround(Math.sin(seed + i)));
        const file = encodeNpy("<f4", [rows, cols], data);
        const decoded = decodeNpy(file);
        expect(decoded.header.dataOffset % 64).toBe(0);
        expect(decoded.header.shape).toEqual([rows, cols]);
        expect(Array.from(decoded.data)).toEqual(Array.from(data));
      }),
    );
  });

  it("asks for more bytes while the header is incomplete, so a stream can be parsed as it arrives", () => {
    const file = Buffer.from(NUMPY_F4, "hex");
    for (const length of [0, 5, 9, 60, 127]) expect(parseNpyHeader(file.subarray(0, length))).toBeUndefined();
    expect(parseNpyHeader(file.subarray(0, 128))?.shape).toEqual([2, 3]);
  });

  it.each([
    ["not an npy file", Buffer.from("PK\x03\x04 a zip file, not npy at all........", "latin1"), /no \\x93NUMPY magic/],
    ["float64", Buffer.from(NUMPY_F4.replace("3c6634", "3c6638"), "hex"), /dtype <f8/],
    ["Fortran order", Buffer.from(NUMPY_F4.replace("46616c7365", "5472756520"), "hex"), /Fortran order/],
    ["data cut short", Buffer.from(NUMPY_F4, "hex").subarray(0, 140), /data bytes, the shape needs 24/],
  ])("refuses %s with a clear message", (_name, file, message) => {
    expect(() => decodeNpy(file)).toThrow(NpyFormatError);
    expect(() => decodeNpy(file)).toThrow(message);
  });
});
