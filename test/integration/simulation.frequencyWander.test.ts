/**
 * The oscillator's walk, the Kalman servo's Q once it tracks. Nothing a slave measures within minutes
 * tells an oscillator's slow wander from the Sync path's (docs/servo.md, "The oscillator's wander,
 * configured"), so until it has learned the walk over tens of minutes (oscillatorWander.ts; "The
 * oscillator's wander, learned") the servo tracks with one that suits a free-running crystal. A node
 * whose oscillator is known to be quiet may say so (kalman_frequency_wander, kalmanTuning.ts
 * trackingWander), and one that is not pays for saying so. Each side is specified here on the same
 * draws: the lab's recorded Sync noise (both ends on one CLOCK_REALTIME: no wander at all) and the
 * simulator's recorded veth noise on oscillators that wander or do not.
 */
import { describe, expect, it } from 'vitest';
import { loadLabNoise, runsWithoutChange, traceFigures, traceLabNoise } from '../../conformance/sim/labNoise.js';
import { runScenario } from '../../conformance/sim/runScenario.js';
import { SCENARIOS, softwareRecorded, withOscillatorWander, type ScenarioSpec } from '../../conformance/sim/scenarios.js';
import { STEADY_RUN_S, STEADY_WINDOW_S } from '../../conformance/lab/scenarios/steadyState.js';
import { KALMAN_TUNING_HARDWARE, KALMAN_TUNING_SOFTWARE } from '../../src/servo/kalmanTuning.js';
import type { ClockDisciplineOptions } from '../../src/servo/clockDiscipline.js';
import { labSyncNoises } from '../../conformance/sim/labSyncNoise.js';
import { withSyncNoise } from '../../conformance/sim/scenarios.js';

const SEEDS = [1, 2, 3, 4];
/** The lab's steady window starts here, s after Syntonic started. */
const LAB_STEADY_FROM_S = STEADY_RUN_S - STEADY_WINDOW_S;

/** 300 s of the simulator's recorded veth noise on an oscillator wandering by wanderPpbPerSqrtS; the true error's std from 120 s. */
function onOscillator(seed: number, wanderPpbPerSqrtS: number, servo: ClockDisciplineOptions): ScenarioSpec {
  const base = softwareRecorded('oscillator', 'recorded veth noise', seed, 0, servo);
  return withOscillatorWander({ ...base, durationS: 300, steadyFromS: 120 }, wanderPpbPerSqrtS);
}

function meanStdNs(specs: readonly ScenarioSpec[]): number {
  return specs.map((spec) => runScenario(spec).steadyStdNs).reduce((a, b) => a + b, 0) / specs.length;
}

const SOFTWARE: ClockDisciplineOptions = { timestamping: 'software' };
const QUIET: ClockDisciplineOptions = { timestamping: 'software', kalmanFrequencyWanderPpbPerSqrtS: 1 };

describe('kalman_frequency_wander, software timestamps', () => {
  it("on the lab's recorded Sync noise (a clock that does not wander), 1 ppb/√s has less std than the default in most runs", () => {
    const runs = runsWithoutChange(loadLabNoise()).filter((run) => run.name.includes('steady-state'));
    let lower = 0;
    for (const run of runs) {
      const quiet = traceFigures(traceLabNoise(run, QUIET), LAB_STEADY_FROM_S).trueErrorStdNs;
      const standard = traceFigures(traceLabNoise(run, SOFTWARE), LAB_STEADY_FROM_S).trueErrorStdNs;
      if (quiet < standard) lower++;
    }
    expect(runs.length).toBeGreaterThan(100);
    expect(lower).toBeGreaterThan(0.75 * runs.length);
  });

  it('on an oscillator that does not wander, 1 ppb/√s has less std than the default', () => {
    const quiet = meanStdNs(SEEDS.map((seed) => onOscillator(seed, 0, QUIET)));
    const standard = meanStdNs(SEEDS.map((seed) => onOscillator(seed, 0, SOFTWARE)));
    expect(quiet).toBeLessThan(0.9 * standard);
  });

  it('on an oscillator that wanders by 8 ppb/√s, 1 ppb/√s follows it late: more than the default', () => {
    const quiet = meanStdNs(SEEDS.map((seed) => onOscillator(seed, 8, QUIET)));
    const standard = meanStdNs(SEEDS.map((seed) => onOscillator(seed, 8, SOFTWARE)));
    expect(quiet).toBeGreaterThan(1.5 * standard);
  });
});

/** Long enough to learn the walk (four Allan intervals of 256 s after the first two) and to measure after. */
const LEARNING_RUN_S = 5400;
const LEARNED_FROM_S = 2700;

/** The lab's Sync noise of the median recorded run (its slow wander included) on an oscillator that walks, learned over 90 min. */
function learning(seed: number, wanderPpbPerSqrtS: number, servo: ClockDisciplineOptions): ScenarioSpec {
  const noises = labSyncNoises(loadLabNoise());
  const median = noises[noises.length >> 1];
  if (median === undefined) throw new Error('no recorded Sync noise');
  const base = softwareRecorded('learning', 'recorded veth noise and the lab’s Sync noise', seed, 0, servo);
  return withSyncNoise(withOscillatorWander({ ...base, durationS: LEARNING_RUN_S, steadyFromS: LEARNED_FROM_S }, wanderPpbPerSqrtS), median.noise);
}

const TRACKING_DEFAULT: ClockDisciplineOptions = {
  timestamping: 'software',
  kalmanFrequencyWanderPpbPerSqrtS: KALMAN_TUNING_SOFTWARE.latencyStateWanderPpbPerSqrtS,
};

describe('the oscillator walk learned from the Syncs (kalman_frequency_wander unset), software timestamps', () => {
  it('on an oscillator that wanders by 8 ppb/√s, has less std than tracking with the default walk throughout', () => {
    const learned = meanStdNs([1, 2].map((seed) => learning(seed, 8, SOFTWARE)));
    const fixed = meanStdNs([1, 2].map((seed) => learning(seed, 8, TRACKING_DEFAULT)));
    expect(learned).toBeLessThan(0.8 * fixed);
  });

  it('on an oscillator that does not wander, has less std than tracking with the default walk throughout', () => {
    const learned = meanStdNs([1, 2].map((seed) => learning(seed, 0, SOFTWARE)));
    const fixed = meanStdNs([1, 2].map((seed) => learning(seed, 0, TRACKING_DEFAULT)));
    expect(learned).toBeLessThan(0.95 * fixed);
  });
});

describe('kalman_frequency_wander, hardware timestamps (clock_servo kalman)', () => {
  it('is the walk of the filter itself: set far below the oscillator’s, the clock follows it late', () => {
    const base = SCENARIOS.find((s) => s.name === 'hardware');
    if (base === undefined) throw new Error('no hardware scenario');
    const withServo = (servo: ClockDisciplineOptions): ScenarioSpec[] =>
      SEEDS.map((seed) => ({ ...base, scenario: { ...base.scenario, seed, station: { ...base.scenario.station, servo } } }));
    const standard = meanStdNs(withServo({ timestamping: 'hardware', servo: 'kalman' }));
    const frozen = meanStdNs(withServo({ timestamping: 'hardware', servo: 'kalman', kalmanFrequencyWanderPpbPerSqrtS: 0.01 }));
    expect(frozen).toBeGreaterThan(1.5 * standard);
  });

  it('unset, the walk is learned: an oscillator far noisier than assumed is followed after tens of minutes', () => {
    const base = SCENARIOS.find((s) => s.name === 'hardware');
    if (base === undefined) throw new Error('no hardware scenario');
    const withServo = (servo: ClockDisciplineOptions): ScenarioSpec[] =>
      [1, 2].map((seed) =>
        withOscillatorWander(
          {
            ...base,
            durationS: LEARNING_RUN_S,
            steadyFromS: LEARNED_FROM_S,
            scenario: { ...base.scenario, seed, station: { ...base.scenario.station, servo } },
          },
          16,
        ),
      );
    const learned = meanStdNs(withServo({ timestamping: 'hardware', servo: 'kalman' }));
    const fixed = meanStdNs(
      withServo({ timestamping: 'hardware', servo: 'kalman', kalmanFrequencyWanderPpbPerSqrtS: KALMAN_TUNING_HARDWARE.wanderPpbPerSqrtS }),
    );
    expect(learned).toBeLessThan(0.5 * fixed);
  });
});
