/**
 * pcapng files (draft-ietf-opsawg-pcapng): a sequence of sections, each a Section Header Block (its
 * byte order given by its byte-order magic) followed by Interface Description Blocks and packet
 * blocks. Read: SHB, IDB (if_tsresol, if_tsoffset, if_name), Enhanced Packet Block, Simple Packet
 * Block, the obsolete Packet Block; every other block (NRB, ISB, DSB, custom…) is skipped by length.
 */
import { CaptureError, type CaptureErrorReason } from './captureError.js';
import { MICROSECONDS, resolutionFromTsresol, TimestampConverter, type TimestampResolution } from './captureResolution.js';
import type { ByteWindow } from './captureSource.js';
import type { CapturedFrame, CaptureInterface, CaptureIterator, CaptureSection, CaptureSummary } from './capturedFrame.js';
import { MAX_CAPTURED_BYTES } from './pcapReader.js';

export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 0x00000001;
/** The obsolete Packet Block (draft-ietf-opsawg-pcapng Appendix A). */
export const BLOCK_OPB = 0x00000002;
export const BLOCK_SPB = 0x00000003;
export const BLOCK_EPB = 0x00000006;
/** Systemd Journal Export Block and the two Custom Block types: Wireshark numbers them as frames. */
export const BLOCK_JOURNAL = 0x00000009;
export const BLOCK_CUSTOM = 0x00000bad;
export const BLOCK_CUSTOM_NO_COPY = 0x40000bad;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Block type + block total length, and the trailing copy of the length. */
const BLOCK_OVERHEAD_BYTES = 12;
/** Wireshark refuses blocks over 16 MiB; so does this reader, which holds a block in memory. */
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_HARDWARE = 15;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

interface SectionInterface {
  readonly globalId: number;
  readonly linkType: number;
  readonly snaplen: number;
  readonly converter: TimestampConverter;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class PcapngIterator implements CaptureIterator {
  private littleEndian = true;
  private readonly sections: CaptureSection[] = [];
  private readonly interfaces: CaptureInterface[] = [];
  private sectionInterfaces: SectionInterface[] = [];
  /** Packet records yielded. */
  private count = 0;
  /** Records Wireshark numbers as frames: packets, custom blocks, journal export blocks. */
  private records = 0;
  private first: bigint | undefined = undefined;
  private last: bigint | undefined = undefined;
  private finished = false;

  /** `w` is positioned at offset 0, at a Section Header Block type. */
  constructor(private readonly w: ByteWindow) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<CapturedFrame, undefined> {
    if (this.finished) return { done: true, value: undefined };
    const w = this.w;
    for (;;) {
      if (w.end - w.pos < 8 && !w.ensure(8)) {
        const at = w.offset();
        if (at === w.size) return this.finish();
        return this.fail('truncated', at, `pcapng: block at offset ${at} has only ${w.size - at} of its 8 header bytes`);
      }
      const type = w.view.getUint32(w.pos, this.littleEndian);
      if (type === BLOCK_SHB) this.readByteOrder();
      const le = this.littleEndian;
      const totalBytes = w.view.getUint32(w.pos + 4, le);
      this.checkBlockLength(type, totalBytes);
      if (w.end - w.pos < totalBytes && !w.ensure(totalBytes)) {
        const at = w.offset();
        return this.fail('truncated', at, `pcapng: block at offset ${at} has only ${w.size - at} of its ${totalBytes} bytes`);
      }
      const p = w.pos;
      const v = w.view;
      const trailing = v.getUint32(p + totalBytes - 4, le);
      if (trailing !== totalBytes) {
        const at = w.offset();
        return this.fail('badBlockLength', at, `pcapng: block at offset ${at} has total length ${totalBytes} but ${trailing} at its end`);
      }
      let frame: CapturedFrame | undefined;
      switch (type) {
        case BLOCK_EPB:
          frame = this.enhancedPacket(p, totalBytes);
          break;
        case BLOCK_SPB:
          frame = this.simplePacket(p, totalBytes);
          break;
        case BLOCK_OPB:
          frame = this.obsoletePacket(p, totalBytes);
          break;
        case BLOCK_SHB:
          this.sectionHeader(p, totalBytes);
          break;
        case BLOCK_IDB:
          this.interfaceDescription(p, totalBytes);
          break;
        case BLOCK_CUSTOM:
        case BLOCK_CUSTOM_NO_COPY:
        case BLOCK_JOURNAL:
          // Not packets, but Wireshark gives them frame numbers: keep `index` equal to frame.number.
          this.records++;
          break;
        default:
          break; // NRB, ISB, DSB, custom and unknown blocks: nothing a replay needs
      }
      w.pos = p + totalBytes;
      if (frame !== undefined) return { done: false, value: frame };
    }
  }

  return(): IteratorResult<CapturedFrame, undefined> {
    this.close();
    return { done: true, value: undefined };
  }

  summary(): CaptureSummary {
    return {
      format: 'pcapng',
      byteOrder: this.sections[0]?.byteOrder ?? 'little',
      sections: [...this.sections],
      interfaces: [...this.interfaces],
      frameCount: this.count,
      recordCount: this.records,
      firstTimestampNs: this.first,
      lastTimestampNs: this.last,
    };
  }

  close(): void {
    this.finished = true;
    this.w.close();
  }

  // ---------------------------------------------------------------------------------------------

  /** An SHB sets the byte order of its section from its byte-order magic (the 3rd word). */
  private readByteOrder(): void {
    const w = this.w;
    const at = w.offset();
    if (!w.ensure(12)) this.fail('truncated', at, `pcapng: section header at offset ${at} has only ${w.size - at} bytes`);
    const magicLe = w.view.getUint32(w.pos + 8, true);
    if (magicLe === BYTE_ORDER_MAGIC) this.littleEndian = true;
    else if (magicLe === 0x4d3c2b1a) this.littleEndian = false;
    else {
      this.fail('badMagic', at, `pcapng: section header at offset ${at} has byte-order magic 0x${magicLe.toString(16).padStart(8, '0')} (expected 0x1a2b3c4d)`);
    }
  }

  private checkBlockLength(type: number, totalBytes: number): void {
    const at = this.w.offset();
    const minimum = minimumBlockBytes(type);
    if (totalBytes % 4 !== 0) {
      this.fail('badBlockLength', at, `pcapng: block at offset ${at} has total length ${totalBytes} (not a multiple of 4)`);
    }
    if (totalBytes < minimum) {
      this.fail('badBlockLength', at, `pcapng: block at offset ${at} (type 0x${type.toString(16)}) has total length ${totalBytes} (less than ${minimum})`);
    }
    if (totalBytes > MAX_BLOCK_BYTES) {
      this.fail('badBlockLength', at, `pcapng: block at offset ${at} has total length ${totalBytes} (more than ${MAX_BLOCK_BYTES})`);
    }
  }

  private sectionHeader(p: number, totalBytes: number): void {
    const v = this.w.view;
    const le = this.littleEndian;
    const major = v.getUint16(p + 12, le);
    const minor = v.getUint16(p + 14, le);
    if (major !== 1) {
      const at = this.w.offset();
      this.fail('badVersion', at, `pcapng: section header at offset ${at} has version ${major}.${minor} (expected 1.x)`);
    }
    this.sections.push({ byteOrder: le ? 'little' : 'big', majorVersion: major, minorVersion: minor });
    // Interface ids restart in every section.
    this.sectionInterfaces = [];
    this.forEachOption(p + 24, p + totalBytes - 4, () => undefined);
  }

  private interfaceDescription(p: number, totalBytes: number): void {
    const v = this.w.view;
    const le = this.littleEndian;
    if (this.sections.length === 0) {
      const at = this.w.offset();
      this.fail('badMagic', at, `pcapng: block at offset ${at} comes before any section header`);
    }
    const linkType = v.getUint16(p + 8, le);
    const snaplen = v.getUint32(p + 12, le);
    let resolution: TimestampResolution = MICROSECONDS;
    let tsOffsetSeconds = 0n;
    let name: string | undefined;
    const notes: string[] = [];
    const text = (at: number, length: number): string => utf8.decode(this.w.buf.subarray(at, at + length)).replace(/\0+$/, '');
    this.forEachOption(p + 16, p + totalBytes - 4, (code, at, length) => {
      if (code === IF_TSRESOL && length >= 1) resolution = resolutionFromTsresol(v.getUint8(at));
      else if (code === IF_TSOFFSET && length >= 8) tsOffsetSeconds = v.getBigInt64(at, le);
      else if (code === IF_NAME) name = text(at, length);
      else if (code === IF_DESCRIPTION || code === IF_HARDWARE || code === OPT_COMMENT) notes.push(text(at, length));
    });
    const globalId = this.interfaces.length;
    this.interfaces.push({
      interfaceId: globalId,
      section: this.sections.length - 1,
      idInSection: this.sectionInterfaces.length,
      linkType,
      snaplen,
      resolution,
      tsOffsetSeconds,
      name,
      notes,
    });
    this.sectionInterfaces.push({ globalId, linkType, snaplen, converter: new TimestampConverter(resolution, tsOffsetSeconds) });
  }

  /** EPB body: interface id (32 bits), timestamp high, low, captured length, original length, data, options. */
  private enhancedPacket(p: number, totalBytes: number): CapturedFrame {
    return this.timestampedPacket(p, totalBytes, this.w.view.getUint32(p + 8, this.littleEndian));
  }

  /** OPB body: interface id (16 bits), drops count (16 bits), then as an EPB. */
  private obsoletePacket(p: number, totalBytes: number): CapturedFrame {
    return this.timestampedPacket(p, totalBytes, this.w.view.getUint16(p + 8, this.littleEndian));
  }

  /** The part EPB and OPB share from octet 12 of the block on. */
  private timestampedPacket(p: number, totalBytes: number, interfaceId: number): CapturedFrame {
    const v = this.w.view;
    const le = this.littleEndian;
    const iface = this.sectionInterface(interfaceId);
    const high = v.getUint32(p + 12, le);
    const low = v.getUint32(p + 16, le);
    const captured = v.getUint32(p + 20, le);
    const original = v.getUint32(p + 24, le);
    this.checkCaptured(captured, totalBytes - 32);
    const data = this.w.slice(p + 28, captured);
    return this.frame(iface, iface.converter.fromUnits(high, low), data, original);
  }

  /**
   * SPB body: original length, data. Interface 0 of the section; captured length is
   * min(original length, snaplen of interface 0, what the block holds). An SPB has no timestamp: it
   * gets the previous frame's timestamp (0n if it is the first frame), so times never go backwards.
   */
  private simplePacket(p: number, totalBytes: number): CapturedFrame {
    const iface = this.sectionInterface(0);
    const original = this.w.view.getUint32(p + 8, this.littleEndian);
    let captured = Math.min(original, totalBytes - 16);
    if (iface.snaplen > 0) captured = Math.min(captured, iface.snaplen);
    this.checkCaptured(captured, totalBytes - 16);
    const data = this.w.slice(p + 12, captured);
    return this.frame(iface, this.last ?? 0n, data, original);
  }

  private frame(iface: SectionInterface, timestampNs: bigint, data: Uint8Array, originalLength: number): CapturedFrame {
    if (this.count === 0) this.first = timestampNs;
    this.last = timestampNs;
    this.count++;
    return { index: ++this.records, timestampNs, linkType: iface.linkType, interfaceId: iface.globalId, data, originalLength };
  }

  private sectionInterface(id: number): SectionInterface {
    const iface = this.sectionInterfaces[id];
    if (iface === undefined) {
      const at = this.w.offset();
      this.fail(
        'badInterface',
        at,
        `pcapng: packet block at offset ${at} refers to interface ${id}, but the section declares ${this.sectionInterfaces.length}`,
      );
    }
    return iface;
  }

  private checkCaptured(captured: number, room: number): void {
    if (captured > room || captured > MAX_CAPTURED_BYTES) {
      const at = this.w.offset();
      const bound = captured > room ? `the block holds ${room} bytes` : `the maximum is ${MAX_CAPTURED_BYTES}`;
      this.fail('badCapturedLength', at, `pcapng: packet block at offset ${at} has captured length ${captured} (${bound})`);
    }
  }

  /** Calls `use(code, valueOffset, valueLength)` for each option in [from, to). */
  private forEachOption(from: number, to: number, use: (code: number, at: number, length: number) => void): void {
    const v = this.w.view;
    const le = this.littleEndian;
    let q = from;
    while (q + 4 <= to) {
      const code = v.getUint16(q, le);
      const length = v.getUint16(q + 2, le);
      if (code === OPT_ENDOFOPT) return;
      if (q + 4 + length > to) {
        const at = this.w.offset();
        this.fail('badOption', at, `pcapng: block at offset ${at} has option ${code} of length ${length} running past the block`);
      }
      use(code, q + 4, length);
      q += 4 + ((length + 3) & ~3);
    }
  }

  private finish(): IteratorResult<CapturedFrame, undefined> {
    this.close();
    return { done: true, value: undefined };
  }

  private fail(reason: CaptureErrorReason, at: number, detail: string): never {
    this.close();
    throw new CaptureError(reason, at, this.count, detail);
  }
}

function minimumBlockBytes(type: number): number {
  switch (type) {
    case BLOCK_SHB:
      return 28; // overhead + byte-order magic, version, section length
    case BLOCK_IDB:
      return 20; // overhead + link type, reserved, snaplen
    case BLOCK_EPB:
    case BLOCK_OPB:
      return 32; // overhead + five 32-bit fields
    case BLOCK_SPB:
      return 16; // overhead + original length
    default:
      return BLOCK_OVERHEAD_BYTES;
  }
}
