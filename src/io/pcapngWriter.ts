/**
 * Writing pcapng files: one little-endian section, one interface with if_tsresol 9 (ns), one
 * Enhanced Packet Block per frame.
 */
import { CaptureWriteError } from './captureError.js';
import { FileSink } from './captureSink.js';
import { BLOCK_EPB, BLOCK_IDB, BLOCK_SHB } from './pcapngReader.js';
import { checkWriterOptions, type CaptureWriterOptions, type FrameToWrite } from './pcapWriter.js';

const EPB_FIXED_BYTES = 32;
const MAX_U32 = 0xffff_ffff;
const MAX_U64 = (1n << 64n) - 1n;

export class PcapngWriter {
  private readonly sink: FileSink;
  private readonly snaplen: number;
  private written = 0;

  private constructor(path: string, options: CaptureWriterOptions) {
    const o = checkWriterOptions(options);
    this.snaplen = o.snaplen;
    this.sink = new FileSink(path, o.bufferBytes);
    this.sink.writeDirect(headerBlocks(o.linkType, o.snaplen, options.interfaceDescription));
  }

  /** Creates (or truncates) the file at `path` and writes the SHB and IDB. */
  static open(path: string, options: CaptureWriterOptions = {}): PcapngWriter {
    return new PcapngWriter(path, options);
  }

  get frameCount(): number {
    return this.written;
  }

  write(frame: FrameToWrite): void {
    const number = this.written + 1;
    const ts = frame.timestampNs;
    if (ts < 0n || ts > MAX_U64) throw new CaptureWriteError('timestampNs', number, `timestampNs ${ts} does not fit 64 unsigned bits`);
    const original = frame.originalLength ?? frame.data.length;
    if (!Number.isInteger(original) || original < 0 || original > MAX_U32) {
      throw new CaptureWriteError('originalLength', number, `originalLength ${original} is not a 32-bit byte count`);
    }
    const captured = Math.min(frame.data.length, this.snaplen);
    const total = EPB_FIXED_BYTES + ((captured + 3) & ~3);
    let at = this.sink.reserve(total);
    let bytes = this.sink.bytes;
    let v = this.sink.view;
    if (at === undefined) {
      bytes = new Uint8Array(total);
      v = new DataView(bytes.buffer);
      at = 0;
    }
    v.setUint32(at, BLOCK_EPB, true);
    v.setUint32(at + 4, total, true);
    v.setUint32(at + 8, 0, true); // interface 0
    v.setUint32(at + 12, Number(ts >> 32n), true);
    v.setUint32(at + 16, Number(ts & 0xffff_ffffn), true);
    v.setUint32(at + 20, captured, true);
    v.setUint32(at + 24, original, true);
    bytes.set(captured === frame.data.length ? frame.data : frame.data.subarray(0, captured), at + 28);
    bytes.fill(0, at + 28 + captured, at + total - 4); // padding
    v.setUint32(at + total - 4, total, true);
    if (bytes === this.sink.bytes) this.sink.commit(total);
    else this.sink.writeDirect(bytes);
    this.written = number;
  }

  flush(): void {
    this.sink.flush();
  }

  close(): void {
    this.sink.close();
  }
}

/** SHB (version 1.0, section length unknown) + IDB (link type, snaplen, if_tsresol 9, if_description when given). */
function headerBlocks(linkType: number, snaplen: number, description: string | undefined): Uint8Array {
  const shb = 28;
  const text = description === undefined ? new Uint8Array(0) : new TextEncoder().encode(description);
  if (text.length > 0xffff) throw new RangeError(`interfaceDescription is ${text.length} bytes; an option holds at most 65535`);
  const descriptionBytes = text.length === 0 ? 0 : 4 + ((text.length + 3) & ~3);
  const idb = 20 + 8 + descriptionBytes + 4; // fixed + if_tsresol (4 + 1 padded to 4) + if_description + opt_endofopt
  const out = new Uint8Array(shb + idb);
  const v = new DataView(out.buffer);
  v.setUint32(0, BLOCK_SHB, true);
  v.setUint32(4, shb, true);
  v.setUint32(8, 0x1a2b3c4d, true);
  v.setUint16(12, 1, true);
  v.setUint16(14, 0, true);
  v.setBigInt64(16, -1n, true);
  v.setUint32(24, shb, true);
  const i = shb;
  v.setUint32(i, BLOCK_IDB, true);
  v.setUint32(i + 4, idb, true);
  v.setUint16(i + 8, linkType, true);
  v.setUint32(i + 12, snaplen, true);
  v.setUint16(i + 16, 9, true); // if_tsresol
  v.setUint16(i + 18, 1, true);
  out[i + 20] = 9; // 10^-9 s
  if (text.length > 0) {
    v.setUint16(i + 24, 3, true); // if_description
    v.setUint16(i + 26, text.length, true);
    out.set(text, i + 28);
  }
  // opt_endofopt: code 0, length 0 (already zero)
  v.setUint32(i + idb - 4, idb, true);
  return out;
}

/** Writes all `frames` to a new pcapng file at `path` (ns resolution, Ethernet unless told). */
export function writePcapng(path: string, frames: Iterable<FrameToWrite>, options: CaptureWriterOptions = {}): void {
  const w = PcapngWriter.open(path, options);
  try {
    for (const f of frames) w.write(f);
  } finally {
    w.close();
  }
}
