/**
 * PhcClock over a fake PHC: the servo-facing behaviour (clamping, remembered frequency, identity
 * mapping of hardware timestamps) without a /dev/ptp device, which these machines do not have.
 */
import { describe, expect, it } from 'vitest';
import { PhcClock } from '../../../src/clock/phcClock.js';
import type { PhcDevice } from '../../../src/clock/phcDevice.js';
import { localTime, ptpTime } from '../../../src/clock/timePoint.js';

class FakePhc implements PhcDevice {
  readonly path = '/dev/ptp7';
  readonly capabilities = {
    maxAdjustmentPpb: 62_499_999, // i210's max_adj
    alarms: 0,
    externalTimestampChannels: 2,
    periodicOutputs: 2,
    pps: true,
    pins: 4,
    crossTimestamping: false,
  };
  readonly applied: number[] = [];
  readonly steps: bigint[] = [];
  closed = false;
  constructor(
    private readonly initialPpb: number,
    private readonly readingNs: bigint,
  ) {}
  readNs(): bigint {
    return this.readingNs;
  }
  frequencyPpb(): number {
    return this.initialPpb;
  }
  setFrequencyPpb(ppb: number): number {
    this.applied.push(ppb);
    return ppb;
  }
  stepNs(deltaNs: bigint): void {
    this.steps.push(deltaNs);
  }
  systemOffset(): { offsetNs: bigint; delayNs: number; systemNs: bigint; phcNs: bigint; method: 'PTP_SYS_OFFSET_EXTENDED' } {
    return { offsetNs: 37_000_000_012n, delayNs: 480, systemNs: 1_000n, phcNs: 37_000_001_012n, method: 'PTP_SYS_OFFSET_EXTENDED' };
  }
  close(): void {
    this.closed = true;
  }
}

describe('PhcClock', () => {
  it('is a PHC whose timestamps follow its own adjustment, limited by max_adj', () => {
    const clock = new PhcClock(new FakePhc(0, 0n));
    expect(clock.kind).toBe('phc');
    expect(clock.timestampsFollowAdjustment).toBe(true);
    expect(clock.maxFrequencyPpb).toBe(62_499_999);
  });

  it('starts from the frequency the PHC already has (read back at open)', () => {
    const clock = new PhcClock(new FakePhc(-1234.5, 0n));
    expect(clock.frequencyPpb()).toBe(-1234.5);
  });

  it('sets, not accumulates, the frequency, and remembers it', () => {
    const phc = new FakePhc(0, 0n);
    const clock = new PhcClock(phc);
    clock.adjustFrequency(150);
    clock.adjustFrequency(-20.25);
    expect(phc.applied).toEqual([150, -20.25]);
    expect(clock.frequencyPpb()).toBe(-20.25);
  });

  it('clamps to ±max_adj', () => {
    const phc = new FakePhc(0, 0n);
    const clock = new PhcClock(phc);
    clock.adjustFrequency(100_000_000);
    clock.adjustFrequency(-70_000_000);
    expect(phc.applied).toEqual([62_499_999, -62_499_999]);
    expect(clock.frequencyPpb()).toBe(-62_499_999);
  });

  it('refuses a non-finite frequency, naming it, without touching the PHC', () => {
    const phc = new FakePhc(5, 0n);
    const clock = new PhcClock(phc);
    expect(() => clock.adjustFrequency(Number.NaN)).toThrow(/ppb must be a finite number/);
    expect(phc.applied).toEqual([]);
    expect(clock.frequencyPpb()).toBe(5);
  });

  it('maps a hardware timestamp to its own reading unchanged (the PHC stamped it)', () => {
    const clock = new PhcClock(new FakePhc(0, 0n));
    expect(clock.fromTimestamp(localTime(1_732_000_000_123_456_789n))).toBe(ptpTime(1_732_000_000_123_456_789n));
  });

  it('reads now() from the PHC and passes steps and offsets through', () => {
    const phc = new FakePhc(0, 1_732_000_037_000_000_001n);
    const clock = new PhcClock(phc);
    expect(clock.now()).toBe(ptpTime(1_732_000_037_000_000_001n));
    clock.step(-1_500_000_000n);
    expect(phc.steps).toEqual([-1_500_000_000n]);
    expect(clock.systemOffset().offsetNs).toBe(37_000_000_012n);
    clock.close();
    expect(phc.closed).toBe(true);
  });
});
