import { describe, expect, it } from 'vitest';
import { runScenario } from '../../conformance/sim/runScenario.js';
import { SCENARIOS, type ScenarioSpec } from '../../conformance/sim/scenarios.js';

function spec(name: string): ScenarioSpec {
  const s = SCENARIOS.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no scenario ${name}`);
  return s;
}

describe('simulation scenarios against the true grandmaster time', () => {
  it('ideal timestamps: sub-nanosecond steady-state error', () => {
    const r = runScenario(spec('ideal'));
    expect(r.steadyRmsNs).toBeLessThan(1);
    expect(Math.abs((r.meanLinkDelayNs ?? NaN) - 500)).toBeLessThan(1);
  });

  it('PHC-like timestamps: locks within 3 s at 8 Sync/s, steady RMS ≤ 15 ns, holdover bounded', () => {
    const r = runScenario(spec('hardware'));
    expect(r.timeToLockS).toBeDefined();
    expect(r.timeToLockS ?? Infinity).toBeLessThan(3);
    expect(r.steadyRmsNs).toBeLessThanOrEqual(15);
    expect(r.steadyMaxNs).toBeLessThan(100);
    // 60 s on a 1 ppb/√s random walk with the last frequency kept: well under 10 µs
    expect(r.holdoverErrorNs ?? Infinity).toBeLessThan(10_000);
    expect(r.statusTimeline.at(-1)?.status).toBe('lost');
  });

  it('an asymmetry the slave cannot see shows up as an equal bias, and nothing else', () => {
    const r = runScenario(spec('asymmetry'));
    // master→slave is 200 ns longer than slave→master: the slave runs 200 ns early
    expect(r.steadyMeanNs).toBeCloseTo(-200, -1);
    expect(Math.abs(r.steadyRmsNs - 200)).toBeLessThan(10);
  });

  it('5 % frame loss costs accuracy little', () => {
    const r = runScenario(spec('loss'));
    expect(r.steadyRmsNs).toBeLessThan(15);
  });

  it('follows a 1 ms grandmaster phase jump and is back within 100 ns', () => {
    const r = runScenario(spec('gm-phase-jump'));
    expect(r.statusTimeline.some((e) => e.atS >= 60 && e.status === 'unstable')).toBe(true);
    expect(r.recoveryS ?? Infinity).toBeLessThan(30);
    expect(r.steadyRmsNs).toBeLessThan(15);
  });

  it('goes lost when the grandmaster falls silent, holds over, and recovers when it returns', () => {
    const r = runScenario(spec('gm-outage'));
    const lost = r.statusTimeline.find((e) => e.status === 'lost');
    // syncReceiptTimeout 3 × 125 ms after the last Sync at 60 s (plus the status tick)
    expect(lost?.atS ?? Infinity).toBeGreaterThan(60);
    expect(lost?.atS ?? Infinity).toBeLessThan(61);
    expect(r.holdoverErrorNs ?? Infinity).toBeLessThan(10_000);
    expect(r.recoveryS ?? Infinity).toBeLessThan(10);
    expect(r.statusTimeline.at(-1)?.status).toBe('synchronized');
  });

  it('is deterministic: the same scenario gives the same figures', () => {
    const a = runScenario(spec('loss'));
    const b = runScenario(spec('loss'));
    expect([a.steadyRmsNs, a.steadyMaxNs, a.statusTimeline.length]).toEqual([b.steadyRmsNs, b.steadyMaxNs, b.statusTimeline.length]);
  });
});
