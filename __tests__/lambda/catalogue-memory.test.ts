/**
 * The bound the function enforces on a catalogue index (common/catalogue-memory.ts): the largest index it names fits,
 * one row more does not, the memory size it asks for holds the index, and the search kernel's 4 GiB caps every size.
 */
import fc from "fast-check";
import {
  indexFitsMemory,
  kernelMemoryBytes,
  largestIndexRows,
  MAX_FUNCTION_MEMORY_MB,
  memoryMbFor,
  WASM_MEMORY_MAX_BYTES,
} from "../../common/catalogue-memory";

describe("the catalogue index's memory bound", () => {
  it("names a largest index that fits, with one row more that does not", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 256, max: MAX_FUNCTION_MEMORY_MB }),
        fc.integer({ min: 2, max: 2048 }),
        fc.integer({ min: 20, max: 1100 }),
        (memoryMb, dim, lineBytes) => {
          const largest = largestIndexRows(memoryMb, dim, lineBytes);
          expect(indexFitsMemory(memoryMb, largest, dim, largest * lineBytes)).toBe(true);
          expect(indexFitsMemory(memoryMb, largest + 1, dim, (largest + 1) * lineBytes)).toBe(false);
        },
      ),
    );
  });

  it("asks for a memory size that holds the index, and no smaller one does", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3_000_000 }),
        fc.integer({ min: 2, max: 1024 }),
        fc.integer({ min: 20, max: 400 }),
        (count, dim, lineBytes) => {
          const needed = memoryMbFor(count, dim, count * lineBytes);
          if (needed === undefined) return;
          expect(indexFitsMemory(needed, count, dim, count * lineBytes)).toBe(true);
          expect(indexFitsMemory(needed - 1, count, dim, count * lineBytes)).toBe(false);
        },
      ),
    );
  });

  it("holds about 397,000 rows of 768 values at the default 512 MB (64-byte key lines), as bench:lambda measured", () => {
    expect(largestIndexRows(512, 768, 64)).toBeGreaterThan(390_000);
    expect(largestIndexRows(512, 768, 64)).toBeLessThan(400_000);
  });

  it("stops at the search kernel's 4 GiB whatever the memory: no memory size holds 6 million rows of 768 values", () => {
    const largest = largestIndexRows(MAX_FUNCTION_MEMORY_MB, 768, 64);
    expect(kernelMemoryBytes(largest, 768)).toBeLessThanOrEqual(WASM_MEMORY_MAX_BYTES);
    expect(kernelMemoryBytes(largest + 1, 768)).toBeGreaterThan(WASM_MEMORY_MAX_BYTES);
    expect(memoryMbFor(6_000_000, 768, 6_000_000 * 64)).toBeUndefined();
    expect(indexFitsMemory(MAX_FUNCTION_MEMORY_MB, 6_000_000, 768, 6_000_000 * 64)).toBe(false);
  });
});
