/**
 * linuxptp servo options → the servo's configuration, in Syntonic's units (ns rather than ptp4l's
 * seconds), as the option table says (options.ts: `into: 'servo'` and `into: 'pi'`), with the
 * table's defaults for the profile.
 */
import type { Profile, TimestampingMode } from '../../protocol/portConfig.js';
import type { ClockDisciplineOptions } from '../../servo/clockDiscipline.js';
import { defaultServo } from '../../servo/clockServo.js';
import type { PiGainOptions } from '../../servo/piServo.js';
import { SERVO_NAMES, type ServoName } from '../../servo/servoState.js';
import { formatLocation } from './configError.js';
import { numberOf, type SetOption } from './effectiveOptions.js';
import { fallbackValue, READ_OPTIONS, type ServoField } from './options.js';

/**
 * The servo, shaped as ClockDisciplineOptions (so that it can be handed to ClockDiscipline as it is) plus the
 * stability rule of ptp4l's SERVO_LOCKED_STABLE, which drives the automotive message interval request.
 */
export interface ServoConfig extends ClockDisciplineOptions {
  /** clock_servo; unset: the timestamping mode's default (kalman for software, pi for hardware). */
  readonly servo?: ServoName;
  /** PI settings the file sets (pi_*), laid over the tuning ClockServo chooses for the timestamping mode. */
  readonly piOverrides?: PiGainOptions;
  /** step_threshold, in ns (the file says seconds). */
  readonly stepThresholdNs: number;
  /** first_step_threshold, in ns (the file says seconds). */
  readonly firstStepThresholdNs: number;
  /** max_frequency, ppb; absent when the file says 0 ("the clock's own limit"). */
  readonly maxFrequencyPpb?: number;
  /** sanity_freq_limit, ppb; 0 disables the check. */
  readonly sanityFreqLimitPpb: number;
  /** servo_offset_threshold, ns: |offset| at most this for numOffsetValues samples = stable; 0 disables. */
  readonly offsetThresholdNs: number;
  /** servo_num_offset_values. */
  readonly numOffsetValues: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function servoConfig(profile: Profile, options: ReadonlyMap<string, SetOption>, warnings: string[]): ServoConfig {
  const servo: Partial<Record<ServoField, number | string>> = {};
  const pi: Mutable<PiGainOptions> = {};
  for (const { name, use } of READ_OPTIONS) {
    const sets = use.sets;
    const set = options.get(name);
    if (sets.into === 'pi') {
      const value = numberOf(set);
      if (value !== undefined && !(sets.zeroMeansDefault && value === 0)) pi[sets.field] = value;
    } else if (sets.into === 'servo') {
      const value = set?.value ?? fallbackValue(use, profile);
      if (value === undefined || (sets.zeroMeansDefault === true && value === 0)) continue;
      servo[sets.field] = typeof value === 'number' && sets.scale !== undefined ? Math.round(value * sets.scale) : value;
    }
  }
  if ((pi.kpConst === undefined) !== (pi.kiConst === undefined)) {
    const set = options.get(pi.kpConst === undefined ? 'pi_integral_const' : 'pi_proportional_const');
    if (set !== undefined)
      warnings.push(
        `${formatLocation(set.at)}: ${set.spec.name} applies only with both pi_proportional_const and pi_integral_const non-zero (as in ptp4l): ignored`,
      );
  }
  const wanderSet = options.get('kalman_frequency_wander');
  if (wanderSet !== undefined && servo.servo !== undefined && servo.servo !== 'kalman')
    warnings.push(`${formatLocation(wanderSet.at)}: kalman_frequency_wander applies only with clock_servo kalman, not ${servo.servo}: ignored`);
  // max_frequency 0 means "the clock's own limit" in ptp4l: leave ClockServo's default, which the clock caps.
  const maxFrequencyPpb = servo.maxFrequencyPpb;
  const name = SERVO_NAMES.find((n) => n === servo.servo);
  return {
    ...(name === undefined ? {} : { servo: name }),
    ...(Object.keys(pi).length === 0 ? {} : { piOverrides: pi }),
    stepThresholdNs: Number(servo.stepThresholdNs),
    firstStepThresholdNs: Number(servo.firstStepThresholdNs),
    ...(maxFrequencyPpb === undefined ? {} : { maxFrequencyPpb: Number(maxFrequencyPpb) }),
    sanityFreqLimitPpb: Number(servo.sanityFreqLimitPpb),
    offsetThresholdNs: Number(servo.offsetThresholdNs),
    numOffsetValues: Number(servo.numOffsetValues),
    ...(servo.kalmanFrequencyWanderPpbPerSqrtS === undefined ? {} : { kalmanFrequencyWanderPpbPerSqrtS: Number(servo.kalmanFrequencyWanderPpbPerSqrtS) }),
    status: { offsetRmsThresholdNs: Number(servo.synchronizedOffsetRmsNs) },
    errorBound: {
      wanderPpbPerS: Number(servo.errorBoundWanderPpbPerS),
      ...(servo.errorBoundAsymmetryNs === undefined ? {} : { asymmetryNs: Number(servo.errorBoundAsymmetryNs) }),
    },
  };
}

/**
 * kalman_frequency_wander where clock_servo is unset: the servo is the timestamping mode's, which the
 * file cannot know (servoConfig warns only for a clock_servo it names). A warning once the daemon
 * knows the mode and it runs another servo; undefined when the option applies.
 */
export function unusedKalmanWander(servo: ServoConfig, timestamping: TimestampingMode): string | undefined {
  if (servo.kalmanFrequencyWanderPpbPerSqrtS === undefined || servo.servo !== undefined) return undefined;
  const name = defaultServo(timestamping);
  if (name === 'kalman') return undefined;
  return `kalman_frequency_wander applies only with clock_servo kalman, and ${timestamping} timestamps run ${name} (clock_servo unset): ignored`;
}
