/**
 * The error bound through holdover. While no Sync corrects the clock the bound grows by the servo's
 * frequency uncertainty × age and by ½ × error_bound_wander × age² (servoErrorBound.ts); the default
 * wander is a quartz in a room warming 1 K/min (20 ppb/s), which on a quiet oscillator is most of the
 * bound. Measured every 125 ms while the status says `lost`.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../conformance/sim/runScenario.js';
import { SCENARIOS, softwareEarlyLoss, type ScenarioSpec } from '../../conformance/sim/scenarios.js';
import type { ErrorBoundOptions } from '../../src/servo/servoErrorBound.js';

function withErrorBound(spec: ScenarioSpec, errorBound: ErrorBoundOptions): ScenarioSpec {
  const station = spec.scenario.station;
  return { ...spec, scenario: { ...spec.scenario, station: { ...station, servo: { ...station.servo, errorBound } } } };
}

describe('the error bound while the grandmaster is silent', () => {
  const gmOutage = SCENARIOS.find((s) => s.name === 'gm-outage') as ScenarioSpec;

  it('holds through 60 s of holdover of a PHC-like clock (1 ppb/√s), with the default wander', () => {
    const r = runScenario(gmOutage);
    expect(r.holdoverSamples).toBeGreaterThan(400);
    expect(r.holdoverBoundCoverage).toBe(1);
  });

  it('an oscillator said to change by 1 ppb/s (error_bound_wander) gets a bound a fifth as wide that still holds', () => {
    const fallback = runScenario(gmOutage);
    const quiet = runScenario(withErrorBound(gmOutage, { wanderPpbPerS: 1 }));
    // Measured: 45.5 µs against 8.7 µs after 62 s; the true error was 0.14 µs.
    expect(quiet.holdoverBoundCoverage).toBe(1);
    expect(quiet.holdoverBoundMaxNs).toBeLessThan(fallback.holdoverBoundMaxNs / 4);
  });

  it('holds on the time base heard of when the grandmaster restarts with its time moved while silent', () => {
    // software-gm-restart: silent from 60 s, its time 3 ms ahead from 65 s, Syncs again at 73 s. From
    // the move to the first Sync no station can know of it: those samples are left out, as while
    // synchronized (they were 48 % of the holdover's when counted).
    const r = runScenario(SCENARIOS.find((s) => s.name === 'software-gm-restart') as ScenarioSpec);
    expect(r.unheardChangeSamples).toBeGreaterThan(30);
    expect(r.holdoverSamples).toBeGreaterThan(30);
    expect(r.holdoverBoundCoverage).toBe(1);
  });

  it('holds through a loss in the first seconds, where the frequency is known to ±100–250 ppb (software timestamps, 8 seeds)', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const r = runScenario(softwareEarlyLoss(seed));
      expect(r.holdoverSamples, `seed ${seed}`).toBeGreaterThan(200);
      expect(r.holdoverBoundCoverage, `seed ${seed}`).toBe(1);
    }
  });
});
