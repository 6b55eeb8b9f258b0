/**
 * Servo states, named and printed as linuxptp does (`master offset … s2 freq …`).
 */
export const ServoState = {
  /** s0: collecting samples, the clock is not adjusted yet (or again, after a reset). */
  unlocked: 's0',
  /** s1: the clock is being stepped to the master's time (jump). */
  jump: 's1',
  /** s2: the frequency loop is tracking the master. */
  locked: 's2',
} as const;
export type ServoState = (typeof ServoState)[keyof typeof ServoState];

/** The servo algorithms available by name (linuxptp's clock_servo option). */
export const SERVO_NAMES = ['pi', 'linreg', 'kalman'] as const;
export type ServoName = (typeof SERVO_NAMES)[number];

export function isServoName(name: string): name is ServoName {
  return (SERVO_NAMES as readonly string[]).includes(name);
}
