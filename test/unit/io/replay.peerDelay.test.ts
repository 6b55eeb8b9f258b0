/**
 * Peer delay per requester in a replay summary (802.1AS-2020 11.2.19.3), on a synthetic capture taken
 * at a slave whose figures follow from its construction: a 700 ns link, a 10 µs turnaround, the
 * slave's clock 20 ppm fast.
 *   neighborRateRatio = 1 / 1.00002 = 0.99998000040 (t3 and t4 each span whole seconds)
 *   local round trip  = (2 × 700 + 10 000) × 1.00002 = 11 400.228 ns, whole ns in a capture: 11 400 ns
 *   meanLinkDelay     = (11 400 × 0.99998000040 − 10 000) / 2 = 699.886 ns
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { slaveCaptureFrames } from '../../../conformance/sim/slaveCapture.js';
import { localTime } from '../../../src/clock/timePoint.js';
import { writePcap } from '../../../src/io/pcapWriter.js';
import { PassivePeerDelays } from '../../../src/io/replay/passivePeerDelays.js';
import { replayFile } from '../../../src/io/replay/replayFile.js';
import { describePeerDelay } from '../../../src/io/replay/replaySummary.js';
import { decodeFrame } from '../../../src/protocol/ethernetFrame.js';

const dir = mkdtempSync(join(tmpdir(), 'syntonic-peer-delay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('peer delay per requester in a replay', () => {
  const frames = [...slaveCaptureFrames(800)]; // 100 s: 100 Pdelay exchanges
  const path = join(dir, 'slave.pcap');
  writePcap(path, frames);

  it("gives the station's own exchanges as its engine measured them: 699.9 ns and 1/1.00002", () => {
    const { summary } = replayFile(path, { profile: 'gptp', config: { neighborPropDelayThresh: 10_000 } });
    expect(summary.peerDelays).toEqual(['0a0b0c.fffe.0d0e0f-1 ↔ 001122.fffe.334455-1: 100 exchanges, meanLinkDelay 699.9 ns, neighborRateRatio 0.999980000']);
  });

  it('says the same as a passive observer fed every frame, who computes them from the capture alone', () => {
    const observer = new PassivePeerDelays();
    for (const f of frames) {
      const d = decodeFrame(f.data);
      if (d.ok) observer.observe(d.value, localTime(f.timestampNs));
    }
    const { summary } = replayFile(path, { profile: 'gptp', config: { neighborPropDelayThresh: 10_000 } });
    expect(summary.peerDelays).toEqual(observer.results().map(describePeerDelay));
  });

  it('counts an answer that reached the station 3 µs late: still an exchange, but named as no rate-ratio end (802.1AS-2020 11.2.19.3.3)', () => {
    // The 50th Pdelay_Resp's ingress 3 µs later: its propTime 1.5 µs above a window whose spread is
    // the capture's whole-ns rounding, far beyond the late-answer floor of 100 ns.
    let resps = 0;
    const late = frames.map((f) => {
      const d = decodeFrame(f.data);
      if (!d.ok || d.value.message.type !== 'pdelayResp' || ++resps !== 50) return f;
      return { ...f, timestampNs: f.timestampNs + 3000n };
    });
    const latePath = join(dir, 'late.pcap');
    writePcap(latePath, late);
    const { summary } = replayFile(latePath, { profile: 'gptp', config: { neighborPropDelayThresh: 10_000 } });
    expect(resps).toBeGreaterThan(50);
    expect(summary.peerDelays).toEqual([expect.stringMatching(/: 100 exchanges \(1 answered late: no rate-ratio end\), meanLinkDelay 699\.9 ns, /)]);
    const observer = new PassivePeerDelays();
    for (const f of late) {
      const d = decodeFrame(f.data);
      if (d.ok) observer.observe(d.value, localTime(f.timestampNs));
    }
    expect(observer.results().map((r) => r.lateAnswers)).toEqual([1]);
  });
});
