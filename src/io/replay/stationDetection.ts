/**
 * Which station did a capture see the link from? Replay runs the engine as that station: frames it
 * sent are its own (their capture time is its egress time), all others are received.
 *
 * The station is the port that sends Pdelay_Req and no Sync (a slave measuring its link); it is found
 * in a first pass over the capture unless the user names it (--station).
 */
import type { CapturedFrame } from '../capturedFrame.js';
import { toEthernet } from '../linkType.js';
import { decodeFrame } from '../../protocol/ethernetFrame.js';
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

interface Sender {
  readonly mac: MacAddress;
  port: PortIdentity;
  syncs: number;
  pdelayReqs: number;
}

/** First pass: look at who sent what. Reads headers only; keeps one entry per source MAC. */
export function detectStation(frames: Iterable<CapturedFrame>, named?: MacAddress): Station | undefined {
  const senders = new Map<MacAddress, Sender>();
  for (const f of frames) {
    const eth = toEthernet(f);
    if (eth === undefined) continue;
    const r = decodeFrame(eth);
    if (!r.ok) continue;
    const { source, message } = r.value;
    let s = senders.get(source);
    if (s === undefined) {
      s = { mac: source, port: message.header.sourcePortIdentity, syncs: 0, pdelayReqs: 0 };
      senders.set(source, s);
    }
    if (message.header.messageType === MessageType.Sync) s.syncs += 1;
    if (message.header.messageType === MessageType.PdelayReq) s.pdelayReqs += 1;
  }
  if (named !== undefined) {
    const s = senders.get(named);
    return { mac: named, port: s?.port, how: `named with --station ${formatMac(named)}` };
  }
  const candidates = [...senders.values()].filter((s) => s.pdelayReqs > 0 && s.syncs === 0).sort((a, b) => b.pdelayReqs - a.pdelayReqs);
  const best = candidates[0];
  if (best === undefined) return undefined;
  return {
    mac: best.mac,
    port: best.port,
    how: `${formatMac(best.mac)} (${formatPortIdentity(best.port)}) sends Pdelay_Req and no Sync${candidates.length > 1 ? `; ${candidates.length - 1} other candidate(s) ignored` : ''}`,
  };
}
