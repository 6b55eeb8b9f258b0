/**
 * The Kalman servo's level test (a shift of the offsets its stiff filter would follow late, taken as a
 * phase) and how far the offsets moved the clock's course, which the error bound carries.
 */
import { describe, expect, it } from 'vitest';
import { KalmanServo } from '../../../src/servo/kalmanServo.js';
import { ServoState } from '../../../src/servo/servoState.js';
import { INTERVAL_S, at, loop, gaussian, TWO_STATE, type Loop } from '../../support/kalmanServoLoop.js';

describe('KalmanServo: a level its phase has missed', () => {
  // The Syncs' latency moves by 4 σ and stays (lab, oscillator-plus-100ppm): the offsets straddle the gate.
  const SHIFT_AT = 800;
  const SHIFT_NS = 1_600;
  const shifted = (seed: number) => {
    const n = gaussian(seed, 400);
    return (i: number): number => n(i) + (i >= SHIFT_AT ? SHIFT_NS : 0);
  };
  /** Mean of what the offsets show after the shift (true phase + shift) over Syncs [from, to) after it, ns. */
  const residual = (l: Loop, from: number, to: number): number => {
    const r = l.truePhases.slice(SHIFT_AT + from, SHIFT_AT + to).map((t) => t + SHIFT_NS);
    return r.reduce((a, b) => a + b, 0) / r.length;
  };

  it('takes a shift that straddles the gate within seconds (the median of 4 s of innovations beyond 3 σ)', () => {
    for (const seed of [1, 2, 3]) {
      const l = loop(TWO_STATE, SHIFT_AT + 80, 0, shifted(seed));
      // 5–10 s after the shift the clock sits where the offsets say, within the noise of their mean.
      expect(Math.abs(residual(l, 40, 80))).toBeLessThan(300);
    }
  });

  it('without the level test the stiff filter is still more than half the shift away 5–10 s later', () => {
    const l = loop({ ...TWO_STATE, levelSigmas: 0 }, SHIFT_AT + 80, 0, shifted(1));
    expect(Math.abs(residual(l, 40, 80))).toBeGreaterThan(SHIFT_NS / 2);
  });

  /** The closed loop on a shifted link until the servo takes a level: its uncertainty just before and just after. */
  const aroundLevel = (seed: number) => {
    const servo = new KalmanServo({ syncIntervalS: INTERVAL_S, ...TWO_STATE });
    const offsets = shifted(seed);
    let theta = 0;
    let applied = 0;
    let before = servo.uncertainty();
    for (let i = 0; i < SHIFT_AT + 80; i++) {
      const out = servo.sample(theta + offsets(i), at(i * INTERVAL_S));
      if (out.state !== ServoState.unlocked) applied = out.frequencyPpb;
      theta += applied * INTERVAL_S;
      if (out.levelNs !== undefined) return { before, after: servo.uncertainty() };
      before = servo.uncertainty();
    }
    return expect.unreachable('no level taken');
  };

  it('takes the level with the uncertainty of a median of its window, not of one offset', () => {
    const { after } = aroundLevel(2);
    // 32 innovations: σ of their median √(π/2 / 32) ≈ 0.22 of one offset's.
    expect(after?.phaseNs).toBeLessThan(0.3 * (after?.measurementNoiseNs ?? 0));
  });

  it("takes a level as a phase: the frequency's uncertainty stays what it was (the latency's wander is no rate to learn)", () => {
    const { before, after } = aroundLevel(3);
    // Freed by the level as a ramp over its 4 s window, σ of the frequency went from under 10 ppb to 240.
    expect(after?.frequencyPpb).toBeLessThan(2 * (before?.frequencyPpb ?? 0));
  });

  it('leaves steady gaussian noise alone: no level is taken in 200 s', () => {
    const servo = new KalmanServo({ syncIntervalS: INTERVAL_S, softwareTimestamps: true });
    const n = gaussian(9, 400);
    const levels = Array.from({ length: 1_600 }, (_, i) => servo.sample(n(i), at(i * INTERVAL_S)).levelNs).filter((v) => v !== undefined);
    expect(levels).toEqual([]);
  });
});

describe('KalmanServo: how far a believed change moved the phase (for the error bound)', () => {
  /** The phase changes the servo reports while it steers the clock through offsets `offsets(i)`: at which Sync, how much, and the level when one was taken. */
  const changes = (syncs: number, offsets: (i: number) => number) =>
    loop(TWO_STATE, syncs, 0, offsets).outputs.flatMap((o, i) => (o.phaseChangeNs === undefined ? [] : [{ i, ns: o.phaseChangeNs, levelNs: o.levelNs }]));
  const largest = (r: readonly { ns: number }[]): number => Math.max(...r.map((c) => Math.abs(c.ns)));
  it('reports a believed run as the size of the jump, once', () => {
    const r = changes(200, (i) => (i >= 100 ? 200_000 : 0));
    expect(r).toHaveLength(1);
    expect(r[0]?.ns).toBeCloseTo(200_000, -3);
  });

  it('reports a level it takes as the whole change of the path, and nothing beyond the noise on steady noise', () => {
    const n = gaussian(2, 400);
    const r = changes(1_000, (i) => n(i) + (i >= 800 ? 1_600 : 0));
    const levels = r.filter((c) => c.levelNs !== undefined);
    expect(levels).toHaveLength(1);
    // The level itself was 1228 ns: the filter had fused and steered out the rest before taking it,
    // and the clock carries all 1600 ns, so the error bound must keep that (lab: a 2 µs step, a level
    // of 1222 ns, the bound short of the true error for 12 s).
    expect(Math.abs(levels[0]?.levelNs ?? 0)).toBeLessThan(0.8 * 1_600);
    // Reported at each Sync while the filter follows it, the largest carries that noise too (1817 ns).
    expect(largest(r)).toBeGreaterThan(0.9 * 1_600);
    expect(largest(r)).toBeLessThan(1.25 * 1_600);
    // Steady noise: no level; while the frequency is learned, a move of the course beyond 1 σ of what
    // the model allows is reported whole, within 2 σ of the noise (nothing or 575–812 ns on seeds
    // 1–10), and after two minutes nothing is reported.
    const steady = changes(2_400, gaussian(9, 400));
    expect(steady.filter((c) => c.levelNs !== undefined)).toEqual([]);
    expect(largest(steady)).toBeLessThan(2 * 400);
    expect(steady.filter((c) => c.i >= 960)).toEqual([]);
  });

  it('does so for a 2 µs change of the Sync path in the noise of software timestamps', () => {
    const n = gaussian(3, 700);
    const r = changes(1_100, (i) => n(i) + (i >= 800 ? 2_000 : 0));
    // The level taken was 1661 ns.
    expect(r.filter((c) => c.levelNs !== undefined)).toHaveLength(1);
    expect(Math.abs(largest(r) - 2_000)).toBeLessThan(250);
  });

  it('counts the part of a change the filter followed before the level and after it (a change in two stages)', () => {
    // Lab, a 2 µs Sync-path step: for 4 s half the Syncs came 1.3 µs late, then all 2.8 µs late. The
    // filter followed the first stage through its gain before the level's window began, took a level of
    // 1230 ns, and followed the rest after it: the clock carried 2.86 µs, the level's window saw 1.62.
    for (const seed of [4, 10, 11]) {
      const n = gaussian(seed, 400);
      const r = changes(1_100, (i) => n(i) + (i >= 832 ? 2_800 : i >= 800 && i % 2 === 0 ? 1_300 : 0));
      const level = r.find((c) => c.levelNs !== undefined);
      // Levels of 1200–1577 ns; the window's change alone 1.51 µs on seed 4.
      expect(Math.abs(level?.levelNs ?? 0)).toBeLessThan(0.6 * 2_800);
      expect(largest(r)).toBeGreaterThan(0.85 * 2_800);
      expect(largest(r)).toBeLessThan(1.25 * 2_800);
    }
  });

  it('restarts the measure at a believed jump: nothing reported after it carries the jump', () => {
    const n = gaussian(5, 400);
    const jumped = changes(1_000, (i) => n(i) + (i >= 800 ? 1_600 : 0) + (i >= 820 ? 5_000_000 : 0));
    const believed = jumped.findIndex((c) => Math.abs(c.ns) > 1e6);
    expect(believed).toBeGreaterThanOrEqual(0);
    expect(largest(jumped.slice(believed + 1))).toBeLessThan(1e5);
  });

  it('reports a change below the level test, followed through the gain alone (a 1 µs step of the Sync path)', () => {
    for (const seed of [1, 2, 3]) {
      const n = gaussian(seed, 400);
      const r = changes(1_800, (i) => n(i) + (i >= 1_200 ? 1_000 : 0));
      // No level: 1 µs is under 3 σ of the learned noise. The clock follows it all the same.
      expect(r.filter((c) => c.levelNs !== undefined)).toEqual([]);
      // 1201–1615 ns on seeds 1–10: the course's move, the noise of its measure included, never less
      // than the step (its excess over 1 σ of what the model allows, reported until session 19, was
      // 794–1208 ns: short of the step the clock carries).
      expect(largest(r.filter((c) => c.i >= 1_200))).toBeGreaterThan(1_000);
      expect(largest(r.filter((c) => c.i >= 1_200))).toBeLessThan(1.7 * 1_000);
    }
  });

  it('and a change spread over 20 s (1.5 µs, a ramp the filter follows as it comes)', () => {
    for (const seed of [1, 2, 3]) {
      const n = gaussian(seed, 400);
      const r = changes(1_800, (i) => n(i) + Math.min(1, Math.max(0, (i - 1_200) / 160)) * 1_500);
      expect(r.filter((c) => c.levelNs !== undefined)).toEqual([]);
      // 1666–2089 ns on seeds 1–10 (the excess over 1 σ: 1260–1687 ns).
      expect(largest(r.filter((c) => c.i >= 1_200))).toBeGreaterThan(1_500);
      expect(largest(r.filter((c) => c.i >= 1_200))).toBeLessThan(1.5 * 1_500);
    }
  });
});
