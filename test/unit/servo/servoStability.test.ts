/**
 * The automotive profile asks for operational intervals once the servo is stable: linuxptp's
 * servo_offset_threshold / servo_num_offset_values, as ptp4l(8) states them.
 */
import { describe, expect, it } from 'vitest';
import { ServoState } from '../../../src/servo/servoState.js';
import { ServoStability, STABILITY_DEFAULTS, type StabilitySample } from '../../../src/servo/servoStability.js';

const locked = (offsetNs: number): StabilitySample => ({ accepted: true, servoState: ServoState.locked, offsetNs });

/** How many samples until the rule first says stable; undefined if it never does. */
function stableAfter(rule: ServoStability, samples: readonly StabilitySample[]): number | undefined {
  const i = samples.findIndex((s) => rule.update(s));
  return i < 0 ? undefined : i + 1;
}

describe('ServoStability', () => {
  it('is stable at the tenth locked offset in a row below 30 ns (automotive-slave.cfg)', () => {
    const rule = new ServoStability(STABILITY_DEFAULTS.automotive);
    expect(stableAfter(rule, [-29, 12, 0, 29, -5, 3, 8, -17, 22, 1, 4].map(locked))).toBe(10);
  });

  it('does not count an offset equal to the threshold: the comparison is strict, as ptp4l’s', () => {
    const rule = new ServoStability({ offsetThresholdNs: 30, numOffsetValues: 3 });
    expect(stableAfter(rule, [10, 30, 10, 10, 10].map(locked))).toBe(5);
  });

  it('counts in a row: one offset at or over the threshold starts the count again', () => {
    const rule = new ServoStability({ offsetThresholdNs: 30, numOffsetValues: 4 });
    expect(stableAfter(rule, [5, 5, 5, -31, 5, 5, 5, 5].map(locked))).toBe(8);
  });

  it('counts only accepted offsets of a locked servo', () => {
    const rule = new ServoStability({ offsetThresholdNs: 30, numOffsetValues: 2 });
    const unlocked: StabilitySample = { accepted: true, servoState: ServoState.unlocked, offsetNs: 1 };
    const leftOut: StabilitySample = { accepted: false, servoState: ServoState.locked, offsetNs: 1 };
    expect(stableAfter(rule, [locked(1), unlocked, locked(1), leftOut, locked(1), locked(1)])).toBe(6);
  });

  it('with servo_num_offset_values 0, is stable at the first locked offset whatever its size, as ptp4l’s count', () => {
    const rule = new ServoStability({ offsetThresholdNs: 30, numOffsetValues: 0 });
    expect(rule.update({ accepted: true, servoState: ServoState.unlocked, offsetNs: 0 })).toBe(false);
    expect(rule.update(locked(100))).toBe(true);
  });

  it('never says stable with a threshold of 0 (the gptp profile)', () => {
    const rule = new ServoStability(STABILITY_DEFAULTS.gptp);
    expect(
      stableAfter(
        rule,
        Array.from({ length: 50 }, () => locked(0)),
      ),
    ).toBeUndefined();
  });

  it('starts the count again after a reset (synchronization ended)', () => {
    const rule = new ServoStability({ offsetThresholdNs: 30, numOffsetValues: 3 });
    expect(stableAfter(rule, [1, 1].map(locked))).toBeUndefined();
    rule.reset();
    expect(stableAfter(rule, [1, 1, 1].map(locked))).toBe(3);
  });
});
