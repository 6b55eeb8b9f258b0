/**
 * The Kalman servo and the oscillator walk it learns (oscillatorWander.ts): only when asked (a walk the
 * configuration gives is the node's own word), from a kept one at once when it rests on enough, and
 * through ClockServo as kalman_frequency_wander says.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../../src/clock/prng.js';
import { localTime, ptpTime } from '../../../src/clock/timePoint.js';
import { VirtualClock } from '../../../src/clock/virtualClock.js';
import { ClockServo } from '../../../src/servo/clockServo.js';
import { KALMAN_TUNING_HARDWARE, KALMAN_TUNING_SOFTWARE } from '../../../src/servo/kalmanTuning.js';
import { KalmanServo, type KalmanServoOptions } from '../../../src/servo/kalmanServo.js';
import { upperFactor } from '../../../src/servo/oscillatorWander.js';

const INTERVAL_S = 0.125;

/**
 * Offsets of a clock that needs +20 ppm, 20 ns of noise, for durationS, the servo's frequency applied in
 * between; at newGrandmasterAtS the servo hears of a new grandmaster.
 */
function run(options: KalmanServoOptions, durationS: number, newGrandmasterAtS = Infinity): KalmanServo {
  const servo = new KalmanServo({ syncIntervalS: INTERVAL_S, ...options });
  const random = new Prng(3);
  let theta = 0;
  let applied = 0;
  for (let i = 0; i * INTERVAL_S < durationS; i++) {
    if (i * INTERVAL_S === newGrandmasterAtS) servo.allowFirstStep();
    const out = servo.sample(theta + 20 * random.gaussian(), localTime(BigInt(i) * 125_000_000n));
    if (out.stepNs !== undefined) theta += out.stepNs;
    applied = out.frequencyPpb;
    theta += (applied - 20_000) * INTERVAL_S;
  }
  return servo;
}

describe('KalmanServo, the oscillator walk', () => {
  it('learns none unless asked', () => {
    expect(run({}, 700).learnedWander()).toBeUndefined();
  });

  it('asked, says what it learned after two Allan intervals, and tracks with the configured walk until it rests on four', () => {
    const servo = run({ learnWander: true }, 700);
    const learned = servo.learnedWander();
    expect(learned?.evidence).toBeGreaterThanOrEqual(1);
    expect(learned?.inUse).toBe(false);
    expect(learned?.trackingPpbPerSqrtS).toBe(KALMAN_TUNING_HARDWARE.wanderPpbPerSqrtS);
  });

  it('spans no second difference across a new grandmaster (or Syncs back after a loss)', () => {
    expect(run({ learnWander: true }, 700, 400).learnedWander()).toBeUndefined();
  });

  it('from a kept walk that rests on enough, tracks with the mode’s scale × its upper bound at once', () => {
    const prior = { ppbPerSqrtS: 2, evidence: 8 };
    const hardware = run({ learnWander: true, wanderPrior: prior }, 1).learnedWander();
    expect(hardware?.inUse).toBe(true);
    expect(hardware?.trackingPpbPerSqrtS).toBeCloseTo(KALMAN_TUNING_HARDWARE.learnedWanderScale * 2 * Math.sqrt(upperFactor(8)), 9);
    const software = new KalmanServo({ learnWander: true, wanderPrior: prior, softwareTimestamps: true }).learnedWander();
    expect(software?.trackingPpbPerSqrtS).toBeCloseTo(KALMAN_TUNING_SOFTWARE.learnedWanderScale * 2 * Math.sqrt(upperFactor(8)), 9);
    const thin = new KalmanServo({ learnWander: true, wanderPrior: { ppbPerSqrtS: 2, evidence: 2 } }).learnedWander();
    expect(thin).toMatchObject({ inUse: false, trackingPpbPerSqrtS: KALMAN_TUNING_HARDWARE.wanderPpbPerSqrtS });
  });
});

describe('ClockServo, kalman_frequency_wander and the learned walk', () => {
  const clock = (): VirtualClock => new VirtualClock(() => localTime(0n), { initialTime: ptpTime(0n) });
  const prior = { ppbPerSqrtS: 2, evidence: 8 };

  it('unset: the Kalman servo learns the walk, from a kept one when given', () => {
    expect(new ClockServo(clock(), { timestamping: 'software', kalmanWanderPrior: prior }).learnedWander()).toMatchObject({ ppbPerSqrtS: 2, inUse: true });
  });

  it('set: the configured walk is the node’s word, and none is learned', () => {
    const servo = new ClockServo(clock(), { timestamping: 'software', kalmanFrequencyWanderPpbPerSqrtS: 1, kalmanWanderPrior: prior });
    expect(servo.learnedWander()).toBeUndefined();
  });

  it('another servo learns none', () => {
    expect(new ClockServo(clock(), { timestamping: 'hardware', kalmanWanderPrior: prior }).learnedWander()).toBeUndefined();
  });
});
