import { describe, expect, it } from 'vitest';
import { SkewedTimebase } from '../../../src/clock/skewedTimebase.js';
import { localTime } from '../../../src/clock/timePoint.js';

const T0 = 1_700_000_000_000_000_000n;

describe('SkewedTimebase (the lab’s synthetic oscillator error)', () => {
  it('runs +100 ppm fast: 10 s of base time read as 10.001 s', () => {
    const s = new SkewedTimebase({ frequencyOffsetPpm: 100 });
    const a = s.map(localTime(T0));
    const b = s.map(localTime(T0 + 10_000_000_000n));
    expect(b - a).toBe(10_001_000_000n);
  });

  it('stays continuous and increasing across its once-a-second random-walk steps', () => {
    const s = new SkewedTimebase({ frequencyOffsetPpm: 100, wanderPpbPerSqrtS: 50, seed: 3 });
    let previous = s.map(localTime(T0));
    for (let t = T0 + 7_919_000n; t < T0 + 30_000_000_000n; t += 7_919_000n) {
      const ppbBefore = s.frequencyPpb();
      const now = s.map(localTime(t));
      expect(now).toBeGreaterThan(previous);
      // each step of 7.919 ms of base time reads 7.919 ms × (1 + ppb), with ppb the rate before or
      // after a re-anchoring inside the step (±2 ns: a step may round twice)
      const step = Number(now - previous);
      const lo = 7_919_000 * (1 + Math.min(ppbBefore, s.frequencyPpb()) * 1e-9) - 2;
      const hi = 7_919_000 * (1 + Math.max(ppbBefore, s.frequencyPpb()) * 1e-9) + 2;
      expect(step).toBeGreaterThanOrEqual(lo);
      expect(step).toBeLessThanOrEqual(hi);
      previous = now;
    }
    expect(s.frequencyPpb()).not.toBe(100_000);
  });

  it('warms up along a ramp: +1 ppb/s moves the frequency error by 1 ppb per second, the phase by ½·D·t²', () => {
    const s = new SkewedTimebase({ frequencyOffsetPpm: 0, driftPpbPerS: 1 });
    const start = s.map(localTime(T0));
    const after60 = s.map(localTime(T0 + 60_000_000_000n));
    expect(s.frequencyPpb()).toBe(60);
    // Steps of one second: Σ k for k < 60 = 1770 ns, against ½·1·60² = 1800 for a smooth ramp.
    expect(Number(after60 - start) - 60e9).toBe(1770);
  });
});
