/**
 * A PTP hardware clock as the servo's DisciplinedClock, for hardware timestamping.
 *
 * With hardware timestamping the NIC stamps frames with this very clock, so a frame timestamp t is the
 * PHC's reading at that instant: fromTimestamp is the identity, and a rate ratio measured from the
 * timestamps already includes the adjustment in force (timestampsFollowAdjustment). Timestamps taken
 * before a step are off by the step; the servo, which decides steps, accounts for that.
 * Do not pair it with software timestamps: those are CLOCK_REALTIME, another clock.
 */
import type { DisciplinedClock } from './clock.js';
import { openPhcDevice, type PhcDevice, type PhcSource, type PhcSystemOffset } from './phcDevice.js';
import { ptpTime, type LocalTime, type PtpTime } from './timePoint.js';
import type { NativeBinding } from '../native/binding.js';

export class PhcClock implements DisciplinedClock {
  readonly kind = 'phc' as const;
  readonly timestampsFollowAdjustment = true;
  /** PTP_CLOCK_GETCAPS max_adj. */
  readonly maxFrequencyPpb: number;
  private appliedPpb: number;

  /** Takes ownership of `device`; starts from the adjustment the PHC has now (e.g. left by ptp4l). */
  constructor(private readonly device: PhcDevice) {
    this.maxFrequencyPpb = device.capabilities.maxAdjustmentPpb;
    this.appliedPpb = device.frequencyPpb();
  }

  static open(source: PhcSource, binding?: NativeBinding): PhcClock {
    return new PhcClock(openPhcDevice(source, binding));
  }

  get path(): string {
    return this.device.path;
  }

  now(): PtpTime {
    return ptpTime(this.device.readNs());
  }

  fromTimestamp(t: LocalTime): PtpTime {
    return ptpTime(t);
  }

  /** Sets the adjustment (not cumulative), clamped to ±maxFrequencyPpb. */
  adjustFrequency(ppb: number): void {
    if (!Number.isFinite(ppb)) throw new RangeError(`ppb must be a finite number, got ${ppb}`);
    const clamped = Math.max(-this.maxFrequencyPpb, Math.min(this.maxFrequencyPpb, ppb));
    this.appliedPpb = this.device.setFrequencyPpb(clamped);
  }

  frequencyPpb(): number {
    return this.appliedPpb;
  }

  step(deltaNs: bigint): void {
    this.device.stepNs(deltaNs);
  }

  /** PHC − CLOCK_REALTIME as phc2sys measures it. */
  systemOffset(samples?: number): PhcSystemOffset {
    return this.device.systemOffset(samples);
  }

  close(): void {
    this.device.close();
  }
}
