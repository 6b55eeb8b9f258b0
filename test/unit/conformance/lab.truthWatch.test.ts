/**
 * The lab's check on its own truth (conformance/lab/truthWatch.ts): CLOCK_REALTIME read beside
 * CLOCK_MONOTONIC_RAW at each 4 Hz probe sample. Their ordinary rate difference and a preempted read
 * pass; someone slewing or stepping CLOCK_REALTIME is named.
 */
import { describe, expect, it } from 'vitest';
import { TRUTH_LIMIT_NS, TruthWatch } from '../../../conformance/lab/truthWatch.js';

const SAMPLE_NS = 250_000_000n;

/** Feeds `n` samples at 4 Hz whose CLOCK_REALTIME − CLOCK_MONOTONIC_RAW is `difference(i)` ns. */
function watch(n: number, difference: (i: number) => number): TruthWatch {
  const w = new TruthWatch();
  for (let i = 0; i < n; i++) {
    const mono = 1_000_000_000_000n + BigInt(i) * SAMPLE_NS;
    w.observe(mono + 1_796_000_000_000_000_000n + BigInt(Math.round(difference(i))), mono, i * 250);
  }
  return w;
}

describe('TruthWatch: did CLOCK_REALTIME hold still against CLOCK_MONOTONIC_RAW?', () => {
  it('passes the two clocks drifting 2 ppm apart, with a read preempted for 25 µs now and then', () => {
    const w = watch(480, (i) => i * 0.25 * 2_000 + (i % 37 === 0 ? 25_000 : 0));
    expect(w.disturbances).toEqual([]);
  });

  it('names a step of CLOCK_REALTIME, and a slew faster than the limit allows, at the samples that saw them', () => {
    const stepped = watch(40, (i) => (i >= 20 ? 369_000_000 : 0));
    expect(stepped.disturbances).toEqual([{ atMs: 20 * 250, movedNs: 369_000_000 }]);
    // 2000 ppm: 500 µs per 250 ms sample.
    const slewed = watch(40, (i) => (i >= 10 && i < 20 ? (i - 10) * 500_000 : i >= 20 ? 5_000_000 : 0));
    expect(slewed.disturbances).toHaveLength(10);
    expect(slewed.disturbances.every((d) => d.atMs > 10 * 250)).toBe(true);
    expect(Math.abs(slewed.disturbances[0]?.movedNs ?? 0)).toBeGreaterThan(TRUTH_LIMIT_NS);
  });
});
