/**
 * A change of the Sync path that no slave can see (scenarios.ts `software-path-shift`): on the
 * recorded veth noise, the grandmaster's Syncs take 2 µs more from 60 s to 90 s while the Pdelay
 * exchanges do not change — the lab's veth switches between such states by 1.6–2.5 µs. The offsets
 * show a new level and the servo follows it, as it must (it cannot tell it from a grandmaster whose
 * time moved, 802.1AS-2020 8.3), so the true error moves by the shift. Issue 14's target for the
 * error bound: it holds in ≥ 99.9 % of the samples taken while synchronized. Before the bound kept
 * believed changes as possible asymmetry, it held in 82–86 % of them here.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../conformance/sim/runScenario.js';
import { SCENARIOS, type ScenarioSpec } from '../../conformance/sim/scenarios.js';

const BASE = SCENARIOS.find((s) => s.name === 'software-path-shift') as ScenarioSpec;

function withSeed(seed: number): ScenarioSpec {
  const s = BASE.scenario;
  const clock = { ...s.station.clock, seed: seed + 200 };
  return { ...BASE, scenario: { ...s, seed, station: { ...s.station, clock } } };
}

describe("a 2 µs change of the Syncs' path, unseen by the Pdelay exchanges (recorded veth noise)", () => {
  it('moves the true error by about the shift, and the error bound still holds while synchronized', () => {
    for (const seed of [5, 6, 7]) {
      const r = runScenario(withSeed(seed));
      expect(r.synchronizedMaxNs, `seed ${seed}`).toBeGreaterThan(2_000);
      expect(r.errorBoundCoverage, `seed ${seed}`).toBeGreaterThanOrEqual(0.999);
      expect(r.synchronizedSamples, `seed ${seed}`).toBeGreaterThan(600);
    }
  });
});
