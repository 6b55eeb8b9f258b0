/**
 * The simulator's model of the Syncs' own noise (conformance/sim/syncNoise.ts) and its fit to a run
 * (conformance/sim/labSyncNoise.ts): the wander is a stationary mean-reverting process with the σ and
 * time constant asked for, and the fit reads back the σ and the white part a known noise was made of.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../../src/clock/prng.js';
import { seriesFigures } from '../../../conformance/lab/stats.js';
import { LAB_WANDER_TIME_CONSTANT_S, syncNoiseOf, wanderStatistics } from '../../../conformance/sim/labSyncNoise.js';
import { medianNs } from '../../../conformance/sim/latencyDistribution.js';
import { OrnsteinUhlenbeck } from '../../../conformance/sim/syncNoise.js';

const S = 1_000_000_000n;

/** 8 Syncs a second for 120 s, as a lab run: the wander plus gaussian white noise plus a level, ns. */
function syntheticRun(seed: number, wanderSigmaNs: number, whiteNs: number, levelNs: number): { syncAtS: number[]; noiseNs: number[] } {
  const wander = new OrnsteinUhlenbeck({ timeConstantS: LAB_WANDER_TIME_CONSTANT_S, sigmaNs: wanderSigmaNs }, seed);
  const white = new Prng(seed + 1);
  const syncAtS = Array.from({ length: 960 }, (_, i) => i / 8);
  const noiseNs = syncAtS.map((t) => levelNs + wander.at(BigInt(Math.round(t * 1e9))) + whiteNs * white.gaussian());
  return { syncAtS, noiseNs };
}

describe('the Syncs latency wander (Ornstein–Uhlenbeck)', () => {
  const model = { timeConstantS: 5, sigmaNs: 300 };

  it('is stationary at the σ asked for, from its first value on', () => {
    const firsts = Array.from({ length: 2000 }, (_, seed) => new OrnsteinUhlenbeck(model, seed).at(0n));
    expect(seriesFigures(firsts).std).toBeGreaterThan(280);
    expect(seriesFigures(firsts).std).toBeLessThan(320);
    const ou = new OrnsteinUhlenbeck(model, 7);
    const long = Array.from({ length: 20_000 }, (_, i) => ou.at(BigInt(i) * S));
    expect(seriesFigures(long).std).toBeGreaterThan(280);
    expect(seriesFigures(long).std).toBeLessThan(320);
  });

  it('forgets by e over its time constant, whatever the step it is asked at', () => {
    for (const stepNs of [125_000_000n, 1_000_000_000n]) {
      const ou = new OrnsteinUhlenbeck(model, 3);
      const perTau = Number((5n * S) / stepNs);
      const xs = Array.from({ length: 200_000 }, (_, i) => ou.at(BigInt(i) * stepNs));
      let c0 = 0;
      let cTau = 0;
      for (let i = 0; i + perTau < xs.length; i++) {
        c0 += (xs[i] as number) ** 2;
        cTau += (xs[i] as number) * (xs[i + perTau] as number);
      }
      expect(cTau / c0).toBeCloseTo(Math.exp(-1), 1);
    }
  });

  it('gives the same value when asked twice at one instant', () => {
    const ou = new OrnsteinUhlenbeck(model, 1);
    ou.at(S);
    expect(ou.at(2n * S)).toBe(ou.at(2n * S));
  });
});

describe("the fit of a run's Sync noise", () => {
  it('reads back the level, the wander σ and the white part a noise was made of (median of 40 runs within 15 %)', () => {
    const fits = Array.from({ length: 40 }, (_, seed) => {
      const run = syntheticRun(seed * 10, 300, 250, -600);
      return syncNoiseOf(run.syncAtS, run.noiseNs);
    });
    const median = (xs: number[]): number => seriesFigures(xs).median;
    expect(median(fits.map((f) => f.wander.sigmaNs))).toBeGreaterThan(300 * 0.85);
    expect(median(fits.map((f) => f.wander.sigmaNs))).toBeLessThan(300 * 1.15);
    // The residual's σ as a gaussian's: its interquartile range / 1.349.
    const residualSigma = (q: number[]): number => ((q[75] as number) - (q[25] as number)) / 1.349;
    expect(median(fits.map((f) => residualSigma([...f.residual.quantilesNs])))).toBeGreaterThan(250 * 0.85);
    expect(median(fits.map((f) => residualSigma([...f.residual.quantilesNs])))).toBeLessThan(250 * 1.15);
    expect(median(fits.map((f) => f.levelNs ?? NaN))).toBeCloseTo(-600, -2);
    for (const f of fits) expect(Math.abs(medianNs(f.residual))).toBeLessThan(20);
  });

  it('finds no wander in white noise alone', () => {
    const fits = Array.from({ length: 20 }, (_, seed) => {
      const run = syntheticRun(seed * 10, 0, 250, 0);
      return syncNoiseOf(run.syncAtS, run.noiseNs);
    });
    expect(seriesFigures(fits.map((f) => f.wander.sigmaNs)).median).toBeLessThan(60);
  });

  it("measures a run's 2 s blocks from 20 s on: a wander's medians correlate at 2 s, white noise's do not", () => {
    const wandering = syntheticRun(5, 300, 250, 0);
    const white = syntheticRun(5, 0, 250, 0);
    const a = wanderStatistics(wandering.syncAtS, wandering.noiseNs);
    const b = wanderStatistics(white.syncAtS, white.noiseNs);
    expect(a.blocks).toBe(49);
    expect(a.syncsPerBlock).toBe(16);
    expect(a.autocorrelation[0]).toBeGreaterThan(0.4);
    expect(Math.abs(b.autocorrelation[0] as number)).toBeLessThan(0.3);
  });
});
