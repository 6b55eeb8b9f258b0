/**
 * Writing classic pcap files with nanosecond timestamps (magic 0xa1b23c4d, little-endian, version
 * 2.4): what tcpdump --time-stamp-precision=nano writes, read by Wireshark, tcpdump and libpcap ≥ 1.5.
 */
import { CaptureWriteError } from './captureError.js';
import { DEFAULT_BUFFER_BYTES, FileSink, SecondsSplitter } from './captureSink.js';
import { LINKTYPE_ETHERNET } from './linkType.js';
import { MAX_CAPTURED_BYTES, PCAP_MAGIC_NS } from './pcapReader.js';

export interface FrameToWrite {
  /** ns since 1970; must be ≥ 0 and below 2^32 s (year 2106). */
  readonly timestampNs: bigint;
  readonly data: Uint8Array;
  /** Length on the wire; data.length when absent. */
  readonly originalLength?: number;
}

export interface CaptureWriterOptions {
  /** LINKTYPE_* of every frame; LINKTYPE_ETHERNET (1) by default. */
  readonly linkType?: number;
  /** Longest captured length in bytes, 1…262144; longer frames are cut. 262144 by default. */
  readonly snaplen?: number;
  /** Bytes buffered before a write to the file (1 MiB by default); 0 writes every frame at once. */
  readonly bufferBytes?: number;
  /**
   * pcapng only: the interface's if_description, e.g. "hardware timestamps (PHC)" for a recorder that
   * writes NIC timestamps, which replay then reads as such (docs/replay.md). Classic pcap has no place for it.
   */
  readonly interfaceDescription?: string;
}

const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const MAX_U32 = 0xffff_ffff;

export function checkWriterOptions(options: CaptureWriterOptions): { linkType: number; snaplen: number; bufferBytes: number } {
  const linkType = options.linkType ?? LINKTYPE_ETHERNET;
  const snaplen = options.snaplen ?? MAX_CAPTURED_BYTES;
  const bufferBytes = options.bufferBytes ?? DEFAULT_BUFFER_BYTES;
  if (!Number.isInteger(linkType) || linkType < 0 || linkType > 0xffff) throw new RangeError(`linkType ${linkType} is not a 16-bit LINKTYPE_ value`);
  if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > MAX_CAPTURED_BYTES) {
    throw new RangeError(`snaplen ${snaplen} is outside 1…${MAX_CAPTURED_BYTES} bytes`);
  }
  if (!Number.isInteger(bufferBytes) || bufferBytes < 0) throw new RangeError(`bufferBytes ${bufferBytes} is not a byte count`);
  return { linkType, snaplen, bufferBytes };
}

/** A pcap file written frame by frame, e.g. by a recorder; call close() at the end. */
export class PcapWriter {
  private readonly sink: FileSink;
  private readonly snaplen: number;
  private readonly splitter = new SecondsSplitter();
  private written = 0;

  private constructor(path: string, options: CaptureWriterOptions) {
    const o = checkWriterOptions(options);
    this.snaplen = o.snaplen;
    this.sink = new FileSink(path, o.bufferBytes);
    const header = new Uint8Array(FILE_HEADER_BYTES);
    const v = new DataView(header.buffer);
    v.setUint32(0, PCAP_MAGIC_NS, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    // thiszone and sigfigs stay 0 (draft-ietf-opsawg-pcap 4: both must be written as 0)
    v.setUint32(16, o.snaplen, true);
    v.setUint32(20, o.linkType, true);
    this.sink.writeDirect(header);
  }

  /** Creates (or truncates) the file at `path` and writes the file header. */
  static open(path: string, options: CaptureWriterOptions = {}): PcapWriter {
    return new PcapWriter(path, options);
  }

  /** Frames written so far. */
  get frameCount(): number {
    return this.written;
  }

  write(frame: FrameToWrite): void {
    const number = this.written + 1;
    const { seconds, nanoseconds } = this.splitter.split(frame.timestampNs, number, MAX_U32);
    const original = frame.originalLength ?? frame.data.length;
    if (!Number.isInteger(original) || original < 0 || original > MAX_U32) {
      throw new CaptureWriteError('originalLength', number, `originalLength ${original} is not a 32-bit byte count`);
    }
    const captured = Math.min(frame.data.length, this.snaplen);
    const n = RECORD_HEADER_BYTES + captured;
    const at = this.sink.reserve(n);
    if (at === undefined) {
      const record = new Uint8Array(n);
      fillRecord(new DataView(record.buffer), record, 0, seconds, nanoseconds, captured, original, frame.data);
      this.sink.writeDirect(record);
    } else {
      fillRecord(this.sink.view, this.sink.bytes, at, seconds, nanoseconds, captured, original, frame.data);
      this.sink.commit(n);
    }
    this.written = number;
  }

  /** Pushes buffered frames to the file. */
  flush(): void {
    this.sink.flush();
  }

  close(): void {
    this.sink.close();
  }
}

function fillRecord(v: DataView, b: Uint8Array, at: number, seconds: number, ns: number, captured: number, original: number, data: Uint8Array): void {
  v.setUint32(at, seconds, true);
  v.setUint32(at + 4, ns, true);
  v.setUint32(at + 8, captured, true);
  v.setUint32(at + 12, original, true);
  b.set(captured === data.length ? data : data.subarray(0, captured), at + RECORD_HEADER_BYTES);
}

/** Writes all `frames` to a new pcap file at `path` (nanosecond magic, Ethernet unless told). */
export function writePcap(path: string, frames: Iterable<FrameToWrite>, options: CaptureWriterOptions = {}): void {
  const w = PcapWriter.open(path, options);
  try {
    for (const f of frames) w.write(f);
  } finally {
    w.close();
  }
}
