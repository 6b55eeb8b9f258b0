/**
 * Which station did a capture see the link from? Replay runs the engine as that station: frames it
 * sent are its own (their capture time is its egress time), all others are received.
 *
 * The station is the port that sends Pdelay_Req and no Sync (a slave measuring its link); it is found
 * in a first pass over the capture unless the user names it (--station).
 */
import type { CapturedFrame } from '../capturedFrame.js';
import { toEthernet } from '../linkType.js';
import { readClockIdentity } from '../../protocol/derivedDataTypes.js';
import { ptpPayloadOffset } from '../../protocol/ethernetFrame.js';
import { peekHeader } from '../../protocol/headerCodec.js';
import { readUint16 } from '../../protocol/octets.js';
import { formatMac, formatPortIdentity } from '../../protocol/format.js';
import type { MacAddress, PortIdentity } from '../../protocol/messages.js';
import { MessageType } from '../../protocol/messages.js';

export interface Station {
  readonly mac: MacAddress;
  /** The station's port identity, when it sent any PTP frame. */
  readonly port: PortIdentity | undefined;
  /** How it was chosen, for the summary. */
  readonly how: string;
}

/** sourcePortIdentity's offset in the common header, octets (802.1AS-2020 10.6.2.1, Table 10-7). */
const SOURCE_PORT_IDENTITY_OFFSET = 20;

function macAt(b: Uint8Array, o: number): MacAddress {
  return (
    (b[o] as number) * 2 ** 40 +
    (b[o + 1] as number) * 2 ** 32 +
    (((b[o + 2] as number) << 24) >>> 0) +
    ((b[o + 3] as number) << 16) +
    ((b[o + 4] as number) << 8) +
    (b[o + 5] as number)
  );
}

interface Sender {
  readonly mac: MacAddress;
  port: PortIdentity;
  syncs: number;
  pdelayReqs: number;
}

/**
 * Once a port has sent this many Pdelay_Req and a master this many Syncs, the roles are clear and the
 * pass stops: detection costs the same for a minute-long capture and a day-long one.
 */
const SETTLED_PDELAY_REQS = 3;
const SETTLED_SYNCS = 16;

/** First pass: look at who sent what. Reads headers only; keeps one entry per source MAC. */
export function detectStation(frames: Iterable<CapturedFrame>, named?: MacAddress): Station | undefined {
  const senders = new Map<MacAddress, Sender>();
  let syncs = 0;
  // Only the header matters here: a peek, not a full decode, keeps this pass cheap.
  for (const f of frames) {
    const eth = toEthernet(f);
    if (eth === undefined) continue;
    const at = ptpPayloadOffset(eth);
    const h = at < 0 ? undefined : peekHeader(eth, at);
    if (h === undefined || h.versionPtp !== 2) continue;
    const source = macAt(eth, 6);
    let s = senders.get(source);
    if (s === undefined) {
      s = {
        mac: source,
        port: { clockIdentity: readClockIdentity(eth, at + SOURCE_PORT_IDENTITY_OFFSET), portNumber: readUint16(eth, at + SOURCE_PORT_IDENTITY_OFFSET + 8) },
        syncs: 0,
        pdelayReqs: 0,
      };
      senders.set(source, s);
    }
    if (h.messageType === MessageType.Sync) {
      s.syncs += 1;
      syncs += 1;
    }
    if (h.messageType === MessageType.PdelayReq) s.pdelayReqs += 1;
    if (named === undefined && syncs >= SETTLED_SYNCS && s.pdelayReqs >= SETTLED_PDELAY_REQS && s.syncs === 0) break;
  }
  if (named !== undefined) {
    const s = senders.get(named);
    return { mac: named, port: s?.port, how: `named with --station ${formatMac(named)}` };
  }
  // The station measures its link (Pdelay_Req) and is not the master: of the ports that send
  // Pdelay_Req, the one sending the fewest Syncs, when some other port sends more (a slave may have
  // been master for a moment before the grandmaster won the BMCA).
  const mostSyncs = Math.max(0, ...[...senders.values()].map((s) => s.syncs));
  const candidates = [...senders.values()]
    .filter((s) => s.pdelayReqs > 0 && s.syncs < mostSyncs)
    .sort((a, b) => a.syncs - b.syncs || b.pdelayReqs - a.pdelayReqs);
  const best = candidates[0];
  if (best === undefined) return undefined;
  const role = best.syncs === 0 ? 'sends Pdelay_Req and no Sync' : `sends Pdelay_Req and the fewest Syncs (${best.syncs})`;
  return {
    mac: best.mac,
    port: best.port,
    how: `${formatMac(best.mac)} (${formatPortIdentity(best.port)}) ${role}${candidates.length > 1 ? `; ${candidates.length - 1} other candidate(s) ignored` : ''}`,
  };
}
