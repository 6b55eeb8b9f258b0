/**
 * The lab's capture analysis (conformance/lab/syncCapture.ts) on a capture written here: a slave's
 * link with known stamps, so each path it reports is the one put in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pdelayPaths, syncLatencies, syncsAfterOtherPort, WARM_SEND_NS, type SyncLatencySample } from '../../../conformance/lab/syncCapture.js';
import { followUp, frame, MASTER_PORT, pdelayResp, pdelayRespFollowUp, SLAVE_MAC, sync } from '../../../conformance/sim/masterMessages.js';
import { writePcap } from '../../../src/io/pcapWriter.js';
import { encodeFrame } from '../../../src/protocol/ethernetFrame.js';
import { makePdelayReq } from '../../../src/protocol/messageBuilders.js';
import type { PtpFrame } from '../../../src/protocol/messages.js';

const dir = mkdtempSync(join(tmpdir(), 'syntonic-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_800_000_000_000_000_000n;
const SLAVE_PORT = { clockIdentity: 0x0a0b0cfffe0d0e0fn, portNumber: 1 };

function capture(name: string, frames: readonly { atNs: bigint; frame: PtpFrame }[]): string {
  const path = join(dir, name);
  writePcap(
    path,
    frames.map((f) => ({ timestampNs: f.atNs, data: encodeFrame(f.frame).slice() })),
  );
  return path;
}

/** One exchange of the slave's: its request leaves at `sentNs`, the grandmaster stamps it `reqNs` later, answers `turnNs` after that, and its answer arrives `respNs` after t3. */
function exchange(seq: number, sentNs: bigint, reqNs: bigint, turnNs: bigint, respNs: bigint): { atNs: bigint; frame: PtpFrame }[] {
  const t2 = sentNs + reqNs;
  const t3 = t2 + turnNs;
  return [
    { atNs: sentNs, frame: frame(makePdelayReq({ sourcePortIdentity: SLAVE_PORT, sequenceId: seq, logMessageInterval: 0 }), SLAVE_MAC) },
    { atNs: t3 + respNs, frame: pdelayResp(seq, SLAVE_PORT, t2) },
    { atNs: t3 + respNs + 50_000n, frame: pdelayRespFollowUp(seq, SLAVE_PORT, t3) },
  ];
}

describe('syncCapture: what a capture on the slave says about its link', () => {
  it("gives each of the slave's Pdelay exchanges both paths: its request's to t2, and the grandmaster's answer's from t3", () => {
    const path = capture('pdelay.pcap', [
      { atNs: T0, frame: sync(1) },
      ...exchange(7, T0 + 1_000_000n, 1_900n, 40_000n, 600n),
      ...exchange(8, T0 + 1_001_000_000n, 2_100n, 35_000n, 500n),
    ]);
    expect(pdelayPaths(path).map((p) => p.responseNs)).toEqual([600, 500]);
    expect(pdelayPaths(path).map((p) => p.requestNs)).toEqual([1_900, 2_100]);
  });

  it('gives each request the time since the slave\'s previous send: warm right after one, cold after a timer\'s idle interval (docs/accuracy.md, "The cold send")', () => {
    const unanswered = frame(makePdelayReq({ sourcePortIdentity: SLAVE_PORT, sequenceId: 99, logMessageInterval: 0 }), SLAVE_MAC);
    const path = capture('phase.pcap', [
      { atNs: T0, frame: sync(1) },
      ...exchange(7, T0 + 1_000_000n, 1_900n, 40_000n, 600n),
      ...exchange(8, T0 + 301_000_000n, 1_900n, 40_000n, 600n),
      { atNs: T0 + 600_000_000n, frame: unanswered },
      ...exchange(9, T0 + 600_017_000n, 1_900n, 40_000n, 600n),
    ]);
    // The grandmaster's frames between are not the slave's sends: 300 ms after request 7, 17 µs after request 99.
    expect(pdelayPaths(path).map((p) => p.afterOwnSendNs)).toEqual([undefined, 300_000_000, 17_000]);
  });

  it("leaves out the grandmaster's own exchanges with the slave and answers nobody asked for", () => {
    const gmRequest = frame(makePdelayReq({ sourcePortIdentity: MASTER_PORT, sequenceId: 3, logMessageInterval: 0 }));
    const path = capture('others.pcap', [
      { atNs: T0, frame: sync(1) },
      { atNs: T0 + 10n, frame: gmRequest },
      { atNs: T0 + 20n, frame: pdelayResp(9, SLAVE_PORT, T0) },
      { atNs: T0 + 30n, frame: pdelayRespFollowUp(9, SLAVE_PORT, T0) },
    ]);
    expect(pdelayPaths(path)).toEqual([]);
  });

  it('gives each Sync its one-way latency from the Follow_Up it pairs with', () => {
    const path = capture('sync.pcap', [
      { atNs: T0 + 2_345n, frame: sync(5) },
      { atNs: T0 + 90_000n, frame: followUp(5, T0) },
    ]);
    expect(syncLatencies(path).map((s) => [s.originNs, s.latencyNs])).toEqual([[T0, 2_345]]);
  });

  it("tells a link's Syncs the grandmaster sent just after its Sync on the other port from the rest", () => {
    const at = (originNs: bigint, latencyNs: number): SyncLatencySample => ({ rxNs: originNs + BigInt(latencyNs), originNs, latencyNs });
    const interval = 125_000_000n;
    // The other port's Syncs every 125 ms; this port's 40 µs after them for two, then 3 ms after, then before them.
    const other = [0n, 1n, 2n, 3n, 4n].map((k) => at(T0 + k * interval, 2_200));
    const own = [
      at(T0 + 40_000n, 600),
      at(T0 + interval + BigInt(WARM_SEND_NS), 700),
      at(T0 + 2n * interval + 3_000_000n, 2_300),
      at(T0 + 4n * interval - 10_000n, 2_400),
    ];
    const { after, rest } = syncsAfterOtherPort(own, other);
    expect(after.map((s) => s.latencyNs)).toEqual([600, 700]);
    expect(rest.map((s) => s.latencyNs)).toEqual([2_300, 2_400]);
    // The other way round: the other port's Sync at 500 ms left 10 µs after this port's.
    expect(syncsAfterOtherPort(other, own).after.map((s) => s.originNs)).toEqual([T0 + 4n * interval]);
  });
});
