/**
 * The simulator on the Syncs' noise of the recorded lab runs (conformance/sim/labSyncNoise.ts): one
 * seed per recorded run without a change of its own (175), each drawing afresh the run's level, white
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
    expect(noises).toHaveLength(175);
    const simulated = medians(
      noises.map((noise, i) => {
        const { syncAtS, noiseNs } = simulatedSyncNoise(labLikeSpec(noise, i + 1, software));
        return wanderStatistics(syncAtS, noiseNs);
      }),
    );
    expect(simulated.blockStd / lab.blockStd).toBeGreaterThan(0.85);
    expect(simulated.blockStd / lab.blockStd).toBeLessThan(1.15);
    expect(simulated.white / lab.white).toBeGreaterThan(0.85);
    expect(simulated.white / lab.white).toBeLessThan(1.15);
    expect(Math.abs(simulated.correlation2s - lab.correlation2s)).toBeLessThan(0.1);
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
  // the latency's σ until it joins (95.5 %, 99.0 %); with sessions 21–22's runs (110 noises, other draws)
  // none, with it or without: kalmanServo.test.ts holds that case.
  // Seated from its first offset, the servo took 6.0 s from the first Sync in one seed (18 µs late),
  // and carried an 18 µs change in its bound for minutes; seated from the first half second's median, 2.75 s.
  // With session 28's runs (175 noises, other draws) one seed left: seed 173, drawn from the wander of
  // s14.automotive.run3.order2 (σ 763 ns, the third largest), whose offsets' RMS reached 2163 ns at 32.75 s
  // against the status's 2000 ns while its true error stayed within 924 ns; the lab's run never left,
  // and the same seed leaves with or without session 28's rule on the rate ratio's ends.
  it('is synchronized within 5 s of the first Sync in every seed, keeps the error bound from then on, though the latency joins the filter only 10 s in, and leaves only when the offsets pass the status limit', () => {
    const left: number[] = [];
    noises.forEach((noise, i) => {
      const r = runScenario(labLikeSpec(noise, i + 1, software));
      expect(r.timeToSynchronizedS, `seed ${i + 1}`).toBeLessThanOrEqual(5);
      expect(r.errorBoundCoverage, `seed ${i + 1}`).toBeGreaterThanOrEqual(ERROR_BOUND_COVERAGE_TARGET);
      if (r.leftSynchronized === 0) return;
      left.push(i + 1);
      const synchronizedAt = r.statusTimeline.findIndex((c) => c.status === 'synchronized');
      for (const change of r.statusTimeline.slice(synchronizedAt).filter((c) => c.status === 'unstable')) {
        expect(change.reason, `seed ${i + 1}`).toMatch(/^Offset RMS \d+ ns exceeds 2000 ns/);
      }
    });
    expect(left.length).toBeLessThanOrEqual(1);
  });

  it("puts Syntonic's std at or below ptp4l's PI on the same draws in at least 9 of 10 seeds, where it did not without every rate ratio, nor does the two-state filter", () => {
    const notAbovePi = (servo: ClockDisciplineOptions): number =>
      noises.filter(
        (noise, i) => runScenario(labLikeSpec(noise, i + 1, servo)).steadyStdNs <= runScenario(labLikeSpec(noise, i + 1, PTP4L_PI_SOFTWARE)).steadyStdNs,
      ).length;
    // Measured: 149 of 155 (122 of session 25's 124 seeds); without the rate ratios (session 23's
    // servo) 135 (108); the filter without the latency state (session 20's) 123 (100), and 120 without the ratios (97).
    expect(notAbovePi(software)).toBeGreaterThanOrEqual(0.9 * noises.length);
    expect(notAbovePi({ ...software, kalman: { fuseEveryRateRatio: false } })).toBeLessThan(0.9 * noises.length);
    expect(notAbovePi({ ...software, kalman: { latencyTimeConstantS: 0 } })).toBeLessThan(0.9 * noises.length);
  });
});
