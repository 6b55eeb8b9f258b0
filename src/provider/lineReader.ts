/**
 * Splits a byte stream into newline-terminated lines, one at a time on demand (so that a reader can
 * stop taking lines while its peer is not reading replies). A line longer than the limit is reported
 * once and discarded up to its newline; the stream stays usable after it.
 */
export type LineEvent =
  | { readonly kind: 'line'; readonly text: string }
  /** A line exceeded maxLineBytes; `bytes` is how many were seen when it was reported. */
  | { readonly kind: 'tooLong'; readonly bytes: number };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const EMPTY = Buffer.alloc(0);

export class LineReader {
  private pending: Buffer = EMPTY;
  /** True while skipping the rest of an oversized line. */
  private discarding = false;

  constructor(private readonly maxLineBytes: number) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
  }

  /** Bytes held, not yet returned as lines. */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  /** The next complete line (blank lines skipped), a tooLong event, or undefined when more input is needed. */
  next(): LineEvent | undefined {
    for (;;) {
      const end = this.pending.indexOf(NEWLINE);
      if (this.discarding) {
        if (end < 0) {
          this.pending = EMPTY;
          return undefined;
        }
        this.discarding = false;
        this.pending = this.pending.subarray(end + 1);
        continue;
      }
      if (end < 0) return this.pendingTooLong();
      const line = this.take(end);
      if (line.length > this.maxLineBytes) return { kind: 'tooLong', bytes: line.length };
      const text = line.toString('utf8').trim();
      if (text.length > 0) return { kind: 'line', text };
    }
  }

  private pendingTooLong(): LineEvent | undefined {
    if (this.pending.length <= this.maxLineBytes) return undefined;
    const bytes = this.pending.length;
    this.pending = EMPTY;
    this.discarding = true;
    return { kind: 'tooLong', bytes };
  }

  /** Removes and returns the line ending at `end` (the newline's index), without its CR LF. */
  private take(end: number): Buffer {
    const stop = end > 0 && this.pending[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    const line = this.pending.subarray(0, stop);
    this.pending = this.pending.subarray(end + 1);
    return line;
  }
}
