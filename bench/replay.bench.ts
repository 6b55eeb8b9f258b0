/**
 * Replay throughput end to end (read, decode, engine, servo) on a generated capture of over a million
 * frames taken at a slave: the master's Sync/Follow_Up at 8/s with Announce, and the slave's own
 * Pdelay exchange once a second. Memory must not grow with the file.
 *
 * replay.throughput is the median of three whole replays of the file, each in the same process (the
 * first includes the JIT's warm-up); replay.throughputSlowestPass is the worst of them.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { announce, followUp, MASTER_PORT, pdelayResp, pdelayRespFollowUp, sync } from '../conformance/sim/masterMessages.js';
import { PcapWriter } from '../src/io/pcapWriter.js';
import { replayFile } from '../src/io/replay/replayFile.js';
import { encodeFrame } from '../src/protocol/ethernetFrame.js';
import { frameOf, pdelayReq } from '../src/protocol/outgoingMessages.js';
import { clockIdentityFromMac } from '../src/protocol/portIdentity.js';
import type { Report } from './run.js';

const SLAVE_MAC = 0x0a0b0c0d0e0f;
const SLAVE_PORT = { clockIdentity: clockIdentityFromMac(SLAVE_MAC), portNumber: 1 };
const SYNC_NS = 125_000_000n;
const LINK_NS = 700n;
/** The slave's clock runs 20 ppm fast against the grandmaster's. */
const SLAVE_RATE = 1.00002;

export function* captureFrames(syncs: number): Generator<{ timestampNs: bigint; data: Uint8Array }> {
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
      yield { timestampNs: local(t1 + 2n * LINK_NS + 20_000n), data: encodeFrame(pdelayRespFollowUp(seq >> 3, SLAVE_PORT, t1 + LINK_NS + 10_000n, { source: MASTER_PORT })) };
    }
    yield { timestampNs: local(t + 50_000_000n + LINK_NS), data: encodeFrame(sync(seq, { source: MASTER_PORT })) };
    yield { timestampNs: local(t + 50_100_000n + LINK_NS), data: encodeFrame(followUp(seq, t + 50_000_000n, { source: MASTER_PORT })) };
  }
}

/** Passes over the same file: the machines this runs on change speed by up to 2x from one second to the next. */
const PASSES = 3;

export async function run(report: Report): Promise<void> {
  const path = join(tmpdir(), `syntonic-replay-bench-${process.pid}.pcap`);
  const syncs = 420_000; // 2 frames per Sync + 4 per second of Pdelay/Announce: ~1.05 M frames
  try {
    const w = PcapWriter.open(path);
    let frames = 0;
    for (const f of captureFrames(syncs)) {
      w.write(f);
      frames += 1;
    }
    w.close();
    const rates: number[] = [];
    let accepted = 0;
    let rssGrowth = 0;
    let offsetRms = NaN;
    for (let pass = 0; pass < PASSES; pass++) {
      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      const t0 = process.hrtime.bigint();
      accepted = 0;
      const result = replayFile(path, { profile: 'gptp', config: { neighborPropDelayThresh: 10_000 } }, { sync: () => (accepted += 1) });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      // Two streaming passes per replay: station detection (stops early), then the replay itself.
      rates.push(Math.round(frames / seconds));
      rssGrowth = Math.max(rssGrowth, process.memoryUsage().rss - rssBefore);
      offsetRms = result.summary.offsetAfterLock?.rmsNs ?? NaN;
    }
    rates.sort((a, b) => a - b);
    report('replay.frames', frames, 'frames');
    report('replay.syncsAccepted', accepted, 'syncs');
    report('replay.throughput', rates[PASSES >> 1] as number, 'frames/s');
    report('replay.throughputSlowestPass', rates[0] as number, 'frames/s');
    report('replay.passes', PASSES, 'replays');
    report('replay.rssGrowth', Math.round(rssGrowth / 2 ** 20), 'MiB');
    report('replay.offsetRmsAfterLock', offsetRms, 'ns');
    await Promise.resolve();
  } finally {
    rmSync(path, { force: true });
  }
}
