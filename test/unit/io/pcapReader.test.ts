import { describe, expect, it } from 'vitest';
import { describeCaptureBytes, readCaptureBytes } from '../../../src/io/captureFile.js';
import type { CapturedFrame } from '../../../src/io/captureFile.js';
import { payload, pcapFile } from '../../support/captureBytes.js';

const frames = (bytes: Uint8Array): CapturedFrame[] => [...readCaptureBytes(bytes)];

describe('classic pcap reader', () => {
  it('reads a little-endian microsecond file: seconds + µs × 1000 as ns since 1970', () => {
    const bytes = pcapFile({
      littleEndian: true,
      nanosecond: false,
      records: [
        { seconds: 1_582_303_627, fraction: 869_101, data: payload(60) },
        { seconds: 1_582_303_628, fraction: 5, data: payload(74, 1), originalLength: 1514 },
      ],
    });
    const got = frames(bytes);
    expect(got.map((f) => f.timestampNs)).toEqual([1_582_303_627_869_101_000n, 1_582_303_628_000_005_000n]);
    expect(got.map((f) => f.index)).toEqual([1, 2]);
    expect(got[1]!.data).toEqual(payload(74, 1));
    expect(got[1]!.originalLength).toBe(1514);
    expect(got[0]!.linkType).toBe(1);
    expect(got[0]!.interfaceId).toBe(0);
  });

  it('reads a big-endian microsecond file (magic bytes a1 b2 c3 d4)', () => {
    const bytes = pcapFile({
      littleEndian: false,
      nanosecond: false,
      linkType: 113,
      records: [{ seconds: 0x01020304, fraction: 999_999, data: payload(20) }],
    });
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0xa1, 0xb2, 0xc3, 0xd4]);
    const [f] = frames(bytes);
    // 0x01020304 = 16909060 s
    expect(f!.timestampNs).toBe(16_909_060_999_999_000n);
    expect(f!.linkType).toBe(113);
    expect(f!.data).toEqual(payload(20));
  });

  it('reads nanosecond files in both byte orders (magic 0xa1b23c4d)', () => {
    for (const littleEndian of [true, false]) {
      const bytes = pcapFile({
        littleEndian,
        nanosecond: true,
        records: [{ seconds: 1_486_566_127, fraction: 765_647_489, data: payload(86) }],
      });
      expect(frames(bytes)[0]!.timestampNs).toBe(1_486_566_127_765_647_489n);
    }
  });

  it('adds a fraction of 1 s or more to the seconds (ts_usec 1,500,000 is 1.5 s)', () => {
    const bytes = pcapFile({ littleEndian: true, nanosecond: false, records: [{ seconds: 10, fraction: 1_500_000, data: payload(1) }] });
    expect(frames(bytes)[0]!.timestampNs).toBe(11_500_000_000n);
  });

  it('takes the link type from the low 16 bits of the LinkType field (FCS bits above are ignored)', () => {
    // 0x14000001: F bit + FCS length 2 (bits 26-27 = 01) over LINKTYPE_ETHERNET
    const bytes = pcapFile({ littleEndian: true, nanosecond: false, linkType: 0x1400_0001, records: [{ seconds: 1, fraction: 0, data: payload(14) }] });
    expect(frames(bytes)[0]!.linkType).toBe(1);
  });

  it('summarises format, byte order, snaplen and resolution', () => {
    const bytes = pcapFile({
      littleEndian: false,
      nanosecond: true,
      snaplen: 1600,
      records: [
        { seconds: 5, fraction: 1, data: payload(10) },
        { seconds: 7, fraction: 2, data: payload(10) },
      ],
    });
    const s = describeCaptureBytes(bytes);
    expect(s.format).toBe('pcap');
    expect(s.byteOrder).toBe('big');
    expect(s.sections).toEqual([{ byteOrder: 'big', majorVersion: 2, minorVersion: 4 }]);
    expect(s.interfaces).toHaveLength(1);
    expect(s.interfaces[0]!.snaplen).toBe(1600);
    expect(s.interfaces[0]!.resolution).toEqual({ base: 10, exponent: 9 });
    expect(s.frameCount).toBe(2);
    expect(s.firstTimestampNs).toBe(5_000_000_001n);
    expect(s.lastTimestampNs).toBe(7_000_000_002n);
  });

  it('reads a file with a header and no records as zero frames', () => {
    const bytes = pcapFile({ littleEndian: true, nanosecond: false, records: [] });
    expect(bytes.length).toBe(24);
    expect(frames(bytes)).toEqual([]);
  });

  it('gives zero-length captured frames an empty data array', () => {
    const bytes = pcapFile({ littleEndian: true, nanosecond: false, records: [{ seconds: 1, fraction: 0, data: new Uint8Array(0), originalLength: 60 }] });
    const [f] = frames(bytes);
    expect(f!.data.length).toBe(0);
    expect(f!.originalLength).toBe(60);
  });
});
