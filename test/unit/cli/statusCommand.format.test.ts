import { describe, expect, it } from 'vitest';
import { monotonicRawTime, ptpTime, taiTime, utcTime } from '../../../src/clock/timePoint.js';
import type { ReceivedSnapshot } from '../../../src/provider/snapshot.js';
import { formatStatusLine, formatStatusReport } from '../../../src/provider/statusText.js';
import { sampleSnapshot } from '../../support/providerFixtures.js';

/** Field name → value, from the tab-indented rows of a report. */
function rows(report: string): Map<string, string> {
  return new Map(
    report
      .split('\n')
      .filter((l) => l.startsWith('\t'))
      .map((l): [string, string] => [l.slice(1, 28).trim(), l.slice(28)]),
  );
}

const NO_LEAP = { leapSecond: false, leapPending: null, timeProperties: null, quality: 'excellent' as const, holdoverErrorNs: null };

const received = (overrides: Partial<ReceivedSnapshot> = {}): ReceivedSnapshot => ({ ...sampleSnapshot(), timeSinceLastSyncNs: 250_000_000, ...overrides });

describe('syntonic status, human form', () => {
  it('shows time, UTC and ages computed from the snapshot', () => {
    const t = 1_732_000_037_123_456_789n;
    const time = {
      ...NO_LEAP,
      ptpTime: ptpTime(t),
      status: 'synchronized' as const,
      errorBoundNs: 2034.2,
      tai: taiTime(t),
      utc: utcTime(t - 37_000_000_000n),
      utcOffset: 37,
      quality: 'excellent' as const,
      holdoverErrorNs: null,
    };
    const r = rows(formatStatusReport(received(), time, monotonicRawTime(12_500_000_000n)));
    expect(r.get('ptpTime')).toBe('1732000037.123456789 TAI');
    // TAI − 37 s = 1 732 000 000.123 s since 1970 = 2024-11-19T07:06:40.123Z
    expect(r.get('utcTime')).toBe('2024-11-19T07:06:40.123456789Z');
    expect(r.get('utcOffset')).toBe('37 s (currentUtcOffset of the grandmaster)');
    expect(r.get('leap')).toBe('none');
    expect(r.get('errorBound')).toBe('2035 ns');
    expect(r.get('lastSync')).toBe('2.500 s ago'); // last Sync at 10 s, now 12.5 s
    expect(r.get('statusSince')).toBe('7.500 s ago'); // since 5 s
    expect(r.get('gm.OffsetScaledLogVariance')).toBe('0x4e5d');
    expect(r.get('wrongDomain')).toBe('3');
    expect(r.has('pdelayExchanges')).toBe(false); // a provider that predates the counts
    expect(r.has('errorBoundGrowth')).toBe(false); // nor a servo bound
  });

  it('shows how the bound grows without Sync, with the oscillator change the node assumes (error_bound_wander)', () => {
    const time = { ...NO_LEAP, ptpTime: null, status: 'synchronized' as const, errorBoundNs: 3450, tai: null, utc: null, utcOffset: null };
    const s = received({ errorBound: { atLastSyncNs: 3450, growthPpb: 80, halfWanderPpbPerS: 0.5 } });
    expect(rows(formatStatusReport(s, time, monotonicRawTime(12_500_000_000n))).get('errorBoundGrowth')).toBe('80 ns/s + 0.5 ns/s² × age (wander 1 ppb/s)');
  });

  it('counts the Pdelay exchanges and names the late answers, which no neighborRateRatio ends on', () => {
    const time = { ...NO_LEAP, ptpTime: null, status: 'synchronized' as const, errorBoundNs: 100, tai: null, utc: null, utcOffset: null };
    const late = rows(formatStatusReport(received({ pdelayExchanges: { inTime: 28, late: 2 } }), time, monotonicRawTime(12_500_000_000n)));
    expect(late.get('pdelayExchanges')).toBe('30 (2 answered late: no rate-ratio end)');
    const inTime = rows(formatStatusReport(received({ pdelayExchanges: { inTime: 30, late: 0 } }), time, monotonicRawTime(12_500_000_000n)));
    expect(inTime.get('pdelayExchanges')).toBe('30');
  });

  it("shows the Syncs' latency the servo reads in master_offset, beside the RMS judged net of it, when the servo keeps one", () => {
    const time = { ...NO_LEAP, ptpTime: null, status: 'synchronized' as const, errorBoundNs: 100, tai: null, utc: null, utcOffset: null };
    const r = rows(
      formatStatusReport(received({ offsetFromMaster: 2_113, offsetFromMasterRmsNs: 240, syncLatencyNs: 1_902.4 }), time, monotonicRawTime(12_500_000_000n)),
    );
    expect(r.get('master_offset')).toBe('2113 ns');
    expect(r.get('sync_latency')).toBe("1902.4 ns (of master_offset, read as the Syncs' latency: not steered by)");
    expect(rows(formatStatusReport(received({}), time, monotonicRawTime(12_500_000_000n))).has('sync_latency')).toBe(false);
  });

  it('shows the oscillator walk the servo learned and the walk it tracks with, or that it tracks with the configured one yet', () => {
    const time = { ...NO_LEAP, ptpTime: null, status: 'synchronized' as const, errorBoundNs: 100, tai: null, utc: null, utcOffset: null };
    const at = monotonicRawTime(12_500_000_000n);
    const learned = { ppbPerSqrtS: 0.42, upperPpbPerSqrtS: 0.514, evidence: 12.46, trackingPpbPerSqrtS: 2.056, inUse: true };
    expect(rows(formatStatusReport(received({ oscillatorWander: learned }), time, at)).get('oscillator_wander')).toBe(
      '0.42 ppb/√s (≤ 0.51 at 90 %, over 12.5 × 256 s); tracking with 2.06 ppb/√s',
    );
    const early = { ppbPerSqrtS: 1.3, upperPpbPerSqrtS: 4.9, evidence: 1.5, trackingPpbPerSqrtS: 4, inUse: false };
    expect(rows(formatStatusReport(received({ oscillatorWander: early }), time, at)).get('oscillator_wander')).toBe(
      '1.30 ppb/√s (≤ 4.90 at 90 %, over 1.5 × 256 s); tracking with 4.00 ppb/√s (configured: too little learned yet)',
    );
    expect(rows(formatStatusReport(received({}), time, at)).has('oscillator_wander')).toBe(false);
  });

  it('shows an announced leap second ahead, and 23:59:60 while it lasts', () => {
    const leapAt = 1_483_228_836_000_000_000n; // 2016-12-31T23:59:60Z on TAI
    const leap = { kind: 'insert' as const, atPtpNs: leapAt, offsetAfter: 37 };
    const s = received({ timescale: { tai: true, utc: { offset: 36, source: 'grandmaster', leap }, utcUnknownReason: null } });
    const ahead = {
      ...NO_LEAP,
      ptpTime: ptpTime(leapAt - 10_000_000_000n),
      status: 'synchronized' as const,
      errorBoundNs: 100,
      tai: taiTime(leapAt - 10_000_000_000n),
      utc: utcTime(leapAt - 46_000_000_000n),
      utcOffset: 36,
      leapPending: 'insert' as const,
    };
    const a = rows(formatStatusReport(s, ahead, monotonicRawTime(12_500_000_000n)));
    expect(a.get('utcTime')).toBe('2016-12-31T23:59:50.000000000Z');
    expect(a.get('leap')).toBe('leap61 (23:59:60 inserted) in 10.000 s, then UTC offset 37 s');
    const during = {
      ...ahead,
      ptpTime: ptpTime(leapAt + 250_000_000n),
      tai: taiTime(leapAt + 250_000_000n),
      utc: utcTime(leapAt + 250_000_000n - 37_000_000_000n),
      utcOffset: 37,
      leapSecond: true,
      leapPending: null,
    };
    const d = rows(formatStatusReport(s, during, monotonicRawTime(12_500_000_000n)));
    expect(d.get('utcTime')).toBe('2016-12-31T23:59:60.250000000Z');
    expect(d.get('utcOffset')).toBe('37 s (currentUtcOffset of the grandmaster)');
    expect(d.get('leap')).toBe('leap61 (23:59:60 inserted): now in 23:59:60');
  });

  it('says where an assumed UTC offset comes from, and why UTC is unknown otherwise', () => {
    const t = 1_732_000_000_000_000_000n;
    const assumed = received({ timescale: { tai: false, utc: { offset: 0, source: 'configuration', leap: null }, utcUnknownReason: null } });
    const time = { ...NO_LEAP, ptpTime: ptpTime(t), status: 'synchronized' as const, errorBoundNs: 100, tai: null, utc: utcTime(t), utcOffset: 0 };
    expect(rows(formatStatusReport(assumed, time, monotonicRawTime(12_500_000_000n))).get('utcOffset')).toBe('0 s (assume_utc_offset of the configuration)');
    const why = "UTC unknown: the grandmaster's timescale is arbitrary (ptpTimescale 0)";
    const unknown = received({ timescale: { tai: false, utc: null, utcUnknownReason: why } });
    const r = rows(formatStatusReport(unknown, { ...time, utc: null, utcOffset: null }, monotonicRawTime(12_500_000_000n)));
    expect(r.get('utcTime')).toBe(`unknown (${why})`);
  });

  it('shows the quality level and what it was judged by', () => {
    const time = {
      ...NO_LEAP,
      tai: null,
      utc: null,
      utcOffset: null,
      ptpTime: ptpTime(1_732_000_037_123_456_789n),
      status: 'synchronized' as const,
      errorBoundNs: 2034.2,
      quality: 'excellent' as const,
      holdoverErrorNs: null,
    };
    const r = rows(formatStatusReport(received(), time, monotonicRawTime(12_500_000_000n)));
    expect(r.get('quality')).toBe('excellent (|error| 12 ns; excellent < 100 ns, good < 1000 ns, fair < 10000 ns, poor < 1000000 ns)');
    expect(r.has('holdoverError')).toBe(false);
  });

  it('in holdover: since when, the estimated error now and how it grows', () => {
    const holdover = {
      since: monotonicRawTime(11_000_000_000n),
      estimatedErrorNs: 40,
      initialErrorNs: 40,
      stabilityPpb: 5,
      driftPpbPerS: 20,
      frequencyPpb: -12.4,
    };
    const lost = received({ status: 'lost', statusReason: 'No Sync for 0.45 s', holdover });
    // 10 s into holdover: 40 + 5 × 10 + ½ × 20 × 100 = 1090 ns (the client extrapolates it).
    const time = {
      ...NO_LEAP,
      tai: null,
      utc: null,
      utcOffset: null,
      ptpTime: ptpTime(1_732_000_037_123_456_789n),
      status: 'lost' as const,
      errorBoundNs: 13_035,
      quality: 'fair' as const,
      holdoverErrorNs: 1090,
    };
    const r = rows(formatStatusReport(lost, time, monotonicRawTime(21_000_000_000n)));
    expect(r.get('quality')).toBe('fair (|error| 1090 ns; excellent < 100 ns, good < 1000 ns, fair < 10000 ns, poor < 1000000 ns)');
    expect(r.get('holdoverSince')).toBe('10.000 s ago');
    expect(r.get('holdoverError')).toBe('1090 ns (estimated: 40 ns + 5 ns/s × t + 10 ns/s² × t²)');
    expect(r.get('holdoverFreq')).toBe('-12.4 ppb');
    expect(formatStatusLine(lost)).toContain(' holdover error 40 (No Sync for 0.45 s)');
  });

  it('says plainly when there is no grandmaster and no time yet', () => {
    const never = received({
      status: 'lost',
      statusReason: 'starting: no Sync received yet',
      mapping: null,
      lastSync: null,
      grandmaster: null,
      timeSinceLastSyncNs: null,
      rejectedFrames: {},
    });
    const unknown = { tai: false, utc: null, utcUnknownReason: 'UTC unknown: no Announce from a grandmaster yet' };
    const r = rows(
      formatStatusReport(
        { ...never, timescale: unknown },
        {
          ...NO_LEAP,
          ptpTime: null,
          status: 'lost',
          errorBoundNs: Infinity,
          tai: null,
          utc: null,
          utcOffset: null,
          quality: 'critical' as const,
          holdoverErrorNs: null,
        },
        monotonicRawTime(12_500_000_000n),
      ),
    );
    expect(r.get('status')).toBe('lost (s0)');
    expect(r.get('gmPresent')).toBe('false');
    expect(r.get('gmIdentity')).toBe('-');
    expect(r.get('ptpTime')).toBe('unknown (never synchronized)');
    expect(r.get('utcTime')).toBe('unknown');
    expect(r.get('utcOffset')).toBe('unknown');
    expect(r.get('errorBound')).toBe('unbounded');
    expect(r.get('lastSync')).toBe('never');
    expect(r.get('grandmasterIdentity')).toBe('none');
    expect(r.get('total')).toBe('0');
  });

  it('prints one ptp4l-like line per update in --watch, with the reason when not synchronized', () => {
    expect(formatStatusLine(received())).toBe('synchronized master offset -12 s2 freq -12 path delay 1346 gm 001122.fffe.334455 port SLAVE\n');
    expect(formatStatusLine(received({ status: 'unstable', statusReason: 'grandmaster changed' }))).toBe(
      'unstable master offset -12 s1 freq -12 path delay 1346 gm 001122.fffe.334455 port SLAVE (grandmaster changed)\n',
    );
  });
});
