/**
 * When the servo counts as stable, so that the automotive profile may ask the grandmaster for its
 * operational Sync and link-delay intervals (the Avnu automotive profile's operLogSyncInterval and
 * operLogPdelayReqInterval, asked with the message interval request of 802.1AS-2020 10.6.4.3). The
 * rule is linuxptp's: servo_offset_threshold and servo_num_offset_values, as ptp4l(8) states it —
 * that many locked offsets in a row, each strictly below the threshold (ptp4l's servo compares with
 * <). A threshold of 0 never calls it stable.
 */
import type { Profile } from '../protocol/portConfig.js';
import { ServoState } from './servoState.js';

export interface StabilityRule {
  /** servo_offset_threshold, ns: |offset| must stay below it. */
  readonly offsetThresholdNs: number;
  /** servo_num_offset_values: how many such offsets in a row. */
  readonly numOffsetValues: number;
}

/**
 * Per profile, as linuxptp's configs: gptp never asks for operational intervals (offset threshold 0:
 * never stable); automotive-slave.cfg calls the servo stable below 30 ns over 10 offsets.
 */
export const STABILITY_DEFAULTS: Readonly<Record<Profile, StabilityRule>> = Object.freeze({
  gptp: Object.freeze({ offsetThresholdNs: 0, numOffsetValues: 10 }),
  automotive: Object.freeze({ offsetThresholdNs: 30, numOffsetValues: 10 }),
});

/** What the rule reads of one Sync's outcome. */
export interface StabilitySample {
  readonly accepted: boolean;
  readonly servoState: ServoState;
  readonly offsetNs: number;
}

export class ServoStability {
  private inRow = 0;

  constructor(private readonly rule: StabilityRule) {}

  /** One Sync's outcome; true when the servo is stable after it. */
  update(sample: StabilitySample): boolean {
    if (this.rule.offsetThresholdNs <= 0) return false;
    const locked = sample.accepted && sample.servoState === ServoState.locked;
    this.inRow = locked && Math.abs(sample.offsetNs) < this.rule.offsetThresholdNs ? this.inRow + 1 : 0;
    return locked && this.inRow >= this.rule.numOffsetValues;
  }

  /** Synchronization ended: the count starts again. */
  reset(): void {
    this.inRow = 0;
  }
}
