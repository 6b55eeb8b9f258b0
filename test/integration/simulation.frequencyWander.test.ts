/**
 * kalman_frequency_wander: how fast the Kalman servo lets the clock's frequency walk once it tracks
 * (its Q, kalmanTuning.ts trackingWander). Nothing a slave measures within minutes tells an
 * oscillator's slow wander from the Sync path's (docs/servo.md, "The oscillator's wander,
 * configured"), so the defaults follow a free-running crystal; a node whose oscillator is known to be
 * quiet says so, and one that is not pays for saying so. Each side is specified here on the same
 * draws: the lab's recorded Sync noise (both ends on one CLOCK_REALTIME: no wander at all) and the
 * simulator's recorded veth noise on oscillators that wander or do not.
 */
import { describe, expect, it } from 'vitest';
import { loadLabNoise, runsWithoutChange, traceFigures, traceLabNoise } from '../../conformance/sim/labNoise.js';
import { runScenario } from '../../conformance/sim/runScenario.js';
import { SCENARIOS, softwareRecorded, withOscillatorWander, type ScenarioSpec } from '../../conformance/sim/scenarios.js';
import { STEADY_RUN_S, STEADY_WINDOW_S } from '../../conformance/lab/scenarios/steadyState.js';
import type { ClockDisciplineOptions } from '../../src/servo/clockDiscipline.js';

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
});
