/**
 * TAI and UTC from timePropertiesDS (src/protocol/timeProperties.ts), checked against the leap second
 * of 2016-12-31: UTC midnight 2017-01-01 is 1 483 228 800 POSIX s; TAI − UTC was 36 s before, 37 s
 * after; 23:59:60 UTC began at 1 483 228 836 s of TAI (IERS Bulletin C 52).
 */
import { describe, expect, it } from 'vitest';
import { Flag } from '../../../src/protocol/messages.js';
import {
  continueLeap,
  deriveUtc,
  formatUtc,
  inLeapSecond,
  nearLeap,
  pendingLeapAt,
  timePropertiesOf,
  utcNsAt,
  utcOffsetAt,
  type TimeProperties,
  type UtcConversion,
} from '../../../src/protocol/timeProperties.js';

const S = 1_000_000_000n;
const MIDNIGHT_UTC = 1_483_228_800n; // 2017-01-01T00:00:00Z, POSIX s
const LEAP_TAI = MIDNIGHT_UTC + 36n; // TAI s at which 23:59:60 begins
const PTP_VALID = Flag.ptpTimescale | Flag.currentUtcOffsetValid;

const tp = (offset: number, flags: number): TimeProperties => timePropertiesOf(offset, flags);
const known = (offset: number, flags: number, atTaiNs: bigint, assumed?: number): UtcConversion => {
  const d = deriveUtc(tp(offset, flags), atTaiNs, assumed);
  if (!d.known) throw new Error(d.reason);
  return d.conversion;
};

describe('timePropertiesDS flags', () => {
  it('reads the six flags of the Announce header (1588-2019 13.3.2.8)', () => {
    const p = tp(37, Flag.leap61 | Flag.currentUtcOffsetValid | Flag.ptpTimescale | Flag.timeTraceable | Flag.twoStepFlag);
    expect(p).toEqual({
      currentUtcOffset: 37,
      currentUtcOffsetValid: true,
      leap59: false,
      leap61: true,
      ptpTimescale: true,
      timeTraceable: true,
      frequencyTraceable: false,
    });
  });
});

describe('UTC from gPTP time', () => {
  const t = 1_732_000_037_123_456_789n;

  it('is TAI − currentUtcOffset when the grandmaster says the offset is valid and its time is TAI', () => {
    const c = known(37, PTP_VALID, t);
    expect(c).toEqual({ offset: 37, source: 'grandmaster', leap: null });
    expect(utcNsAt(c, t)).toBe(t - 37n * S);
    expect(formatUtc(c, t)).toBe('2024-11-19T07:06:40.123456789Z');
  });

  it('is unknown when the offset is not flagged valid, saying why and which option helps', () => {
    const d = deriveUtc(tp(37, Flag.ptpTimescale), t);
    expect(d.known).toBe(false);
    expect(!d.known && d.reason).toMatch(/currentUtcOffsetValid 0.*assume_utc_offset/);
  });

  it('is unknown on an arbitrary timescale even with the valid flag: the offset then has no meaning (1588-2019 8.2.4.2)', () => {
    const d = deriveUtc(tp(37, Flag.currentUtcOffsetValid), t);
    expect(!d.known && d.reason).toMatch(/arbitrary \(ptpTimescale 0\)/);
  });

  it("takes the configuration's assumed offset when the grandmaster gives none (ptp4l -S sends UTC on ARB: 0)", () => {
    expect(known(37, 0, t, 0)).toEqual({ offset: 0, source: 'configuration', leap: null });
    expect(known(37, Flag.ptpTimescale, t, 37)).toEqual({ offset: 37, source: 'configuration', leap: null });
    // A valid announced offset wins over the configuration.
    expect(known(37, PTP_VALID, t, 0).source).toBe('grandmaster');
  });
});

describe('an inserted leap second (leap61), 2016-12-31', () => {
  // Announced from 12 h before midnight with the old offset 36.
  const c = known(36, PTP_VALID | Flag.leap61, (LEAP_TAI - 12n * 3600n) * S);
  const at = (taiS: bigint, fractionNs = 0n): bigint => taiS * S + fractionNs;

  it('changes the offset from 36 to 37 s at the start of 23:59:60, which reads as a second 23:59:59 in POSIX time', () => {
    expect(c.leap).toEqual({ kind: 'insert', atPtpNs: LEAP_TAI * S, offsetAfter: 37 });
    expect(formatUtc(c, at(LEAP_TAI - 1n, 500_000_000n))).toBe('2016-12-31T23:59:59.500000000Z');
    expect(utcOffsetAt(c, at(LEAP_TAI) - 1n)).toBe(36);
    expect(utcOffsetAt(c, at(LEAP_TAI))).toBe(37);
    expect(formatUtc(c, at(LEAP_TAI, 250_000_000n))).toBe('2016-12-31T23:59:60.250000000Z');
    expect(utcNsAt(c, at(LEAP_TAI, 250_000_000n))).toBe((MIDNIGHT_UTC - 1n) * S + 250_000_000n);
    expect(inLeapSecond(c, at(LEAP_TAI, 250_000_000n))).toBe(true);
    expect(formatUtc(c, at(LEAP_TAI + 1n))).toBe('2017-01-01T00:00:00.000000000Z');
    expect(inLeapSecond(c, at(LEAP_TAI + 1n))).toBe(false);
  });

  it('is pending before the instant (chrony and the kernel are told) and not after', () => {
    expect(pendingLeapAt(c, at(LEAP_TAI - 1n))).toBe('insert');
    expect(pendingLeapAt(c, at(LEAP_TAI))).toBeNull();
    expect(nearLeap(c, at(LEAP_TAI - 2n))).toBe(false);
    expect(nearLeap(c, at(LEAP_TAI - 1n))).toBe(true);
    expect(nearLeap(c, at(LEAP_TAI, 999_999_999n))).toBe(true);
    expect(nearLeap(c, at(LEAP_TAI + 1n))).toBe(false);
  });

  it('refers a flag still set after midnight (late Announce) to the midnight just past, not the next one', () => {
    const late = known(36, PTP_VALID | Flag.leap61, at(LEAP_TAI + 3n));
    expect(late.leap?.atPtpNs).toBe(LEAP_TAI * S);
    expect(formatUtc(late, at(LEAP_TAI + 3n))).toBe('2017-01-01T00:00:02.000000000Z');
    // Once the grandmaster has updated: 37, no flag — the same UTC.
    expect(formatUtc(known(37, PTP_VALID, at(LEAP_TAI + 3n)), at(LEAP_TAI + 3n))).toBe('2017-01-01T00:00:02.000000000Z');
    // Seen 13 h before midnight (more than 6 h into the UTC day) it is the coming midnight's.
    expect(known(36, PTP_VALID | Flag.leap61, at(LEAP_TAI - 13n * 3600n)).leap?.atPtpNs).toBe(LEAP_TAI * S);
  });

  it('keeps the leap instant when the grandmaster updates the offset and clears the flag early', () => {
    const early = known(37, PTP_VALID, at(LEAP_TAI - 1n));
    const kept = continueLeap(c, early, at(LEAP_TAI - 1n));
    expect(kept).toBe(c);
    expect(formatUtc(kept, at(LEAP_TAI - 1n))).toBe('2016-12-31T23:59:59.000000000Z');
    // From the instant on the new conversion stands.
    expect(continueLeap(c, early, at(LEAP_TAI + 1n))).toBe(early);
  });
});

describe('a deleted leap second (leap59)', () => {
  // Hypothetical: the same midnight with a deletion; 23:59:59 is skipped, TAI − UTC goes from 36 to 35 s.
  const c = known(36, PTP_VALID | Flag.leap59, (LEAP_TAI - 3600n) * S);

  it('skips 23:59:59: the offset shrinks by 1 s when it would begin', () => {
    expect(c.leap).toEqual({ kind: 'delete', atPtpNs: (LEAP_TAI - 1n) * S, offsetAfter: 35 });
    expect(formatUtc(c, (LEAP_TAI - 1n) * S - 1n)).toBe('2016-12-31T23:59:58.999999999Z');
    expect(formatUtc(c, (LEAP_TAI - 1n) * S)).toBe('2017-01-01T00:00:00.000000000Z');
    expect(inLeapSecond(c, (LEAP_TAI - 1n) * S)).toBe(false);
  });

  it('ignores contradictory flags (leap59 and leap61 both set)', () => {
    expect(known(36, PTP_VALID | Flag.leap59 | Flag.leap61, LEAP_TAI * S).leap).toBeNull();
  });
});
