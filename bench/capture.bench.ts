/**
 * Capture reading speed and memory: writes a pcap and a pcapng file of small gPTP-sized frames
 * (60–90 bytes) into os.tmpdir() with the project's writers, reads each back, deletes them.
 *
 * capture.write          PcapWriter, frames/s
 * capture.read           classic pcap (ns), frames/s, reading + iterating + touching each frame
 * capture.read.rssGrowth RSS after the pcap passes minus RSS before them, MiB (constant memory:
 *                        the file is far bigger than this)
 * capture.read.pcapng    the same frames as pcapng EPBs (if_tsresol 9)
 * capture.read.copy      pcap again, the consumer copying every frame's data (data.slice())
 *
 * Read figures are the best of PASSES passes: the machine is shared, and the best pass is the one
 * least disturbed by other processes.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture } from '../src/io/captureFile.js';
import { PcapngWriter } from '../src/io/pcapngWriter.js';
import { PcapWriter } from '../src/io/pcapWriter.js';
import type { Report } from './run.js';

const FRAMES = 2_000_000;
const PASSES = 3;
const MIB = 1024 * 1024;
/** 2021-03-16T14:39:34Z, a time of the gPTP sample capture; frames every 125 ms plus a few µs. */
const START_NS = 1_615_905_574_344_368_799n;
const SYNC_INTERVAL_NS = 125_000_000n;

function* frames(): Generator<{ timestampNs: bigint; data: Uint8Array }> {
  const payloads = [60, 68, 76, 90].map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff));
  for (let i = 0; i < FRAMES; i++) {
    yield { timestampNs: START_NS + BigInt(i) * SYNC_INTERVAL_NS + BigInt(i % 997), data: payloads[i & 3]! };
  }
}

/** Frames per second of one pass over the file. */
function readAll(path: string, copy: boolean): number {
  const t0 = process.hrtime.bigint();
  let n = 0;
  let bytes = 0;
  let last = 0n;
  for (const f of readCapture(path)) {
    const data = copy ? f.data.slice() : f.data;
    bytes += data.length + (data[0] ?? 0);
    last = f.timestampNs;
    n++;
  }
  const elapsedNs = Number(process.hrtime.bigint() - t0);
  if (n !== FRAMES || bytes === 0 || last <= START_NS) throw new Error(`read ${n} frames of ${FRAMES}`);
  return (n / elapsedNs) * 1e9;
}

function best(path: string, copy: boolean): number {
  let top = 0;
  for (let i = 0; i < PASSES; i++) top = Math.max(top, readAll(path, copy));
  return top;
}

export async function run(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'syntonic-capture-bench-'));
  try {
    const pcap = join(dir, 'frames.pcap');
    const pcapng = join(dir, 'frames.pcapng');
    const t0 = process.hrtime.bigint();
    const w = PcapWriter.open(pcap);
    for (const f of frames()) w.write(f);
    w.close();
    report('capture.write', (FRAMES / Number(process.hrtime.bigint() - t0)) * 1e9, 'frames/s');
    const wn = PcapngWriter.open(pcapng);
    for (const f of frames()) wn.write(f);
    wn.close();
    report('capture.file', statSync(pcap).size / MIB, 'MiB');

    readAll(pcap, false); // warm-up: let V8 optimize the reader
    const rssBefore = process.memoryUsage().rss;
    report('capture.read', best(pcap, false), 'frames/s');
    report('capture.read.rssGrowth', (process.memoryUsage().rss - rssBefore) / MIB, 'MiB');
    report('capture.read.pcapng', best(pcapng, false), 'frames/s');
    report('capture.read.copy', best(pcap, true), 'frames/s');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
