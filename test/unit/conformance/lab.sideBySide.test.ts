import { describe, expect, it } from 'vitest';
import { ownErrorParts, samePortDifferences, sideBySideLines, type FigureLine, type StackFigures } from '../../../conformance/lab/sideBySide.js';
import { meanDifference, studentT975 } from '../../../conformance/lab/stats.js';

const line = (name: string, value: number): FigureLine => ({ name, value, unit: 'ns' });

describe('the same-port comparison of two stacks over several runs', () => {
  it("gives Welch's 95 % interval: equal spreads of five runs each need t with 8 degrees of freedom", () => {
    // Both series have sample variance 250 (values ±20 and ±10 around the mean), so the spread is
    // sqrt(250/5 + 250/5) = 10 and Welch's degrees of freedom are n1 + n2 − 2.
    const d = meanDifference([80, 90, 100, 110, 120], [-20, -10, 0, 10, 20]);
    expect(d?.difference).toBe(100);
    expect(d?.degreesOfFreedom).toBe(8);
    expect(d?.halfWidth95).toBeCloseTo(2.306 * 10, 9);
  });

  it('takes the fewer degrees of freedom of the noisier series when the spreads differ', () => {
    const d = meanDifference([0, 1000, 2000, 3000, 4000], [0, 1, 2, 3, 4]);
    // Nearly all the spread is the first series': ν → n1 − 1.
    expect(d?.degreesOfFreedom).toBe(4);
    expect(d?.halfWidth95).toBeGreaterThan(2.776 * Math.sqrt(2.5e6 / 5));
  });

  it('has no interval from a single run', () => {
    expect(meanDifference([1], [1, 2])).toBeUndefined();
  });

  it("follows Student's t past its table", () => {
    expect(studentT975(30)).toBe(2.042);
    expect(studentT975(40)).toBeCloseTo(2.021, 2);
    expect(studentT975(120)).toBeCloseTo(1.98, 2);
  });

  it("prints each port's difference of the means with its interval, for the true error and the stacks' own parts", () => {
    const p = 'lab.x';
    const runs: FigureLine[] = [
      ...[-900, -1100, -1000].map((v) => line(`${p}.port1.syntonic.trueError.mean`, v)),
      ...[-1300, -1500, -1400].map((v) => line(`${p}.port1.ptp4l.trueError.mean`, v)),
      ...[10, 30, 20].map((v) => line(`${p}.port1.syntonic.ownError.mean`, v)),
      ...[-10, 10, 0].map((v) => line(`${p}.port1.ptp4l.ownError.mean`, v)),
      line(`${p}.port2.syntonic.trueError.mean`, 5),
    ];
    const out = new Map(samePortDifferences(p, runs).map((l) => [l.name, l.value]));
    expect(out.get(`${p}.port1.syntonicMinusPtp4l.mean`)).toBeCloseTo(400, 9);
    // Sample variance 10⁴ each: spread sqrt(2·10⁴/3), 4 degrees of freedom.
    expect(out.get(`${p}.port1.syntonicMinusPtp4l.mean.ci95HalfWidth`)).toBeCloseTo(2.776 * Math.sqrt(2e4 / 3), 6);
    expect(out.get(`${p}.port1.syntonicMinusPtp4l.ownError.mean`)).toBeCloseTo(20, 9);
    expect(out.get(`${p}.port1.syntonicMinusPtp4l.ownError.mean.ci95HalfWidth`)).toBeCloseTo(2.776 * Math.sqrt(200 / 3), 6);
    // Port 2 had no ptp4l run: nothing to compare.
    expect([...out.keys()].some((k) => k.includes('port2'))).toBe(false);
  });
});

describe("Syntonic's own part, split into what was measured of it", () => {
  // Link delay 1500 ns; every Sync took 2000 ns on average, those the servo used 1900 ns (its gate
  // left the late ones out); its mean offset +30 ns; the application's clock read 5 ns above the
  // servo's clock. Servo clock: 30 + 1500 − 1900 = −370 ns; true error −365 ns.
  const syntonic: StackFigures = {
    mean: -365,
    std: 50,
    rms: 368,
    p99: 450,
    max: 480,
    timeToSynchronized: 5,
    firstS2: 3.5,
    pathDelay: 1500,
    syncLatency: 2000,
    usedSyncLatency: 1900,
    offsetMean: 30,
  };

  it('names the Syncs left out, the mean offset, and what remains between the servo and the application', () => {
    const parts = ownErrorParts(syntonic);
    // Own part: −365 − (1500 − 2000) = +135 = 100 (Syncs left out) + 30 (offset) + 5 (rest).
    expect(parts?.fromSyncsLeftOut).toBe(100);
    expect(parts?.fromMeanOffset).toBe(30);
    expect(parts?.rest).toBe(5);
  });

  it('prints the split for Syntonic only, and nothing without its log or a capture', () => {
    const lines = sideBySideLines('lab.x', 2, { syntonic, ptp4l: { ...syntonic, usedSyncLatency: undefined, offsetMean: undefined } });
    const names = lines.map((l) => l.name);
    expect(lines).toContainEqual({ name: 'lab.x.port2.syntonic.ownError.rest', value: 5, unit: 'ns' });
    expect(names.some((n) => n.includes('ptp4l.ownError.rest'))).toBe(false);
    expect(ownErrorParts({ ...syntonic, syncLatency: undefined })).toBeUndefined();
  });
});
