/**
 * A leap second announced in the grandmaster's Announce flags, end to end in simulation: the simulated
 * grandmaster (TAI, the PTP timescale) announces leap61 with currentUtcOffset 36 before the
 * 2016-12-31 leap and updates to 37 two Announces after it, as real grandmasters may. The station runs
 * the real engine and servo; the daemon's SnapshotBuilder makes its snapshots, which travel through the
 * wire form to the client's TimeExtrapolator — the path an application's TimeBaseClient.now() takes.
 * CLOCK_MONOTONIC_RAW is true time here, so every reading is compared with the true UTC.
 */
import { describe, expect, it } from 'vitest';
import { SnapshotBuilder } from '../../src/cli/daemon/snapshotBuilder.js';
import { monotonicRawTime } from '../../src/clock/timePoint.js';
import { Flag } from '../../src/protocol/messages.js';
import { formatUtcNs } from '../../src/protocol/timeProperties.js';
import { DEFAULT_ERROR_BOUND_MODELS } from '../../src/provider/errorBound.js';
import { TimeExtrapolator } from '../../src/provider/timeExtrapolator.js';
import { snapshotFromWire, snapshotToWire } from '../../src/provider/wireSnapshot.js';
import { DEFAULT_MASTER, Simulation } from '../../conformance/sim/simulation.js';

const S = 1_000_000_000n;
/** 23:59:60 UTC on 2016-12-31 began at TAI 1 483 228 836 s (TAI − UTC 36 s before, 37 s after). */
const LEAP_TAI_NS = 1_483_228_836n * S;
const START_NS = LEAP_TAI_NS - 30n * S;
const PTP_VALID = Flag.ptpTimescale | Flag.currentUtcOffsetValid | Flag.timeTraceable;

/** True UTC (POSIX ns, 23:59:60 repeating 23:59:59) at true TAI `tai`. */
function trueUtc(tai: bigint): bigint {
  return tai - (tai < LEAP_TAI_NS ? 36n : 37n) * S;
}

function leapRun(): { sim: Simulation; read: (taiNs: bigint) => ReturnType<TimeExtrapolator['at']> } {
  const sim = new Simulation({
    seed: 7,
    startNs: START_NS,
    link: { meanDelayNs: 500 },
    master: {
      ...DEFAULT_MASTER,
      timeProperties: [
        { atNs: 0n, currentUtcOffset: 36, flags: PTP_VALID | Flag.leap61 },
        // The grandmaster settles two Announces (1 s each) after the leap.
        { atNs: LEAP_TAI_NS - START_NS + 2n * S, currentUtcOffset: 37, flags: PTP_VALID },
      ],
    },
    station: {
      clock: {
        oscillator: { frequencyOffsetPpm: 20, seed: 7 },
        timestampsFollowAdjustment: true,
        timestampGranularityNs: 8,
        initialReadingNs: START_NS + 2_000_000n,
      },
      discipline: true,
    },
  });
  const builder = new SnapshotBuilder({
    engine: sim.engine,
    discipline: sim.slave.discipline,
    clock: sim.clock,
    timestamping: 'hardware',
    // CLOCK_MONOTONIC_RAW of the simulated node: true time.
    samplePair: () => ({ timestampClock: sim.localNow(), monotonicRaw: monotonicRawTime(sim.trueNow) }),
  });
  const client = new TimeExtrapolator();
  const publish = (): void => {
    const wire = JSON.parse(JSON.stringify({ ...snapshotToWire(builder.build()), timeSinceLastSyncNs: 0 })) as unknown;
    const decoded = snapshotFromWire(wire);
    if (!decoded.ok) throw new Error(decoded.error.message);
    client.update(decoded.value, DEFAULT_ERROR_BOUND_MODELS.hardware);
  };
  publish();
  // Publish as the daemon does, after every Sync (8/s here) — run in 125 ms steps.
  const read = (taiNs: bigint): ReturnType<TimeExtrapolator['at']> => client.at(monotonicRawTime(taiNs));
  const runTo = (taiNs: bigint): void => sim.runFor(Number(taiNs - sim.trueNow) / 1e9, S / 8n, publish);
  return { sim, read: (tai) => (runTo(tai), read(tai)) };
}

describe('a leap second announced by the grandmaster (leap61), through snapshot, wire and client', () => {
  const { sim, read } = leapRun();
  // 20 s to lock; the leap is 30 s after the start.
  const settled = read(LEAP_TAI_NS - 8n * S);

  it('is synchronized beforehand, with TAI and UTC (offset 36 s) and the leap pending', () => {
    expect(settled.status).toBe('synchronized');
    expect(settled.tai).not.toBeNull();
    expect(Math.abs(Number((settled.tai as bigint) - (LEAP_TAI_NS - 8n * S)))).toBeLessThan(1_000);
    expect(settled.utcOffset).toBe(36);
    expect(settled.leapPending).toBe('insert');
    expect(Math.abs(Number((settled.utc as bigint) - trueUtc(LEAP_TAI_NS - 8n * S)))).toBeLessThan(1_000);
    expect(sim.engine.masterInfo?.flags !== undefined && (sim.engine.masterInfo.flags & Flag.leap61) !== 0).toBe(true);
  });

  it('changes the UTC offset from 36 to 37 s at the start of 23:59:60, within the clock error of the true instant', () => {
    const before = read(LEAP_TAI_NS - 10_000n); // 10 µs before: far beyond the servo's few-ns error
    const at = read(LEAP_TAI_NS + 10_000n);
    expect([before.utcOffset, before.leapSecond, before.leapPending]).toEqual([36, false, 'insert']);
    expect([at.utcOffset, at.leapSecond, at.leapPending]).toEqual([37, true, null]);
    expect(formatUtcNs(before.utc as bigint, before.leapSecond)).toMatch(/^2016-12-31T23:59:59\.9999/);
    expect(formatUtcNs(at.utc as bigint, at.leapSecond)).toMatch(/^2016-12-31T23:59:60\.0000/);
  });

  it('reads 23:59:60 for one second (POSIX: 23:59:59 again), then 2017-01-01T00:00:00 with offset 37 s', () => {
    const mid = read(LEAP_TAI_NS + S / 2n);
    expect(mid.leapSecond).toBe(true);
    expect(formatUtcNs(mid.utc as bigint, true)).toMatch(/^2016-12-31T23:59:60\.(4999|5000)/);
    expect(Math.abs(Number((mid.utc as bigint) - trueUtc(LEAP_TAI_NS + S / 2n)))).toBeLessThan(1_000);
    const next = read(LEAP_TAI_NS + S + 10_000n);
    expect([next.utcOffset, next.leapSecond]).toEqual([37, false]);
    expect(formatUtcNs(next.utc as bigint, false)).toMatch(/^2017-01-01T00:00:00\.0000/);
  });

  it('stays right while the grandmaster still announces the stale flag and after it settles', () => {
    for (const t of [LEAP_TAI_NS + 1_500_000_000n, LEAP_TAI_NS + 3n * S, LEAP_TAI_NS + 6n * S]) {
      const r = read(t);
      expect(r.utcOffset).toBe(37);
      expect(r.leapPending).toBeNull();
      expect(Math.abs(Number((r.utc as bigint) - trueUtc(t)))).toBeLessThan(1_000);
    }
    expect(sim.engine.masterInfo?.currentUtcOffset).toBe(37);
  });
});
