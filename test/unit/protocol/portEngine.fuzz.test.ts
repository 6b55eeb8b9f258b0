/**
 * Robustness: the engine and servo are fed mutated real frames (those that still decode) with
 * jittery, sometimes backwards timestamps. Nothing may throw, every frame is counted as received,
 * refusals are counted under their reasons, memory stays bounded and the servo's output finite.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../../src/clock/prng.js';
import { localTime } from '../../../src/clock/timePoint.js';
import { VirtualClock } from '../../../src/clock/virtualClock.js';
import { decodeFrame } from '../../../src/protocol/ethernetFrame.js';
import { GPTP_DEFAULTS } from '../../../src/protocol/portConfig.js';
import { ClockSlave } from '../../../src/servo/clockSlave.js';
import { ethernetFrames, fixtureCaptures } from '../../support/codecFixtures.js';

const FRAMES = 200_000;

function mutate(bytes: Uint8Array, rng: Prng): Uint8Array {
  const b = bytes.slice();
  const flips = 1 + Math.floor(rng.uniform() * 4);
  for (let i = 0; i < flips; i++) {
    // Mostly inside the PTP header and body, where the engine's decisions come from.
    const at = 14 + Math.floor(rng.uniform() * Math.max(1, b.length - 14));
    b[at] = Math.floor(rng.uniform() * 256);
  }
  return b;
}

describe('engine and servo fed mutated frames', () => {
  it(`survive ${FRAMES} mutated frames with every one counted, bounded memory and a sane servo`, () => {
    const sources = fixtureCaptures()
      .flatMap((p) => ethernetFrames(p))
      .map((f) => f.bytes);
    const rng = new Prng(2024);
    let now = 1_700_000_000_000_000_000n;
    const slave = new ClockSlave(
      {
        engine: { config: { ...GPTP_DEFAULTS, neighborPropDelayThresh: 10_000_000 }, macAddress: 0x0a0b0c0d0e0f, transmit: true },
        clock: new VirtualClock(() => localTime(now)),
      },
      { transmit: () => undefined },
    );
    slave.start(localTime(now));
    let fed = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < FRAMES; i++) {
      const source = sources[Math.floor(rng.uniform() * sources.length)] as Uint8Array;
      const decoded = decodeFrame(rng.uniform() < 0.2 ? source : mutate(source, rng));
      if (!decoded.ok) continue;
      // Mostly forward by up to 20 ms, sometimes a jump back of up to 1 s.
      const step = rng.uniform() < 0.02 ? -BigInt(Math.floor(rng.uniform() * 1e9)) : BigInt(Math.floor(rng.uniform() * 2e7));
      now += step;
      slave.tick(localTime(now));
      slave.receive(decoded.value, localTime(now));
      fed += 1;
    }
    const stats = slave.engine.statistics();
    const received = Object.values(stats.received).reduce((a, b) => a + b, 0);
    expect(received).toBe(fed);
    expect(fed).toBeGreaterThan(FRAMES / 4);
    const rejected = Object.values(stats.rejected).reduce((a, b) => a + b, 0);
    expect(rejected).toBeGreaterThan(0);
    // Bounded state: nothing the engine keeps grows with the number of frames.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 2 ** 20);
    expect(Number.isFinite(slave.discipline.report(localTime(now)).frequencyPpb)).toBe(true);
  });
});
