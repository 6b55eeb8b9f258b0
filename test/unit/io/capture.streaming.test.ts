import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCapture, readCapture } from '../../../src/io/captureFile.js';
import type { CapturedFrame } from '../../../src/io/captureFile.js';
import { CHUNK_BYTES } from '../../../src/io/captureSource.js';
import { writePcapng } from '../../../src/io/pcapngWriter.js';
import { writePcap } from '../../../src/io/pcapWriter.js';

const dir = mkdtempSync(join(tmpdir(), 'syntonic-capture-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COUNT = 40_000;
const T0_NS = 1_700_000_000_000_000_000n;

/** Frame i: (i × 7) mod 301 bytes, every byte (i + position) mod 256; sent at T0 + i × 1,000,003 ns. */
function frame(i: number): { timestampNs: bigint; data: Uint8Array } {
  const n = (i * 7) % 301;
  return { timestampNs: T0_NS + BigInt(i) * 1_000_003n, data: Uint8Array.from({ length: n }, (_, k) => (i + k) & 0xff) };
}

function* frames(): Generator<{ timestampNs: bigint; data: Uint8Array }> {
  for (let i = 0; i < COUNT; i++) yield frame(i);
  // a 200 KiB frame, bound to straddle a 1 MiB chunk boundary somewhere
  yield { timestampNs: T0_NS + BigInt(COUNT) * 1_000_003n, data: new Uint8Array(200 * 1024).fill(0xa5) };
}

function check(got: readonly CapturedFrame[]): void {
  expect(got).toHaveLength(COUNT + 1);
  for (let i = 0; i < COUNT; i++) {
    const want = frame(i);
    const f = got[i]!;
    if (f.index !== i + 1 || f.timestampNs !== want.timestampNs || f.data.length !== want.data.length) {
      expect({ index: f.index, t: f.timestampNs, n: f.data.length }).toEqual({ index: i + 1, t: want.timestampNs, n: want.data.length });
    }
    for (let k = 0; k < f.data.length; k++) if (f.data[k] !== want.data[k]) expect([i, k, f.data[k]]).toEqual([i, k, want.data[k]]);
  }
  expect(got[COUNT]!.data.every((b) => b === 0xa5)).toBe(true);
}

describe('reading files larger than one chunk', () => {
  it('pcap: frames that cross 1 MiB chunk boundaries read back whole, and stay valid after the iteration moved on', () => {
    const path = join(dir, 'many.pcap');
    writePcap(path, frames());
    expect(statSync(path).size).toBeGreaterThan(5 * CHUNK_BYTES);
    // kept without copying: each chunk is a new buffer, so earlier frames' views are not overwritten
    check([...readCapture(path)]);
  });

  it('pcapng: the same', () => {
    const path = join(dir, 'many.pcapng');
    writePcapng(path, frames());
    check([...readCapture(path)]);
  });

  it('summary after a pass: frame count and first/last time', () => {
    const path = join(dir, 'many.pcap');
    const it = openCapture(path);
    for (const _ of it) {
      // drain
    }
    const s = it.summary();
    expect(s.frameCount).toBe(COUNT + 1);
    expect(s.firstTimestampNs).toBe(T0_NS);
    expect(s.lastTimestampNs).toBe(T0_NS + 40_000n * 1_000_003n);
  });
});
