/**
 * Time points of different clocks must not mix. The `@ts-expect-error` lines are the specification:
 * `tsc -p tsconfig.json` (run by `npm test` over test/) fails if any of them starts to compile.
 */
import { describe, expect, it } from 'vitest';
import { elapsedNs, monotonicRawTime, ptpTime, type MonotonicRawTime, type PtpTime } from '../../../src/clock/timePoint.js';
import type { SynchronizedTime } from '../../../src/provider/timeExtrapolator.js';
import type { TimeMapping } from '../../../src/provider/snapshot.js';

const ptp: PtpTime = ptpTime(1_732_000_000_000_000_000n);
const raw: MonotonicRawTime = monotonicRawTime(10_000_000_000n);

function takesPtp(t: PtpTime): bigint {
  return t;
}
function takesRaw(t: MonotonicRawTime): bigint {
  return t;
}

describe('typed time points', () => {
  it('keep gPTP time, CLOCK_MONOTONIC_RAW and Date apart at compile time', () => {
    // @ts-expect-error a CLOCK_MONOTONIC_RAW reading is not gPTP time
    takesPtp(raw);
    // @ts-expect-error gPTP time is not a CLOCK_MONOTONIC_RAW reading
    takesRaw(ptp);
    // @ts-expect-error a plain bigint is not a time point until branded
    takesPtp(1_732_000_000_000_000_000n);
    // @ts-expect-error a Date is not a time point
    takesPtp(new Date());
    // @ts-expect-error a time point is not a Date
    const d: Date = ptp;
    // @ts-expect-error a mapping's instants are on their own clocks
    const m: TimeMapping = { monotonicRaw: ptp, ptpTime: raw, rateRatio: 1 };
    const now = {
      ptpTime: ptp,
      status: 'synchronized',
      errorBoundNs: 0,
      tai: null,
      utc: null,
      utcOffset: null,
      leapSecond: false,
      leapPending: null,
      timeProperties: null,
      quality: 'excellent',
      holdoverErrorNs: null,
    } satisfies SynchronizedTime;
    // @ts-expect-error now().ptpTime is gPTP time, not CLOCK_MONOTONIC_RAW
    takesRaw(now.ptpTime);
    void d;
    void m;
    // Same-clock arithmetic stays allowed.
    expect(elapsedNs(raw, monotonicRawTime(10_000_000_500n))).toBe(500);
    expect(takesPtp(ptp)).toBe(1_732_000_000_000_000_000n);
  });
});
