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
import { slaveCaptureFrames } from '../conformance/sim/slaveCapture.js';
import { PcapWriter } from '../src/io/pcapWriter.js';
import { replayFile } from '../src/io/replay/replayFile.js';
import type { Report } from './run.js';

/** Passes over the same file: the machines this runs on change speed by up to 2x from one second to the next. */
const PASSES = 3;

export async function run(report: Report): Promise<void> {
  const path = join(tmpdir(), `syntonic-replay-bench-${process.pid}.pcap`);
  const syncs = 420_000; // 2 frames per Sync + 4 per second of Pdelay/Announce: ~1.05 M frames
  try {
    const w = PcapWriter.open(path);
    let frames = 0;
    for (const f of slaveCaptureFrames(syncs)) {
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
