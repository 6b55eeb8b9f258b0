import { describe, expect, it } from 'vitest';
import { LinregServo } from '../../../src/servo/linregServo.js';
import { createServo } from '../../../src/servo/createServo.js';
import { ServoState, isServoName } from '../../../src/servo/servoState.js';
import { ClockDiscipline } from '../../../src/servo/clockDiscipline.js';
import { simulate, standardScenario } from '../../../src/servo/servoSimulation.js';
import { localTime } from '../../../src/clock/timePoint.js';

const at = (s: number) => localTime(BigInt(Math.round(s * 1e9)));

/** The adjustment that cancels a +100 ppm oscillator: 1/(1 + 1e-4) − 1 = −99,990.0009999 ppb. */
const NEEDED_PPB = (1 / 1.0001 - 1) * 1e9;

describe('LinregServo', () => {
  it('collects four samples before it acts, then fits a line through them', () => {
    const servo = new LinregServo({ syncIntervalS: 1, timestampsFollowAdjustment: false });
    // A clock 2 µs ahead that gains 1000 ns per second (+1 ppm) against the master.
    expect(servo.sample(2_000, at(0)).state).toBe(ServoState.unlocked);
    expect(servo.sample(3_000, at(1)).state).toBe(ServoState.unlocked);
    expect(servo.sample(4_000, at(2)).state).toBe(ServoState.unlocked);
    const out = servo.sample(5_000, at(3));
    expect(out.state).toBe(ServoState.locked);
    // Slope −1 ppm (master time per free-running time) and intercept −5000 ns removed over one
    // interval of 1 s: −1000 − 5000 ppb.
    expect(out.frequencyPpb).toBeCloseTo(-6_000, 6);
  });

  it('jumps when the fitted offset exceeds first_step_threshold on the first update', () => {
    const servo = new LinregServo({ syncIntervalS: 1, timestampsFollowAdjustment: false });
    for (let i = 0; i < 3; i++) servo.sample(50_000, at(i));
    const out = servo.sample(50_000, at(3));
    expect(out.state).toBe(ServoState.jump);
    expect(out.stepNs).toBe(-50_000);
  });

  it('syntonizes a noise-free +100 ppm PHC to the exact frequency', () => {
    const scenario = standardScenario(1, {
      timestampGranularityNs: 1,
      timestampNoiseNs: 0,
      linkDelayNoiseNs: 0,
      durationS: 60,
      oscillator: { frequencyOffsetPpm: 100 },
    });
    const run = simulate(scenario, (clock) => new ClockDiscipline(clock, { servo: 'linreg' }));
    expect(run.clock.frequencyPpb()).toBeCloseTo(NEEDED_PPB, 1);
    expect(Math.abs(run.syncs[run.syncs.length - 1]?.trueErrorNs ?? Infinity)).toBeLessThan(2);
  });
});

describe('servo selection by name', () => {
  it('creates pi and linreg and knows no other name', () => {
    expect(createServo('pi').name).toBe('pi');
    expect(createServo('linreg').name).toBe('linreg');
    expect(isServoName('linreg')).toBe(true);
    expect(isServoName('ntpshm')).toBe(false);
  });

  it('the PI servo syntonizes the same noise-free clock to the exact frequency, in both clock models', () => {
    for (const timestampsFollowAdjustment of [true, false]) {
      const scenario = standardScenario(1, {
        timestampGranularityNs: 1,
        timestampNoiseNs: 0,
        linkDelayNoiseNs: 0,
        durationS: 60,
        oscillator: { frequencyOffsetPpm: 100 },
        timestampsFollowAdjustment,
      });
      const run = simulate(scenario, (clock) => new ClockDiscipline(clock));
      expect(run.clock.frequencyPpb()).toBeCloseTo(NEEDED_PPB, 1);
      expect(Math.abs(run.syncs[run.syncs.length - 1]?.trueErrorNs ?? Infinity)).toBeLessThan(2);
    }
  });
});
