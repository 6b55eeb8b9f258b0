import { describe, expect, it } from 'vitest';
import {
  notUsedMeanShift,
  ownErrorParts,
  pairedDifferences,
  samePortDifferences,
  sideBySideLines,
  targetShares,
  type FigureLine,
  type StackFigures,
} from '../../../conformance/lab/sideBySide.js';
import { meanDifference, meanInterval, seriesFigures, studentT975 } from '../../../conformance/lab/stats.js';

const line = (name: string, value: number): FigureLine => ({ name, value, unit: 'ns' });
/** One stack's figures in one run: only those a test names matter. */
const figures = (given: Partial<StackFigures>): StackFigures => ({
  mean: 0,
  std: 100,
  rms: 0,
  p99: 0,
  max: 0,
  timeToSynchronized: undefined,
  firstS2: 3,
  ...given,
});

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

  it('reads the Syncs-left-out part from the log alone: 10 of 100 offsets left out, 1000 ns above the rest, moved the mean by 100 ns', () => {
    const used = seriesFigures(Array.from({ length: 90 }, (_, i) => (i % 2 === 0 ? 20 : -20)));
    const notUsed = seriesFigures(Array.from({ length: 10 }, () => 1000));
    expect(notUsedMeanShift(used, notUsed)).toBeCloseTo(100, 9);
    expect(notUsedMeanShift(used, seriesFigures([]))).toBe(0);
  });
});

describe('both stacks on one grandmaster port (shared port), paired run by run', () => {
  const stack = (mean: number, syncLatency: number, pathDelay: number): StackFigures => figures({ mean, pathDelay, syncLatency });

  it('names both stacks by the one port and prints their difference in that run, with the flood skew between them', () => {
    // Hub serves ptp4l first (order 2): Syntonic's Syncs are 3400 ns later, its clock 1700 ns later.
    const lines = sideBySideLines('lab.sp', 1, { syntonic: stack(-9700, 28_400, 16_700), ptp4l: stack(-8000, 25_000, 15_000) }, { order: 2 });
    const byName = new Map(lines.map((l) => [l.name, l.value]));
    expect(byName.get('lab.sp.port1.syntonic.trueError.mean')).toBe(-9700);
    expect(byName.get('lab.sp.port1.ptp4l.trueError.mean')).toBe(-8000);
    expect([...byName.keys()].some((n) => n.includes('port2'))).toBe(false);
    expect(byName.get('lab.sp.order2.syntonicMinusPtp4l.trueError.mean')).toBe(-1700);
    expect(byName.get('lab.sp.order2.syntonicMinusPtp4l.syncLatency.mean')).toBe(3400);
    // Each stack's own part takes its link out: −9700 − (16700 − 28400) = 2000; −8000 − (15000 − 25000) = 2000.
    expect(byName.get('lab.sp.order2.syntonicMinusPtp4l.ownError.mean')).toBe(0);
  });

  it("prints each stack's link-delay wander over the window, and none for a stack whose log gave no link delay", () => {
    const lines = sideBySideLines('lab.st', 1, { syntonic: { ...stack(-900, 2000, 1500), pathDelayStd: 40 }, ptp4l: stack(-1200, 2100, 1400) });
    expect(lines).toContainEqual({ name: 'lab.st.port1.syntonic.pathDelay.std', value: 40, unit: 'ns' });
    expect(lines.some((l) => l.name === 'lab.st.port2.ptp4l.pathDelay.std')).toBe(false);
  });

  it('prints no same-run true-error difference for stacks on different ports (different links)', () => {
    const lines = sideBySideLines('lab.st', 1, { syntonic: stack(-900, 2000, 1500), ptp4l: stack(-1200, 2100, 1400) });
    expect(lines.some((l) => l.name.endsWith('syntonicMinusPtp4l.trueError.mean'))).toBe(false);
    // Own parts: −900 − (1500 − 2000) = −400 and −1200 − (1400 − 2100) = −500.
    expect(lines).toContainEqual({ name: 'lab.st.order1.syntonicMinusPtp4l.ownError.mean', value: 100, unit: 'ns' });
  });

  it("gives the mean of the runs' differences with Student's interval, per order and over both (the flood skew cancels)", () => {
    const p = 'lab.sp';
    const runs = [
      ...[1800, 1600, 1700].map((v) => line(`${p}.order1.syntonicMinusPtp4l.trueError.mean`, v)),
      ...[-1500, -1700, -1600].map((v) => line(`${p}.order2.syntonicMinusPtp4l.trueError.mean`, v)),
      line(`${p}.port1.syntonic.trueError.mean`, -9000),
    ];
    const out = new Map(pairedDifferences(p, runs).map((l) => [l.name, l.value]));
    expect(out.get(`${p}.paired.order1.syntonicMinusPtp4l.trueError.mean`)).toBeCloseTo(1700, 9);
    // Three runs, sample variance 10⁴: t(2) · sqrt(10⁴/3).
    expect(out.get(`${p}.paired.order1.syntonicMinusPtp4l.trueError.mean.ci95HalfWidth`)).toBeCloseTo(4.303 * Math.sqrt(1e4 / 3), 6);
    expect(out.get(`${p}.paired.order2.syntonicMinusPtp4l.trueError.mean`)).toBeCloseTo(-1600, 9);
    expect(out.get(`${p}.paired.syntonicMinusPtp4l.trueError.mean`)).toBeCloseTo(50, 9);
    expect(out.size).toBe(6);
  });

  it('has no interval from one run', () => {
    expect(meanInterval([5])).toBeUndefined();
    expect(pairedDifferences('lab.sp', [line('lab.sp.order1.syntonicMinusPtp4l.trueError.mean', 5)])).toEqual([]);
  });
});

describe('a control: a second ptp4l servo slave in the same run, asked what Syntonic is asked', () => {
  const stack = (mean: number, std: number): StackFigures => figures({ mean, std });

  it("names the control by its own port and compares its std and, on one port, its mean with the reference's as Syntonic's are", () => {
    const shared = sideBySideLines(
      'lab.m',
      1,
      { syntonic: stack(-500, 80), ptp4l: stack(-1400, 300), control: { ...stack(-900, 350), port: 1 } },
      { order: 2 },
    );
    const byName = new Map(shared.map((l) => [l.name, l.value]));
    expect(byName.get('lab.m.port1.control.trueError.std')).toBe(350);
    expect(byName.get('lab.m.order2.syntonicMinusPtp4l.trueError.std')).toBe(-220);
    expect(byName.get('lab.m.order2.controlMinusPtp4l.trueError.std')).toBe(50);
    expect(byName.get('lab.m.order2.controlMinusPtp4l.trueError.mean')).toBe(500);
    // On the star the control has the third port and no same-run mean difference (another link).
    const star = sideBySideLines('lab.s', 2, { syntonic: stack(-500, 80), ptp4l: stack(-1400, 300), control: { ...stack(-900, 250), port: 3 } });
    expect(star).toContainEqual({ name: 'lab.s.port3.control.trueError.mean', value: -900, unit: 'ns' });
    expect(star).toContainEqual({ name: 'lab.s.order2.controlMinusPtp4l.trueError.std', value: -50, unit: 'ns' });
    expect(star.some((l) => l.name.endsWith('MinusPtp4l.trueError.mean'))).toBe(false);
  });

  it("counts, over the runs, how often each one's std was at most the reference's and its mean within 200 ns of it on one port", () => {
    const p = 'lab.m';
    const runs = [
      ...[-220, -10, 0, 40].map((v, i) => line(`${p}.order${(i % 2) + 1}.syntonicMinusPtp4l.trueError.std`, v)),
      ...[50, -30, 90, 10].map((v, i) => line(`${p}.order${(i % 2) + 1}.controlMinusPtp4l.trueError.std`, v)),
      ...[900, 199, -200, 201].map((v) => line(`${p}.order1.syntonicMinusPtp4l.trueError.mean`, v)),
      ...[-150, 600].map((v) => line(`${p}.order2.controlMinusPtp4l.trueError.mean`, v)),
      line(`${p}.port1.syntonic.trueError.std`, 80),
    ];
    const out = new Map(targetShares(p, runs).map((l) => [l.name, l.value]));
    expect(out.get(`${p}.syntonic.stdAtMostPtp4l`)).toBe(75);
    expect(out.get(`${p}.syntonic.stdAtMostPtp4l.runs`)).toBe(4);
    expect(out.get(`${p}.control.stdAtMostPtp4l`)).toBe(25);
    expect(out.get(`${p}.syntonic.meanWithin200nsOfPtp4l`)).toBe(50);
    expect(out.get(`${p}.control.meanWithin200nsOfPtp4l`)).toBe(50);
    expect(out.get(`${p}.control.meanWithin200nsOfPtp4l.runs`)).toBe(2);
  });

  it('says nothing of a stack no run compared', () => {
    expect(targetShares('lab.s', [line('lab.s.order1.syntonicMinusPtp4l.trueError.std', 5)]).map((l) => l.name)).toEqual([
      'lab.s.syntonic.stdAtMostPtp4l',
      'lab.s.syntonic.stdAtMostPtp4l.runs',
    ]);
  });
});
