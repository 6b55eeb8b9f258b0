/**
 * The simulator on the Syncs' noise of the recorded lab runs (conformance/sim/labSyncNoise.ts): one
 * seed per recorded run without a change of its own (209), each drawing afresh the run's level, white
 * part and wander, through the whole engine, as the lab's steady state (120 s, figures over the last
 * 50 s). Issue 14's "a simulator that predicts the lab": its Syncs must carry the lab's noise measured
 * the lab's way, and what the lab measured of the servos on it must hold here too.
 */
import { describe, expect, it } from 'vitest';
import { seriesFigures } from '../../conformance/lab/stats.js';
import { loadLabNoise, runsWithoutChange } from '../../conformance/sim/labNoise.js';
import { PTP4L_PI_SOFTWARE } from '../../conformance/sim/labNoiseFigures.js';
import { labSyncNoises, wanderStatistics, type WanderStatistics } from '../../conformance/sim/labSyncNoise.js';
import { labLikeSpec, simulatedSyncNoise } from '../../conformance/sim/labSyncNoiseFigures.js';
import { runScenario } from '../../conformance/sim/runScenario.js';
import { softwareRecorded } from '../../conformance/sim/scenarios.js';
import type { ClockDisciplineOptions } from '../../src/servo/clockDiscipline.js';
import { ERROR_BOUND_COVERAGE_TARGET } from '../../src/servo/servoErrorBound.js';

const recording = loadLabNoise();
const noises = labSyncNoises(recording);
const software = { timestamping: 'software' } as const;

function medians(stats: readonly WanderStatistics[]): { blockStd: number; white: number; correlation2s: number } {
  return {
    blockStd: seriesFigures(stats.map((s) => s.blockMedianStdNs)).median,
    white: seriesFigures(stats.map((s) => s.whiteNs)).median,
    correlation2s: seriesFigures(stats.map((s) => s.autocorrelation[0] ?? NaN)).median,
  };
}

describe("the simulator on the lab's Sync noise", () => {
  const lab = medians(runsWithoutChange(recording).map((run) => wanderStatistics(run.syncAtS, run.noiseNs)));

  it("gives its servo the lab's noise, measured alike: the 2 s medians' spread, the white part and their correlation at 2 s", () => {
    expect(noises).toHaveLength(209);
    const simulated = medians(
      noises.map(({ noise, seed }) => {
        const { syncAtS, noiseNs } = simulatedSyncNoise(labLikeSpec(noise, seed, software));
        return wanderStatistics(syncAtS, noiseNs);
      }),
    );
    expect(simulated.blockStd / lab.blockStd).toBeGreaterThan(0.85);
    expect(simulated.blockStd / lab.blockStd).toBeLessThan(1.15);
    expect(simulated.white / lab.white).toBeGreaterThan(0.85);
    expect(simulated.white / lab.white).toBeLessThan(1.15);
    expect(Math.abs(simulated.correlation2s - lab.correlation2s)).toBeLessThan(0.1);
  });

  it('draws each run with a seed of its own name, so that runs joining the fixture leave the others as they were', () => {
    const fewer = labSyncNoises({ ...recording, runs: recording.runs.slice(0, 100) });
    const all = new Map(noises.map((n) => [n.run, n.seed]));
    expect(fewer.length).toBeGreaterThan(50);
    for (const n of fewer) expect(n.seed, n.run).toBe(all.get(n.run));
    expect(new Set(noises.map((n) => n.seed)).size).toBe(noises.length);
  });

  it("where the veth recorder's frame-by-frame draws alone give twice the white part and no wander", () => {
    const alone = medians(
      [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => {
        const spec = softwareRecorded(`alone-${seed}`, 'recorded veth quantiles only', seed, 0, software);
        const { syncAtS, noiseNs } = simulatedSyncNoise(spec);
        return wanderStatistics(syncAtS, noiseNs);
      }),
    );
    expect(alone.white / lab.white).toBeGreaterThan(1.5);
    expect(alone.correlation2s).toBeLessThan(0.3);
  });

  // On the 80 noises of sessions 13–20 two seeds fell short in their first seconds before the bound took
  // the latency's σ until it joins (95.5 %, 99.0 %); kalmanServo.test.ts holds that case. With each run's
  // draws seeded by its name (session 29) one more fell short right after the join (98.7 %, s13.steady-state.
  // run2.order1): θ̂ still held the latency it had taken as phase while the bound's σL went at once; it now
  // fades over L's time constant (kalmanServo.test.ts holds that case too).
  // Seated from its first offset, the servo took 6.0 s from the first Sync in one seed (18 µs late),
  // and carried an 18 µs change in its bound for minutes; seated from the first half second's median, 2.75 s.
  // On session 28's index-ordered draws one seed left synchronized (its offsets' RMS 2163 ns against the
  // status's 2000 ns, its true error within 924 ns); on the named draws none does.
  it('is synchronized within 5 s of the first Sync in every seed, keeps the error bound from then on, though the latency joins the filter only 10 s in, and never leaves synchronized', () => {
    const left: string[] = [];
    for (const { run, seed, noise } of noises) {
      const r = runScenario(labLikeSpec(noise, seed, software));
      expect(r.timeToSynchronizedS, run).toBeLessThanOrEqual(5);
      expect(r.errorBoundCoverage, run).toBeGreaterThanOrEqual(ERROR_BOUND_COVERAGE_TARGET);
      if (r.leftSynchronized > 0) left.push(run);
    }
    expect(left).toEqual([]);
  });

  it("puts Syntonic's std at or below ptp4l's PI on the same draws in at least 9 of 10 seeds; without every rate ratio, or without the latency state, fewer and with a higher std", () => {
    const pi = noises.map(({ noise, seed }) => runScenario(labLikeSpec(noise, seed, PTP4L_PI_SOFTWARE)).steadyStdNs);
    const figures = (servo: ClockDisciplineOptions): { notAbovePi: number; meanStdNs: number } => {
      const stds = noises.map(({ noise, seed }) => runScenario(labLikeSpec(noise, seed, servo)).steadyStdNs);
      return { notAbovePi: stds.filter((s, i) => s <= (pi[i] ?? 0)).length, meanStdNs: stds.reduce((a, b) => a + b, 0) / stds.length };
    };
    // Measured on the named draws: 208 of 209, mean std 87.6 ns (the PI 197.4); without the rate ratios
    // (session 23's servo) 188, 137.2 ns; the filter without the latency state (session 20's) 161, 159.1 ns.
    const full = figures(software);
    expect(full.notAbovePi).toBeGreaterThanOrEqual(0.9 * noises.length);
    for (const ablated of [figures({ ...software, kalman: { fuseEveryRateRatio: false } }), figures({ ...software, kalman: { latencyTimeConstantS: 0 } })]) {
      expect(ablated.notAbovePi).toBeLessThan(full.notAbovePi);
      expect(ablated.meanStdNs).toBeGreaterThan(1.3 * full.meanStdNs);
    }
  });
});
