import { describe, expect, it } from 'vitest';
import { PiServo, piGains } from '../../../src/servo/piServo.js';
import { ServoState } from '../../../src/servo/servoState.js';
import { localTime } from '../../../src/clock/timePoint.js';

const at = (s: number) => localTime(BigInt(Math.round(s * 1e9)));

describe('PI gains (ptp4l pi_sync_interval)', () => {
  it('scales ptp4l hardware defaults to an 8 Sync/s interval: kp = 0.7·0.125^−0.3, ki = 0.3·0.125^0.4', () => {
    const g = piGains({}, 0.125);
    // 0.125^−0.3 = 2^0.9 = 1.866066; 0.125^0.4 = 2^−1.2 = 0.435275
    expect(g.kp).toBeCloseTo(1.306246, 5);
    expect(g.ki).toBeCloseTo(0.130583, 5);
  });

  it('caps the gains at norm_max / interval for long intervals (4 s: 0.7/4 and 0.3/4)', () => {
    const g = piGains({}, 4);
    expect(g.kp).toBeCloseTo(0.175, 9);
    expect(g.ki).toBeCloseTo(0.075, 9);
  });

  it('uses ptp4l software defaults 0.1/0.001 and fixed constants with norm max 1.0/2.0', () => {
    expect(piGains({ softwareTimestamps: true }, 1)).toEqual({ kp: 0.1, ki: 0.001 });
    const fixed = piGains({ kpConst: 0.5, kiConst: 0.1 }, 4);
    expect(fixed.kp).toBeCloseTo(0.25, 12); // min(0.5, 1.0 / 4)
    expect(fixed.ki).toBeCloseTo(0.1, 12); // min(0.1, 2.0 / 4)
  });
});

describe('PiServo without feed-forward (ptp4l behaviour)', () => {
  it('waits for a second sample, estimates the frequency from the two offsets, then locks', () => {
    const servo = new PiServo({ syncIntervalS: 0.125 });
    expect(servo.sample(0, at(1)).state).toBe(ServoState.unlocked);
    // +1250 ns in 125 ms: the clock gains 10 ppm, so it needs −10,000 ppb.
    const out = servo.sample(1250, at(1.125));
    expect(out.state).toBe(ServoState.locked);
    expect(out.frequencyPpb).toBeCloseTo(-10_000, 6);
  });

  it('keeps waiting while the samples are closer than freq_est_interval = 0.016/ki', () => {
    const servo = new PiServo({ syncIntervalS: 1 }); // ki 0.3: 53.3 ms
    servo.sample(0, at(1));
    expect(servo.sample(100, at(1.05)).state).toBe(ServoState.unlocked);
    expect(servo.sample(200, at(1.1)).state).toBe(ServoState.locked);
  });

  it('jumps on the first update beyond first_step_threshold (20 µs)', () => {
    const servo = new PiServo({ syncIntervalS: 0.125 });
    servo.sample(0, at(1));
    const out = servo.sample(30_000, at(1.125));
    expect(out.state).toBe(ServoState.jump);
    expect(out.stepNs).toBe(-30_000);
    expect(out.frequencyPpb).toBeCloseTo(-240_000, 6); // 30 µs per 125 ms = 240 ppm
  });

  it('starts over past step_threshold once locked, as ptp4l', () => {
    const servo = new PiServo({ syncIntervalS: 1, stepThresholdNs: 1_000_000, kpConst: 0.5, kiConst: 0.1 });
    servo.sample(0, at(1));
    servo.sample(0, at(2));
    expect(servo.sample(2_000_000, at(3)).state).toBe(ServoState.unlocked);
  });

  it('integrates the whole offset, however large', () => {
    const servo = new PiServo({ syncIntervalS: 1, kpConst: 0.5, kiConst: 0.1 });
    servo.sample(0, at(1));
    servo.sample(0, at(2));
    servo.sample(100_000, at(3));
    expect(servo.frequencyEstimatePpb()).toBeCloseTo(-10_000, 9);
  });
});

describe('PiServo with feed-forward', () => {
  const tuning = { syncIntervalS: 1, kpConst: 0.5, kiConst: 0.1 };

  it('jumps on the first sample with the feed-forward as its frequency', () => {
    const out = new PiServo(tuning).sample(50_000, at(1), 12_345);
    expect(out).toEqual({ state: ServoState.jump, frequencyPpb: 12_345, stepNs: -50_000 });
  });

  it('locks on the first sample below the threshold: frequency = ff + kp·(−offset) + ki·(−offset)', () => {
    const servo = new PiServo(tuning);
    // 12,345 − 0.5·500 − 0.1·500
    expect(servo.sample(500, at(1), 12_345)).toEqual({ state: ServoState.locked, frequencyPpb: 12_045 });
    // integral −50, then 12,345 − 50 + 0.5·20 + 0.1·20
    expect(servo.sample(-20, at(2), 12_345).frequencyPpb).toBeCloseTo(12_307, 9);
    expect(servo.frequencyEstimatePpb()).toBeCloseTo(12_297, 9); // ff + residual −48
  });

  it('a new feed-forward value seats the estimate; its disappearance keeps the estimate continuous', () => {
    const servo = new PiServo(tuning);
    servo.sample(500, at(1), 12_345);
    expect(servo.sample(0, at(2), 12_400).frequencyPpb).toBe(12_400);
    expect(servo.sample(0, at(3)).frequencyPpb).toBe(12_400);
    expect(servo.frequencyEstimatePpb()).toBe(12_400);
  });

  it('goes on from a frequency held in holdover when Syncs return, with or without its feed-forward', () => {
    // Holdover followed a ramp from 12,297 ppb to 12,327 ppb (ClockServo.holdFrequency tells the servo).
    const servo = new PiServo(tuning);
    servo.sample(500, at(1), 12_345);
    servo.sample(-20, at(2), 12_345);
    servo.holdFrequency(12_327);
    expect(servo.frequencyEstimatePpb()).toBe(12_327);
    // The same feed-forward when the Syncs return: 12,327 + 0.5·0 + 0.1·0, not the 12,297 of before.
    expect(servo.sample(0, at(40), 12_345).frequencyPpb).toBeCloseTo(12_327, 9);
    expect(servo.sample(0, at(41)).frequencyPpb).toBeCloseTo(12_327, 9);
  });

  it('does not integrate while the output is clamped (anti-windup)', () => {
    const servo = new PiServo({ ...tuning, maxFrequencyPpb: 1_000 });
    // 900 + 0.5·1000 + 0.1·1000 = 1500 → clamped to 1000
    expect(servo.sample(-1_000, at(1), 900).frequencyPpb).toBe(1_000);
    expect(servo.frequencyEstimatePpb()).toBe(900);
  });

  it('steps past step_threshold once locked, keeping its frequency estimate', () => {
    const servo = new PiServo({ ...tuning, stepThresholdNs: 1_000_000 });
    servo.sample(0, at(1), 300);
    expect(servo.sample(2_000_000, at(2), 300)).toEqual({ state: ServoState.jump, frequencyPpb: 300, stepNs: -2_000_000 });
  });

  it('slews a phase jump with the proportional term alone, but integrates an offset that keeps growing', () => {
    const servo = new PiServo(tuning); // slewThresholdNs 1000
    servo.sample(0, at(1), 0);
    // Jump of 100 µs: kp·(−100,000) only.
    expect(servo.sample(100_000, at(2), 0).frequencyPpb).toBe(-50_000);
    // Shrinking: still the proportional term only.
    expect(servo.sample(80_000, at(3), 0).frequencyPpb).toBe(-40_000);
    expect(servo.frequencyEstimatePpb()).toBe(0);
    // Growing again: a frequency error; integral −9000, output −45,000 − 9000.
    expect(servo.sample(90_000, at(4), 0).frequencyPpb).toBe(-54_000);
    expect(servo.frequencyEstimatePpb()).toBe(-9_000);
  });

  it('switches to acquisition gains after two offsets beyond the threshold and back after 16 within half of it', () => {
    const servo = new PiServo({ ...tuning, acquisitionGains: { kpConst: 1, kiConst: 0.2 }, acquisitionThresholdNs: 1_000 });
    servo.sample(0, at(1), 0);
    servo.sample(2_000, at(2), 0);
    expect(servo.gains().kp).toBe(0.5);
    servo.sample(2_000, at(3), 0);
    expect(servo.gains()).toEqual({ kp: 1, ki: 0.2, acquiring: true });
    for (let i = 0; i < 15; i++) servo.sample(400, at(4 + i), 0);
    expect(servo.gains().acquiring).toBe(true);
    servo.sample(400, at(20), 0);
    expect(servo.gains()).toEqual({ kp: 0.5, ki: 0.1, acquiring: false });
  });

  it('refuses a non-finite offset with a RangeError naming it', () => {
    expect(() => new PiServo().sample(Number.NaN, at(1))).toThrow(/offset/);
  });
});
