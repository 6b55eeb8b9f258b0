/**
 * A lab run's record made into a run of the replay's fixture (conformance/sim/labNoiseRecord.ts):
 * each Sync's noise is its offset less the true error the lab sampled around it, the Syncs the lab
 * saw before its first sample included while the clock had not moved, and a run recorded again takes
 * its old place in the file.
 */
import { describe, expect, it } from 'vitest';
import {
  FIRST_SAMPLE_HOLD_S,
  MAX_TRUTH_SPAN_S,
  mergeRuns,
  recordRun,
  syncIntervalChanges,
  truthAt,
  type TruthSample,
} from '../../../conformance/sim/labNoiseRecord.js';
import type { LabNoiseRunFile } from '../../../conformance/sim/labNoise.js';

/** Syntonic's section of a run's log, one `master offset` line per Sync: [tS, offset ns, servo state]. */
function logOf(syncs: readonly (readonly [number, number, string])[]): string {
  const lines = syncs.map(([tS, offsetNs, state]) => `${tS.toFixed(3)} stdout syntonic[0]: master offset ${offsetNs} ${state} freq +0 path delay 1000`);
  return ['== ptp4l', '4.100 stdout ptp4l[4.1]: master offset 5 s2 freq +0 path delay 900', '== syntonic', ...lines, ''].join('\n');
}

const SAMPLES_CSV = [
  'tS,status,trueErrorNs,errorBoundNs,ptp4lTrueErrorNs',
  '4.000,unstable,100,3000,0',
  '4.250,unstable,200,3000,0',
  '4.500,unstable,300,3000,0',
].join('\n');

describe("a Sync's true error", () => {
  const samples: TruthSample[] = [
    { tS: 4, syntonicNs: 100, ptp4lNs: 0 },
    { tS: 4.25, syntonicNs: 200, ptp4lNs: 0 },
  ];

  it('is interpolated between the samples around it', () => {
    expect(truthAt(samples, 4.1, false)).toBeCloseTo(140, 9);
  });

  it("is the first sample's before it, while the servo has not moved the clock (s0) and within the hold", () => {
    expect(truthAt(samples, 4 - FIRST_SAMPLE_HOLD_S, true)).toBe(100);
    expect(truthAt(samples, 4 - FIRST_SAMPLE_HOLD_S - 0.01, true)).toBeUndefined();
    expect(truthAt(samples, 3.9, false)).toBeUndefined();
  });

  it('is unknown after the last sample', () => {
    expect(truthAt(samples, 4.3, false)).toBeUndefined();
  });

  it("is interpolated across a sample that lacks the stack's value, between its samples at most MAX_TRUTH_SPAN_S apart", () => {
    const holed: TruthSample[] = [
      { tS: 4, syntonicNs: 100, ptp4lNs: 10 },
      { tS: 4.25, syntonicNs: 200, ptp4lNs: undefined },
      { tS: 4.5, syntonicNs: 300, ptp4lNs: 30 },
      { tS: 4.75, syntonicNs: 400, ptp4lNs: undefined },
      { tS: 5, syntonicNs: 500, ptp4lNs: undefined },
      { tS: 5.25, syntonicNs: 600, ptp4lNs: undefined },
      { tS: 5.75, syntonicNs: 700, ptp4lNs: 70 },
    ];
    expect(truthAt(holed, 4.375, false, 'ptp4l')).toBeCloseTo(25, 9);
    expect(MAX_TRUTH_SPAN_S).toBeLessThan(5.75 - 4.5);
    expect(truthAt(holed, 5.5, false, 'ptp4l')).toBeUndefined();
  });
});

describe("the Syncs' interval in a record", () => {
  const at8 = (n: number, fromS: number): number[] => Array.from({ length: n }, (_, i) => fromS + i * 0.125);

  it('changes where four spacings in a row agree on another power of two: the automotive slave asked for one Sync a second', () => {
    const syncAtS = [...at8(40, 1), 6.875, 7.875, 8.875, 9.875, 10.875];
    expect(syncIntervalChanges(syncAtS, -3)).toEqual([[40, 0]]);
  });

  it('stays through a lost Sync and through a gap of 10 s (a grandmaster gone): one long spacing is no change', () => {
    const lost = at8(40, 1).filter((_, i) => i !== 20);
    expect(syncIntervalChanges(lost, -3)).toEqual([]);
    expect(syncIntervalChanges([...at8(40, 1), ...at8(40, 16)], -3)).toEqual([]);
  });
});

describe("a run's record", () => {
  it("keeps the Syncs before the lab's first sample that came in s0, each as its offset less that sample's truth", () => {
    const run = recordRun(
      'x.steady-state.run1.order1',
      'abc1234',
      logOf([
        [3.75, 150, 's0'],
        [3.875, 90, 's0'],
        [4.125, 400, 's2'],
      ]),
      SAMPLES_CSV,
    );
    // 150 − 100, 90 − 100, 400 − 150 (halfway between 100 and 200).
    expect(run.syncAtS).toEqual([3.75, 3.875, 4.125]);
    expect(run.noiseNs).toEqual([50, -10, 250]);
    expect(run.pathDelayChanges).toEqual([[0, 1000]]);
  });

  it('leaves out a Sync before the first sample once the servo has moved the clock', () => {
    const run = recordRun('x', 'abc1234', logOf([[3.875, 90, 's2']]), SAMPLES_CSV);
    expect(run.noiseNs).toEqual([]);
  });

  it('reads only the Syntonic section of the log', () => {
    const run = recordRun('x', 'abc1234', logOf([]), SAMPLES_CSV);
    expect(run.syncAtS).toEqual([]);
  });

  it("of ptp4l's Syncs reads the reference slave's section against its own true error", () => {
    const log = [
      '== syntonic',
      '4.100 stdout syntonic[0]: master offset 7 s2 freq +0 path delay 1000',
      '== ptp4l ref',
      '4.125 stdout ptp4l[4.1]: master offset 35 s2 freq +0 path delay 900',
      '',
    ].join('\n');
    const csv = ['tS,status,trueErrorNs,errorBoundNs,ptp4lTrueErrorNs', '4.000,synchronized,100,3000,10', '4.250,synchronized,200,3000,20'].join('\n');
    const run = recordRun('x', 'abc1234', log, csv, 'ptp4l');
    // 35 − 15 (halfway between ptp4l's 10 and 20), with ptp4l's path delay; no rate ratio in its lines.
    expect(run.noiseNs).toEqual([20]);
    expect(run.pathDelayChanges).toEqual([[0, 900]]);
    expect(run.rateRatioChanges).toBeUndefined();
  });
});

describe('the fixture with runs recorded again', () => {
  const run = (name: string, servo: string): LabNoiseRunFile => ({
    name,
    servo,
    logSyncInterval: -3,
    syncStepsMs: [0],
    noiseNs: [0],
    pathDelayChanges: [[0, 1000]],
    measured: { syntonicTrueErrorStdNs: 1, ptp4lTrueErrorStdNs: 1, leftSynchronized: 0 },
  });

  it('puts a run recorded again in its old place and the new runs after the kept ones', () => {
    const merged = mergeRuns([run('a', 'old'), run('b', 'old'), run('c', 'old')], [run('d', 'new'), run('b', 'new')]);
    expect(merged.map((r) => `${r.name}:${r.servo}`)).toEqual(['a:old', 'b:new', 'c:old', 'd:new']);
  });
});
