/**
 * A change of the Sync path that no slave can see (scenarios.ts `software-path-shift`): on the
 * recorded veth noise, the grandmaster's Syncs take 2 µs more from 60 s to 90 s while the Pdelay
 * exchanges do not change — the lab's veth switches between such states by 1.6–2.5 µs. The offsets
 * show a new level and the servo follows it, as it must (it cannot tell it from a grandmaster whose
 * time moved, 802.1AS-2020 8.3), so the true error moves by the shift. Issue 14's target for the
 * error bound: it holds in ≥ 99.9 % of the samples taken while synchronized. Before the bound kept
 * believed changes as possible asymmetry, it held in 82–86 % of them here. And the status stays
 * synchronized while the servo steers the change out: how far the clock is, is the offsets' RMS to
 * judge; when the servo's instant phase estimate was judged too (2 σ + |θ̂| against 2 µs), seed 12
 * left synchronized at both edges of the shift, 2.4 s and 3.8 s.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../conformance/sim/runScenario.js';
import { SCENARIOS, withSeed, type ScenarioSpec } from '../../conformance/sim/scenarios.js';

const BASE = SCENARIOS.find((s) => s.name === 'software-path-shift') as ScenarioSpec;

describe("a 2 µs change of the Syncs' path, unseen by the Pdelay exchanges (recorded veth noise)", () => {
  it('moves the true error by about the shift, and the error bound still holds while synchronized', () => {
    for (const seed of [5, 6, 7]) {
      const r = runScenario(withSeed(BASE, seed));
      // The clock carries the shift (the rate ratio cannot see it either): most of its 2 µs reaches the true error.
      expect(r.synchronizedMaxNs, `seed ${seed}`).toBeGreaterThan(1_600);
      expect(r.errorBoundCoverage, `seed ${seed}`).toBeGreaterThanOrEqual(0.999);
      expect(r.synchronizedSamples, `seed ${seed}`).toBeGreaterThan(600);
    }
  });

  it("does not leave synchronized for the servo's steering: only the offsets' RMS may say the clock is too far", () => {
    for (const seed of [5, 6, 7, 8, 9, 10, 11, 12]) {
      const r = runScenario(withSeed(BASE, seed));
      const first = r.statusTimeline.findIndex((e) => e.status === 'synchronized');
      expect(first, `seed ${seed}`).toBeGreaterThanOrEqual(0);
      const departures = r.statusTimeline.slice(first).filter((e) => e.status === 'unstable');
      for (const d of departures) expect(d.reason, `seed ${seed} at ${d.atS.toFixed(2)} s`).toMatch(/^Offset RMS \d+ ns exceeds 2000 ns\.$/);
      expect(departures.length, `seed ${seed}`).toBeLessThanOrEqual(1);
    }
  });
});
