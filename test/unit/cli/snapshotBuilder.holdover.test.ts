/**
 * The time mapping applications extrapolate with follows the clock in holdover. The clock's frequency
 * then changes without a Sync (holdover holds its estimate, and moves it along a ramp once a second):
 * a mapping kept at the last Sync would go on at the servo's last output, which also held its phase
 * correction, and applications would drift away from the clock they are told about.
 */
import { describe, expect, it } from 'vitest';
import { SnapshotBuilder } from '../../../src/cli/daemon/snapshotBuilder.js';
import { localTime, monotonicRawTime } from '../../../src/clock/timePoint.js';
import type { Snapshot } from '../../../src/provider/snapshot.js';
import { Station, synchronizedStation, T0 } from '../../support/clockSlaveStation.js';

const MS = 1_000_000n;

/** A synchronized station (its last Sync sent at 3.075 s) with the daemon's builder over it. */
function synchronized(): { s: Station; builder: SnapshotBuilder } {
  const s = synchronizedStation();
  const builder = new SnapshotBuilder({
    engine: s.slave.engine,
    discipline: s.slave.discipline,
    clock: s.slave.clock,
    timestamping: 'software',
    samplePair: () => ({ timestampClock: localTime(s.now), monotonicRaw: monotonicRawTime(s.now) }),
  });
  return { s, builder };
}

/** The clock's time at CLOCK_MONOTONIC_RAW `mono` as the snapshot's mapping extrapolates it, less the clock's own, ns. */
function mappingErrorNs(snapshot: Snapshot, s: Station, mono: bigint): number {
  const m = snapshot.mapping;
  if (m === null) throw new Error('no mapping');
  s.advance(mono);
  // In differences: absolute times are bigint ns, far beyond a float64's integers.
  return Number(BigInt(m.ptpTime) - BigInt(s.slave.clock.fromTimestamp(localTime(mono)))) + Number(mono - BigInt(m.monotonicRaw)) * m.rateRatio;
}

describe('the mapping in holdover', () => {
  it('is taken anew on the frequency the clock holds, and extrapolates to the clock', () => {
    const { s, builder } = synchronized();
    const atSync = builder.build();
    // Lost at the syncReceiptTimeout; holdover then moves the frequency 200 ppb (a ramp's steps would).
    s.advance(T0 + 5000n * MS);
    expect(s.slave.discipline.syncStatus()).toBe('lost');
    s.slave.clock.adjustFrequency(s.slave.clock.frequencyPpb() + 200);
    const held = builder.build();
    expect(held.mapping?.rateRatio).toBeCloseTo(1 + s.slave.clock.frequencyPpb() * 1e-9, 12);
    expect(held.mapping?.monotonicRaw).toBe(monotonicRawTime(T0 + 5000n * MS));
    expect(held.lastSync).toBe(atSync.lastSync);
    // 20 s on: the held mapping is where the clock is; the one from the last Sync is 200 ppb × 20 s off.
    expect(Math.abs(mappingErrorNs(held, s, T0 + 25_000n * MS))).toBeLessThan(1);
    expect(Math.abs(mappingErrorNs(atSync, s, T0 + 25_000n * MS))).toBeGreaterThan(3_000);
  });

  it('stays as it is while the clock keeps its frequency: subscribers hear of news only', () => {
    const { s, builder } = synchronized();
    s.advance(T0 + 5000n * MS);
    const first = builder.build();
    s.advance(T0 + 6000n * MS);
    expect(builder.build().mapping).toEqual(first.mapping);
  });
});
