/**
 * acceptable_grandmasters / acceptable_masters (1588-2019 17.6 acceptable master table, in spirit):
 * a better grandmaster that appears on the link changes nothing when it is not in the list.
 */
import { describe, expect, it } from 'vitest';
import { AUTOMOTIVE_DEFAULTS, type PortConfig } from '../../../src/protocol/portConfig.js';
import { at, EngineHarness } from '../../support/engineHarness.js';
import { announce, followUp, MASTER_CLOCK, MASTER_PORT, pdelayResp, pdelayRespFollowUp, sync } from '../../support/frames.js';

const T0 = 1_000_000_000_000n;
const SECOND = 1_000_000_000n;
const ROGUE = { clockIdentity: 0x0000aafffe0000aan, portNumber: 1 };
const GM_TIME = 6_000_000_000_000n;

function capableLink(config: Partial<PortConfig> = {}): EngineHarness {
  const h = new EngineHarness(config);
  const e = h.engine;
  e.start(at(T0));
  for (let seq = 0; seq < 2; seq++) {
    h.runUntil(at(T0 + BigInt(seq) * SECOND));
    const t1 = T0 + BigInt(seq) * SECOND;
    const t2 = 5_000_000_001_000n + BigInt(seq) * 1_000_050_000n;
    e.txTimestamp(h.lastSent().txHandle as number, at(t1));
    e.receive(pdelayResp(seq, e.port, t2), at(t1 + 11_400n));
    e.receive(pdelayRespFollowUp(seq, e.port, t2 + 10_000n), at(t1 + 11_500n));
  }
  expect(e.asCapable.asCapable).toBe(true);
  return h;
}

/** A Sync and its Follow_Up from `source`, `n` sync intervals after `t0`. */
function syncPair(h: EngineHarness, n: number, source = MASTER_PORT, t0 = T0 + 2n * SECOND): void {
  const t = t0 + BigInt(n) * 125_000_000n;
  h.engine.receive(sync(n, { source }), at(t));
  h.engine.receive(followUp(n, GM_TIME + BigInt(n) * 125_000_000n, { source }), at(t + 1_000n));
}

describe('acceptable grandmasters and masters', () => {
  it('without a list, a better grandmaster on another port takes the station over (802.1AS behaviour)', () => {
    const h = capableLink();
    h.engine.receive(announce(1), at(T0 + SECOND));
    h.engine.receive(announce(1, { source: ROGUE, grandmaster: ROGUE.clockIdentity, priority1: 10 }), at(T0 + SECOND + 10n));
    expect(h.engine.masterInfo?.grandmasterIdentity).toBe(ROGUE.clockIdentity);
  });

  it('with acceptable_grandmasters, the better rogue grandmaster is refused and the station keeps its master', () => {
    const h = capableLink({ acceptableGrandmasters: [MASTER_CLOCK] });
    h.engine.receive(announce(1), at(T0 + SECOND));
    h.engine.receive(announce(1, { source: ROGUE, grandmaster: ROGUE.clockIdentity, priority1: 10 }), at(T0 + SECOND + 10n));
    syncPair(h, 1, ROGUE);
    syncPair(h, 2);
    expect(h.engine.masterInfo?.port).toEqual(MASTER_PORT);
    expect(h.eventsOf('syncReceipt').map((e) => e.receipt.sourcePortIdentity)).toEqual([MASTER_PORT]);
    // the rogue's Announce, Sync and Follow_Up, each under its own reason
    expect(h.engine.statistics().rejected).toEqual({ grandmasterNotAcceptable: 3 });
    const told = h.eventsOf('notAcceptable');
    expect(told[0]?.refusal.why).toBe('grandmaster 0000aa.fffe.0000aa (via 0000aa.fffe.0000aa-1) is not in acceptable_grandmasters');
    expect(h.engine.lastRefusal?.refusal.grandmasterIdentity).toBe(ROGUE.clockIdentity);
  });

  it('with acceptable_masters, Announce and Sync from any other port are refused as masterNotAcceptable', () => {
    const h = capableLink({ acceptableMasters: [MASTER_PORT] });
    h.engine.receive(announce(1, { source: ROGUE, grandmaster: ROGUE.clockIdentity, priority1: 10 }), at(T0 + SECOND));
    expect(h.engine.portState).toBe('LISTENING');
    h.engine.receive(announce(2), at(T0 + SECOND + 10n));
    syncPair(h, 1, ROGUE);
    syncPair(h, 2);
    expect(h.engine.portState).toBe('SLAVE');
    expect(h.engine.statistics().rejected).toEqual({ masterNotAcceptable: 3 });
    expect(h.eventsOf('notAcceptable')[0]?.refusal.why).toBe('master 0000aa.fffe.0000aa-1 is not in acceptable_masters');
    expect(h.eventsOf('syncReceipt')).toHaveLength(1);
  });

  it("drops its master at once when the master's Announce names a grandmaster outside the list, and takes it back when it names an acceptable one", () => {
    const h = capableLink({ acceptableGrandmasters: [MASTER_CLOCK] });
    h.engine.receive(announce(1), at(T0 + SECOND));
    syncPair(h, 1);
    // the bridge behind MASTER_PORT now serves the rogue grandmaster
    h.engine.receive(announce(2, { grandmaster: ROGUE.clockIdentity, priority1: 10, stepsRemoved: 1 }), at(T0 + 2n * SECOND + 200_000_000n));
    expect(h.engine.portState).toBe('LISTENING');
    expect(h.eventsOf('portStateChanged').at(-1)?.reason).toBe('grandmaster 0000aa.fffe.0000aa (via 001122.fffe.334455-1) is not in acceptable_grandmasters');
    syncPair(h, 3);
    expect(h.engine.statistics().rejected).toEqual({ grandmasterNotAcceptable: 3 });
    h.engine.receive(announce(3), at(T0 + 3n * SECOND));
    syncPair(h, 10);
    expect(h.engine.portState).toBe('SLAVE');
    expect(h.eventsOf('syncReceipt')).toHaveLength(2);
  });

  it('automotive: acceptable_masters pins the static master (the first Sync sender otherwise)', () => {
    const h = new EngineHarness({ ...AUTOMOTIVE_DEFAULTS, acceptableMasters: [MASTER_PORT] });
    h.engine.start(at(T0));
    syncPair(h, 1, ROGUE, T0);
    syncPair(h, 2, MASTER_PORT, T0);
    syncPair(h, 3, ROGUE, T0);
    expect(h.engine.masterInfo?.port).toEqual(MASTER_PORT);
    expect(h.eventsOf('syncReceipt').map((e) => e.receipt.sourcePortIdentity)).toEqual([MASTER_PORT]);
    expect(h.engine.statistics().rejected).toEqual({ masterNotAcceptable: 4 });
  });

  it('new lists (a configuration reload) drop a master that is no longer acceptable', () => {
    const h = capableLink();
    h.engine.receive(announce(1), at(T0 + SECOND));
    expect(h.engine.portState).toBe('SLAVE');
    h.engine.setAcceptableMasters({ acceptableGrandmasters: [ROGUE.clockIdentity] }, at(T0 + 2n * SECOND));
    expect(h.engine.portState).toBe('LISTENING');
    expect(h.eventsOf('portStateChanged').at(-1)?.reason).toBe('master 001122.fffe.334455-1 is not acceptable after the configuration was reloaded');
    h.engine.setAcceptableMasters({}, at(T0 + 3n * SECOND));
    h.engine.receive(announce(2), at(T0 + 3n * SECOND));
    expect(h.engine.portState).toBe('SLAVE');
  });
});
