import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureWriteError } from '../../../src/io/captureError.js';
import { describeCapture, readCapture } from '../../../src/io/captureFile.js';
import { PcapngWriter, writePcapng } from '../../../src/io/pcapngWriter.js';
import { PcapWriter, writePcap } from '../../../src/io/pcapWriter.js';
import { payload } from '../../support/captureBytes.js';

const dir = mkdtempSync(join(tmpdir(), 'syntonic-pcap-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FRAMES = [
  { timestampNs: 1_615_905_574_344_368_799n, data: payload(60, 1) },
  { timestampNs: 1_615_905_574_350_000_000n, data: payload(90, 2) },
  { timestampNs: 1_615_905_575_000_000_000n, data: new Uint8Array(0) },
  // same second as the one before, earlier ns: writers must not assume increasing times
  { timestampNs: 1_615_905_574_999_999_999n, data: payload(1, 3), originalLength: 1514 },
  { timestampNs: 0n, data: payload(14, 4) },
  { timestampNs: 4_294_967_295_999_999_999n, data: payload(64, 5) }, // last ns of 2106-02-07
];

describe('writePcap', () => {
  it('writes the nanosecond pcap file header: magic 0xa1b23c4d, version 2.4, snaplen 262144, Ethernet', () => {
    const path = join(dir, 'header.pcap');
    writePcap(path, []);
    const bytes = readFileSync(path);
    expect([...bytes]).toEqual([
      0x4d,
      0x3c,
      0xb2,
      0xa1, // magic, little-endian
      2,
      0,
      4,
      0, // version 2.4
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0, // thiszone, sigfigs
      0x00,
      0x00,
      0x04,
      0x00, // snaplen 0x40000 = 262144
      1,
      0,
      0,
      0, // LINKTYPE_ETHERNET
    ]);
  });

  it('writes a record as seconds, ns, captured and original length', () => {
    const path = join(dir, 'record.pcap');
    writePcap(path, [{ timestampNs: 1_615_905_574_344_368_799n, data: payload(60) }]);
    const b = readFileSync(path);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    expect([v.getUint32(24, true), v.getUint32(28, true), v.getUint32(32, true), v.getUint32(36, true)]).toEqual([1_615_905_574, 344_368_799, 60, 60]);
    expect(v.byteLength).toBe(24 + 16 + 60);
  });

  it('round trip: readCapture gives back the same bytes and ns timestamps', () => {
    const path = join(dir, 'roundtrip.pcap');
    writePcap(path, FRAMES);
    const got = [...readCapture(path)];
    expect(got.map((f) => f.timestampNs)).toEqual(FRAMES.map((f) => f.timestampNs));
    expect(got.map((f) => f.data)).toEqual(FRAMES.map((f) => f.data));
    expect(got.map((f) => f.originalLength)).toEqual([60, 90, 0, 1514, 14, 64]);
    expect(got.map((f) => f.index)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(describeCapture(path).interfaces[0]!.resolution).toEqual({ base: 10, exponent: 9 });
  });

  it('cuts frames longer than the snaplen and keeps their length on the wire', () => {
    const path = join(dir, 'snaplen.pcap');
    writePcap(path, [{ timestampNs: 1n, data: payload(100) }], { snaplen: 64, linkType: 276 });
    const [f] = [...readCapture(path)];
    expect(f!.data).toEqual(payload(64));
    expect(f!.originalLength).toBe(100);
    expect(f!.linkType).toBe(276);
  });

  it('refuses times pcap cannot hold, naming the field and the frame', () => {
    const before = () =>
      writePcap(join(dir, 'neg.pcap'), [
        { timestampNs: 5n, data: payload(1) },
        { timestampNs: -1n, data: payload(1) },
      ]);
    expect(before).toThrow(CaptureWriteError);
    expect(before).toThrow('frame 2: timestampNs -1 is before 1970');
    const after = () => writePcap(join(dir, 'late.pcap'), [{ timestampNs: 4_294_967_296_000_000_000n, data: payload(1) }]);
    expect(after).toThrow(CaptureWriteError);
  });

  it('refuses options outside their range', () => {
    expect(() => writePcap(join(dir, 'o.pcap'), [], { snaplen: 0 })).toThrow(RangeError);
    expect(() => writePcap(join(dir, 'o.pcap'), [], { snaplen: 262_145 })).toThrow(RangeError);
    expect(() => writePcap(join(dir, 'o.pcap'), [], { linkType: 65_536 })).toThrow(RangeError);
  });
});

describe('PcapWriter (a recorder writing frames as they come)', () => {
  it('with bufferBytes 0, each frame is in the file as soon as write() returns', () => {
    const path = join(dir, 'live.pcap');
    const w = PcapWriter.open(path, { bufferBytes: 0 });
    expect(statSync(path).size).toBe(24);
    w.write({ timestampNs: 1_000_000_001n, data: payload(60) });
    expect(statSync(path).size).toBe(24 + 16 + 60);
    w.write({ timestampNs: 1_000_000_002n, data: payload(70) });
    expect(statSync(path).size).toBe(24 + 16 + 60 + 16 + 70);
    expect(w.frameCount).toBe(2);
    w.close();
    expect([...readCapture(path)].map((f) => f.timestampNs)).toEqual([1_000_000_001n, 1_000_000_002n]);
  });

  it('buffered: frames reach the file on flush() and close()', () => {
    const path = join(dir, 'buffered.pcap');
    const w = PcapWriter.open(path);
    w.write({ timestampNs: 7n, data: payload(60) });
    expect(statSync(path).size).toBe(24);
    w.flush();
    expect(statSync(path).size).toBe(100);
    w.write({ timestampNs: 8n, data: payload(60) });
    w.close();
    expect(statSync(path).size).toBe(176);
    expect(() => w.write({ timestampNs: 9n, data: payload(60) })).toThrow('closed');
  });

  it('writes a frame bigger than its buffer', () => {
    const path = join(dir, 'big.pcap');
    const w = PcapWriter.open(path, { bufferBytes: 100 });
    w.write({ timestampNs: 1n, data: payload(50, 1) });
    w.write({ timestampNs: 2n, data: payload(5_000, 2) });
    w.write({ timestampNs: 3n, data: payload(50, 3) });
    w.close();
    expect([...readCapture(path)].map((f) => f.data)).toEqual([payload(50, 1), payload(5_000, 2), payload(50, 3)]);
  });
});

describe('pcapng writer', () => {
  it('writes SHB, an IDB with if_tsresol 9 and EPBs that read back the same', () => {
    const path = join(dir, 'roundtrip.pcapng');
    writePcapng(path, FRAMES);
    const s = describeCapture(path);
    expect(s.format).toBe('pcapng');
    expect(s.interfaces).toHaveLength(1);
    expect(s.interfaces[0]!.resolution).toEqual({ base: 10, exponent: 9 });
    expect(s.interfaces[0]!.snaplen).toBe(262_144);
    const got = [...readCapture(path)];
    expect(got.map((f) => f.timestampNs)).toEqual(FRAMES.map((f) => f.timestampNs));
    expect(got.map((f) => f.data)).toEqual(FRAMES.map((f) => f.data));
    expect(got[3]!.originalLength).toBe(1514);
  });

  it('sizes an EPB as 32 bytes + data padded to 4', () => {
    const path = join(dir, 'size.pcapng');
    const w = PcapngWriter.open(path, { bufferBytes: 0 });
    const headers = statSync(path).size;
    expect(headers).toBe(28 + 32);
    w.write({ timestampNs: 1n, data: payload(61) });
    w.close();
    expect(statSync(path).size).toBe(headers + 32 + 64);
  });

  it('holds times beyond 2106 (64-bit ns) but not before 1970', () => {
    const path = join(dir, 'far.pcapng');
    writePcapng(path, [{ timestampNs: 10_000_000_000_000_000_000n, data: payload(8) }]);
    expect([...readCapture(path)][0]!.timestampNs).toBe(10_000_000_000_000_000_000n);
    expect(() => writePcapng(join(dir, 'neg.pcapng'), [{ timestampNs: -1n, data: payload(8) }])).toThrow(CaptureWriteError);
  });
});
