/**
 * The robust line an outlier run must lie on (src/servo/outlierRunLine.ts): late frames inside the
 * run do not pull it off, and the agreement it reports is what the Kalman servo believes a run by.
 */
import { describe, expect, it } from 'vitest';
import { OutlierRunLine, type RunPoint } from '../../../src/servo/outlierRunLine.js';

/** A run 1 ms ahead on a +5 ppm ramp, a Sync every 125 ms; `late` maps an index to its extra delay, ns. */
function ramp(n: number, late: (i: number) => number = () => 0): RunPoint[] {
  return Array.from({ length: n }, (_, i) => ({ tS: 100 + i * 0.125, offsetNs: 1_000_000 + 5_000 * i * 0.125 + late(i) }));
}

describe('OutlierRunLine', () => {
  it('finds the slope of a clean ramp exactly, every point on it', () => {
    const line = new OutlierRunLine(64).fitRun(ramp(16), 1e6, 4_000);
    expect(line?.slopePpb).toBeCloseTo(5_000, 6);
    expect(line?.inliers).toBe(16);
    expect(line?.newestResidualNs).toBeCloseTo(0, 6);
  });

  it('is not pulled off by a quarter of its points 20–100 µs late: those are the only ones off the line', () => {
    const lateAt = new Set([2, 5, 9, 13]);
    const late = (i: number): number => (lateAt.has(i) ? 20_000 + i * 6_000 : 0);
    const line = new OutlierRunLine(64).fitRun(ramp(16, late), 1e6, 4_000);
    expect(line?.slopePpb).toBeCloseTo(5_000, 3);
    expect(line?.inliers).toBe(12);
    expect(Math.abs(line?.newestResidualNs ?? Infinity)).toBeLessThan(1);
  });

  it('reports the newest point off the line when it is the late one', () => {
    const line = new OutlierRunLine(64).fitRun(
      ramp(16, (i) => (i === 15 ? 50_000 : 0)),
      1e6,
      4_000,
    );
    expect(line?.newestResidualNs).toBeCloseTo(50_000, 3);
    expect(line?.inliers).toBe(15);
  });

  it('gives the slope the variance of a least-squares fit with the noise given (σ²·n / (n·Σt² − (Σt)²))', () => {
    const run = ramp(3);
    // t = 0, 0.125, 0.25 s: n·Σt² − (Σt)² = 3 · 0.078125 − 0.140625 = 0.09375
    expect(new OutlierRunLine(8).fitRun(run, 1e6, 4_000)?.slopeVariance).toBeCloseTo((1e6 * 3) / 0.09375, 3);
  });

  it('has no line below three points, at one instant, or beyond its size', () => {
    const fit = new OutlierRunLine(8);
    expect(fit.fitRun(ramp(2), 1, 1)).toBeUndefined();
    expect(
      fit.fitRun(
        [0, 1, 2].map(() => ({ tS: 5, offsetNs: 1 })),
        1,
        1,
      ),
    ).toBeUndefined();
    expect(fit.fitRun(ramp(9), 1, 1)).toBeUndefined();
    expect(() => new OutlierRunLine(2)).toThrow(RangeError);
  });
});
