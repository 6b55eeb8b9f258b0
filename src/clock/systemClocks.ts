/**
 * Reads of the system's clocks in ns. STUB until the native addon lands: it approximates
 * CLOCK_MONOTONIC_RAW with process.hrtime (CLOCK_MONOTONIC) and CLOCK_REALTIME with Date.
 * The native addon issue replaces these with clock_gettime through the addon.
 */
import { localTime, monotonicRawTime, type LocalTime, type MonotonicRawTime } from './timePoint.js';

/** CLOCK_MONOTONIC_RAW now. */
export function monotonicRawNow(): MonotonicRawTime {
  return monotonicRawTime(process.hrtime.bigint());
}

/** CLOCK_REALTIME now; software timestamps are taken in this domain, hence LocalTime. */
export function realtimeNow(): LocalTime {
  return localTime(BigInt(Date.now()) * 1_000_000n);
}

/** One instant read on both clocks, as close together as the platform allows. */
export function sampleRealtimeAndMonotonicRaw(): { realtime: LocalTime; monotonicRaw: MonotonicRawTime } {
  return { realtime: realtimeNow(), monotonicRaw: monotonicRawNow() };
}
