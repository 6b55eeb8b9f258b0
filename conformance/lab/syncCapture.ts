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

  /** Stops tcpdump and returns every Sync it saw with its latency. */
  async stop(): Promise<SyncLatencySample[]> {
    await this.process.stop();
    try {
      return syncLatencies(this.path);
    } catch {
      // A capture cut short (the process killed mid-record) yields what was whole; none when unreadable.
      return [];
    }
  }
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
