import type { LocalTime, PtpTime } from './timePoint.js';

export type ClockKind = 'phc' | 'virtual' | 'simulated';

/**
 * A clock the servo disciplines: a PHC, a virtual clock (affine over a free-running base) or a
 * simulated oscillator. Its readings are the station's estimate of grandmaster time.
 */
export interface DisciplinedClock {
  readonly kind: ClockKind;
  /** Largest |frequency adjustment| the clock accepts, in ppb. */
  readonly maxFrequencyPpb: number;
  /**
   * True when frame timestamps are taken by this clock itself (a PHC with hardware timestamping):
   * a rate ratio measured from them already contains the current adjustment. False when they come
   * from a free-running base this clock is mapped over (virtual clock): the measured rate ratio is
   * then the whole frequency the clock needs.
   */
  readonly timestampsFollowAdjustment: boolean;
  /** The clock's reading now. */
  now(): PtpTime;
  /** The clock's reading at the instant a frame was timestamped with `t`. */
  fromTimestamp(t: LocalTime): PtpTime;
  /** Set the frequency adjustment in ppb relative to the free-running oscillator (not cumulative). */
  adjustFrequency(ppb: number): void;
  /** The frequency adjustment currently applied, in ppb. */
  frequencyPpb(): number;
  /** Step the clock's reading by `deltaNs` (positive: forward). */
  step(deltaNs: bigint): void;
}
