/**
 * A run of offsets beyond the Kalman servo's gate, judged on its own (software tuning: four offsets
 * spanning 2 s, three quarters of them on one line within 4 σ of the learned noise): left out, judged,
 * held as the Syncs' path, or believed as a change of the grandmaster's time.
 */
import { describe, expect, it } from 'vitest';
import { OutlierRun, type OutlierContext, type RunStartFrequency, type RunVerdict } from '../../../src/servo/outlierRun.js';
import { resolveKalmanTuning } from '../../../src/servo/kalmanTuning.js';

const tuning = resolveKalmanTuning({}, true);
const intervalS = 0.125;
/** R of 500 ns: the run agrees within 2 µs of its line. */
const context: OutlierContext = { noiseVarianceNs2: 500 ** 2, intervalS, neighborIsGrandmaster: false };
/** The filter believed 0 ppb (σ 10 ppb) as each run began. */
const startFrequency = (): RunStartFrequency => ({ phiPpb: 0, phiSigmaPpb: 10 });

/** Feeds offsets (innovation = offset: the phase estimate at 0) one Sync apart from t = 0; the verdicts. */
function feed(run: OutlierRun, offsetsNs: readonly number[], ctx: OutlierContext = context, fromS = 0): RunVerdict[] {
  return offsetsNs.map((offset, i) => run.add(offset, offset, fromS + i * intervalS, ctx));
}

/** A small deterministic wobble within ±150 ns, so that no line fits exactly. */
function wobble(i: number): number {
  return ((i * 37) % 7) * 50 - 150;
}

/**
 * A run 3 µs late from the grandmaster itself, `length` Syncs long, with one rate ratio measured 1 s
 * into it over 8 s (σ 50 ppb) that asks for neededPpb against the 0 known before; the verdicts.
 */
function runBesideRatio(run: OutlierRun, length: number, neededPpb: number): RunVerdict[] {
  const fromGrandmaster = { ...context, neighborIsGrandmaster: true };
  return Array.from({ length }, (_, i) => {
    const tS = i * intervalS;
    if (tS === 1) run.observeRateRatio(tS, { rateRatio: 1, neededPpb, sigmaPpb: 50, spanS: 8 });
    const offset = 3_000 + wobble(i);
    return run.add(offset, offset, tS, fromGrandmaster);
  });
}

describe('OutlierRun', () => {
  it('leaves a lone late frame out and judges nothing: late frames do not come in agreeing pairs', () => {
    const run = new OutlierRun(tuning, startFrequency);
    expect(feed(run, [30_000])).toEqual([{ kind: 'rejected' }]);
    expect(run.judgedRun).toBeUndefined();
  });

  it('judges one early offset alone at its own level: no late frame reads early', () => {
    const run = new OutlierRun(tuning, startFrequency);
    feed(run, [-20_000]);
    expect(run.judgedRun).toEqual({ levelNs: -20_000, offsets: 1 });
  });

  it('judges a late run from its second agreeing offset, at their mean, and believes it on its line once it spans 2 s', () => {
    const run = new OutlierRun(tuning, startFrequency);
    const offsets = Array.from({ length: 17 }, (_, i) => 20_000 + wobble(i));
    const verdicts = feed(run, offsets);
    expect(verdicts.slice(0, 16).every((v) => v.kind === 'rejected')).toBe(true);
    const last = verdicts[16];
    expect(last?.kind).toBe('believed');
    if (last?.kind !== 'believed') return;
    expect(last.outliers).toBe(17);
    expect(last.startS).toBe(0);
    expect(Math.abs(last.phaseNs - 20_000)).toBeLessThan(200);
    // A jump: the line's slope is near 0 and 2 σ of it ~400 ppb (500 ns of noise over 2 s), far below
    // the 9.4 ppm that would explain the whole 20 µs over the run as a rate.
    expect(Math.sqrt(last.frequencyVariancePpb2)).toBeLessThan(1_000);
  });

  it('frees the frequency by the slope of a run that ramps (a frequency step)', () => {
    const run = new OutlierRun(tuning, startFrequency);
    // 5 µs beyond the gate and climbing at 2 ppm: 2 µs more over the run's 2 s.
    const offsets = Array.from({ length: 17 }, (_, i) => 5_000 + 2_000 * i * intervalS + wobble(i));
    const last = feed(run, offsets)[16];
    expect(last?.kind).toBe('believed');
    if (last?.kind !== 'believed') return;
    expect(Math.sqrt(last.frequencyVariancePpb2)).toBeGreaterThan(2_000);
    expect(Math.abs(last.phaseNs - 9_000)).toBeLessThan(300);
  });

  it('reports the judged run with its level and length while it waits out the 2 s', () => {
    const run = new OutlierRun(tuning, startFrequency);
    feed(run, [20_000, 20_400]);
    expect(run.judgedRun).toEqual({ levelNs: 20_200, offsets: 2 });
    feed(run, [20_000 + wobble(2), 20_000 + wobble(3), 20_000 + wobble(4)], context, 0.25);
    expect(run.judgedRun?.offsets).toBe(5);
    expect(Math.abs((run.judgedRun?.levelNs ?? 0) - 20_000)).toBeLessThan(200);
  });

  it('keeps a run that scatters by tens of µs rejected, however long it lasts', () => {
    const run = new OutlierRun(tuning, startFrequency);
    const offsets = Array.from({ length: 40 }, (_, i) => 20_000 + ((i * 7919) % 97) * 1_000);
    expect(feed(run, offsets).every((v) => v.kind === 'rejected')).toBe(true);
  });

  it('holds a run the grandmaster’s own rate ratios say was no move of its time, reporting it once', () => {
    const run = new OutlierRun(tuning, startFrequency);
    // The ratio asks for the frequency known before: no move (σ 400 ns over its 8 s).
    const verdicts = runBesideRatio(run, 18, 0);
    expect(verdicts[16]).toMatchObject({ kind: 'held', first: true, outliers: 17 });
    expect(verdicts[17]).toMatchObject({ kind: 'held', first: false, outliers: 18 });
    expect(Math.abs((run.heldLevelNs ?? 0) - 3_000)).toBeLessThan(200);
    // Contradicted, the run was no judged move of the grandmaster's time either.
    expect(run.judgedRun).toBeUndefined();
  });

  it('believes the same run when the ratios show the grandmaster’s time moved by it', () => {
    // A move of the grandmaster's time by −3 µs inside an 8 s span asks for −375 ppb more.
    expect(runBesideRatio(new OutlierRun(tuning, startFrequency), 17, -375)[16]?.kind).toBe('believed');
  });

  it('takes one late frame into an early judged run, not two in a row, and forgets the run when it ends', () => {
    const run = new OutlierRun(tuning, startFrequency);
    feed(run, [-20_000, -20_100]);
    expect(run.isLateFrame(5_000, true)).toBe(true);
    run.takeLateFrame(5_000, 0.25);
    expect(run.outliers).toBe(3);
    expect(run.isLateFrame(5_000, true)).toBe(false);
    run.end();
    expect(run.outliers).toBe(0);
    expect(run.judgedRun).toBeUndefined();
  });

  it('takes no late frame into a late run: an offset earlier than it may be the grandmaster moving back', () => {
    const run = new OutlierRun(tuning, startFrequency);
    feed(run, [20_000, 20_100]);
    expect(run.isLateFrame(-5_000, true)).toBe(false);
  });
});
