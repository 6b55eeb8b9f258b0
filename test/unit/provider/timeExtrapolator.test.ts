import { describe, expect, it } from 'vitest';
import { monotonicRawTime, ptpTime } from '../../../src/clock/timePoint.js';
import { DEFAULT_ERROR_BOUND_MODELS, errorBoundNs, type ErrorBoundModel } from '../../../src/provider/errorBound.js';
import { TimeExtrapolator } from '../../../src/provider/timeExtrapolator.js';
import { sampleSnapshot } from '../../support/providerFixtures.js';

const model: ErrorBoundModel = { floorNs: 100, frequencyErrorPpb: 50, wanderPpbPerS: 10 };

describe('error bound (guard time) after the last Sync', () => {
  it('is offset RMS + floor at the instant of the Sync', () => {
    expect(errorBoundNs(model, 35, 0)).toBe(135);
  });

  it('grows linearly with the rate error and quadratically with the wander', () => {
    // 2 s: 35 + 100 + 50 ppb × 2 s + ½ × 10 ppb/s × (2 s)² = 135 + 100 + 20
    expect(errorBoundNs(model, 35, 2)).toBe(255);
    // 60 s of holdover: 135 + 3000 + ½ × 10 × 3600 = 21135
    expect(errorBoundNs(model, 35, 60)).toBe(21135);
  });

  it('defaults to a wider floor and rate error for software timestamps than for hardware', () => {
    expect(DEFAULT_ERROR_BOUND_MODELS.software.floorNs).toBeGreaterThan(DEFAULT_ERROR_BOUND_MODELS.hardware.floorNs);
    expect(DEFAULT_ERROR_BOUND_MODELS.software.frequencyErrorPpb).toBeGreaterThan(DEFAULT_ERROR_BOUND_MODELS.hardware.frequencyErrorPpb);
  });
});

describe('local extrapolation of synchronized time', () => {
  // mapping: CLOCK_MONOTONIC_RAW 10 s ↔ ptp 1 732 000 000 s, rate 1 + 1 ppm; last Sync at the same instant.
  const snapshot = sampleSnapshot({
    mapping: { monotonicRaw: monotonicRawTime(10_000_000_000n), ptpTime: ptpTime(1_732_000_000_000_000_000n), rateRatio: 1.000_001 },
    lastSync: monotonicRawTime(10_000_000_000n),
    offsetFromMasterRmsNs: 35,
  });

  it('adds the elapsed CLOCK_MONOTONIC_RAW time scaled by the rate ratio', () => {
    const x = new TimeExtrapolator();
    x.update(snapshot, model);
    // 0.5 s later: 500 000 000 × 1.000001 = 500 000 500 ns
    expect(x.at(monotonicRawTime(10_500_000_000n))).toEqual({
      ptpTime: 1_732_000_000_500_000_500n,
      status: 'synchronized',
      // 135 + 0.5 × 50 + ½ × 10 × 0.25 = 161.25
      errorBoundNs: 161.25,
      // The PTP timescale: TAI is gPTP time; UTC is 37 s behind (currentUtcOffset, valid).
      tai: 1_732_000_000_500_000_500n,
      utc: 1_731_999_963_500_000_500n,
      utcOffset: 37,
      leapSecond: false,
      leapPending: null,
      timeProperties: snapshot.utc,
      quality: 'excellent',
      holdoverErrorNs: null,
    });
  });

  describe('in holdover', () => {
    // Lost at 13 s (3 s after the last Sync at 10 s): held error 40 ns, growing 5 ns/s and ½ × 20 ns/s².
    const holdover = sampleSnapshot({
      ...snapshot,
      status: 'lost',
      holdover: { since: monotonicRawTime(13_000_000_000n), estimatedErrorNs: 40, initialErrorNs: 40, stabilityPpb: 5, driftPpbPerS: 20, frequencyPpb: -12 },
    });

    it("extrapolates the daemon's holdover estimate and bounds the error by the larger of each term of it and of the guard", () => {
      const x = new TimeExtrapolator();
      x.update(holdover, model);
      // 10 s into holdover (23 s): estimate 40 + 5 × 10 + ½ × 20 × 100 = 1090 ns, in [1000, 10 000): fair.
      // Terms: at the last Sync max(guard 135, floor 100 + e0 40) = 140 ns; per s max(50, σ 5) = 50;
      // per s² max(½ × 10, ½ × 20) = 10. Age 13 s: 140 + 13 × (50 + 10 × 13) = 2480 ns — above both the
      // guard alone (135 + 13 × 50 + 5 × 169 = 1630) and floor + estimate (100 + 1090 = 1190).
      const at23 = x.at(monotonicRawTime(23_000_000_000n));
      expect(at23).toMatchObject({ status: 'lost', quality: 'fair', holdoverErrorNs: 1090, errorBoundNs: 2480 });
      // 60 s in (73 s, age 63 s): estimate 40 + 300 + 36 000 = 36 340 ns, poor; bound 140 + 63 × (50 + 630) = 42 980.
      const at73 = x.at(monotonicRawTime(73_000_000_000n));
      expect(at73.quality).toBe('poor');
      expect(at73.holdoverErrorNs).toBeCloseTo(36_340, 6);
      expect(at73.errorBoundNs).toBeCloseTo(42_980, 6);
    });

    it("goes back to the guard bound and the snapshot's quality once Syncs are back", () => {
      const x = new TimeExtrapolator();
      x.update(holdover, model);
      x.update(snapshot, model);
      expect(x.at(monotonicRawTime(10_500_000_000n))).toMatchObject({ quality: 'excellent', holdoverErrorNs: null, errorBoundNs: 161.25 });
    });
  });

  it('rounds to the nearest ns and stays exact across successive reads', () => {
    const x = new TimeExtrapolator();
    x.update(snapshot, model);
    // 1 234 567 ns × 1.000001 = 1 234 568.234567 → …568
    expect(x.at(monotonicRawTime(10_001_234_567n)).ptpTime).toBe(1_732_000_000_001_234_568n);
    // 3 s: 3 000 003 000 ns; then back to 1 ns after the mapping
    expect(x.at(monotonicRawTime(13_000_000_000n)).ptpTime).toBe(1_732_000_003_000_003_000n);
    expect(x.at(monotonicRawTime(10_000_000_001n)).ptpTime).toBe(1_732_000_000_000_000_001n);
  });

  it('extrapolates backwards before the mapping instant as well', () => {
    const x = new TimeExtrapolator();
    x.update(snapshot, model);
    // −2 s: −2 000 002 000 ns
    expect(x.at(monotonicRawTime(8_000_000_000n)).ptpTime).toBe(1_731_999_997_999_998_000n);
  });

  it("uses the servo's own bound from the snapshot when the provider sends one, and grows it with age", () => {
    const x = new TimeExtrapolator();
    x.update({ ...snapshot, errorBound: { atLastSyncNs: 1_570, growthPpb: 40, halfWanderPpbPerS: 10 } }, model);
    // 2 s after the last Sync: 1570 + 2 × (40 + 10 × 2) = 1690, whatever the client's model says
    expect(x.at(monotonicRawTime(12_000_000_000n)).errorBoundNs).toBe(1_690);
  });

  it('counts the age from the last Sync, not from the mapping instant', () => {
    const x = new TimeExtrapolator();
    x.update({ ...snapshot, lastSync: monotonicRawTime(9_000_000_000n) }, model);
    // at 11 s: age 2 s → 135 + 100 + 20 = 255
    expect(x.at(monotonicRawTime(11_000_000_000n)).errorBoundNs).toBe(255);
  });

  it('is exact for a CLOCK_MONOTONIC_RAW beyond 2^53 ns (an uptime over 104 days)', () => {
    const x = new TimeExtrapolator();
    const ref = 10_000_000_000_000_001n; // 2^53 ≈ 9.007e15
    x.update(
      {
        ...snapshot,
        mapping: { monotonicRaw: monotonicRawTime(ref), ptpTime: ptpTime(1_732_000_000_000_000_000n), rateRatio: 1 },
        lastSync: monotonicRawTime(ref),
      },
      model,
    );
    expect(x.at(monotonicRawTime(ref + 3n)).ptpTime).toBe(1_732_000_000_000_000_003n);
  });

  it('has no time and an unbounded error before the first mapping', () => {
    const x = new TimeExtrapolator();
    const never = sampleSnapshot({ status: 'lost', mapping: null, lastSync: null, quality: { ...sampleSnapshot().quality, level: 'critical', errorNs: null } });
    x.update(never, model);
    expect(x.at(monotonicRawTime(1n))).toEqual({
      ptpTime: null,
      status: 'lost',
      errorBoundNs: Infinity,
      tai: null,
      utc: null,
      utcOffset: null,
      leapSecond: false,
      leapPending: null,
      timeProperties: never.utc,
      quality: 'critical',
      holdoverErrorNs: null,
    });
  });

  it('gives UTC through a leap second announced in the snapshot: 23:59:60 repeats 23:59:59, then the offset is 37 s', () => {
    // 2016-12-31: 23:59:60 UTC began at TAI 1 483 228 836 s; the mapping is 2 s before it.
    const leapAt = 1_483_228_836_000_000_000n;
    const x = new TimeExtrapolator();
    x.update(
      sampleSnapshot({
        mapping: { monotonicRaw: monotonicRawTime(10_000_000_000n), ptpTime: ptpTime(leapAt - 2_000_000_000n), rateRatio: 1 },
        utc: { currentUtcOffset: 36, currentUtcOffsetValid: true, leap59: false, leap61: true, ptpTimescale: true },
        timescale: {
          tai: true,
          utc: { offset: 36, source: 'grandmaster', leap: { kind: 'insert', atPtpNs: leapAt, offsetAfter: 37 } },
          utcUnknownReason: null,
        },
      }),
      model,
    );
    const before = x.at(monotonicRawTime(11_500_000_000n)); // 23:59:59.5
    const during = x.at(monotonicRawTime(12_500_000_000n)); // 23:59:60.5
    const after = x.at(monotonicRawTime(13_500_000_000n)); // 00:00:00.5
    expect([before.utc, before.utcOffset, before.leapSecond, before.leapPending]).toEqual([1_483_228_799_500_000_000n, 36, false, 'insert']);
    expect([during.utc, during.utcOffset, during.leapSecond, during.leapPending]).toEqual([1_483_228_799_500_000_000n, 37, true, null]);
    expect([after.utc, after.utcOffset, after.leapSecond, after.leapPending]).toEqual([1_483_228_800_500_000_000n, 37, false, null]);
    expect(during.tai).toBe(leapAt + 500_000_000n);
  });

  it('has TAI only on the PTP timescale, and UTC only when known', () => {
    const x = new TimeExtrapolator();
    x.update(
      sampleSnapshot({
        utc: { currentUtcOffset: 37, currentUtcOffsetValid: false, leap59: false, leap61: false, ptpTimescale: false },
        timescale: { tai: false, utc: null, utcUnknownReason: 'UTC unknown: …' },
      }),
      model,
    );
    const t = x.at(monotonicRawTime(10_000_000_000n));
    expect(t.ptpTime).toBe(1_732_000_000_000_000_000n);
    expect([t.tai, t.utc, t.utcOffset]).toEqual([null, null, null]);
  });

  it('keeps extrapolating with status lost when told the provider is gone', () => {
    const x = new TimeExtrapolator();
    x.update(snapshot, model);
    x.setStatus('lost');
    const t = x.at(monotonicRawTime(12_000_000_000n));
    expect(t.status).toBe('lost');
    expect(t.ptpTime).toBe(1_732_000_002_000_002_000n);
  });
});
