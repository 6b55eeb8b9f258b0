/**
 * The servo against a scripted master on the simulator (src/servo/servoSimulation.ts): 8 Sync/s,
 * hardware timestamps with 8 ns granularity and ±20 ns uniform noise, an oscillator +100 ppm off with a
 * 1 ppb/√s random walk, the clock 3.14 ms off at start, rate ratio over 8 Pdelay exchanges 1 s apart.
 */
import { describe, expect, it } from 'vitest';
import { PTP4L_REFERENCE_OPTIONS } from '../../../src/servo/clockServo.js';
import { ClockDiscipline, type ClockDisciplineOptions } from '../../../src/servo/clockDiscipline.js';
import { lockFigures, simulate, standardScenario, type ServoScenario, type SimulationResult } from '../../../src/servo/servoSimulation.js';
import { ServoState } from '../../../src/servo/servoState.js';

const SEEDS = [1, 2, 3, 4, 5, 6];

function run(seed: number, scenario: Partial<ServoScenario> = {}, options: ClockDisciplineOptions = {}): SimulationResult {
  return simulate(standardScenario(seed, scenario), (clock) => new ClockDiscipline(clock, options));
}

describe('servo on the simulator: locking', () => {
  for (const timestampsFollowAdjustment of [true, false]) {
    const model = timestampsFollowAdjustment ? 'PHC' : 'virtual clock';
    it(`locks within 3 s and then stays within 100 ns of the master, RMS ≤ 15 ns (${model}, seeds ${SEEDS.join(',')})`, () => {
      for (const seed of SEEDS) {
        const figures = lockFigures(run(seed, { timestampsFollowAdjustment }).syncs, 100, 10);
        expect(figures.timeToLockS, `seed ${seed}`).toBeLessThanOrEqual(3);
        expect(figures.rmsNs, `seed ${seed}`).toBeLessThanOrEqual(15);
        expect(figures.maxNs, `seed ${seed}`).toBeLessThan(100);
      }
    });
  }

  it('the linreg servo locks within 3 s and stays within 100 ns too', () => {
    for (const seed of SEEDS) {
      const figures = lockFigures(run(seed, {}, { servo: 'linreg' }).syncs, 100, 10);
      expect(figures.timeToLockS, `seed ${seed}`).toBeLessThanOrEqual(3);
      expect(figures.maxNs, `seed ${seed}`).toBeLessThan(100);
    }
  });
});

describe('servo on the simulator: feed-forward', () => {
  it('has the frequency right after the first Sync, within the bound the rate-ratio measurement allows', () => {
    // The engine's rate ratio spans 8 s. Each local timestamp is off by at most 20 ns of noise plus
    // 4 ns of rounding: ≤ 2 × 24 ns / 8 s = 6 ppb. It is the mean frequency over the window, while the
    // oscillator's frequency at its end differs from that mean by a random walk of standard deviation
    // 1 ppb/√s × √(8 s / 3) = 1.63 ppb: 5 σ = 8.2 ppb. Bound: 6 + 8.2 = 14.2 ppb.
    for (const seed of [...SEEDS, 7, 8, 9, 10, 11, 12]) {
      const first = run(seed, { durationS: 1 }).syncs[0];
      expect(first?.outcome?.servoState).toBe(ServoState.jump);
      expect(Math.abs(first?.frequencyErrorPpb ?? Infinity), `seed ${seed}`).toBeLessThan(14.2);
    }
  });

  it('without feed-forward (ptp4l) the first Sync leaves the frequency 100 ppm off', () => {
    const first = run(1, { durationS: 1 }, PTP4L_REFERENCE_OPTIONS).syncs[0];
    expect(first?.outcome?.servoState).toBe(ServoState.unlocked);
    expect(Math.abs(first?.frequencyErrorPpb ?? 0)).toBeGreaterThan(99_000);
  });
});

describe('servo on the simulator: a 1 ms phase jump of the master at 30 s', () => {
  const jump: Partial<ServoScenario> = { durationS: 70, phaseJumps: [{ atS: 30, ns: 1_000_000 }] };

  it('is stepped when it exceeds step_threshold (0.5 ms), once the spike filter believes it', () => {
    for (const seed of SEEDS.slice(0, 3)) {
      const result = run(seed, jump, { stepThresholdNs: 500_000 });
      const steps = result.syncs.filter((s) => s.tS >= 30 && s.outcome?.stepNs !== undefined);
      expect(steps).toHaveLength(1);
      // Three Syncs rejected as spikes (30.0, 30.125, 30.25 s), the fourth is believed and stepped.
      expect(steps[0]?.tS).toBe(30.375);
      // The master went 1 ms ahead: the clock steps forward by 1 ms (± the offset noise).
      expect(Math.abs((steps[0]?.outcome?.stepNs ?? 0) - 1_000_000)).toBeLessThan(100);
      const after = result.syncs.filter((s) => s.tS > 30.375);
      expect(Math.max(...after.map((s) => Math.abs(s.trueErrorNs)))).toBeLessThan(100);
      expect(result.events.filter((e) => e.tS >= 30).map((e) => e.event.to)).toEqual(['unstable', 'synchronized']);
    }
  });

  it('is slewed without a step when step_threshold is 0, back within 100 ns in 20 s and overshooting < 1 µs', () => {
    for (const seed of SEEDS.slice(0, 3)) {
      const result = run(seed, jump, { stepThresholdNs: 0 });
      const after = result.syncs.filter((s) => s.tS >= 30);
      expect(after.some((s) => s.outcome?.stepNs !== undefined)).toBe(false);
      const lastBad = after.filter((s) => Math.abs(s.trueErrorNs) >= 100).pop();
      expect(lastBad?.tS ?? 0).toBeLessThan(50);
      // The clock was 1 ms behind; overshoot means getting ahead of the master.
      expect(Math.max(...after.map((s) => s.trueErrorNs))).toBeLessThan(1_000);
    }
  });
});

describe('servo on the simulator: loss of sync', () => {
  it('goes lost after syncReceiptTimeout × 125 ms without Sync, then holds over on the last frequency', () => {
    let servo: ClockDiscipline | undefined;
    const result = simulate(standardScenario(1, { durationS: 90, syncGaps: [{ fromS: 60, toS: 1000 }] }), (clock) => {
      servo = new ClockDiscipline(clock);
      return servo;
    });
    const lost = result.events.find((e) => e.event.to === 'lost');
    // Last Sync at 59.875 s; the modelled engine's syncReceiptTimeout falls due 3.5 × 125 ms later
    // (half an interval of grace): at 60.3125 s, found at the step of 60.375 s.
    expect(lost?.tS).toBe(60.375);
    expect(lost?.event.reason).toBe('No Sync for 0.438 s (syncReceiptTimeout 3 × 125 ms).');
    const report = servo?.report(result.clock.localNow());
    expect(report?.status).toBe('lost');
    expect(report?.holdoverS).toBeCloseTo(90.001 - 60.3125, 3);
    expect(report?.holdoverErrorNs).toBeGreaterThan(0);
    // No adjustment during holdover: the frequency error only moves with the oscillator's wander
    // (1 ppb/√s over 30 s: σ 5.5 ppb), and after 30 s the clock is still within 1 µs.
    const gap = result.syncs.filter((s) => s.tS > 60.375);
    expect(gap.every((s) => s.outcome === undefined)).toBe(true);
    expect(Math.abs(gap[gap.length - 1]?.trueErrorNs ?? Infinity)).toBeLessThan(1_000);
  });

  it('comes back: synchronized again within 2 s of the Syncs returning', () => {
    const result = run(1, { durationS: 100, syncGaps: [{ fromS: 60, toS: 90 }] });
    const firstBack = result.syncs.find((s) => s.tS >= 90);
    // Lost at the engine's deadline, 60.3125 s; back with the Sync of 90 s: 29.6875 s of holdover.
    expect(firstBack?.outcome?.notes).toContain('Sync is back after 29.688 s of holdover.');
    const back = result.events.filter((e) => e.tS >= 90).map((e) => [e.event.to, e.tS] as const);
    expect(back[0]?.[0]).toBe('unstable');
    expect(back[1]?.[0]).toBe('synchronized');
    expect(back[1]?.[1] ?? Infinity).toBeLessThan(92);
  });

  it("says once that Sync is back, though the Syncs back are left out for 2 s (the grandmaster's time moved by 1 ms meanwhile)", () => {
    const scenario = standardScenario(1, {
      durationS: 100,
      syncGaps: [{ fromS: 60, toS: 90 }],
      phaseJumps: [{ atS: 90, ns: 1_000_000 }],
      timestampNoise: 'gaussian',
      timestampNoiseNs: 300,
      timestampGranularityNs: 1,
    });
    const result = simulate(scenario, (clock) => new ClockDiscipline(clock, { timestamping: 'software' }));
    const back = result.syncs.filter((s) => s.tS >= 90);
    expect(back.findIndex((s) => s.outcome?.accepted === true)).toBeGreaterThan(8);
    const notes = back.flatMap((s) => s.outcome?.notes ?? []).filter((n) => n.startsWith('Sync is back'));
    // 29.6875 s of holdover as the held clock counts it: the held frequency's few ppb round it either way.
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^Sync is back after 29\.68[78] s of holdover\.$/);
  });
});

describe('servo on the simulator: a 50 µs meanLinkDelay spike', () => {
  it('is hidden by the median link-delay filter, while a servo without it follows the spike', () => {
    const spike: Partial<ServoScenario> = { durationS: 45, delaySpikes: [{ atS: 40, extraNs: 50_000 }] };
    const filtered = run(1, spike, { linkDelayFilter: {} }).syncs.filter((s) => s.tS >= 40);
    expect(Math.max(...filtered.map((s) => Math.abs(s.trueErrorNs)))).toBeLessThan(100);
    const unfiltered = run(1, spike, PTP4L_REFERENCE_OPTIONS).syncs.filter((s) => s.tS >= 40);
    expect(Math.max(...unfiltered.map((s) => Math.abs(s.trueErrorNs)))).toBeGreaterThan(1_000);
  });
});
