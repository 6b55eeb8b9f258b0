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
 * The same capture holds the slave's own peer-delay exchanges, and splits its link delay into its two
 * paths: the Pdelay_Req from the moment the slave's kernel handed it to the interface (the pcap time
 * of an outgoing frame, taken just before the driver's TX stamp) to the grandmaster's RX stamp t2 (in
 * the Pdelay_Resp), and the Pdelay_Resp from the grandmaster's TX stamp t3 (its Follow_Up) to the
 * slave's RX stamp. Everything the slave's stack does between its TX stamp and the wire (queueing the
 * stamp to its error queue, waking whoever polls that socket) lands in the request path.
 */
import { join } from 'node:path';
import { readCapture } from '../../src/io/captureFile.js';
import { decodeFrame } from '../../src/protocol/ethernetFrame.js';
import { MessageType } from '../../src/protocol/messages.js';
import { scaledNsToNs, timestampToNs } from '../../src/protocol/timestamp.js';
import { LabProcess } from './labProcess.js';
import type { Lab } from './netns.js';

export interface SyncLatencySample {
  /** The Sync's RX timestamp (CLOCK_REALTIME), ns. */
  readonly rxNs: bigint;
  /** Its one-way latency, t2 − preciseOrigin − correction, ns. */
  readonly latencyNs: number;
}

export interface PdelayPathSample {
  /** The Pdelay_Resp's RX timestamp at the slave (CLOCK_REALTIME), ns. */
  readonly rxNs: bigint;
  /** Slave → grandmaster: t2 − the request's pcap time, ns. */
  readonly requestNs: number;
  /** Grandmaster → slave: the response's RX time − t3, ns. */
  readonly responseNs: number;
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

  /** Stops tcpdump and returns every Sync it saw with its latency, and the slave's Pdelay paths. */
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
 * The slave's own Pdelay exchanges (answered by the clock that sends Sync), each split into its
 * request and response paths (see above). Frames are matched by requestingPortIdentity and sequenceId.
 */
export function pdelayPaths(path: string): PdelayPathSample[] {
  const key = (clock: bigint, port: number, seq: number): string => `${clock}:${port}:${seq}`;
  const requests = new Map<string, bigint>();
  const responses = new Map<string, { rxNs: bigint; t2Ns: bigint }>();
  let master: bigint | undefined;
  const out: PdelayPathSample[] = [];
  try {
    for (const frame of readCapture(path)) {
      const decoded = decodeFrame(frame.data);
      if (!decoded.ok) continue;
      const m = decoded.value.message;
      const h = m.header;
      if (h.messageType === MessageType.Sync) master = h.sourcePortIdentity.clockIdentity;
      else if (h.messageType === MessageType.PdelayReq) {
        requests.set(key(h.sourcePortIdentity.clockIdentity, h.sourcePortIdentity.portNumber, h.sequenceId), frame.timestampNs);
      } else if (m.type === 'pdelayResp' && h.sourcePortIdentity.clockIdentity === master) {
        const r = m.requestingPortIdentity;
        responses.set(key(r.clockIdentity, r.portNumber, h.sequenceId), { rxNs: frame.timestampNs, t2Ns: timestampToNs(m.requestReceiptTimestamp) });
      } else if (m.type === 'pdelayRespFollowUp' && h.sourcePortIdentity.clockIdentity === master) {
        const r = m.requestingPortIdentity;
        const k = key(r.clockIdentity, r.portNumber, h.sequenceId);
        const sentNs = requests.get(k);
        const resp = responses.get(k);
        if (sentNs === undefined || resp === undefined) continue;
        requests.delete(k);
        responses.delete(k);
        const t3Ns = timestampToNs(m.responseOriginTimestamp);
        out.push({ rxNs: resp.rxNs, requestNs: Number(resp.t2Ns - sentNs), responseNs: Number(resp.rxNs - t3Ns) });
      }
    }
  } catch (err) {
    if (out.length === 0) throw err;
  }
  return out;
}

/** Pairs each Sync (RX time) with its Follow_Up (origin + corrections) by sequenceId. */
export function syncLatencies(path: string): SyncLatencySample[] {
  const syncs = new Map<number, { rxNs: bigint; correctionNs: number }>();
  const out: SyncLatencySample[] = [];
  try {
    for (const frame of readCapture(path)) {
      const decoded = decodeFrame(frame.data);
      if (!decoded.ok) continue;
      const m = decoded.value.message;
      const h = m.header;
      if (h.messageType === MessageType.Sync) syncs.set(h.sequenceId, { rxNs: frame.timestampNs, correctionNs: scaledNsToNs(h.correctionField) });
      else if (m.type === 'followUp') {
        const s = syncs.get(h.sequenceId);
        if (s === undefined) continue;
        syncs.delete(h.sequenceId);
        const origin = timestampToNs(m.preciseOriginTimestamp);
        out.push({ rxNs: s.rxNs, latencyNs: Number(s.rxNs - origin) - s.correctionNs - scaledNsToNs(h.correctionField) });
      }
    }
  } catch (err) {
    if (out.length === 0) throw err;
  }
  return out;
}
