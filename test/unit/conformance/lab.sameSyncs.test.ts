/**
 * Syntonic and ptp4l's servo on the very same Syncs (conformance/sim/sameSyncs.ts): each stack's
 * record is its link's noise, which the replay feeds to the other servo; Syntonic's own rate ratios
 * can ride along to the other link by time; the record names its steady window.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { servoOfConfigFile } from '../../../conformance/lab/syntonicDaemon.js';
import type { LabNoiseRun } from '../../../conformance/sim/labNoise.js';
import { recordWindow, sameSyncsFigures, sameSyncsShares, steadyWindowLine, withRatiosOf } from '../../../conformance/sim/sameSyncs.js';

const RUN_S = 120;
const SYNC_S = 0.125;

/** A 120 s record: each stack's `master offset` per Sync (8/s) is its true error (0 at every 4 Hz sample) plus `noiseNs(t)`. */
function record(syntonicNoiseNs: (tS: number) => number, ptp4lNoiseNs: (tS: number) => number): { log: string; csv: string } {
  const syncs = Array.from({ length: Math.round((RUN_S - 5) / SYNC_S) }, (_, i) => 5 + i * SYNC_S);
  const line = (who: string, tS: number, offsetNs: number): string =>
    `${tS.toFixed(3)} stdout ${who}[${tS.toFixed(3)}]: master offset ${Math.round(offsetNs)} s2 freq +0 path delay 1000`;
  const log = [
    '== syntonic',
    ...syncs.map((t) => line('syntonic', t, syntonicNoiseNs(t))),
    '== ptp4l ref',
    ...syncs.map((t) => line('ptp4l', t + 0.01, ptp4lNoiseNs(t + 0.01))),
    '== lab',
    steadyWindowLine({ fromS: 70, toS: 120 }),
    '',
  ].join('\n');
  const samples = Array.from({ length: (RUN_S - 4) * 4 + 1 }, (_, i) => `${(4 + i / 4).toFixed(3)},synchronized,0,3000,0`);
  return { log, csv: ['tS,status,trueErrorNs,errorBoundNs,ptp4lTrueErrorNs', ...samples].join('\n') };
}

/** A Sync path that is 600 ns slower for 10 s of every 20: what no slave can tell from its clock. */
const squareWave = (tS: number): number => (Math.floor(tS / 10) % 2 === 0 ? 0 : 600);

describe('the same Syncs, each servo on the other link', () => {
  const { log, csv } = record(() => 0, squareWave);
  const f = sameSyncsFigures(log, csv, recordWindow(log));

  it("replays each servo on the other stack's Syncs, not its own", () => {
    expect(f).toBeDefined();
    // Syntonic's link was clean: ptp4l's PI on it stays on the truth; ptp4l's link wandered: Syntonic's servo moves with it.
    expect(f?.onSyntonicSyncs.ptp4lPiModelStdNs).toBeLessThan(1);
    expect(f?.onPtp4lSyncs.syntonicServoStdNs).toBeGreaterThan(20);
    expect(f?.onPtp4lSyncs.ptp4lPiModelStdNs).toBeGreaterThan(20);
  });

  it('takes the measured stds from the lab samples of the window', () => {
    expect(f?.syntonicMeasuredStdNs).toBe(0);
    expect(f?.ptp4lMeasuredStdNs).toBe(0);
  });

  it("has nothing to say where ptp4l's servo left no Sync in the window", () => {
    expect(sameSyncsFigures(log, csv, { fromS: 200, toS: 250 })).toBeUndefined();
  });

  it('counts, over the runs, how often Syntonic was at most ptp4l on the same Syncs', () => {
    const lines = f === undefined ? [] : sameSyncsShares('lab.x', [f]);
    const value = (name: string): number | undefined => lines.find((l) => l.name === `lab.x.${name}`)?.value;
    // Measured 0 against a servo that moved: Syntonic on ptp4l's Syncs is above; ptp4l's model on Syntonic's clean Syncs is not below 0.
    expect(value('onPtp4lSyncs.syntonicServo.stdAtMostPtp4l')).toBe(0);
    expect(value('onSyntonicSyncs.syntonic.stdAtMostPtp4lPiModel')).toBe(100);
    expect(value('onPtp4lSyncs.syntonicServo.stdAtMostPtp4l.runs')).toBe(1);
  });
});

describe("Syntonic's side is the servo the daemon ran", () => {
  it('as a configuration file gives it on software timestamps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'same-syncs-'));
    try {
      const file = join(dir, 'quiet.cfg');
      writeFileSync(file, '[global]\ntime_stamping software\nkalman_frequency_wander 0.5\n');
      expect(servoOfConfigFile(file)).toMatchObject({ timestamping: 'software', kalmanFrequencyWanderPpbPerSqrtS: 0.5 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("replays ptp4l's Syncs through that servo; ptp4l's side stays the PI model", () => {
    const { log, csv } = record(() => 0, squareWave);
    const standard = sameSyncsFigures(log, csv, recordWindow(log));
    const quiet = sameSyncsFigures(log, csv, recordWindow(log), { timestamping: 'software', kalmanFrequencyWanderPpbPerSqrtS: 0.25 });
    // A slower walk takes less of the path's square wave into the clock.
    expect(quiet?.onPtp4lSyncs.syntonicServoStdNs).toBeLessThan(0.9 * (standard?.onPtp4lSyncs.syntonicServoStdNs ?? 0));
    expect(quiet?.onPtp4lSyncs.ptp4lPiModelStdNs).toBe(standard?.onPtp4lSyncs.ptp4lPiModelStdNs);
  });
});

describe("a record's steady window", () => {
  it('reads back from the lab section the record ends with', () => {
    expect(recordWindow(['== syntonic', '1.000 stdout x', '== lab', steadyWindowLine({ fromS: 65.25, toS: 115.5 }), ''].join('\n'))).toEqual({
      fromS: 65.25,
      toS: 115.5,
    });
  });

  it('is unknown in a record from before the lab wrote it, even where a process printed a look-alike', () => {
    expect(recordWindow(['== syntonic', '1.000 note steady window 1.000 2.000 s', ''].join('\n'))).toBeUndefined();
  });
});

describe("Syntonic's rate ratios on the other link", () => {
  const run = (syncAtS: number[], rateRatioChanges?: LabNoiseRun['rateRatioChanges']): LabNoiseRun => ({
    name: 'x',
    servo: '',
    logSyncInterval: -3,
    syncAtS,
    noiseNs: syncAtS.map(() => 0),
    pathDelayChanges: [[0, 1000]],
    ...(rateRatioChanges === undefined ? {} : { rateRatioChanges }),
    measured: { syntonicTrueErrorStdNs: 0, ptp4lTrueErrorStdNs: 0, leftSynchronized: 0 },
  });

  it('are in force at its Syncs from the time each came with', () => {
    const syntonic = run(
      [1, 2, 3, 4],
      [
        [1, 12.5, 40, 8],
        [3, -3, 41, 8],
      ],
    );
    const ptp4l = run([1.5, 2.5, 3.5, 4.5]);
    // The first came at 2 s: in force from ptp4l's Sync at 2.5 s; the second at 4 s: from 4.5 s.
    expect(withRatiosOf(ptp4l, syntonic).rateRatioChanges).toEqual([
      [1, 12.5, 40, 8],
      [3, -3, 41, 8],
    ]);
  });
});
