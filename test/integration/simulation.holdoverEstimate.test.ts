/**
 * The status's holdover estimate (holdover.ts) is a typical error: the size of the error a user
 * should expect after t s without Sync, beside the error bound that holds in 99.9 % of instants.
 * Before the trend needed a full window of history, a loss 5 s after the start read the servo's own
 * settling as an oscillator drifting at 59–499 ppb/s: 37–230 µs estimated after 30 s, above the
 * bound on every seed, against 0.05–9.4 µs true.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../conformance/sim/runScenario.js';
import { SCENARIOS, softwareEarlyLoss, type ScenarioSpec } from '../../conformance/sim/scenarios.js';

const rms = (xs: readonly number[]): number => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);

describe('the holdover estimate', () => {
  it('after a loss in the first seconds (software, 8 seeds): never above the bound, and of the size of the true errors', () => {
    const trueNs: number[] = [];
    const estimatedNs: number[] = [];
    for (let seed = 1; seed <= 8; seed++) {
      const r = runScenario(softwareEarlyLoss(seed));
      expect(r.holdoverSamples, `seed ${seed}`).toBeGreaterThan(200);
      expect(r.holdoverEstimateAboveBound, `seed ${seed}`).toBe(0);
      trueNs.push(r.holdoverErrorNs ?? NaN);
      estimatedNs.push(r.holdoverEstimateNs ?? NaN);
    }
    // Measured after 30 s: 4.8 µs RMS true, 9.6 µs RMS estimated (before: ~120 µs).
    const ratio = rms(estimatedNs) / rms(trueNs);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(4);
  });

  it.each(['hardware', 'gm-outage'])('of the size of the true error on a PHC-like clock silent for 60 s (%s)', (name) => {
    const r = runScenario(SCENARIOS.find((s) => s.name === name) as ScenarioSpec);
    // Measured: 326 ns estimated against 136 ns true (hardware), 379 against 267 ns (gm-outage).
    const ratio = (r.holdoverEstimateNs ?? NaN) / (r.holdoverErrorNs ?? NaN);
    expect(ratio).toBeGreaterThan(0.25);
    expect(ratio).toBeLessThan(4);
    expect(r.holdoverEstimateAboveBound).toBe(0);
  });
});
