/**
 * The frequency holdover holds (holdover.ts): the line through the servo's estimates when they span
 * the whole 60 s window and the line moves across it by more than ten scatters (a ramp: the clock's
 * frequency then follows the line for one window), else the servo's last estimate.
 * Over a shorter history the line is the servo settling and its end value an extrapolation of it; on
 * a walk the last estimate is the better guess. Each scenario's |error| after 30 s without Sync, RMS
 * over 8 seeds.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../conformance/sim/runScenario.js';
import { SCENARIOS, softwareRecorded, withSilence, type ScenarioSpec } from '../../conformance/sim/scenarios.js';
import { Simulation } from '../../conformance/sim/simulation.js';
import type { HoldoverModel } from '../../src/servo/holdover.js';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const LOSS_S = 30;

const rms = (xs: readonly number[]): number => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);

function holdoverErrorRms(spec: (seed: number) => ScenarioSpec, fromS: number): number {
  return rms(SEEDS.map((seed) => runScenario(withSilence(spec(seed), fromS, LOSS_S, 5)).holdoverErrorNs ?? Infinity));
}

/** The PHC-like clock (PI servo, 1 ppb/√s walk) of seed `seed`, its oscillator also ramping by driftPpbPerS. */
function phcLike(driftPpbPerS: number): (seed: number) => ScenarioSpec {
  const base = SCENARIOS.find((s) => s.name === 'hardware') as ScenarioSpec;
  return (seed) => {
    const st = base.scenario.station;
    const oscillator = { ...st.clock.oscillator, seed: 100 + seed, driftPpbPerS };
    const station = { ...st, clock: { ...st.clock, seed: 200 + seed, oscillator } };
    return { ...base, scenario: { ...base.scenario, seed, station } };
  };
}

describe('the frequency held while the grandmaster is silent for 30 s', () => {
  it('software timestamps, silent 20 s after the start: the servo estimate, not the line through its settling', () => {
    // Measured: 709 ns (the line's end value: 1729 ns).
    expect(holdoverErrorRms((seed) => softwareRecorded('early', '', seed, 0), 20)).toBeLessThan(1_000);
  });

  it('a PHC-like clock warming by 0.1 ppb/s, silent 20 s after the start: the servo estimate', () => {
    // Measured: 94 ns (the line's end value: 129 ns).
    expect(holdoverErrorRms(phcLike(0.1), 20)).toBeLessThan(110);
  });

  it('a PHC-like clock that only walks, silent after 240 s (a full window): the servo estimate, as no ramp shows', () => {
    // Measured: 94 ns (the line's end value: 163 ns).
    expect(holdoverErrorRms(phcLike(0), 240)).toBeLessThan(130);
  });

  it('a PHC-like clock warming by 1 ppb/s, silent after 240 s (a full window): the frequency follows the line', () => {
    // Holding any one frequency leaves ½ × 1 ppb/s × (30 s)² = 450 ns at least: the line's end value
    // held left 463 ns, the servo's last estimate 528 ns. Following the line: measured 204 ns, the
    // line's slope off by 0.14 ppb/s RMS and its end value by the walk.
    expect(holdoverErrorRms(phcLike(1), 240)).toBeLessThan(300);
  });
});

/** Software timestamps (Kalman) of seed `seed`, its oscillator warming by driftPpbPerS. */
function softwareWarming(driftPpbPerS: number): (seed: number) => ScenarioSpec {
  return (seed) => {
    const base = softwareRecorded('software-warming', '', seed, 0);
    const st = base.scenario.station;
    const station = { ...st, clock: { ...st.clock, oscillator: { ...st.clock.oscillator, driftPpbPerS } } };
    return { ...base, scenario: { ...base.scenario, station } };
  };
}

/**
 * The error the clock added over LOSS_S without Sync, ns, RMS over the seeds: its true error at the
 * end of the silence less at its start (the |error| at the end also holds the link's static asymmetry,
 * some −0.7 µs with software timestamps, which can hide a drift of the same size).
 */
function errorAddedRms(spec: (seed: number) => ScenarioSpec, fromS: number): number {
  const added = SEEDS.map((seed) => {
    const silent = withSilence(spec(seed), fromS, LOSS_S, 5);
    const sim = new Simulation(silent.scenario, {});
    const errors: number[] = [];
    sim.runFor(fromS + LOSS_S, 125_000_000n, (s) => {
      const t = Number(s.trueNow - silent.scenario.startNs) / 1e9;
      if (t > fromS && s.slave.discipline.syncStatus() === 'lost') errors.push(s.clockErrorNs());
    });
    return (errors.at(-1) ?? Infinity) - (errors[0] ?? 0);
  });
  return rms(added);
}

describe('the frequency along a ramp, at what the servo steered with', () => {
  it('software timestamps warming by 1 ppb/s, silent after 200 s: the ramp followed from the servo output, not its lagging estimate', () => {
    // The Kalman servo lags a ramp by a steady phase, and its estimate by the 13–22 ppb its phase
    // correction adds: the line through the estimates alone left 525 ns RMS (every seed the same
    // sign). Measured: 114 ns, as without a ramp (100 ns).
    expect(errorAddedRms(softwareWarming(1), 200)).toBeLessThan(250);
  });
});

describe('the frequency along a ramp', () => {
  interface Held {
    /** True time, s from the start. */
    readonly s: number;
    /** The clock's frequency, ppb, less the line's value at that instant (local time). */
    readonly fromLinePpb: number;
    readonly ppb: number;
  }

  /** Seed 1 of the PHC-like clock warming by 1 ppb/s, silent from 240 s for lossS: the clock's frequency while lost, and the course held. */
  function followRamp(lossS: number): { held: Held[]; course: HoldoverModel | undefined; timerAfterReturn: boolean | undefined } {
    const spec = withSilence(phcLike(1)(1), 240, lossS, 5);
    const sim = new Simulation(spec.scenario, {});
    const start = sim.trueNow;
    const held: Held[] = [];
    let course: HoldoverModel | undefined;
    let timerAfterReturn: boolean | undefined;
    sim.runFor(spec.durationS, 125_000_000n, (s) => {
      const t = Number(s.trueNow - start) / 1e9;
      const lost = s.slave.discipline.syncStatus() === 'lost';
      if (lost) course ??= s.slave.discipline.heldCourse();
      // The first sample out of holdover: the servo has used a Sync and steers the clock again.
      if (course !== undefined && !lost) timerAfterReturn ??= s.slave.discipline.nextTimerAt() !== undefined;
      else if (course !== undefined) {
        const line = course.frequencyPpb + course.rampPpbPerS * Math.min(Number(s.localNow() - course.at) / 1e9, course.rampS);
        held.push({ s: t, ppb: s.clock.frequencyPpb(), fromLinePpb: s.clock.frequencyPpb() - line });
      }
    });
    return { held, course, timerAfterReturn };
  }

  it('moves with the line for one window after the last estimate, then stays', () => {
    const { held, course } = followRamp(90);
    const ppbAt = (s: number): number => held.find((h) => h.s >= s)?.ppb ?? NaN;
    const ramp = course?.rampPpbPerS ?? 0;
    expect(ramp).toBeLessThan(-0.5);
    // The oscillator speeds up: the clock's correction falls by the ramp every second…
    expect(ppbAt(290) - ppbAt(250)).toBeCloseTo(40 * ramp, 6);
    // …each second at the line's mean over it: half a ramp above the line at its start, half below at its end…
    const along = held.filter((h) => h.s > 241 && h.s < 299);
    const mean = along.reduce((sum, h) => sum + h.fromLinePpb, 0) / along.length;
    expect(Math.abs(mean)).toBeLessThan(0.1 * Math.abs(ramp));
    expect(Math.max(...along.map((h) => Math.abs(h.fromLinePpb)))).toBeLessThanOrEqual(0.51 * Math.abs(ramp));
    // …until a window (60 s) after the last estimate (~240 s), then stays where the ramp took it.
    expect(ppbAt(325)).toBe(ppbAt(305));
  });

  it('ends with the first Sync the servo uses again: no step along the ramp is left pending', () => {
    const { course, timerAfterReturn } = followRamp(30);
    expect(course?.rampPpbPerS).not.toBe(0);
    expect(timerAfterReturn).toBe(false);
  });
});
