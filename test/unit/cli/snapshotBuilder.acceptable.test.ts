/**
 * What a user sees when the only master heard is not acceptable: the provider's statusReason says so
 * (naming the identity), REJECTED_FRAMES in `syntonic status` and the metrics count it by reason.
 */
import { describe, expect, it } from 'vitest';
import { localTime, monotonicRawTime, type LocalTime } from '../../../src/clock/timePoint.js';
import { VirtualClock } from '../../../src/clock/virtualClock.js';
import { renderMetrics } from '../../../src/cli/daemon/metrics.js';
import { SnapshotBuilder } from '../../../src/cli/daemon/snapshotBuilder.js';
import { AUTOMOTIVE_DEFAULTS } from '../../../src/protocol/portConfig.js';
import { formatStatusReport } from '../../../src/provider/statusText.js';
import { ClockSlave } from '../../../src/servo/clockSlave.js';
import { followUp, MASTER_PORT, SLAVE_MAC, sync } from '../../support/frames.js';

const T0 = 1_000_000_000_000n;
const ROGUE = { clockIdentity: 0x0000aafffe0000aan, portNumber: 1 };

function station(): { slave: ClockSlave; builder: SnapshotBuilder; at: (ns: bigint) => LocalTime } {
  let now = localTime(T0);
  const clock = new VirtualClock(() => now);
  const slave = new ClockSlave(
    { engine: { config: { ...AUTOMOTIVE_DEFAULTS, acceptableMasters: [MASTER_PORT] }, macAddress: SLAVE_MAC, transmit: true }, clock },
    { transmit: () => undefined },
  );
  slave.start(now);
  const builder = new SnapshotBuilder({
    engine: slave.engine,
    discipline: slave.discipline,
    clock,
    timestamping: 'software',
    samplePair: () => ({ timestampClock: now, monotonicRaw: monotonicRawTime(BigInt(now)) }),
  });
  const at = (ns: bigint): LocalTime => {
    now = localTime(ns);
    return now;
  };
  return { slave, builder, at };
}

describe('a master outside acceptable_masters, seen from status and metrics', () => {
  it('statusReason names it while it is the only one heard, and stops once it is silent for 10 s', () => {
    const { slave, builder, at } = station();
    slave.receive(sync(1, { source: ROGUE }), at(T0 + 1_000n));
    slave.receive(followUp(1, 6_000_000_000_000n, { source: ROGUE }), at(T0 + 2_000n));
    const s = builder.build();
    expect(s.statusReason).toBe('starting: no Sync received yet; no acceptable master heard: master 0000aa.fffe.0000aa-1 is not in acceptable_masters');
    expect(s.rejectedFrames).toEqual({ masterNotAcceptable: 2 });

    const text = renderMetrics({ snapshot: () => s, counters: () => ({}), sinceLastSyncS: () => undefined });
    expect(text).toContain('syntonic_rejected_frames_total{reason="masterNotAcceptable"} 2');
    const report = formatStatusReport(
      { ...s, timeSinceLastSyncNs: null },
      {
        ptpTime: null,
        status: 'lost',
        errorBoundNs: Infinity,
        tai: null,
        utc: null,
        utcOffset: null,
        leapSecond: false,
        leapPending: null,
        timeProperties: null,
        quality: 'critical' as const,
        holdoverErrorNs: null,
      },
      monotonicRawTime(T0),
    );
    expect(report).toMatch(/REJECTED_FRAMES\n\tmasterNotAcceptable\s+2/);

    at(T0 + 11_000_000_000n);
    expect(builder.build().statusReason).toBe('starting: no Sync received yet');
  });

  it("with an acceptable master in use, the reason is the servo's own", () => {
    const { slave, builder, at } = station();
    slave.receive(sync(1), at(T0 + 1_000n));
    slave.receive(followUp(1, 6_000_000_000_000n), at(T0 + 2_000n));
    slave.receive(sync(2, { source: ROGUE }), at(T0 + 3_000n));
    expect(slave.engine.masterInfo?.port).toEqual(MASTER_PORT);
    expect(builder.build().statusReason).not.toMatch(/acceptable/);
  });
});
