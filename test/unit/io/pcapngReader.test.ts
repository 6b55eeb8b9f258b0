import { describe, expect, it } from 'vitest';
import { describeCaptureBytes, readCaptureBytes } from '../../../src/io/captureFile.js';
import type { CapturedFrame } from '../../../src/io/captureFile.js';
import { block, Bytes, concat, END_OF_OPTIONS, epb, idb, opb, option, payload, shb, spb } from '../../support/captureBytes.js';

const frames = (bytes: Uint8Array): CapturedFrame[] => [...readCaptureBytes(bytes)];

/** One little-endian section, one interface with the given if_tsresol byte, one EPB of `units`. */
function oneFrame(tsresol: number | undefined, units: bigint, tsoffset?: bigint): CapturedFrame {
  const idbOptions = { linkType: 1, ...(tsresol === undefined ? {} : { tsresol }), ...(tsoffset === undefined ? {} : { tsoffset }) };
  const bytes = concat(shb(true), idb(true, idbOptions), epb(true, { interfaceId: 0, units, data: payload(60) }));
  const got = frames(bytes);
  expect(got).toHaveLength(1);
  return got[0]!;
}

describe('pcapng reader: two sections, four interfaces, every packet block kind', () => {
  const LE = true;
  const BE = false;
  const nrb = block(LE, 0x00000004, new Bytes(LE).u16(1).u16(8).raw([192, 0, 2, 1, 0x61, 0x00, 0, 0]).u16(0).u16(0).build());
  const isb = block(LE, 0x00000005, new Bytes(LE).u32(0).u32(0).u32(0).build());
  const custom = block(LE, 0x00000bad, new Bytes(LE).u32(32473).raw([1, 2, 3, 4, 5]).build());
  const dsb = block(LE, 0x0000000a, new Bytes(LE).u32(0x544c534b).u32(4).raw([9, 9, 9, 9]).build());
  const file = concat(
    // Section 1, little-endian
    shb(LE),
    idb(LE, { linkType: 1, snaplen: 0, tsresol: 9, name: 'eth0' }),
    idb(LE, { linkType: 113, snaplen: 65535, tsoffset: 1_600_000_000n }), // no if_tsresol: µs
    nrb,
    epb(LE, { interfaceId: 1, units: 123_456_789n, data: payload(44, 1) }),
    epb(LE, { interfaceId: 0, units: 1_615_905_574_344_368_799n, data: payload(60, 2) }),
    isb,
    custom,
    dsb,
    spb(LE, { data: payload(64, 3) }),
    opb(LE, { interfaceId: 1, units: 1_000_000n, data: payload(50, 4) }),
    // Section 2, big-endian: interface ids start again at 0
    shb(BE),
    idb(BE, { linkType: 276, tsresol: 0x9e }), // 2^-30 s
    idb(BE, { linkType: 1, tsresol: 0x8a, tsoffset: -1n }), // 2^-10 s, 1 s earlier
    epb(BE, { interfaceId: 0, units: (1_700_000_000n << 30n) + (1n << 29n), data: payload(70, 5) }),
    epb(BE, { interfaceId: 1, units: (1_700_000_001n << 10n) + 1n, data: payload(60, 6) }),
    epb(BE, { interfaceId: 0, units: 3n, data: payload(60, 7) }),
  );
  const got = frames(file);

  it('yields the seven packet records in file order, numbered as Wireshark does (the custom block is frame 3)', () => {
    expect(got.map((f) => f.index)).toEqual([1, 2, 4, 5, 6, 7, 8]);
  });

  it('numbers interfaces across sections in IDB order', () => {
    expect(got.map((f) => f.interfaceId)).toEqual([1, 0, 0, 1, 2, 3, 2]);
    expect(got.map((f) => f.linkType)).toEqual([113, 1, 1, 113, 276, 1, 276]);
  });

  it('converts each interface resolution and offset exactly', () => {
    expect(got.map((f) => f.timestampNs)).toEqual([
      // 123,456,789 µs + if_tsoffset 1.6e9 s
      1_600_000_123_456_789_000n,
      // if_tsresol 9: the value is ns
      1_615_905_574_344_368_799n,
      // SPB: no timestamp of its own, the previous frame's
      1_615_905_574_344_368_799n,
      // OPB: 1,000,000 µs = 1 s, + 1.6e9 s
      1_600_000_001_000_000_000n,
      // (1.7e9 × 2^30 + 2^29) × 2^-30 s = 1,700,000,000.5 s
      1_700_000_000_500_000_000n,
      // (1,700,000,001 × 2^10 + 1) × 2^-10 s − 1 s = 1,700,000,000 s + 976,562.5 ns, rounded half up
      1_700_000_000_000_976_563n,
      // 3 × 2^-30 s = 2.7939677… ns → 3 ns
      3n,
    ]);
  });

  it('gives each frame its own captured bytes', () => {
    expect(got.map((f) => f.data)).toEqual([payload(44, 1), payload(60, 2), payload(64, 3), payload(50, 4), payload(70, 5), payload(60, 6), payload(60, 7)]);
  });

  it('summarises sections and interfaces', () => {
    const s = describeCaptureBytes(file);
    expect(s.format).toBe('pcapng');
    expect(s.byteOrder).toBe('little');
    expect(s.sections.map((x) => x.byteOrder)).toEqual(['little', 'big']);
    expect(s.interfaces.map((i) => [i.interfaceId, i.section, i.idInSection, i.linkType, i.snaplen])).toEqual([
      [0, 0, 0, 1, 0],
      [1, 0, 1, 113, 65535],
      [2, 1, 0, 276, 0],
      [3, 1, 1, 1, 0],
    ]);
    expect(s.interfaces.map((i) => i.resolution)).toEqual([
      { base: 10, exponent: 9 },
      { base: 10, exponent: 6 },
      { base: 2, exponent: 30 },
      { base: 2, exponent: 10 },
    ]);
    expect(s.interfaces.map((i) => i.tsOffsetSeconds)).toEqual([0n, 1_600_000_000n, 0n, -1n]);
    expect(s.interfaces[0]!.name).toBe('eth0');
    expect(s.frameCount).toBe(7);
    expect(s.recordCount).toBe(8);
    expect(s.firstTimestampNs).toBe(1_600_000_123_456_789_000n);
    expect(s.lastTimestampNs).toBe(3n);
  });
});

describe('pcapng timestamp resolutions', () => {
  it('2^-32 s units on a 2023 date keep single-ns precision (no float rounding)', () => {
    // 3 × 2^-32 s = 0.6985 ns → 1 ns; a float64 of 1.7e18 ns has a 256 ns step
    expect(oneFrame(0xa0, (1_700_000_000n << 32n) + 3n).timestampNs).toBe(1_700_000_000_000_000_001n);
  });

  it('10^-12 s (ps) units round to the nearest ns, halves up', () => {
    expect(oneFrame(12, 1_234_567_890_123_499n).timestampNs).toBe(1_234_567_890_123n);
    expect(oneFrame(12, 5_500n).timestampNs).toBe(6n);
    expect(oneFrame(12, 5_499n).timestampNs).toBe(5n);
  });

  it('10^-3 s (ms) and 10^0 s units', () => {
    expect(oneFrame(3, 1_700_000_000_123n).timestampNs).toBe(1_700_000_000_123_000_000n);
    expect(oneFrame(0, 1_700_000_000n).timestampNs).toBe(1_700_000_000_000_000_000n);
    // the largest count below 2^53: 9,007,199,254,740,991 ms
    expect(oneFrame(3, 9_007_199_254_740_991n).timestampNs).toBe(9_007_199_254_740_991_000_000n);
  });

  it('µs by default, also for values beyond 2^53 units', () => {
    expect(oneFrame(undefined, 1_651_112_335_661_591n).timestampNs).toBe(1_651_112_335_661_591_000n);
    expect(oneFrame(6, 1n << 60n).timestampNs).toBe(1_152_921_504_606_846_976_000n);
  });

  it('adds if_tsoffset seconds to ns timestamps', () => {
    expect(oneFrame(9, 250n, 1_700_000_000n).timestampNs).toBe(1_700_000_000_000_000_250n);
  });

  it('converts timestamps whose high word changes between frames', () => {
    const bytes = concat(
      shb(true),
      idb(true, { linkType: 1, tsresol: 9 }),
      epb(true, { interfaceId: 0, units: (5n << 32n) + 0xffffffffn, data: payload(1) }),
      epb(true, { interfaceId: 0, units: 6n << 32n, data: payload(1) }),
      epb(true, { interfaceId: 0, units: (5n << 32n) + 1n, data: payload(1) }),
    );
    // 5 × 2^32 = 21,474,836,480
    expect(frames(bytes).map((f) => f.timestampNs)).toEqual([21_474_836_480n + 4_294_967_295n, 25_769_803_776n, 21_474_836_481n]);
  });
});

describe('pcapng packet blocks', () => {
  it('cuts a Simple Packet Block to the snaplen of interface 0', () => {
    const bytes = concat(shb(true), idb(true, { linkType: 1, snaplen: 60 }), spb(true, { data: payload(64) }));
    const [f] = frames(bytes);
    expect(f!.data).toEqual(payload(60));
    expect(f!.originalLength).toBe(64);
  });

  it('gives a Simple Packet Block that comes first the timestamp 0', () => {
    const bytes = concat(shb(true), idb(true, { linkType: 1 }), spb(true, { data: payload(60) }));
    expect(frames(bytes)[0]!.timestampNs).toBe(0n);
  });

  it('skips Enhanced Packet Block options', () => {
    const flags = option(true, 2, new Bytes(true).u32(1).build()); // epb_flags: inbound
    const comment = option(true, 1, new TextEncoder().encode('sync'));
    const body = concat(new Bytes(true).u32(0).u32(0).u32(1_000).u32(5).u32(5).raw(payload(5)).pad4().build(), flags, comment, END_OF_OPTIONS);
    const bytes = concat(shb(true), idb(true, { linkType: 1 }), block(true, 6, body), epb(true, { interfaceId: 0, units: 2_000n, data: payload(3) }));
    const got = frames(bytes);
    expect(got.map((f) => f.data)).toEqual([payload(5), payload(3)]);
    expect(got.map((f) => f.timestampNs)).toEqual([1_000_000n, 2_000_000n]);
  });

  it('numbers frames as Wireshark does: custom and journal export blocks take a frame number, NRB/ISB/DSB do not', () => {
    const LE = true;
    const nrb = block(LE, 0x00000004, new Bytes(LE).u16(0).u16(0).build());
    const isb = block(LE, 0x00000005, new Bytes(LE).u32(0).u32(0).u32(0).build());
    const dsb = block(LE, 0x0000000a, new Bytes(LE).u32(0x544c534b).u32(4).raw([9, 9, 9, 9]).build());
    const customNoCopy = block(LE, 0x40000bad, new Bytes(LE).u32(32473).raw([1, 2, 3]).build());
    const journal = block(LE, 0x00000009, new TextEncoder().encode('MESSAGE=x\n'));
    const bytes = concat(
      shb(LE),
      idb(LE, { linkType: 1 }),
      nrb,
      epb(LE, { interfaceId: 0, units: 1n, data: payload(20) }),
      isb,
      dsb,
      customNoCopy,
      journal,
      epb(LE, { interfaceId: 0, units: 2n, data: payload(20) }),
    );
    // tshark 4.0 on this layout: frames 1 (EPB), 2 (custom), 3 (journal), 4 (EPB)
    expect(frames(bytes).map((f) => f.index)).toEqual([1, 4]);
    const s = describeCaptureBytes(bytes);
    expect(s.frameCount).toBe(2);
    expect(s.recordCount).toBe(4);
  });

  it('reads a section with no packets as zero frames', () => {
    expect(frames(concat(shb(true), idb(true, { linkType: 1 })))).toEqual([]);
  });
});
