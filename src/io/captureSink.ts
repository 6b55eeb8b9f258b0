/** Buffered, synchronous appending to a file, shared by the pcap and pcapng writers. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { CaptureWriteError } from './captureError.js';

export const DEFAULT_BUFFER_BYTES = 1 << 20;
const NS_PER_S = 1_000_000_000n;

export class FileSink {
  private fd: number | undefined;
  private readonly buf: Uint8Array;
  readonly view: DataView;
  private used = 0;

  /** bufferBytes 0: every record goes to the file at once (nothing lost if the process dies). */
  constructor(path: string, bufferBytes: number) {
    this.fd = openSync(path, 'w');
    this.buf = new Uint8Array(Math.max(bufferBytes, 0));
    this.view = new DataView(this.buf.buffer);
  }

  /**
   * Room for `n` bytes at the returned offset of `buf`/`view`, to be filled before the next call
   * and then committed with `commit(n)`. Undefined when the record is bigger than the buffer; the
   * caller then writes it with `writeDirect`.
   */
  reserve(n: number): number | undefined {
    if (this.fd === undefined) throw new Error('capture writer: already closed');
    if (this.used + n > this.buf.byteLength) this.flush();
    return n <= this.buf.byteLength ? this.used : undefined;
  }

  commit(n: number): void {
    this.used += n;
    if (this.buf.byteLength === 0) this.flush();
  }

  get bytes(): Uint8Array {
    return this.buf;
  }

  writeDirect(bytes: Uint8Array): void {
    if (this.fd === undefined) throw new Error('capture writer: already closed');
    this.flush();
    writeAll(this.fd, bytes);
  }

  flush(): void {
    if (this.fd === undefined || this.used === 0) return;
    writeAll(this.fd, this.buf.subarray(0, this.used));
    this.used = 0;
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done);
}

/** Splits ns since 1970 into whole seconds and the ns within the second, keeping the last second. */
export class SecondsSplitter {
  private baseNs = -1n;
  private seconds = 0;

  /** Throws CaptureWriteError when the time is before 1970 or beyond `maxSeconds`. */
  split(timestampNs: bigint, frameNumber: number, maxSeconds: number): { seconds: number; nanoseconds: number } {
    let offset = timestampNs - this.baseNs;
    if (this.baseNs < 0n || offset < 0n || offset >= NS_PER_S) {
      if (timestampNs < 0n) throw new CaptureWriteError('timestampNs', frameNumber, `timestampNs ${timestampNs} is before 1970`);
      const seconds = timestampNs / NS_PER_S;
      if (seconds > BigInt(maxSeconds)) {
        throw new CaptureWriteError('timestampNs', frameNumber, `timestampNs ${timestampNs} is beyond the ${maxSeconds} s the format holds`);
      }
      this.seconds = Number(seconds);
      this.baseNs = seconds * NS_PER_S;
      offset = timestampNs - this.baseNs;
    }
    return { seconds: this.seconds, nanoseconds: Number(offset) };
  }
}
