/**
 * Time points of different clocks are different types, so that a grandmaster time can never be
 * subtracted from a local timestamp by accident. All are integer nanoseconds as bigint: a float64
 * holds only 2^53 ns (~104 days), far less than a TAI time since 1970.
 *
 * Differences between two points of one clock may be taken as plain `number` nanoseconds
 * (see `elapsedNs`), which is what estimators and servos work with.
 */
declare const clockBrand: unique symbol;

/** An instant read on clock C, in ns since that clock's epoch. */
export type TimePoint<C extends string> = bigint & { readonly [clockBrand]: C };

/** Grandmaster time: the gPTP timescale (PTP epoch, TAI when ptpTimescale is set). */
export type PtpTime = TimePoint<'ptp'>;
/** The clock that timestamps frames on this station (a PHC, or CLOCK_REALTIME for software timestamps). */
export type LocalTime = TimePoint<'local'>;
/** Linux CLOCK_MONOTONIC_RAW: the provider's reference for extrapolation by clients. */
export type MonotonicRawTime = TimePoint<'monotonicRaw'>;
/** TAI, ns since 1970-01-01 00:00:00 TAI (the PTP epoch): gPTP time when ptpTimescale is set. */
export type TaiTime = TimePoint<'tai'>;
/** UTC as POSIX ns since 1970 (leap seconds not counted, as CLOCK_REALTIME; 23:59:60 repeats 23:59:59). */
export type UtcTime = TimePoint<'utc'>;

export const ptpTime = (ns: bigint): PtpTime => ns as PtpTime;
export const localTime = (ns: bigint): LocalTime => ns as LocalTime;
export const monotonicRawTime = (ns: bigint): MonotonicRawTime => ns as MonotonicRawTime;
export const taiTime = (ns: bigint): TaiTime => ns as TaiTime;
export const utcTime = (ns: bigint): UtcTime => ns as UtcTime;

/** b - a in ns as a number; exact while |b - a| < 2^53 ns (~104 days). */
export function elapsedNs<C extends string>(a: TimePoint<C>, b: TimePoint<NoInfer<C>>): number {
  return Number(b - a);
}

/** Shift a time point by a (rounded) number of ns, staying on the same clock. */
export function addNs<C extends string>(t: TimePoint<C>, ns: number): TimePoint<C> {
  return (t + BigInt(Math.round(ns))) as TimePoint<C>;
}

export const NS_PER_SECOND = 1_000_000_000n;
