import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureError, openCaptureBytes, readCapture, readCaptureBytes } from '../../../src/io/captureFile.js';
import type { CapturedFrame } from '../../../src/io/captureFile.js';
import { block, Bytes, concat, epb, idb, payload, pcapFile, shb } from '../../support/captureBytes.js';

interface Outcome {
  readonly frames: CapturedFrame[];
  readonly error: unknown;
}

function collect(source: Iterable<CapturedFrame>): Outcome {
  const frames: CapturedFrame[] = [];
  try {
    for (const f of source) frames.push(f);
  } catch (error) {
    return { frames, error };
  }
  return { frames, error: undefined };
}

function expectDamage(o: Outcome, reason: string, offset: number, framesRead: number): CaptureError {
  expect(o.error).toBeInstanceOf(CaptureError);
  const e = o.error as CaptureError;
  expect(e.reason).toBe(reason);
  expect(e.offset).toBe(offset);
  expect(e.framesRead).toBe(framesRead);
  expect(o.frames).toHaveLength(framesRead);
  expect(e.message).toContain(`offset ${offset}`);
  return e;
}

const dir = mkdtempSync(join(tmpdir(), 'syntonic-capture-damage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Three records of 60, 70 and 80 bytes: the third starts at 24 + (16 + 60) + (16 + 70) = 186 and
// the file ends at 186 + 16 + 80 = 282.
const PCAP = pcapFile({
  littleEndian: true,
  nanosecond: false,
  records: [
    { seconds: 100, fraction: 1, data: payload(60, 1) },
    { seconds: 101, fraction: 2, data: payload(70, 2) },
    { seconds: 102, fraction: 3, data: payload(80, 3) },
  ],
});
const PCAP_LAST_RECORD = 186;

// SHB 28 bytes; IDB 12 + 8 + if_tsresol option 8 + end of options 4 = 32; EPB of 60 bytes
// 12 + 20 + 60 = 92; EPB of 70 bytes 12 + 20 + 72 (padded) = 104. The last EPB starts at 152.
const SHB = shb(true);
const IDB = idb(true, { linkType: 1, tsresol: 9 });
const EPB1 = epb(true, { interfaceId: 0, units: 1_000n, data: payload(60, 1) });
const EPB2 = epb(true, { interfaceId: 0, units: 2_000n, data: payload(70, 2) });
const PCAPNG = concat(SHB, IDB, EPB1, EPB2);
const PCAPNG_LAST_BLOCK = 152;

describe('truncated files: every good frame, then a CaptureError at the damaged record', () => {
  it('layouts are as computed by hand', () => {
    expect(PCAP.length).toBe(282);
    expect(PCAPNG.length).toBe(256);
    expect([SHB.length, IDB.length, EPB1.length, EPB2.length]).toEqual([28, 32, 92, 104]);
  });

  it('pcap cut at every byte inside its last record (in memory)', () => {
    for (let cut = PCAP_LAST_RECORD + 1; cut < PCAP.length; cut++) {
      const o = collect(readCaptureBytes(PCAP.subarray(0, cut)));
      expectDamage(o, 'truncated', PCAP_LAST_RECORD, 2);
      expect(o.frames[1]!.data).toEqual(payload(70, 2));
    }
  });

  it('pcap cut at every byte inside its last record (from a file)', () => {
    for (let cut = PCAP_LAST_RECORD + 1; cut < PCAP.length; cut++) {
      const path = join(dir, `cut-${cut}.pcap`);
      writeFileSync(path, PCAP.subarray(0, cut));
      expectDamage(collect(readCapture(path)), 'truncated', PCAP_LAST_RECORD, 2);
    }
  });

  it('pcapng cut at every byte inside its last block (in memory and from a file)', () => {
    for (let cut = PCAPNG_LAST_BLOCK + 1; cut < PCAPNG.length; cut++) {
      const o = collect(readCaptureBytes(PCAPNG.subarray(0, cut)));
      expectDamage(o, 'truncated', PCAPNG_LAST_BLOCK, 1);
      expect(o.frames[0]!.data).toEqual(payload(60, 1));
      const path = join(dir, `cut-${cut}.pcapng`);
      writeFileSync(path, PCAPNG.subarray(0, cut));
      expectDamage(collect(readCapture(path)), 'truncated', PCAPNG_LAST_BLOCK, 1);
    }
  });

  it('a file that ends exactly between records ends cleanly', () => {
    expect(collect(readCaptureBytes(PCAP.subarray(0, PCAP_LAST_RECORD))).error).toBeUndefined();
    expect(collect(readCaptureBytes(PCAP.subarray(0, PCAP_LAST_RECORD))).frames).toHaveLength(2);
    expect(collect(readCaptureBytes(PCAPNG.subarray(0, PCAPNG_LAST_BLOCK))).frames).toHaveLength(1);
    expect(collect(readCaptureBytes(PCAP)).error).toBeUndefined();
    expect(collect(readCaptureBytes(PCAPNG)).error).toBeUndefined();
  });

  it('a cut inside the pcap file header or the first SHB fails at offset 0', () => {
    expectDamage(collect(readCaptureBytes(PCAP.subarray(0, 23))), 'truncated', 0, 0);
    expectDamage(collect(readCaptureBytes(PCAP.subarray(0, 3))), 'truncated', 0, 0);
    expectDamage(collect(readCaptureBytes(PCAPNG.subarray(0, 27))), 'truncated', 0, 0);
    expectDamage(collect(readCaptureBytes(PCAPNG.subarray(0, 10))), 'truncated', 0, 0);
  });

  it('an empty file is damage too', () => {
    expectDamage(collect(readCaptureBytes(new Uint8Array(0))), 'empty', 0, 0);
  });

  it('a missing file throws the file system error when the pass starts, not a CaptureError', () => {
    const frames = readCapture(join(dir, 'no-such-file.pcap'));
    expect(() => [...frames]).toThrow(/ENOENT/);
  });
});

describe('absurd headers and lengths', () => {
  it('bad magic', () => {
    const e = expectDamage(collect(readCaptureBytes(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0))), 'badMagic', 0, 0);
    expect(e.message).toContain('0x464c457f');
  });

  it('pcap version other than 2.x', () => {
    const bad = PCAP.slice();
    bad[4] = 3; // version_major, little-endian
    expectDamage(collect(readCaptureBytes(bad)), 'badVersion', 0, 0);
  });

  it('pcap captured length over the snaplen of the header', () => {
    const bytes = pcapFile({
      littleEndian: true,
      nanosecond: true,
      snaplen: 100,
      records: [
        { seconds: 1, fraction: 0, data: payload(100) },
        { seconds: 2, fraction: 0, data: payload(101) },
      ],
    });
    // second record at 24 + 16 + 100 = 140
    const e = expectDamage(collect(readCaptureBytes(bytes)), 'badCapturedLength', 140, 1);
    expect(e.message).toContain('captured length 101');
  });

  it('pcap captured length over 256 KiB, whatever the snaplen says', () => {
    const bytes = pcapFile({
      littleEndian: false,
      nanosecond: false,
      snaplen: 0x7fffffff,
      records: [{ seconds: 1, fraction: 0, data: payload(10), capturedLength: 262_145 }],
    });
    expectDamage(collect(readCaptureBytes(bytes)), 'badCapturedLength', 24, 0);
  });

  it('pcapng block total length not a multiple of 4', () => {
    const bytes = concat(SHB, IDB, EPB1, block(true, 6, EPB2.subarray(8, EPB2.length - 4), 7));
    const e = expectDamage(collect(readCaptureBytes(bytes)), 'badBlockLength', PCAPNG_LAST_BLOCK, 1);
    expect(e.message).toContain('pcapng: block at offset 152 has total length 7 (not a multiple of 4)');
  });

  it('pcapng block total length that disagrees with the copy at the end of the block', () => {
    const bad = PCAPNG.slice();
    new DataView(bad.buffer).setUint32(bad.length - 4, 100, true);
    const e = expectDamage(collect(readCaptureBytes(bad)), 'badBlockLength', PCAPNG_LAST_BLOCK, 1);
    expect(e.message).toContain('total length 104 but 100 at its end');
  });

  it('pcapng block total length below the block minimum (an EPB of 28 bytes)', () => {
    const bad = PCAPNG.slice();
    new DataView(bad.buffer).setUint32(PCAPNG_LAST_BLOCK + 4, 28, true);
    expectDamage(collect(readCaptureBytes(bad)), 'badBlockLength', PCAPNG_LAST_BLOCK, 1);
  });

  it('pcapng block total length over 16 MiB', () => {
    const bad = PCAPNG.slice();
    new DataView(bad.buffer).setUint32(PCAPNG_LAST_BLOCK + 4, 32 * 1024 * 1024, true);
    expectDamage(collect(readCaptureBytes(bad)), 'badBlockLength', PCAPNG_LAST_BLOCK, 1);
  });

  it('pcapng captured length larger than the block', () => {
    const bytes = concat(SHB, IDB, EPB1, epb(true, { interfaceId: 0, units: 2n, data: payload(60), capturedLength: 61 }));
    expectDamage(collect(readCaptureBytes(bytes)), 'badCapturedLength', PCAPNG_LAST_BLOCK, 1);
  });

  it('pcapng captured length over 256 KiB', () => {
    const bytes = concat(SHB, IDB, epb(true, { interfaceId: 0, units: 2n, data: new Uint8Array(262_145) }));
    // the EPB follows SHB (28) and IDB (32)
    const e = expectDamage(collect(readCaptureBytes(bytes)), 'badCapturedLength', 60, 0);
    expect(e.message).toContain('262144');
  });

  it('pcapng packet on an interface the section did not declare', () => {
    const bytes = concat(SHB, IDB, EPB1, epb(true, { interfaceId: 1, units: 2n, data: payload(60) }));
    expectDamage(collect(readCaptureBytes(bytes)), 'badInterface', PCAPNG_LAST_BLOCK, 1);
    // interface ids restart in a new section: interface 0 of section 1 is gone in section 2
    const twoSections = concat(SHB, IDB, SHB, EPB1);
    expectDamage(collect(readCaptureBytes(twoSections)), 'badInterface', 28 + 32 + 28, 0);
  });

  it('pcapng byte-order magic that is neither order', () => {
    const bad = PCAPNG.slice();
    bad[8] = 0x99;
    expectDamage(collect(readCaptureBytes(bad)), 'badMagic', 0, 0);
  });

  it('pcapng section version 2', () => {
    expectDamage(collect(readCaptureBytes(concat(shb(true, 2), IDB, EPB1))), 'badVersion', 0, 0);
  });

  it('pcapng option longer than its block', () => {
    // IDB body: link type, reserved, snaplen, then if_tsresol claiming 40 bytes with 4 left
    const body = new Bytes(true).u16(1).u16(0).u32(0).u16(9).u16(40).u32(9).build();
    expectDamage(collect(readCaptureBytes(concat(SHB, block(true, 1, body), EPB1))), 'badOption', 28, 0);
  });

  it('damage in a later section comes after the frames of the earlier one', () => {
    const bytes = concat(PCAPNG, shb(false).subarray(0, 20));
    expectDamage(collect(readCaptureBytes(bytes)), 'truncated', PCAPNG.length, 2);
  });
});

describe('after damage', () => {
  it('the iterator is finished: the error is thrown once, then done', () => {
    const it = openCaptureBytes(PCAP.subarray(0, PCAP.length - 1));
    expect(it.next().done).toBe(false);
    expect(it.next().done).toBe(false);
    expect(() => it.next()).toThrow(CaptureError);
    expect(it.next()).toEqual({ done: true, value: undefined });
    expect(it.summary().frameCount).toBe(2);
  });

  it('the file is closed at the end, on damage and on break', () => {
    const openFds = (): number => readdirSync('/proc/self/fd').length;
    const good = join(dir, 'good.pcap');
    const cut = join(dir, 'cut.pcap');
    writeFileSync(good, PCAP);
    writeFileSync(cut, PCAP.subarray(0, PCAP.length - 1));
    const before = openFds();
    collect(readCapture(good));
    collect(readCapture(cut));
    for (const f of readCapture(good)) if (f.index === 1) break;
    expect(openFds()).toBe(before);
  });
});
