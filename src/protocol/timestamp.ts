/**
 * The PTP Timestamp on the wire (IEEE 1588-2019 5.3.3, 802.1AS-2020 6.4.3.4):
 * UInteger48 secondsField + UInteger32 nanosecondsField, nanoseconds < 10^9.
 */
export interface Timestamp {
  /** 48-bit unsigned seconds. */
  readonly seconds: bigint;
  /** 0 ≤ nanoseconds < 10^9. */
  readonly nanoseconds: number;
}

const NS = 1_000_000_000n;
export const MAX_SECONDS = (1n << 48n) - 1n;

/** The last seconds converted: consecutive timestamps mostly share their seconds (one multiplication saved). */
let lastSeconds = 0n;
let lastSecondsNs = 0n;

export function timestampToNs(t: Timestamp): bigint {
  return secondsToNs(t.seconds) + BigInt(t.nanoseconds);
}

/** seconds × 10^9, remembered for the last seconds value asked. */
export function secondsToNs(seconds: bigint): bigint {
  if (seconds !== lastSeconds) {
    lastSeconds = seconds;
    lastSecondsNs = seconds * NS;
  }
  return lastSecondsNs;
}

/** Order of two Timestamps (negative, 0, positive), without converting them to ns. */
export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  if (a.seconds !== b.seconds) return a.seconds < b.seconds ? -1 : 1;
  return a.nanoseconds - b.nanoseconds;
}

/** Throws RangeError if ns is negative or beyond the 48-bit seconds range. */
export function nsToTimestamp(ns: bigint): Timestamp {
  if (ns < 0n || ns / NS > MAX_SECONDS) throw new RangeError(`time ${ns} ns does not fit a PTP Timestamp`);
  return { seconds: ns / NS, nanoseconds: Number(ns % NS) };
}

export const ZERO_TIMESTAMP: Timestamp = Object.freeze({ seconds: 0n, nanoseconds: 0 });

/**
 * ScaledNs (802.1AS-2020 6.4.3.2, the unit of correctionField and lastGmPhaseChange): ns × 2^16.
 * Kept as bigint until used, so the sub-ns part survives additions.
 */
export const SCALED_NS_PER_NS = 65_536n;

/** A scaled-ns value (or a difference of two) as ns, fraction included. */
export function scaledNsToNs(scaled: bigint): number {
  return Number(scaled) / 65_536;
}

/** ns (a number, fraction allowed) as scaled ns, rounded to the nearest 2^-16 ns. */
export function nsToScaledNs(ns: number): bigint {
  return BigInt(Math.round(ns * 65_536));
}
