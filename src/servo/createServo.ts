/**
 * Servo selection by name, as linuxptp's clock_servo option.
 */
import { LinregServo } from './linregServo.js';
import { PiServo, type PiTuning } from './piServo.js';
import type { CommonServoOptions, Servo } from './servo.js';
import type { ServoName } from './servoState.js';

export interface CreateServoOptions extends CommonServoOptions {
  /** Initial Sync interval, s. Default 1 s. */
  readonly syncIntervalS?: number;
  /** Gains of the PI servo (ignored by linreg). */
  readonly pi?: PiTuning;
}

export function createServo(name: ServoName, options: CreateServoOptions = {}): Servo {
  const { pi, ...common } = options;
  switch (name) {
    case 'pi':
      return new PiServo({ ...common, ...pi });
    case 'linreg':
      return new LinregServo(common);
  }
}
