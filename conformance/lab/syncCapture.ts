/**
 * What each Sync took on a slave's link, measured by the kernel itself: tcpdump on the slave's
 * interface writes each received frame with its software RX timestamp (LAB-NOTES: the pcap time of a
 * received frame is exactly its SO_TIMESTAMPING RX stamp), and the Follow_Up carries the
 * grandmaster's software TX stamp of the same Sync (preciseOriginTimestamp). Both are CLOCK_REALTIME:
 *
 *   syncLatency = t2 − (preciseOrigin + correctionFields)
 *
 * With the slave's own link delay d and its servo's mean offset, its true error is d − syncLatency +
 * offset: this splits any stack's true error into what the link did and what the stack did
 * (docs/accuracy.md).
 *
 * The same capture holds the slave's own peer-delay exchanges, and with them the path of the
 * grandmaster's answer: from its TX stamp t3 (the Pdelay_Resp_Follow_Up's responseOriginTimestamp,
 * 802.1AS-2020 11.4.7.2) to the slave's RX stamp t4 of the Pdelay_Resp (11.1.2). The request's path cannot be read here: the pcap time of an outgoing frame is
 * taken when the frame is handed to the capture, before the driver's TX stamp, and that hand-over
 * (a copy into tcpdump's ring, a wake-up) took 4–11 µs in the lab.
 */
import { join } from 'node:path';
import { readCapture } from '../../src/io/captureFile.js';
import { decodeFrame } from '../../src/protocol/ethernetFrame.js';
import { MessageType, type PtpMessage } from '../../src/protocol/messages.js';
import { scaledNsToNs, timestampToNs } from '../../src/protocol/timestamp.js';
import { LabProcess } from './labProcess.js';
import type { Lab } from './netns.js';

export interface SyncLatencySample {
  /** The Sync's RX timestamp (CLOCK_REALTIME), ns. */
  readonly rxNs: bigint;
  /** The grandmaster's TX stamp of it (preciseOriginTimestamp), ns: the same Sync seen on two links has the same origin. */
  readonly originNs: bigint;
  /** Its one-way latency, t2 − preciseOrigin − correction, ns. */
  readonly latencyNs: number;
}

export interface PdelayPathSample {
  /** The Pdelay_Resp's RX timestamp at the slave (CLOCK_REALTIME), ns. */
  readonly rxNs: bigint;
  /** Grandmaster → slave: the response's RX time − t3, ns. */
  readonly responseNs: number;
  /**
   * Slave → grandmaster: t2 − the request's capture time, ns. The capture sees an outgoing frame when
   * the device takes it, before the driver stamps it (the stack's t1): unlike the link delay, this
   * path includes the sender's own work before its t1 (µs on veth).
   */
  readonly requestNs: number;
  /**
   * From the slave's previous frame in the capture to this request, ns (both capture times, taken
   * alike); undefined for its first. A request sent within microseconds of another send of the same
   * process reaches the grandmaster microseconds sooner after its TX stamp than one sent from a timer
   * after an idle interval (docs/accuracy.md, "The cold send"): this is what moves each slave's link
   * delay on software timestamps.
   */
  readonly afterOwnSendNs: number | undefined;
}

/** What one capture on a slave's link says: every Sync's latency, and both paths of each of its Pdelay exchanges. */
export interface LinkCapture {
  readonly syncs: SyncLatencySample[];
  readonly pdelays: PdelayPathSample[];
}

export class SyncCapture {
  private constructor(
    private readonly process: LabProcess,
    readonly path: string,
  ) {}

  /** Starts tcpdump (guarded like every lab process) on `interfaceName` in `namespace`. */
  static start(lab: Lab, clockGuardPath: string, namespace: string, interfaceName: string, tag: string): SyncCapture {
    const path = join(lab.tempDir(`capture-${tag}`), `${tag}.pcap`);
    const argv = ['tcpdump', '-i', interfaceName, '-Z', 'root', '-U', '-j', 'host', '--time-stamp-precision=nano', '-w', path, 'ether proto 0x88f7'];
    return new SyncCapture(new LabProcess(`tcpdump ${tag}`, lab, namespace, argv, clockGuardPath), path);
  }

  /** Stops tcpdump and returns every Sync it saw with its latency, and the answers to the slave's Pdelay_Req. */
  async stop(): Promise<LinkCapture> {
    await this.process.stop();
    // A capture cut short (the process killed mid-record) yields what was whole; none when unreadable.
    const orNone = <T>(read: () => T[]): T[] => {
      try {
        return read();
      } catch {
        return [];
      }
    };
    return { syncs: orNone(() => syncLatencies(this.path)), pdelays: orNone(() => pdelayPaths(this.path)) };
  }
}

/**
 * The answer path of the slave's own Pdelay exchanges (answered by the clock that sends Sync), see
 * above. Frames are matched by requestingPortIdentity and sequenceId; the request must be in the
 * capture, so that only the slave's own exchanges count.
 */
export function pdelayPaths(path: string): PdelayPathSample[] {
  const key = (clock: bigint, port: number, seq: number): string => `${clock}:${port}:${seq}`;
  const requests = new Map<string, { sentNs: bigint; afterOwnSendNs: number | undefined }>();
  // The last frame each clock sent, by capture time: the slave's own sends are the ones with its identity.
  const lastSent = new Map<bigint, bigint>();
  const responses = new Map<string, { rxNs: bigint; t2Ns: bigint }>();
  let master: bigint | undefined;
  return whatWasWhole<PdelayPathSample>((out) => {
    for (const { atNs, message: m } of capturedMessages(path)) {
      const h = m.header;
      const sender = h.sourcePortIdentity.clockIdentity;
      const previous = lastSent.get(sender);
      lastSent.set(sender, atNs);
      if (h.messageType === MessageType.Sync) master = sender;
      else if (h.messageType === MessageType.PdelayReq) {
        const afterOwnSendNs = previous === undefined ? undefined : Number(atNs - previous);
        requests.set(key(sender, h.sourcePortIdentity.portNumber, h.sequenceId), { sentNs: atNs, afterOwnSendNs });
      } else if (m.type === 'pdelayResp' && h.sourcePortIdentity.clockIdentity === master) {
        const r = m.requestingPortIdentity;
        responses.set(key(r.clockIdentity, r.portNumber, h.sequenceId), { rxNs: atNs, t2Ns: timestampToNs(m.requestReceiptTimestamp) });
      } else if (m.type === 'pdelayRespFollowUp' && h.sourcePortIdentity.clockIdentity === master) {
        const r = m.requestingPortIdentity;
        const k = key(r.clockIdentity, r.portNumber, h.sequenceId);
        const response = responses.get(k);
        const request = requests.get(k);
        if (request === undefined || response === undefined) continue;
        requests.delete(k);
        responses.delete(k);
        const { rxNs, t2Ns } = response;
        const responseNs = Number(rxNs - timestampToNs(m.responseOriginTimestamp));
        out.push({ rxNs, responseNs, requestNs: Number(t2Ns - request.sentNs), afterOwnSendNs: request.afterOwnSendNs });
      }
    }
  });
}

/**
 * A send this soon after another send of the same process is warm: it reaches the peer's RX stamp
 * microseconds sooner after its TX stamp than one sent from a timer after an idle interval
 * (docs/accuracy.md, "The cold send"). A slave's Pdelay_Req: warm 16–22 µs after its previous send,
 * cold 6 ms and more after. The grandmaster's Syncs on its second port, by how long after its Sync on
 * the first it sent them (ptp4l sends each port's from that port's own timer; 40 captured lab runs,
 * session 34): latency median 0.56 µs within 50 µs, 0.87 µs at 0.2–1 ms, 1.55 µs at 1–5 ms, 2.41 µs
 * beyond 20 ms.
 */
export const WARM_SEND_NS = 1_000_000;

/** A link's Syncs split by whether the grandmaster sent each within `withinNs` after a Sync of `other` (origin stamps). */
export function syncsAfterOtherPort(
  own: readonly SyncLatencySample[],
  other: readonly SyncLatencySample[],
  withinNs = WARM_SEND_NS,
): { readonly after: SyncLatencySample[]; readonly rest: SyncLatencySample[] } {
  const byTime = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
  const origins = other.map((x) => x.originNs).sort(byTime);
  const after: SyncLatencySample[] = [];
  const rest: SyncLatencySample[] = [];
  let j = -1;
  for (const sync of [...own].sort((a, b) => byTime(a.originNs, b.originNs))) {
    while (j + 1 < origins.length && (origins[j + 1] as bigint) < sync.originNs) j++;
    const previous = j < 0 ? undefined : (origins[j] as bigint);
    (previous !== undefined && sync.originNs - previous <= BigInt(withinNs) ? after : rest).push(sync);
  }
  return { after, rest };
}

/** Pairs each Sync (RX time) with its Follow_Up (origin + corrections) by sequenceId. */
export function syncLatencies(path: string): SyncLatencySample[] {
  const syncs = new Map<number, { rxNs: bigint; correctionNs: number }>();
  return whatWasWhole<SyncLatencySample>((out) => {
    for (const { atNs, message: m } of capturedMessages(path)) {
      const h = m.header;
      if (h.messageType === MessageType.Sync) syncs.set(h.sequenceId, { rxNs: atNs, correctionNs: scaledNsToNs(h.correctionField) });
      else if (m.type === 'followUp') {
        const s = syncs.get(h.sequenceId);
        if (s === undefined) continue;
        syncs.delete(h.sequenceId);
        const origin = timestampToNs(m.preciseOriginTimestamp);
        out.push({ rxNs: s.rxNs, originNs: origin, latencyNs: Number(s.rxNs - origin) - s.correctionNs - scaledNsToNs(h.correctionField) });
      }
    }
  });
}

/** Every gPTP message of a capture that decodes, with its pcap time. */
function* capturedMessages(path: string): Generator<{ atNs: bigint; message: PtpMessage }> {
  for (const frame of readCapture(path)) {
    const decoded = decodeFrame(frame.data);
    if (decoded.ok) yield { atNs: frame.timestampNs, message: decoded.value.message };
  }
}

/** What `scan` collected; a capture cut short (tcpdump killed mid-record) keeps what came before the cut. */
function whatWasWhole<T>(scan: (out: T[]) => void): T[] {
  const out: T[] = [];
  try {
    scan(out);
  } catch (err) {
    if (out.length === 0) throw err;
  }
  return out;
}
