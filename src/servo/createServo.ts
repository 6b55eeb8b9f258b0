/**
 * Servo selection by name, as linuxptp's clock_servo option.
 */
import { KalmanServo } from './kalmanServo.js';
import type { KalmanTuning } from './kalmanTuning.js';
import type { WanderPrior } from './oscillatorWander.js';
import { LinregServo } from './linregServo.js';
import { PiServo, type PiTuning } from './piServo.js';
import type { CommonServoOptions, Servo } from './servo.js';
import type { ServoName } from './servoState.js';

export interface CreateServoOptions extends CommonServoOptions {
  /** Initial Sync interval, s. Default 1 s. */
  readonly syncIntervalS?: number;
  /** Gains of the PI servo (ignored by the others). */
  readonly pi?: PiTuning;
  /** Noise model of the Kalman servo (ignored by the others); its defaults follow softwareTimestamps. */
  readonly kalman?: KalmanTuning;
  /** Timestamps are software ones (µs of noise): selects the Kalman servo's software noise model. */
  readonly softwareTimestamps?: boolean;
  /** The Kalman servo learns the oscillator's walk (ignored by the others). */
  readonly learnWander?: boolean;
  /** A walk it learned in an earlier run. */
  readonly wanderPrior?: WanderPrior;
}

export function createServo(name: ServoName, options: CreateServoOptions = {}): Servo {
  const { pi, kalman, softwareTimestamps, learnWander, wanderPrior, ...common } = options;
  switch (name) {
    case 'pi':
      return new PiServo({ ...common, ...pi });
    case 'linreg':
      return new LinregServo(common);
    case 'kalman':
      return new KalmanServo({ ...common, ...kalman, softwareTimestamps: softwareTimestamps === true, learnWander, wanderPrior });
  }
}
