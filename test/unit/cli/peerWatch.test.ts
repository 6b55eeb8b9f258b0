/**
 * The first minutes of `syntonic run` (src/cli/daemon/peerWatch.ts): one line when the interface has
 * no carrier, one when nothing answers after 10 s, saying what to check.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { missingPeerLine, watchForPeers } from '../../../src/cli/daemon/peerWatch.js';

describe('what is missing after the wait', () => {
  it('no frame at all: no gPTP speaker on the link, and how to start one', () => {
    expect(missingPeerLine('eth0', {}, true)).toBe(
      'port 1 (eth0): no gPTP frame from any peer in 10 s: nothing on this link speaks gPTP (802.1AS over Ethernet to 01:80:C2:00:00:0E); ' +
        'start a grandmaster or gPTP bridge on it, e.g. ptp4l -f gPTP.cfg -i IFACE',
    );
  });

  it('no frame and no carrier: the link, not the peer', () => {
    expect(missingPeerLine('eth0', {}, false)).toBe(
      'port 1 (eth0): still no carrier: the cable is unplugged or the other end of the link is down (ip link show eth0)',
    );
  });

  it('frames but no Pdelay_Resp: the neighbor does not run peer delay', () => {
    expect(missingPeerLine('eth0', { Announce: 10, Sync: 80, Pdelay_Resp: 0 }, true)).toBe(
      'port 1 (eth0): no Pdelay_Resp to our Pdelay_Req in 10 s (heard Announce, Sync): the neighbor does not run peer delay (delay_mechanism P2P), so the port cannot become asCapable',
    );
  });

  it('a neighbor that answers peer delay: nothing to say', () => {
    expect(missingPeerLine('eth0', { Pdelay_Resp: 9, Pdelay_Resp_Follow_Up: 9 }, true)).toBeUndefined();
  });
});

describe('watching from start', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('says at once when there is no carrier, and again after 10 s if nothing came', () => {
    const lines: string[] = [];
    watchForPeers({ interfaceName: 'veth1', received: () => ({}), warn: (l) => lines.push(l), carrier: () => false });
    expect(lines).toEqual(['port 1 (veth1): no carrier: the cable is unplugged or the other end of the link is down (ip link show veth1); waiting for a link']);
    vi.advanceTimersByTime(9_999);
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(lines[1]).toMatch(/^port 1 \(veth1\): still no carrier/);
  });

  it('says nothing when a peer answered, or once stopped', () => {
    const lines: string[] = [];
    watchForPeers({ interfaceName: 'eth0', received: () => ({ Pdelay_Resp: 3 }), warn: (l) => lines.push(l), carrier: () => true });
    const stopped = watchForPeers({ interfaceName: 'eth1', received: () => ({}), warn: (l) => lines.push(l), carrier: () => true });
    stopped.stop();
    vi.advanceTimersByTime(20_000);
    expect(lines).toEqual([]);
  });
});
