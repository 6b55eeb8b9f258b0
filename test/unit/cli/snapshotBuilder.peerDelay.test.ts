/**
 * What a user sees of the Pdelay exchanges whose answer came late (802.1AS-2020 11.2.19.3.3: the
 * exchanges a neighborRateRatio is measured over are the implementation's choice; a late one is none
 * of them, src/protocol/neighborRateRatioWindow.ts): the snapshot (`syntonic status`, its --json) and
 * the metrics count them beside the ones answered in time, from the station's own engine.
 */
import { describe, expect, it } from 'vitest';
import { renderMetrics } from '../../../src/cli/daemon/metrics.js';
import { GPTP_DEFAULTS } from '../../../src/protocol/portConfig.js';
import { pdelayResp, pdelayRespFollowUp } from '../../support/frames.js';
import { snapshotStation, type SnapshotStation } from '../../support/snapshotStation.js';

const T0 = 1_000_000_000_000n;
/** The responder's t2 of the first exchange; one responder second per exchange (neighborRateRatio 1). */
const T2 = 5_000_000_001_000n;

/** Exchanges one second apart, answered 11.4 µs after the request (a 700 ns link), exchange k lateNs[k] later. */
function answer(s: SnapshotStation, lateNs: readonly bigint[]): void {
  const { slave, sent, at } = s;
  lateNs.forEach((late, seq) => {
    const t1 = T0 + BigInt(seq) * 1_000_000_000n;
    slave.tick(at(t1));
    const req = sent.filter((t) => t.frame.message.type === 'pdelayReq').at(-1);
    expect(req?.frame.message.header.sequenceId).toBe(seq);
    slave.txTimestamp(req?.txHandle ?? -1, at(t1));
    const t2 = T2 + BigInt(seq) * 1_000_000_000n;
    slave.receive(pdelayResp(seq, slave.engine.port, t2), at(t1 + 11_400n + late));
    slave.receive(pdelayRespFollowUp(seq, slave.engine.port, t2 + 10_000n), at(t1 + 11_500n + late));
  });
}

describe('late Pdelay answers, seen from status and metrics', () => {
  it('counts ten answers in time and one 3 µs late (propTime 1.5 µs above the median) apart', () => {
    const s = snapshotStation(GPTP_DEFAULTS, T0);
    answer(s, [...Array<bigint>(10).fill(0n), 3_000n]);
    const snapshot = s.builder.build();
    expect(snapshot.pdelayExchanges).toEqual({ inTime: 10, late: 1 });
    const text = renderMetrics({ snapshot: () => snapshot, counters: () => ({}), sinceLastSyncS: () => undefined });
    expect(text).toContain('syntonic_pdelay_exchanges_total{answer="inTime"} 10\nsyntonic_pdelay_exchanges_total{answer="late"} 1');
  });

  it('judges none late before eight exchanges: a window too short to know the link', () => {
    const s = snapshotStation(GPTP_DEFAULTS, T0);
    answer(s, [0n, 0n, 0n, 3_000n]);
    expect(s.builder.build().pdelayExchanges).toEqual({ inTime: 4, late: 0 });
  });
});
