/**
 * keys.jsonl read as it streams in: one `{"key": ...}` line per row, parsed a line at a time, so the function holds
 * the keys and one chunk, never the whole file beside them (docs/catalogue.md, "How large a catalogue").
 * A newline byte never occurs inside a UTF-8 sequence, so chunks can be split at newline bytes before decoding.
 */
const NEWLINE = 0x0a;

export class KeyLines {
  readonly keys: string[] = [];
  private rest: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): void {
    const bytes =
      this.rest.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([this.rest, chunk]);
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE, start); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
      this.line(bytes.subarray(start, end));
      start = end + 1;
    }
    // A copy: the chunk's buffer is the stream's and may be reused.
    this.rest = Buffer.from(bytes.subarray(start));
  }

  /** The keys, once the last chunk is in (a final line without a newline counts). */
  end(): string[] {
    this.line(this.rest);
    this.rest = Buffer.alloc(0);
    return this.keys;
  }

  private line(bytes: Buffer): void {
    const text = bytes.toString("utf8");
    if (text.trim() === "") return;
    const row = JSON.parse(text) as { key?: unknown } | null;
    if (typeof row?.key !== "string") throw new SyntaxError(`keys.jsonl line ${this.keys.length + 1} has no "key" string`);
    this.keys.push(row.key);
  }
}
