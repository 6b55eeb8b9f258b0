/**
 * What a user sees when the only master heard is not acceptable: the provider's statusReason says so
 * (naming the identity), REJECTED_FRAMES in `syntonic status` and the metrics count it by reason.
 */
import { describe, expect, it } from 'vitest';
import { monotonicRawTime } from '../../../src/clock/timePoint.js';
import { renderMetrics } from '../../../src/cli/daemon/metrics.js';
import { AUTOMOTIVE_DEFAULTS } from '../../../src/protocol/portConfig.js';
import { formatStatusReport } from '../../../src/provider/statusText.js';
import { followUp, MASTER_PORT, sync } from '../../support/frames.js';
import { snapshotStation, type SnapshotStation } from '../../support/snapshotStation.js';

const T0 = 1_000_000_000_000n;
const ROGUE = { clockIdentity: 0x0000aafffe0000aan, portNumber: 1 };

const station = (): SnapshotStation => snapshotStation({ ...AUTOMOTIVE_DEFAULTS, acceptableMasters: [MASTER_PORT] }, T0);

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
