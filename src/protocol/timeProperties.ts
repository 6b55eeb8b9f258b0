/**
 * timePropertiesDS (802.1AS-2020 14.5; IEEE 1588-2019 8.2.4) as the grandmaster announces it, and what
 * it means for a program that wants TAI or UTC: whether gPTP time is TAI, how far it is from UTC, and
 * when a leap second changes that. Every consumer (the provider's snapshot and client, the chrony
 * refclock, the shared-memory time page) derives UTC here, so that they cannot disagree.
 *
 * The rules:
 *  - TAI is known when ptpTimescale is set: gPTP time is then TAI since 1970-01-01 (the PTP epoch).
 *    With the arbitrary timescale (ARB) gPTP time has no defined relation to TAI.
 *  - UTC = gPTP time − offset, where the offset is currentUtcOffset when the grandmaster says it is
 *    valid and gPTP time is TAI (1588-2019 8.2.4.2: with ARB, currentUtcOffset "has no meaning"), else
 *    the offset the configuration assumes (`assume_utc_offset`), else UTC is unknown.
 *  - leap61/leap59 announce that the last minute of the current UTC day has 61/59 seconds. The flags
 *    are set up to 12 h before midnight and may linger a few Announce intervals after it; as linuxptp
 *    does, a flag seen in the first 6 h of a UTC day refers to the midnight just past, later ones to
 *    the coming midnight.
 *  - UTC is given as POSIX nanoseconds (no leap seconds counted), as CLOCK_REALTIME keeps it: during an
 *    inserted second (23:59:60) the count repeats 23:59:59 — the offset grows by 1 s at the start of
 *    23:59:60 — and `inLeapSecond` tells that second apart. A deleted second (leap59) is skipped: the
 *    offset shrinks by 1 s when 23:59:59 would begin.
 */
import { Flag } from './messages.js';

/** What the grandmaster's Announce says about its timescale (the header flags and currentUtcOffset). */
export interface TimeProperties {
  /** TAI − UTC, s (meaningful only with ptpTimescale). */
  readonly currentUtcOffset: number;
  readonly currentUtcOffsetValid: boolean;
  /** The last minute of the current UTC day has 59 s. */
  readonly leap59: boolean;
  /** The last minute of the current UTC day has 61 s. */
  readonly leap61: boolean;
  /** gPTP time is TAI (the PTP timescale); false: arbitrary (ARB). */
  readonly ptpTimescale: boolean;
  readonly timeTraceable: boolean;
  readonly frequencyTraceable: boolean;
}

/** timePropertiesDS from an Announce's currentUtcOffset and header flags. */
export function timePropertiesOf(currentUtcOffset: number, flags: number): TimeProperties {
  return {
    currentUtcOffset,
    currentUtcOffsetValid: (flags & Flag.currentUtcOffsetValid) !== 0,
    leap59: (flags & Flag.leap59) !== 0,
    leap61: (flags & Flag.leap61) !== 0,
    ptpTimescale: (flags & Flag.ptpTimescale) !== 0,
    timeTraceable: (flags & Flag.timeTraceable) !== 0,
    frequencyTraceable: (flags & Flag.frequencyTraceable) !== 0,
  };
}

export type LeapKind = 'insert' | 'delete';
export type UtcOffsetSource = 'grandmaster' | 'configuration';

/** A leap second the grandmaster announced, on the gPTP timescale. */
export interface LeapEvent {
  readonly kind: LeapKind;
  /** The gPTP instant (ns) from which offsetAfter applies: the start of 23:59:60 (insert) or of the skipped 23:59:59 (delete). */
  readonly atPtpNs: bigint;
  /** gPTP time − UTC from that instant on, s. */
  readonly offsetAfter: number;
}

/** How to turn gPTP time into UTC: utc = ptp − offset (before leap.atPtpNs), − leap.offsetAfter (from it on). */
export interface UtcConversion {
  /** gPTP time − UTC, s (TAI − UTC with the PTP timescale). */
  readonly offset: number;
  readonly source: UtcOffsetSource;
  /** null: no leap second announced. */
  readonly leap: LeapEvent | null;
}

export type UtcDerivation = { readonly known: true; readonly conversion: UtcConversion } | { readonly known: false; readonly reason: string };

export const NS_PER_S = 1_000_000_000n;
const DAY_NS = 86_400n * NS_PER_S;
/** linuxptp's split: a leap flag seen in the first 6 h of a UTC day belongs to the midnight just past. */
const LATE_FLAG_NS = 6n * 3_600n * NS_PER_S;

/**
 * UTC from timePropertiesDS at gPTP instant `atPtpNs` (which picks the midnight a leap flag refers to).
 * `assumedUtcOffset` (gPTP time − UTC, s) is the configuration's answer when the grandmaster gives none.
 */
export function deriveUtc(tp: TimeProperties, atPtpNs: bigint, assumedUtcOffset?: number): UtcDerivation {
  let offset: number;
  let source: UtcOffsetSource;
  if (tp.ptpTimescale && tp.currentUtcOffsetValid) {
    offset = tp.currentUtcOffset;
    source = 'grandmaster';
  } else if (assumedUtcOffset !== undefined) {
    offset = assumedUtcOffset;
    source = 'configuration';
  } else {
    return { known: false, reason: utcUnknownReason(tp) };
  }
  return { known: true, conversion: { offset, source, leap: leapEvent(tp, atPtpNs, offset) } };
}

/** Why UTC cannot be derived, in one sentence naming the flags and the option that helps. */
export function utcUnknownReason(tp: TimeProperties): string {
  const why = tp.ptpTimescale
    ? `the grandmaster's currentUtcOffset (${tp.currentUtcOffset} s) is not flagged valid (currentUtcOffsetValid 0)`
    : `the grandmaster's timescale is arbitrary (ptpTimescale 0), so its time has no announced relation to UTC`;
  return `UTC unknown: ${why}; set assume_utc_offset to gPTP time − UTC in seconds if you know it`;
}

function leapEvent(tp: TimeProperties, atPtpNs: bigint, offset: number): LeapEvent | null {
  if (tp.leap61 === tp.leap59) return null; // neither, or both (contradictory): no leap
  const kind: LeapKind = tp.leap61 ? 'insert' : 'delete';
  // The offset changes when UTC (before the leap) reaches midnight (insert) or midnight − 1 s (delete).
  const shift = kind === 'insert' ? 0n : NS_PER_S;
  const naiveUtc = atPtpNs - BigInt(offset) * NS_PER_S + shift;
  const intoDay = mod(naiveUtc, DAY_NS);
  const midnight = naiveUtc - intoDay + (intoDay < LATE_FLAG_NS ? 0n : DAY_NS);
  return { kind, atPtpNs: midnight - shift + BigInt(offset) * NS_PER_S, offsetAfter: kind === 'insert' ? offset + 1 : offset - 1 };
}

/**
 * A grandmaster may update currentUtcOffset and clear its leap flag a little before the leap instant;
 * until that instant the previous conversion (with its pending leap) still holds.
 */
export function continueLeap(previous: UtcConversion | null, next: UtcConversion, atPtpNs: bigint): UtcConversion {
  const leap = previous?.leap;
  if (previous === null || leap === null || leap === undefined) return next;
  if (next.leap === null && next.offset === leap.offsetAfter && atPtpNs < leap.atPtpNs) return previous;
  return next;
}

/** gPTP time − UTC in force at gPTP instant `ptpNs`, s. */
export function utcOffsetAt(c: UtcConversion, ptpNs: bigint): number {
  return c.leap !== null && ptpNs >= c.leap.atPtpNs ? c.leap.offsetAfter : c.offset;
}

/** UTC at gPTP instant `ptpNs`, POSIX ns since 1970 (23:59:60 reads as a second 23:59:59). */
export function utcNsAt(c: UtcConversion, ptpNs: bigint): bigint {
  return ptpNs - BigInt(utcOffsetAt(c, ptpNs)) * NS_PER_S;
}

/** True during an inserted leap second, 23:59:60 UTC. */
export function inLeapSecond(c: UtcConversion, ptpNs: bigint): boolean {
  const leap = c.leap;
  return leap !== null && leap.kind === 'insert' && ptpNs >= leap.atPtpNs && ptpNs < leap.atPtpNs + NS_PER_S;
}

/** The leap still ahead at `ptpNs` (what chrony's sample leap field and the kernel's STA_INS/STA_DEL want). */
export function pendingLeapAt(c: UtcConversion, ptpNs: bigint): LeapKind | null {
  return c.leap !== null && ptpNs < c.leap.atPtpNs ? c.leap.kind : null;
}

/**
 * True in the second before a leap's midnight and during 23:59:60, when a UTC (POSIX) reading is
 * ambiguous or about to repeat: ptp4l suspends clock updates then (is_utc_ambiguous), so do we.
 */
export function nearLeap(c: UtcConversion, ptpNs: bigint): boolean {
  const leap = c.leap;
  if (leap === null) return false;
  return ptpNs >= leap.atPtpNs - NS_PER_S && ptpNs < leap.atPtpNs + NS_PER_S;
}

/** ISO 8601 UTC with nanoseconds, 23:59:60 during an inserted second: 2016-12-31T23:59:60.250000000Z. */
export function formatUtc(c: UtcConversion, ptpNs: bigint): string {
  return formatUtcNs(utcNsAt(c, ptpNs), inLeapSecond(c, ptpNs));
}

/** A POSIX UTC reading as ISO 8601 with nanoseconds; `leapSecond`: it is 23:59:60 (the count repeats 23:59:59). */
export function formatUtcNs(utcNs: bigint, leapSecond: boolean): string {
  const iso = new Date(Number((utcNs - mod(utcNs, 1_000_000n)) / 1_000_000n)).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 17)}${leapSecond ? '60' : iso.slice(17, 19)}.${mod(utcNs, NS_PER_S).toString().padStart(9, '0')}Z`;
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}
