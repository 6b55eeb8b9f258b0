/**
 * linuxptp servo options → the servo's configuration, in Syntonic's units (ns rather than ptp4l's
 * seconds), on top of the profile's defaults.
 */
import type { Profile } from '../../protocol/portConfig.js';
import type { ClockServoOptions } from '../../servo/clockServo.js';
import type { PiGainOptions } from '../../servo/piServo.js';
import { PTP4L_FIRST_STEP_THRESHOLD_NS, PTP4L_SANITY_FREQ_LIMIT_PPB } from '../../servo/servo.js';
import { SERVO_NAMES, type ServoName } from '../../servo/servoState.js';
import { formatLocation } from './configError.js';
import { choiceOf, numberOf, type SetOption } from './effectiveOptions.js';

/**
 * The servo, shaped as ClockServoOptions (so that it can be handed to ClockServo as it is) plus the
 * stability rule of ptp4l's SERVO_LOCKED_STABLE, which drives the automotive message interval request.
 */
export interface ServoConfig extends ClockServoOptions {
  /** clock_servo. */
  readonly servo: ServoName;
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

interface ServoDefaults {
  readonly stepThresholdNs: number;
  readonly offsetThresholdNs: number;
  readonly numOffsetValues: number;
}

/**
 * gptp: ptp4l's defaults (never step after the first update). automotive: as linuxptp's
 * automotive-slave.cfg: step at once when the master's time jumps (step_threshold 1 s), and call the
 * servo stable below 30 ns over 10 offsets, which is what triggers the message interval request.
 */
export const SERVO_DEFAULTS: Readonly<Record<Profile, ServoDefaults>> = {
  gptp: { stepThresholdNs: 0, offsetThresholdNs: 0, numOffsetValues: 10 },
  automotive: { stepThresholdNs: 1e9, offsetThresholdNs: 30, numOffsetValues: 10 },
};

const NS_PER_S = 1e9;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** PI options: linuxptp name → PiGainOptions field. 0.0 means "ptp4l's default" for const and scale. */
const PI_FIELDS: readonly (readonly [option: string, field: Exclude<keyof PiGainOptions, 'softwareTimestamps'>, zeroIsDefault: boolean])[] = [
  ['pi_proportional_const', 'kpConst', true],
  ['pi_integral_const', 'kiConst', true],
  ['pi_proportional_scale', 'kpScale', true],
  ['pi_integral_scale', 'kiScale', true],
  ['pi_proportional_exponent', 'kpExponent', false],
  ['pi_integral_exponent', 'kiExponent', false],
  ['pi_proportional_norm_max', 'kpNormMax', false],
  ['pi_integral_norm_max', 'kiNormMax', false],
];

export function servoConfig(profile: Profile, options: ReadonlyMap<string, SetOption>, warnings: string[]): ServoConfig {
  const defaults = SERVO_DEFAULTS[profile];
  const seconds = (name: string): number | undefined => {
    const s = numberOf(options.get(name));
    return s === undefined ? undefined : Math.round(s * NS_PER_S);
  };
  const pi: Mutable<PiGainOptions> = {};
  for (const [option, field, zeroIsDefault] of PI_FIELDS) {
    const value = numberOf(options.get(option));
    if (value !== undefined && !(zeroIsDefault && value === 0)) pi[field] = value;
  }
  if ((pi.kpConst === undefined) !== (pi.kiConst === undefined)) {
    const set = options.get(pi.kpConst === undefined ? 'pi_integral_const' : 'pi_proportional_const');
    if (set !== undefined) warnings.push(`${formatLocation(set.at)}: ${set.spec.name} applies only with both pi_proportional_const and pi_integral_const non-zero (as in ptp4l): ignored`);
  }
  // max_frequency 0 means "the clock's own limit" in ptp4l: leave ClockServo's default, which the clock caps.
  const maxFrequencyPpb = numberOf(options.get('max_frequency'));
  return {
    servo: choiceOf(options.get('clock_servo'), SERVO_NAMES) ?? 'pi',
    ...(Object.keys(pi).length === 0 ? {} : { piOverrides: pi }),
    stepThresholdNs: seconds('step_threshold') ?? defaults.stepThresholdNs,
    firstStepThresholdNs: seconds('first_step_threshold') ?? PTP4L_FIRST_STEP_THRESHOLD_NS,
    ...(maxFrequencyPpb === undefined || maxFrequencyPpb === 0 ? {} : { maxFrequencyPpb }),
    sanityFreqLimitPpb: numberOf(options.get('sanity_freq_limit')) ?? PTP4L_SANITY_FREQ_LIMIT_PPB,
    offsetThresholdNs: numberOf(options.get('servo_offset_threshold')) ?? defaults.offsetThresholdNs,
    numOffsetValues: numberOf(options.get('servo_num_offset_values')) ?? defaults.numOffsetValues,
  };
}
