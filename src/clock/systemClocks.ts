/**
 * Reads of the system's clocks in ns, through the native addon's clock_gettime (vDSO, no system call).
 * CLOCK_MONOTONIC_RAW is the provider's reference (never slewed by NTP or by us); CLOCK_REALTIME is
 * the domain of software timestamps.
 */
import { nativeBinding } from '../native/binding.js';
import { localTime, monotonicRawTime, type LocalTime, type MonotonicRawTime } from './timePoint.js';

// Resolved on first use, then the addon's function is called directly: the provider reads the clock
// on every now(), so the steady-state path is one native call.
let readMonotonicRaw = (): bigint => {
  readMonotonicRaw = nativeBinding().monotonicRawNs;
  return readMonotonicRaw();
};
let readRealtime = (): bigint => {
  readRealtime = nativeBinding().realtimeNs;
  return readRealtime();
};

/** CLOCK_MONOTONIC_RAW now. */
export function monotonicRawNow(): MonotonicRawTime {
  return monotonicRawTime(readMonotonicRaw());
}

/** CLOCK_REALTIME now; software timestamps are taken in this domain, hence LocalTime. */
export function realtimeNow(): LocalTime {
  return localTime(readRealtime());
}

/**
 * One instant read on both clocks: CLOCK_MONOTONIC_RAW, CLOCK_REALTIME, CLOCK_MONOTONIC_RAW again, and
 * the realtime read paired with the midpoint of the two raw reads (best of four tries, the shortest
 * bracket). The pairing error is at most half that bracket, typically a few tens of ns.
 */
export function sampleRealtimeAndMonotonicRaw(): { realtime: LocalTime; monotonicRaw: MonotonicRawTime } {
  const sample = nativeBinding().sampleRealtimeAndMonotonicRaw();
  return { realtime: localTime(sample.realtimeNs), monotonicRaw: monotonicRawTime(sample.monotonicRawNs) };
}
