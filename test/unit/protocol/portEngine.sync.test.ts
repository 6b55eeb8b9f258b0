import { describe, expect, it } from 'vitest';
import { AUTOMOTIVE_DEFAULTS } from '../../../src/protocol/portConfig.js';
import { at, EngineHarness } from '../../support/engineHarness.js';
import { announce, followUp, followUpInfo, intervalRequest, MASTER_CLOCK, MASTER_PORT, pdelayResp, pdelayRespFollowUp, sync } from '../../support/frames.js';

const T0 = 1_000_000_000_000n;
const SECOND = 1_000_000_000n;

/** A link that becomes asCapable with meanLinkDelay 699.1425 ns and neighborRateRatio 1.00005 (see the peer delay tests). */
function capableLink(config: ConstructorParameters<typeof EngineHarness>[0] = {}): EngineHarness {
  const h = new EngineHarness(config);
  const e = h.engine;
  e.start(at(T0));
  for (let seq = 0; seq < 2; seq++) {
    h.runUntil(at(T0 + BigInt(seq) * SECOND));
    const req = h.lastSent();
    const t1 = T0 + BigInt(seq) * SECOND;
    const t2 = 5_000_000_001_000n + BigInt(seq) * 1_000_050_000n;
    e.txTimestamp(req.txHandle as number, at(t1));
    e.receive(pdelayResp(seq, e.port, t2, { correctionField: 32_768n }), at(t1 + 11_400n));
    e.receive(pdelayRespFollowUp(seq, e.port, t2 + 10_000n, { correctionField: 98_304n }), at(t1 + 11_500n));
  }
  expect(e.asCapable.asCapable).toBe(true);
  return h;
}

describe('best master selection (802.1AS-2020 10.3)', () => {
  it('takes the slave role on the first qualified Announce and reports the grandmaster', () => {
    const h = capableLink();
    h.engine.receive(announce(1), at(T0 + SECOND + 100n));
    expect(h.engine.portState).toBe('SLAVE');
    expect(h.eventsOf('grandmasterChanged')).toMatchObject([{ previous: undefined, current: MASTER_CLOCK }]);
    expect(h.eventsOf('portStateChanged')[0]?.reason).toBe('master 001122.fffe.334455-1 selected (grandmaster 001122.fffe.334455)');
  });

  it('discards an Announce whose PATH_TRACE already holds this clock (loop)', () => {
    const h = capableLink();
    h.engine.receive(announce(1, { pathTrace: [MASTER_CLOCK, h.engine.port.clockIdentity] }), at(T0 + SECOND));
    expect(h.engine.portState).toBe('LISTENING');
    expect(h.engine.statistics().rejected).toEqual({ announceLoop: 1 });
  });

  it('switches to a better grandmaster and reports old and new identities', () => {
    const h = capableLink();
    h.engine.receive(announce(1), at(T0 + SECOND));
    const better = { clockIdentity: 0x000001fffe000001n, portNumber: 1 };
    h.engine.receive(announce(7, { source: better, grandmaster: better.clockIdentity, priority1: 10 }), at(T0 + SECOND + 10n));
    expect(h.engine.masterInfo?.port).toEqual(better);
    expect(h.eventsOf('grandmasterChanged').at(-1)).toMatchObject({ previous: MASTER_CLOCK, current: better.clockIdentity });
    // the old master's Announce now loses
    h.engine.receive(announce(2), at(T0 + SECOND + 20n));
    expect(h.engine.statistics().rejected).toEqual({ announceNotBetter: 1 });
  });

  it('ages the master after announceReceiptTimeout announce intervals', () => {
    const h = capableLink({ announceReceiptTimeout: 3 });
    h.engine.receive(announce(1, { logMessageInterval: 0 }), at(T0 + SECOND));
    h.engine.receive(sync(1), at(T0 + SECOND + 1_000n));
    h.engine.receive(followUp(1, 6_000_000_000_000n), at(T0 + SECOND + 2_000n));
    // keep Syncs coming so that only the Announce timer can expire
    for (let i = 2; i < 40; i++) {
      const t = T0 + SECOND + BigInt(i) * 125_000_000n;
      h.runUntil(at(t));
      h.engine.receive(sync(i), at(t));
      h.engine.receive(followUp(i, 6_000_000_000_000n + BigInt(i) * 125_000_000n), at(t + 1_000n));
    }
    const timeouts = h.eventsOf('announceReceiptTimeout');
    expect(timeouts).toHaveLength(1);
    expect(timeouts[0]?.at).toBe(T0 + 4n * SECOND);
    expect(h.engine.portState).toBe('LISTENING');
    expect(h.eventsOf('portStateChanged').at(-1)?.reason).toBe('no Announce for 3 announce intervals (announceReceiptTimeout)');
  });
});

describe('Sync reception and syntonization (802.1AS-2020 11.2.14, 10.2.8)', () => {
  /**
   * Worked example: Follow_Up preciseOriginTimestamp 6000 s + 0 ns, correctionField 100 ns,
   * cumulativeScaledRateOffset 2^30 → upstream rate ratio 1 + 2^30·2^-41 = 1.00048828125.
   *   rateRatio = 1.00048828125 × 1.00005
   *   gmTime   = 6000 s + 100 ns + 699.1425 ns × 1.00048828125 = 6000 s + 799.48388… ns
   */
  it('computes the grandmaster time at ingress and the cumulative rateRatio', () => {
    const h = capableLink();
    h.engine.receive(announce(1), at(T0 + SECOND));
    const ingress = T0 + 2n * SECOND + 500n;
    h.engine.receive(sync(10), at(ingress));
    h.engine.receive(followUp(10, 6_000_000_000_000n, { correctionField: 100n * 65_536n, tlvs: [followUpInfo(2 ** 30)] }), at(ingress + 5_000n));
    const [e] = h.eventsOf('syncReceipt');
    const r = e?.receipt;
    expect(r?.ingressTime).toBe(ingress);
    expect(r?.gmTime).toBe(6_000_000_000_799n);
    expect(r?.gmTimeFractionNs).toBeCloseTo(0.48388, 4);
    expect(r?.rateRatio).toBeCloseTo(1.00048828125 * 1.00005, 15);
    expect(r?.neighborRateRatio).toBeCloseTo(1.00005, 12);
    // Its uncertainty: the two exchanges' propTimes differ by 0.285 ns over 1 s, scaled by the upstream ratio.
    expect(r?.rateRatioSigma).toBeCloseTo((2 * 1.4826 * (0.285 / 2) * 1.00048828125) / 1e9, 13);
    // And the time the ratio spans: from the first exchange's Pdelay_Resp to the second's, 1 s later.
    expect(r?.rateRatioSpanS).toBeCloseTo(1, 9);
    expect(r?.grandmasterIdentity).toBe(MASTER_CLOCK);
    expect(r?.logSyncInterval).toBe(-3);
  });

  it('takes a one-step Sync alone, origin plus correctionField', () => {
    const h = capableLink();
    h.engine.receive(announce(1), at(T0 + SECOND));
    h.engine.receive(sync(3, { flags: 0, originNs: 7_000_000_000_000n, correctionField: 65_536n * 50n }), at(T0 + 2n * SECOND));
    const r = h.eventsOf('syncReceipt')[0]?.receipt;
    // 7000 s + 50 ns + 699.1425 ns (no Follow_Up information TLV: upstream ratio 1)
    expect(r?.gmTime).toBe(7_000_000_000_749n);
    expect(r?.gmTimeFractionNs).toBeCloseTo(0.1425, 4);
  });

  it('rejects Follow_Ups without their Sync, late ones, and Syncs from a port that is not the master', () => {
    const h = capableLink();
    h.engine.receive(announce(1), at(T0 + SECOND));
    const t = T0 + 2n * SECOND;
    h.engine.receive(followUp(5, 1n), at(t));
    h.engine.receive(sync(6), at(t + 1_000n));
    // one sync interval is 125 ms (logMessageInterval −3): this Follow_Up is late
    h.engine.receive(followUp(6, 6_000_000_000_000n), at(t + 200_000_000n));
    h.engine.receive(sync(7, { source: { clockIdentity: 99n, portNumber: 1 } }), at(t + 300_000_000n));
    expect(h.engine.statistics().rejected).toEqual({ followUpWithoutSync: 1, lateFollowUp: 1, syncNotFromMaster: 1 });
    expect(h.eventsOf('syncReceipt')).toHaveLength(0);
  });

  it('rejects replayed sequence numbers and origin times that go backwards, without disturbing state', () => {
    const h = capableLink();
    h.engine.receive(announce(1), at(T0 + SECOND));
    const t = T0 + 2n * SECOND;
    h.engine.receive(sync(20), at(t));
    h.engine.receive(followUp(20, 6_000_000_000_000n), at(t + 1_000n));
    h.engine.receive(sync(20), at(t + 2_000n)); // replayed
    h.engine.receive(sync(21), at(t + 125_000_000n));
    h.engine.receive(followUp(21, 5_999_000_000_000n), at(t + 125_001_000n)); // one second earlier than Sync 20
    expect(h.engine.statistics().rejected).toEqual({ duplicateSequence: 1, timestampBackwards: 1 });
    expect(h.engine.lastSyncReceipt?.sequenceId).toBe(20);
  });

  it('refuses domains and SDO ids other than the configured ones', () => {
    const h = capableLink();
    h.engine.receive(announce(1, { domainNumber: 4 }), at(T0 + SECOND));
    h.engine.receive(announce(2, { majorSdoId: 0 }), at(T0 + SECOND));
    expect(h.engine.portState).toBe('LISTENING');
    expect(h.engine.statistics().rejected).toEqual({ wrongDomain: 1, wrongMajorSdoId: 1 });
  });

  it('ages the master when Syncs stop for syncReceiptTimeout sync intervals', () => {
    const h = capableLink({ syncReceiptTimeout: 3 });
    h.engine.receive(announce(1), at(T0 + SECOND));
    const t = T0 + 2n * SECOND;
    h.engine.receive(sync(1), at(t));
    h.engine.receive(followUp(1, 6_000_000_000_000n), at(t + 1_000n));
    // 3 × 125 ms from the last Sync's ingress, plus half an interval of grace for jitter
    h.runUntil(at(t + 437_499_999n));
    expect(h.eventsOf('syncReceiptTimeout')).toHaveLength(0);
    h.runUntil(at(t + 437_500_000n));
    expect(h.eventsOf('syncReceiptTimeout')).toHaveLength(1);
    expect(h.engine.portState).toBe('LISTENING');
  });

  it('reports a grandmaster phase change carried in the Follow_Up information TLV', () => {
    const h = capableLink();
    h.engine.receive(announce(1), at(T0 + SECOND));
    const t = T0 + 2n * SECOND;
    h.engine.receive(sync(1), at(t));
    h.engine.receive(followUp(1, 6_000_000_000_000n), at(t + 1_000n));
    h.engine.receive(sync(2), at(t + 125_000_000n));
    h.engine.receive(followUp(2, 6_001_000_125_000n, { tlvs: [followUpInfo(0, 1, 1_000_000n * 65_536n)] }), at(t + 125_001_000n));
    expect(h.eventsOf('gmTimeBaseChanged')).toMatchObject([{ gmTimeBaseIndicator: 1, lastGmPhaseChange: 65_536_000_000n }]);
  });
});

describe('message interval requests (802.1AS-2020 10.6.4.3) and the automotive profile (10.3.1)', () => {
  it('follows a neighbour that asks for a slower Pdelay_Req interval', () => {
    const h = capableLink();
    h.engine.receive(intervalRequest(1, 3, h.engine.port), at(T0 + SECOND + 10n));
    expect(h.engine.currentLogPdelayReqInterval).toBe(3);
    expect(h.engine.nextTimerAt()).toBe(T0 + 9n * SECOND + 10n);
  });

  it('stops Pdelay_Req when asked with 127 and leaves the interval alone with −128', () => {
    const h = capableLink();
    h.engine.receive(intervalRequest(1, -128, h.engine.port), at(T0 + SECOND + 10n));
    expect(h.engine.currentLogPdelayReqInterval).toBe(0);
    h.engine.receive(intervalRequest(2, 127, h.engine.port), at(T0 + SECOND + 20n));
    const sentBefore = h.sent.length;
    h.runUntil(at(T0 + 10n * SECOND));
    expect(h.sent.length).toBe(sentBefore);
  });

  it('ignores a request addressed to another port', () => {
    const h = capableLink();
    h.engine.receive(intervalRequest(1, 3, { clockIdentity: 5n, portNumber: 1 }), at(T0 + SECOND));
    expect(h.engine.currentLogPdelayReqInterval).toBe(0);
    expect(h.engine.statistics().rejected).toEqual({ signalingNotForUs: 1 });
  });

  it('automotive: is a static slave without Announce and asks for operational intervals once stable', () => {
    const h = new EngineHarness(AUTOMOTIVE_DEFAULTS);
    h.engine.start(at(T0));
    expect(h.engine.portState).toBe('SLAVE');
    expect(h.engine.asCapable.asCapable).toBe(true);
    h.engine.receive(sync(1, { source: MASTER_PORT }), at(T0 + 100n));
    h.engine.receive(followUp(1, 6_000_000_000_000n), at(T0 + 200n));
    expect(h.eventsOf('syncReceipt')).toHaveLength(1);
    h.engine.setServoStable(true, at(T0 + SECOND));
    const signaling = h.sent.find((t) => t.frame.message.type === 'signaling')?.frame.message;
    expect(signaling?.tlvs[0]).toMatchObject({ kind: 'messageIntervalRequest', timeSyncInterval: 0, linkDelayInterval: -128, announceInterval: -128 });
    expect(h.engine.currentLogPdelayReqInterval).toBe(2);
  });
});
