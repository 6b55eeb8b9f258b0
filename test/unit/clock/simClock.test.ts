import { describe, expect, it } from 'vitest';
import { Oscillator } from '../../../src/clock/oscillator.js';
import { Prng } from '../../../src/clock/prng.js';
import { SimClock } from '../../../src/clock/simClock.js';
import { localTime } from '../../../src/clock/timePoint.js';

const SECOND = 1_000_000_000n;

describe('Prng (xoshiro128**)', () => {
  it('gives the same stream for the same seed and another for another seed', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const streamA = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(streamA);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(streamA);
  });

  it('draws uniform values in [0, 1) with mean 1/2 and gaussians with standard deviation 1', () => {
    const r = new Prng(7);
    const n = 20_000;
    let sumU = 0;
    let sumG = 0;
    let sumG2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sumU += u;
      const g = r.gaussian();
      sumG += g;
      sumG2 += g * g;
    }
    // Standard errors: 0.289/√n ≈ 0.002 for the uniform mean, 1/√n ≈ 0.007 for the gaussian mean,
    // √2/√n ≈ 0.01 for the gaussian variance; the bounds are 5 of them.
    expect(Math.abs(sumU / n - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(sumG / n)).toBeLessThan(0.035);
    expect(Math.abs(sumG2 / n - 1)).toBeLessThan(0.05);
  });
});

describe('Oscillator', () => {
  it('gains 100 µs per second at +100 ppm without wander', () => {
    const osc = new Oscillator({ frequencyOffsetPpm: 100, startTrueNs: 0n, startReadingNs: 0n });
    expect(osc.readingAt(SECOND).ns).toBe(1_000_100_000n);
    expect(osc.readingAt(10n * SECOND).ns).toBe(10_001_000_000n);
  });

  it('keeps the sub-ns phase: at +0.3 ppb, 10 s give 3 ns', () => {
    const osc = new Oscillator({ frequencyOffsetPpm: 0.0003, startTrueNs: 0n });
    expect(osc.readingAt(10n * SECOND).ns).toBe(10_000_000_003n);
  });

  it('reads the same whatever the reading pattern, since wander steps on a fixed grid', () => {
    const options = { frequencyOffsetPpm: 5, wanderPpbPerSqrtS: 1, seed: 9 };
    const dense = new Oscillator(options);
    const sparse = new Oscillator(options);
    for (let t = 0n; t <= 5n * SECOND; t += 1_000_000n) dense.readingAt(t);
    expect(sparse.readingAt(5n * SECOND)).toEqual(dense.readingAt(5n * SECOND));
  });

  it('wanders with a standard deviation of wander·√τ: about 3.16 ppb after 10 s at 1 ppb/√s', () => {
    const changes: number[] = [];
    for (let seed = 1; seed <= 400; seed++) {
      const osc = new Oscillator({ frequencyOffsetPpm: 0, wanderPpbPerSqrtS: 1, seed });
      const initial = osc.frequencyPpbAt(0n);
      changes.push(osc.frequencyPpbAt(10n * SECOND) - initial);
    }
    const std = Math.sqrt(changes.reduce((s, v) => s + v * v, 0) / changes.length);
    // Expected √10 = 3.162 ppb; the sample standard deviation of 400 draws is within ±10 % (≈ 3 σ).
    expect(std).toBeGreaterThan(3.162 * 0.9);
    expect(std).toBeLessThan(3.162 * 1.1);
  });

  it('ramps by driftPpbPerS: 2 ppb/s give 20 ppb after 10 s, and ½ × 2 ppb/s × (10 s)² = 100 ns of phase', () => {
    const osc = new Oscillator({ frequencyOffsetPpm: 0, driftPpbPerS: 2, wanderIntervalNs: 1_000_000, startTrueNs: 0n });
    expect(osc.frequencyPpbAt(10n * SECOND)).toBeCloseTo(20, 9);
    // Stepped every 1 ms: the phase is the sum of the steps, within a step's worth of the integral.
    const phaseNs = Number(osc.readingAt(10n * SECOND).ns - 10n * SECOND);
    expect(Math.abs(phaseNs - 100)).toBeLessThanOrEqual(1);
  });

  it('refuses to be read back in time', () => {
    const osc = new Oscillator({ frequencyOffsetPpm: 0, wanderIntervalNs: 1_000 });
    osc.readingAt(1_000_000n);
    expect(() => osc.readingAt(0n)).toThrow(RangeError);
  });
});

describe('SimClock', () => {
  it('as a PHC: timestamps are its own adjusted reading, on the granularity grid, within the noise', () => {
    const clock = new SimClock({
      oscillator: { frequencyOffsetPpm: 0, startTrueNs: 0n },
      timestampsFollowAdjustment: true,
      timestampGranularityNs: 8,
      timestampNoiseNs: 20,
      seed: 3,
    });
    clock.step(1_000n);
    for (let i = 1; i <= 200; i++) {
      clock.advanceTo(BigInt(i) * 1_000_003n);
      const ts = clock.timestampNow();
      expect(ts % 8n).toBe(0n);
      const exact = clock.now();
      // |noise| ≤ 20 ns, then rounding to the 8 ns grid moves it by at most 4 ns.
      expect(Math.abs(Number(ts - exact))).toBeLessThanOrEqual(24);
      expect(clock.fromTimestamp(ts)).toBe(ts);
    }
  });

  it('as a virtual clock: timestamps are the oscillator, the mapping gives the reading', () => {
    const clock = new SimClock({
      oscillator: { frequencyOffsetPpm: 100, startTrueNs: 0n, startReadingNs: 0n },
      timestampsFollowAdjustment: false,
    });
    clock.adjustFrequency(-100_000);
    clock.advanceTo(SECOND);
    // The oscillator gained 100 µs; the clock, slowed by 100 ppm of that, reads 1 s + 100 µs − 100.01 µs.
    expect(clock.timestampNow()).toBe(1_000_100_000n);
    expect(clock.now()).toBe(999_999_990n);
    expect(clock.fromTimestamp(localTime(1_000_100_000n))).toBe(999_999_990n);
    // errorNs is exact: 1.0001 × (1 − 1e-4) − 1 = −1e-8, i.e. −10 ns after 1 s.
    expect(clock.errorNs()).toBeCloseTo(-10, 6);
  });

  it('reads and timestamps at a given true time, moving simulated time there', () => {
    const clock = new SimClock({ oscillator: { frequencyOffsetPpm: -50, startTrueNs: 0n, startReadingNs: 0n }, timestampsFollowAdjustment: false });
    expect(clock.readingAt(2n * SECOND)).toBe(1_999_900_000n); // −50 ppm × 2 s = −100 µs
    expect(clock.timestampAt(4n * SECOND)).toBe(3_999_800_000n);
    expect(clock.trueNow()).toBe(4n * SECOND);
  });

  it('applies frequency relative to the oscillator and steps the reading', () => {
    const clock = new SimClock({ oscillator: { frequencyOffsetPpm: 0, startTrueNs: 0n }, timestampsFollowAdjustment: true });
    clock.adjustFrequency(250);
    clock.advanceTo(2n * SECOND);
    expect(clock.errorNs()).toBeCloseTo(500, 6); // 250 ppb × 2 s
    clock.step(-500n);
    expect(clock.errorNs()).toBeCloseTo(0, 6);
    expect(clock.frequencyPpb()).toBe(250);
    expect(clock.kind).toBe('simulated');
    expect(() => clock.advanceTo(SECOND)).toThrow(RangeError);
  });

  it('draws gaussian timestamp noise with the given standard deviation', () => {
    const clock = new SimClock({
      oscillator: { frequencyOffsetPpm: 0, startTrueNs: 0n },
      timestampsFollowAdjustment: true,
      timestampNoiseNs: 10,
      timestampNoise: 'gaussian',
      seed: 11,
    });
    let sum2 = 0;
    const n = 4000;
    for (let i = 1; i <= n; i++) {
      clock.advanceTo(BigInt(i) * 1_000_000n);
      sum2 += Number(clock.timestampNow() - clock.now()) ** 2;
    }
    // 1 ns rounding adds 1/12 ns² to the 100 ns² variance: σ ≈ 10.0 ns; ±5 % is about 3 standard errors.
    expect(Math.sqrt(sum2 / n)).toBeGreaterThan(9.5);
    expect(Math.sqrt(sum2 / n)).toBeLessThan(10.5);
  });
});
