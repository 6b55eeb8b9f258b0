import { describe, expect, it } from 'vitest';
import { monotonicRawTime, ptpTime } from '../../../src/clock/timePoint.js';
import { isNotableChange } from '../../../src/provider/snapshot.js';
import { snapshotFromWire, snapshotToWire } from '../../../src/provider/wireSnapshot.js';
import { sampleSnapshot } from '../../support/providerFixtures.js';

/** The wire object of the sample snapshot after a trip through JSON text. */
function wireJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(JSON.parse(JSON.stringify(snapshotToWire(sampleSnapshot()))) as Record<string, unknown>), timeSinceLastSyncNs: 250_000_000, ...overrides };
}

describe('snapshot on the wire', () => {
  it('writes absolute times as exact decimal strings and identities as linuxptp prints them', () => {
    const w = wireJson();
    expect(w['mapping']).toEqual({ monotonicRawNs: '10000000000', ptpTimeNs: '1732000000000000000', rateRatio: 1.000000012 });
    expect(w['lastSyncMonotonicRawNs']).toBe('10000000000');
    expect((w['grandmaster'] as Record<string, unknown>)['identity']).toBe('001122.fffe.334455');
    expect((w['port'] as Record<string, unknown>)['portIdentity']).toBe('aabbcc.fffe.ddeeff-1');
  });

  it('decodes back to the same snapshot, to the nanosecond', () => {
    const decoded = snapshotFromWire(wireJson());
    expect(decoded).toEqual({ ok: true, value: { ...sampleSnapshot(), timeSinceLastSyncNs: 250_000_000 } });
  });

  it("carries the servo's error bound and the bound at the reply's instant, and decodes a provider that sends neither", () => {
    const bounded = sampleSnapshot({ errorBound: { atLastSyncNs: 1_570, growthPpb: 40, halfWanderPpbPerS: 10 } });
    const w = JSON.parse(JSON.stringify({ ...snapshotToWire(bounded), timeSinceLastSyncNs: 250_000_000, errorBoundNs: 1_581 })) as Record<string, unknown>;
    expect(w['errorBound']).toEqual({ atLastSyncNs: 1_570, growthPpb: 40, halfWanderPpbPerS: 10 });
    expect(snapshotFromWire(w)).toEqual({ ok: true, value: { ...bounded, timeSinceLastSyncNs: 250_000_000, errorBoundNs: 1_581 } });
    const older = snapshotFromWire(wireJson());
    expect(older.ok && older.value.errorBound).toBeUndefined();
    const bad = snapshotFromWire({ ...w, errorBound: { atLastSyncNs: 'soon', growthPpb: 40, halfWanderPpbPerS: 10 } });
    expect(bad.ok ? undefined : bad.error.field).toBe('snapshot.errorBound.atLastSyncNs');
  });

  it('carries the Pdelay exchanges in time and late, and decodes a provider that predates them; a negative count names its field', () => {
    const counted = sampleSnapshot({ pdelayExchanges: { inTime: 28, late: 2 } });
    const w = JSON.parse(JSON.stringify({ ...snapshotToWire(counted), timeSinceLastSyncNs: 250_000_000 })) as Record<string, unknown>;
    expect(w['pdelayExchanges']).toEqual({ inTime: 28, late: 2 });
    expect(snapshotFromWire(w)).toEqual({ ok: true, value: { ...counted, timeSinceLastSyncNs: 250_000_000 } });
    const older = snapshotFromWire(wireJson());
    expect(older.ok && 'pdelayExchanges' in older.value).toBe(false);
    const bad = snapshotFromWire({ ...w, pdelayExchanges: { inTime: 28, late: -1 } });
    expect(bad.ok ? undefined : bad.error.field).toBe('snapshot.pdelayExchanges.late');
  });

  it("carries the Syncs' latency the servo reads in the offset, negative too, and decodes a provider or servo without it", () => {
    for (const syncLatencyNs of [1_873.25, -412.5]) {
      const withLatency = sampleSnapshot({ syncLatencyNs });
      const w = JSON.parse(JSON.stringify({ ...snapshotToWire(withLatency), timeSinceLastSyncNs: 250_000_000 })) as Record<string, unknown>;
      expect(w['syncLatencyNs']).toBe(syncLatencyNs);
      expect(snapshotFromWire(w)).toEqual({ ok: true, value: { ...withLatency, timeSinceLastSyncNs: 250_000_000 } });
    }
    const without = snapshotFromWire(wireJson());
    expect(without.ok && 'syncLatencyNs' in without.value).toBe(false);
    const bad = snapshotFromWire({ ...wireJson(), syncLatencyNs: 'high' });
    expect(bad.ok ? undefined : bad.error.field).toBe('snapshot.syncLatencyNs');
  });

  it('carries the oscillator walk the servo learned, and decodes a provider or servo without it', () => {
    const oscillatorWander = { ppbPerSqrtS: 0.42, upperPpbPerSqrtS: 0.51, evidence: 12.5, trackingPpbPerSqrtS: 2.04, inUse: true };
    const learned = sampleSnapshot({ oscillatorWander });
    const w = JSON.parse(JSON.stringify({ ...snapshotToWire(learned), timeSinceLastSyncNs: 250_000_000 })) as Record<string, unknown>;
    expect(w['oscillatorWander']).toEqual(oscillatorWander);
    expect(snapshotFromWire(w)).toEqual({ ok: true, value: { ...learned, timeSinceLastSyncNs: 250_000_000 } });
    const without = snapshotFromWire(wireJson());
    expect(without.ok && 'oscillatorWander' in without.value).toBe(false);
    const bad = snapshotFromWire({ ...wireJson(), oscillatorWander: { ...oscillatorWander, evidence: -1 } });
    expect(bad.ok ? undefined : bad.error.field).toBe('snapshot.oscillatorWander.evidence');
  });

  it('carries a station that has never synchronized: no mapping, no last Sync, no grandmaster', () => {
    const never = sampleSnapshot({ status: 'lost', statusReason: 'starting: no Sync received yet', mapping: null, lastSync: null, grandmaster: null });
    const w = JSON.parse(JSON.stringify({ ...snapshotToWire(never), timeSinceLastSyncNs: null })) as Record<string, unknown>;
    expect([w['mapping'], w['lastSyncMonotonicRawNs'], w['grandmaster']]).toEqual([null, null, null]);
    expect(snapshotFromWire(w)).toEqual({ ok: true, value: { ...never, timeSinceLastSyncNs: null } });
  });

  it('keeps a TAI time beyond 2^53 ns exact (a JSON number would not)', () => {
    const odd = 1_732_000_000_123_456_789n;
    const w = JSON.parse(
      JSON.stringify({
        ...snapshotToWire(sampleSnapshot({ mapping: { monotonicRaw: monotonicRawTime(1n), ptpTime: ptpTime(odd), rateRatio: 1 } })),
        timeSinceLastSyncNs: 0,
      }),
    ) as unknown;
    const decoded = snapshotFromWire(w);
    expect(decoded.ok && decoded.value.mapping?.ptpTime).toBe(odd);
  });

  it('carries a rate ratio 1e-12 away from 1 with that difference intact', () => {
    const rate = 1 + 1e-12;
    const w = JSON.parse(
      JSON.stringify({
        ...snapshotToWire(sampleSnapshot({ mapping: { monotonicRaw: monotonicRawTime(1n), ptpTime: ptpTime(1n), rateRatio: rate } })),
        timeSinceLastSyncNs: 0,
      }),
    ) as unknown;
    const decoded = snapshotFromWire(w);
    const got = decoded.ok ? (decoded.value.mapping?.rateRatio ?? 0) : 0;
    // float64 spacing at 1 is 2.2e-16: the 1e-12 survives to better than 1e-15.
    expect(Math.abs(got - 1 - 1e-12)).toBeLessThan(1e-15);
  });

  it.each([
    ['mapping', { monotonicRawNs: '1', ptpTimeNs: 1732000000000000000, rateRatio: 1 }, 'snapshot.mapping.ptpTimeNs'],
    ['mapping', { monotonicRawNs: '1', ptpTimeNs: '1', rateRatio: 0 }, 'snapshot.mapping.rateRatio'],
    ['status', 'fine', 'snapshot.status'],
    ['lastSyncMonotonicRawNs', '-5', 'snapshot.lastSyncMonotonicRawNs'],
    ['rejectedFrames', { wrongDomain: -1 }, 'snapshot.rejectedFrames.wrongDomain'],
    ['port', { portIdentity: 'aabbcc.fffe.ddeeff', portState: 'slavePort', asCapable: true }, 'snapshot.port.portIdentity'],
    ['timestamping', 'hw', 'snapshot.timestamping'],
    ['offsetFromMaster', null, 'snapshot.offsetFromMaster'],
  ])('refuses a bad %s and names the field', (key, value, field) => {
    const decoded = snapshotFromWire(wireJson({ [key]: value }));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error.field).toBe(field);
  });

  it('refuses a grandmaster identity that is not 8 octets', () => {
    const gm = { ...(wireJson()['grandmaster'] as Record<string, unknown>), identity: '001122.fffe.3344' };
    const decoded = snapshotFromWire(wireJson({ grandmaster: gm }));
    expect(decoded.ok ? '' : decoded.error.field).toBe('snapshot.grandmaster.identity');
  });

  it('refuses something that is not an object at all', () => {
    expect(snapshotFromWire('synchronized')).toEqual({ ok: false, error: { field: 'snapshot', message: 'snapshot must be an object' } });
  });
});

describe('which changes subscribers hear about', () => {
  const base = sampleSnapshot();

  it('not a change of counters or offsets alone', () => {
    expect(isNotableChange(base, sampleSnapshot({ rejectedFrames: { wrongDomain: 4 }, offsetFromMaster: 7, meanLinkDelay: 1400 }))).toBe(false);
  });

  it('a change of status, mapping, grandmaster or UTC offset', () => {
    expect(isNotableChange(base, sampleSnapshot({ status: 'unstable' }))).toBe(true);
    expect(
      isNotableChange(
        base,
        sampleSnapshot({
          mapping: { monotonicRaw: monotonicRawTime(10_125_000_000n), ptpTime: ptpTime(1_732_000_000_125_000_001n), rateRatio: 1.000_000_012 },
        }),
      ),
    ).toBe(true);
    expect(isNotableChange(base, sampleSnapshot({ grandmaster: null }))).toBe(true);
    expect(isNotableChange(base, sampleSnapshot({ utc: { ...base.utc, currentUtcOffset: 38 } }))).toBe(true);
  });
});

describe('the timescale on the wire (protocol 2)', () => {
  it('carries TAI, the UTC offset, its source and an announced leap, and reads them back', () => {
    const leap = { kind: 'insert' as const, atPtpNs: 1_483_228_836_000_000_000n, offsetAfter: 37 };
    const s = sampleSnapshot({ timescale: { tai: true, utc: { offset: 36, source: 'grandmaster', leap }, utcUnknownReason: null } });
    const wire = snapshotToWire(s);
    expect(wire.timescale).toEqual({
      tai: true,
      utcOffset: 36,
      utcOffsetSource: 'grandmaster',
      leap: { kind: 'insert', atPtpTimeNs: '1483228836000000000', utcOffsetAfter: 37 },
      utcUnknownReason: null,
    });
    const back = snapshotFromWire(JSON.parse(JSON.stringify({ ...wire, timeSinceLastSyncNs: 0 })));
    expect(back.ok && back.value.timescale).toEqual(s.timescale);
  });

  it('says why UTC is unknown with nulls in place of the offset', () => {
    const unknown = { tai: false, utc: null, utcUnknownReason: "UTC unknown: the grandmaster's timescale is arbitrary" };
    const wire = snapshotToWire(sampleSnapshot({ timescale: unknown }));
    expect(wire.timescale).toEqual({ tai: false, utcOffset: null, utcOffsetSource: null, leap: null, utcUnknownReason: unknown.utcUnknownReason });
    const back = snapshotFromWire(JSON.parse(JSON.stringify({ ...wire, timeSinceLastSyncNs: 0 })));
    expect(back.ok && back.value.timescale).toEqual(unknown);
  });

  it('names a bad leap field', () => {
    const wire = snapshotToWire(sampleSnapshot());
    const bad = { ...wire, timescale: { ...wire.timescale, leap: { kind: 'sideways', atPtpTimeNs: '1', utcOffsetAfter: 38 } }, timeSinceLastSyncNs: 0 };
    const r = snapshotFromWire(JSON.parse(JSON.stringify(bad)));
    expect(!r.ok && r.error.field).toBe('snapshot.timescale.leap.kind');
  });

  it('tells subscribers when an announced leap appears', () => {
    const base = sampleSnapshot();
    const leap = { kind: 'insert' as const, atPtpNs: 1n, offsetAfter: 38 };
    expect(isNotableChange(base, sampleSnapshot({ timescale: { ...base.timescale, utc: { offset: 37, source: 'grandmaster', leap } } }))).toBe(true);
    expect(isNotableChange(base, sampleSnapshot())).toBe(false);
  });
});
