/** keys.jsonl parsed as it streams in: any split of the file into chunks gives the same keys, in order. */
import fc from "fast-check";
import { KeyLines } from "../../lambda/similar/key-lines";

const fileOf = (keys: string[]) => Buffer.from(keys.map((key) => `${JSON.stringify({ key, etag: '"e"' })}\n`).join(""));

function parseInChunks(file: Buffer, cuts: number[]): string[] {
  const lines = new KeyLines();
  const bounds = [0, ...cuts.map((cut) => cut % (file.length + 1)).sort((a, b) => a - b), file.length];
  for (let i = 1; i < bounds.length; i += 1) lines.push(file.subarray(bounds[i - 1], bounds[i]));
  return lines.end();
}

describe("KeyLines", () => {
  it("reads the same keys whatever the chunks, multi-byte characters split included", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", minLength: 1 }), { maxLength: 30 }), fc.array(fc.nat()), (keys, cuts) => {
        expect(parseInChunks(fileOf(keys), cuts)).toEqual(keys);
      }),
    );
  });

  it("takes a last line without a newline, and skips blank lines", () => {
    expect(parseInChunks(Buffer.from('{"key":"a.jpg"}\n\n{"key":"b.jpg"}'), [3, 20])).toEqual(["a.jpg", "b.jpg"]);
  });

  it.each([
    ["a line that is not JSON", "not json\n"],
    ["a line without a key", '{"etag":"e"}\n'],
  ])("refuses %s", (_name, text) => {
    expect(() => parseInChunks(Buffer.from(text), [])).toThrow(SyntaxError);
  });
});
