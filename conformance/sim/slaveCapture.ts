/**
 * A synthetic capture taken at a slave, exact by construction: the master's Sync/Follow_Up at 8/s
 * with an Announce each second, and the slave's own Pdelay exchange once a second (its t1 and every
 * RX in the slave's clock, which runs SLAVE_RATE fast; t2/t3 in the master's), over a LINK_NS link
 * with a 10 µs responder turnaround. Used by the replay bench (a million frames) and by tests whose
 * expected figures follow from these constants.
 */
import { encodeFrame } from '../../src/protocol/ethernetFrame.js';
import { frameOf, pdelayReq } from '../../src/protocol/outgoingMessages.js';
import { clockIdentityFromMac } from '../../src/protocol/portIdentity.js';
import { announce, followUp, MASTER_PORT, pdelayResp, pdelayRespFollowUp, sync } from './masterMessages.js';

export const SLAVE_MAC = 0x0a0b0c0d0e0f;
export const SLAVE_PORT = { clockIdentity: clockIdentityFromMac(SLAVE_MAC), portNumber: 1 };
const SYNC_NS = 125_000_000n;
/** One-way link delay in the grandmaster's time base. */
export const LINK_NS = 700n;
/** The slave's clock runs 20 ppm fast against the grandmaster's. */
export const SLAVE_RATE = 1.00002;

export function* slaveCaptureFrames(syncs: number): Generator<{ timestampNs: bigint; data: Uint8Array }> {
  const gm0 = 1_700_000_000_000_000_000n;
  const local = (gmNs: bigint): bigint => gm0 + BigInt(Math.round(Number(gmNs - gm0) * SLAVE_RATE));
  const sender = { mac: SLAVE_MAC, port: SLAVE_PORT, domainNumber: 0, majorSdoId: 1 };
  for (let i = 0; i < syncs; i++) {
    const t = gm0 + BigInt(i) * SYNC_NS;
    const seq = i & 0xffff;
    if (i % 8 === 0) {
      yield { timestampNs: local(t + LINK_NS), data: encodeFrame(announce(seq >> 3, { source: MASTER_PORT })) };
      const t1 = t + 20_000_000n;
      const req = frameOf(sender, pdelayReq(sender, seq >> 3, 0));
      yield { timestampNs: local(t1), data: encodeFrame(req) };
      yield { timestampNs: local(t1 + 2n * LINK_NS + 10_000n), data: encodeFrame(pdelayResp(seq >> 3, SLAVE_PORT, t1 + LINK_NS, { source: MASTER_PORT })) };
      yield {
        timestampNs: local(t1 + 2n * LINK_NS + 20_000n),
        data: encodeFrame(pdelayRespFollowUp(seq >> 3, SLAVE_PORT, t1 + LINK_NS + 10_000n, { source: MASTER_PORT })),
      };
    }
    yield { timestampNs: local(t + 50_000_000n + LINK_NS), data: encodeFrame(sync(seq, { source: MASTER_PORT })) };
    yield { timestampNs: local(t + 50_100_000n + LINK_NS), data: encodeFrame(followUp(seq, t + 50_000_000n, { source: MASTER_PORT })) };
  }
}
