/**
 * Classic libpcap files (draft-ietf-opsawg-pcap): a 24-byte file header, then records of a 16-byte
 * header (ts_sec, ts_usec or ts_nsec, incl_len, orig_len) and incl_len captured bytes. Both byte
 * orders; µs (0xa1b2c3d4) and ns (0xa1b23c4d) magic.
 */
import { CaptureError } from './captureError.js';
import { MICROSECONDS, NANOSECONDS, TimestampConverter } from './captureResolution.js';
import type { ByteWindow } from './captureSource.js';
import type { CapturedFrame, CaptureInterface, CaptureIterator, CaptureSection, CaptureSummary } from './capturedFrame.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
/** libpcap's MAXIMUM_SNAPLEN: no link type allows longer captured packets. */
export const MAX_CAPTURED_BYTES = 262_144;

/** True when the first 4 bytes (read little-endian) are a classic pcap magic of either byte order. */
export function isPcapMagic(le32: number): boolean {
  return le32 === PCAP_MAGIC_US || le32 === PCAP_MAGIC_NS || le32 === 0xd4c3b2a1 || le32 === 0x4d3cb2a1;
}

export class PcapIterator implements CaptureIterator {
  private readonly littleEndian: boolean;
  private readonly linkType: number;
  /** Largest incl_len accepted: the header's snaplen when it is set, bounded by 256 KiB. */
  private readonly capturedBound: number;
  private readonly converter: TimestampConverter;
  private readonly section: CaptureSection;
  private readonly iface: CaptureInterface;
  private count = 0;
  private first: bigint | undefined = undefined;
  private last: bigint | undefined = undefined;
  private finished = false;

  /** `w` is positioned at offset 0 and holds at least 4 bytes of a pcap magic. */
  constructor(private readonly w: ByteWindow) {
    if (!w.ensure(FILE_HEADER_BYTES)) {
      w.close();
      throw new CaptureError('truncated', 0, 0, `pcap: file header at offset 0 needs ${FILE_HEADER_BYTES} bytes, the file has ${w.size}`);
    }
    const v = w.view;
    const p = w.pos;
    const magicLe = v.getUint32(p, true);
    this.littleEndian = magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS;
    const le = this.littleEndian;
    const nanosecond = v.getUint32(p, le) === PCAP_MAGIC_NS;
    const major = v.getUint16(p + 4, le);
    const minor = v.getUint16(p + 6, le);
    if (major !== 2) {
      w.close();
      throw new CaptureError('badVersion', 0, 0, `pcap: file header at offset 0 has version ${major}.${minor} (expected 2.x)`);
    }
    const snaplen = v.getUint32(p + 16, le);
    // LinkType: low 16 bits; the upper bits carry FCS information (draft-ietf-opsawg-pcap 4).
    this.linkType = v.getUint32(p + 20, le) & 0xffff;
    this.capturedBound = snaplen > 0 && snaplen < MAX_CAPTURED_BYTES ? snaplen : MAX_CAPTURED_BYTES;
    const resolution = nanosecond ? NANOSECONDS : MICROSECONDS;
    this.converter = new TimestampConverter(resolution);
    this.section = { byteOrder: le ? 'little' : 'big', majorVersion: major, minorVersion: minor };
    this.iface = {
      interfaceId: 0,
      section: 0,
      idInSection: 0,
      linkType: this.linkType,
      snaplen,
      resolution,
      tsOffsetSeconds: 0n,
      name: undefined,
      notes: [],
    };
    w.pos = p + FILE_HEADER_BYTES;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<CapturedFrame, undefined> {
    const w = this.w;
    if (this.finished) return { done: true, value: undefined };
    if (w.end - w.pos < RECORD_HEADER_BYTES && !w.ensure(RECORD_HEADER_BYTES)) {
      const at = w.offset();
      if (at === w.size) return this.finish();
      return this.fail('truncated', at, `pcap: record at offset ${at} has only ${w.size - at} of its ${RECORD_HEADER_BYTES} header bytes`);
    }
    const v = w.view;
    let p = w.pos;
    const le = this.littleEndian;
    const seconds = v.getUint32(p, le);
    const fraction = v.getUint32(p + 4, le);
    const captured = v.getUint32(p + 8, le);
    const original = v.getUint32(p + 12, le);
    if (captured > this.capturedBound) {
      const at = w.offset();
      return this.fail('badCapturedLength', at, `pcap: record at offset ${at} has captured length ${captured} (more than the bound ${this.capturedBound})`);
    }
    const recordBytes = RECORD_HEADER_BYTES + captured;
    if (w.end - p < recordBytes) {
      if (!w.ensure(recordBytes)) {
        const at = w.offset();
        return this.fail('truncated', at, `pcap: record at offset ${at} has only ${w.size - at} of its ${recordBytes} bytes`);
      }
      p = w.pos;
    }
    const data = w.slice(p + RECORD_HEADER_BYTES, captured);
    w.pos = p + recordBytes;
    const timestampNs = this.converter.fromSeconds(seconds, fraction);
    if (this.count === 0) this.first = timestampNs;
    this.last = timestampNs;
    return {
      done: false,
      value: { index: ++this.count, timestampNs, linkType: this.linkType, interfaceId: 0, data, originalLength: original },
    };
  }

  return(): IteratorResult<CapturedFrame, undefined> {
    this.close();
    return { done: true, value: undefined };
  }

  summary(): CaptureSummary {
    return {
      format: 'pcap',
      byteOrder: this.section.byteOrder,
      sections: [this.section],
      interfaces: [this.iface],
      frameCount: this.count,
      recordCount: this.count,
      firstTimestampNs: this.first,
      lastTimestampNs: this.last,
    };
  }

  close(): void {
    this.finished = true;
    this.w.close();
  }

  private finish(): IteratorResult<CapturedFrame, undefined> {
    this.close();
    return { done: true, value: undefined };
  }

  private fail(reason: 'truncated' | 'badCapturedLength', at: number, detail: string): never {
    this.close();
    throw new CaptureError(reason, at, this.count, detail);
  }
}
