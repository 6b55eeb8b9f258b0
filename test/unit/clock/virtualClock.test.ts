import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/clock/virtualClock.js';
import { localTime, ptpTime, type LocalTime } from '../../../src/clock/timePoint.js';

/** A base clock the test moves by hand. */
function manualBase(startNs: bigint): { read: () => LocalTime; set: (ns: bigint) => void } {
  let now = startNs;
  return { read: () => localTime(now), set: (ns) => (now = ns) };
}

describe('VirtualClock', () => {
  it('starts equal to its base unless told otherwise, and is kind "virtual" over a free-running base', () => {
    const base = manualBase(5_000_000_000n);
    const clock = new VirtualClock(base.read);
    expect(clock.now()).toBe(5_000_000_000n);
    expect(clock.kind).toBe('virtual');
    expect(clock.timestampsFollowAdjustment).toBe(false);
  });

  it('runs 100 µs per second fast at +100,000 ppb, and a frequency change re-anchors without a jump', () => {
    const base = manualBase(0n);
    const clock = new VirtualClock(base.read, { initialTime: ptpTime(1_000_000_000_000n) });
    clock.adjustFrequency(100_000);
    base.set(1_000_000_000n); // 1 s of base time
    // 1 s × (1 + 1e-4) = 1 s + 100 µs
    expect(clock.now()).toBe(1_000_000_000_000n + 1_000_100_000n);
    clock.adjustFrequency(-50_000);
    expect(clock.now()).toBe(1_001_000_100_000n); // unchanged at the re-anchor instant
    base.set(3_000_000_000n); // 2 s more at −50 ppm: −100 µs
    expect(clock.now()).toBe(1_001_000_100_000n + 2_000_000_000n - 100_000n);
    expect(clock.mapping()).toEqual({
      anchorBase: 1_000_000_000n,
      anchorTime: 1_001_000_100_000n,
      anchorTimeFractionNs: 0,
      ppb: -50_000,
    });
  });

  it('maps exactly near its anchor and beyond 2^52 ns (52 days) from it, where a float64 sum would round', () => {
    const base = manualBase(1_700_000_000_000_000_000n);
    const clock = new VirtualClock(base.read, { initialPpb: 250 });
    // +250 ppb: t + floor(elapsed × 2.5e-7); the anchor's fraction is 0.
    for (const elapsed of [1n, 125_000_000n, 4_503_599_627_370_495n, 4_503_599_627_370_497n, 9_000_000_000_000_001n]) {
      const correction = (elapsed * 250n) / 1_000_000_000n;
      expect(clock.fromTimestamp(localTime(1_700_000_000_000_000_000n + elapsed))).toBe(1_700_000_000_000_000_000n + elapsed + correction);
    }
  });

  it('keeps the sub-nanosecond part across re-anchors instead of rounding it away', () => {
    const base = manualBase(0n);
    const clock = new VirtualClock(base.read, { initialTime: ptpTime(0n) });
    clock.adjustFrequency(1); // +1 ppb: 0.125 ns per 125 ms
    for (let i = 1; i <= 8; i++) {
      base.set(BigInt(i) * 125_000_000n);
      clock.adjustFrequency(1); // re-anchor 8 times, each adding 0.125 ns
    }
    // 8 × 0.125 ns = exactly 1 ns gained after 1 s; rounding at each re-anchor would have lost it.
    expect(clock.now()).toBe(1_000_000_001n);
  });

  it('steps by the given amount and maps any timestamp with the mapping in force now', () => {
    const base = manualBase(10_000n);
    const clock = new VirtualClock(base.read, { initialTime: ptpTime(10_000n) });
    clock.step(-3_000n);
    // A timestamp taken before the step maps with the step applied (the servo's view: no double correction).
    expect(clock.fromTimestamp(localTime(9_000n))).toBe(6_000n);
    expect(clock.now()).toBe(7_000n);
  });

  it('clamps frequency requests to maxFrequencyPpb and refuses non-finite ones', () => {
    const clock = new VirtualClock(manualBase(0n).read, { maxFrequencyPpb: 1_000 });
    clock.adjustFrequency(5_000);
    expect(clock.frequencyPpb()).toBe(1_000);
    clock.adjustFrequency(-5_000);
    expect(clock.frequencyPpb()).toBe(-1_000);
    expect(() => clock.adjustFrequency(Number.NaN)).toThrow(RangeError);
    expect(() => new VirtualClock(manualBase(0n).read, { maxFrequencyPpb: 2e9 })).toThrow(RangeError);
  });

  it('never runs backwards and never jumps at a frequency change (property)', () => {
    const step = fc.record({
      advanceNs: fc.bigInt({ min: 0n, max: 10_000_000_000n }),
      ppb: fc.double({ min: -500_000, max: 500_000, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 62n }), fc.array(step, { minLength: 1, maxLength: 40 }), (start, steps) => {
        const base = manualBase(start);
        const clock = new VirtualClock(base.read);
        let baseNow = start;
        let previous = clock.now();
        for (const s of steps) {
          baseNow += s.advanceNs;
          base.set(baseNow);
          const before = clock.now();
          if (before < previous) return false;
          clock.adjustFrequency(s.ppb);
          if (clock.now() !== before) return false;
          previous = before;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});
