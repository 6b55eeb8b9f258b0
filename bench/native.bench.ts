/**
 * The native addon's figures:
 * - software-timestamped one-way delay over veth (RX timestamp in one namespace minus TX timestamp in
 *   the other), for frames sent on a timer at ~1 kHz and at gPTP's 8 Hz Sync rate. The namespaces are
 *   created here and removed afterwards, also on failure.
 * - the cost of one clock read through src/clock/systemClocks.ts, next to process.hrtime.bigint().
 *
 * Run after `npx tsc -p tsconfig.json`: node dist/bench/run.js native (as root, for ip netns).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monotonicRawNow, realtimeNow } from '../src/clock/systemClocks.js';
import { LineChild } from '../test/support/nativeChildProcess.js';
import { createVethPair, removeVethPair, vethPairNames } from '../test/support/packetSocketNetns.js';
import type { PeerReport } from '../test/support/packetSocketPeer.js';
import type { Report } from './run.js';

const CLOCK_READS = 2_000_000;
const PDELAY_REQ = 0x2;

interface Run {
  readonly name: string;
  readonly frames: number;
  readonly intervalMs: number;
}

const RUNS: readonly Run[] = [
  { name: 'native.vethOneWay', frames: 500, intervalMs: 1 },
  { name: 'native.vethOneWay8Hz', frames: 24, intervalMs: 125 },
];

function nsPerCall(read: () => unknown): number {
  for (let i = 0; i < CLOCK_READS / 10; i++) read(); // warm up (JIT, vDSO pages)
  const start = process.hrtime.bigint();
  for (let i = 0; i < CLOCK_READS; i++) read();
  return Number(process.hrtime.bigint() - start) / CLOCK_READS;
}

function percentile(sorted: readonly number[], p: number): number {
  const value = sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  if (value === undefined) throw new Error('no samples');
  return value;
}

/** RX − TX of each Pdelay_Req the initiator sent on its timer (the echo's answers go back at once). */
function oneWayNs(initiator: PeerReport, echo: PeerReport): number[] {
  const txById = new Map(initiator.txTimestamps.map((t) => [t.id, BigInt(t.timestampNs)]));
  const rxBySeq = new Map(
    echo.received.filter((r) => r.messageType === PDELAY_REQ && r.timestampNs !== undefined).map((r) => [r.sequenceId, BigInt(r.timestampNs ?? 0)]),
  );
  const delays: number[] = [];
  for (const s of initiator.sent) {
    const tx = txById.get(s.id);
    const rx = rxBySeq.get(s.sequenceId);
    if (s.event && tx !== undefined && rx !== undefined) delays.push(Number(rx - tx));
  }
  return delays.sort((a, b) => a - b);
}

async function measureVeth(run: Run, peerScript: string): Promise<number[]> {
  const pair = vethPairNames('b');
  const children: LineChild[] = [];
  try {
    await createVethPair('b');
    const echo = new LineChild(peerScript, ['echo', pair.interfaceB], { netns: pair.namespaceB });
    const initiator = new LineChild(peerScript, ['initiator', pair.interfaceA], { netns: pair.namespaceA });
    children.push(echo, initiator);
    await echo.nextLine();
    await initiator.nextLine();
    initiator.send(`run ${run.frames} ${run.intervalMs} ${run.frames + 1}`);
    const initiatorReport = await initiator.nextJson<PeerReport>(run.frames * run.intervalMs * 4 + 20_000);
    echo.send('stop');
    const echoReport = await echo.nextJson<PeerReport>();
    return oneWayNs(initiatorReport, echoReport);
  } finally {
    for (const child of children) child.kill();
    removeVethPair(pair);
  }
}

/** The compiled peer the veth figures run in two namespaces (tsc builds test/support/ beside bench/). */
export function peerScriptPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'support', 'packetSocketPeer.js');
}

export async function run(report: Report): Promise<void> {
  const peerScript = peerScriptPath();
  for (const r of RUNS) {
    const delays = await measureVeth(r, peerScript);
    report(`${r.name}.frames`, delays.length, 'frames');
    report(`${r.name}.min`, percentile(delays, 0), 'ns');
    report(`${r.name}.median`, percentile(delays, 0.5), 'ns');
    report(`${r.name}.p99`, percentile(delays, 0.99), 'ns');
  }
  report('native.clockRead.monotonicRaw', nsPerCall(monotonicRawNow), 'ns/call');
  report('native.clockRead.realtime', nsPerCall(realtimeNow), 'ns/call');
  report(
    'native.clockRead.hrtime',
    nsPerCall(() => process.hrtime.bigint()),
    'ns/call',
  );
}
