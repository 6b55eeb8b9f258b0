/**
 * Records the software-timestamp noise of this machine's veth into fixtures/noise/veth-software.json,
 * for the simulator (latencyDistribution.ts). As root:
 *
 *   npx tsc -p tsconfig.json && node dist/conformance/sim/recordVethNoise.js [seconds=120]
 *
 * Two namespaces joined by a veth pair (created here, removed afterwards); in one a peer sends a
 * Pdelay_Req on an 8 Hz timer, in the other a peer answers each at once with a Pdelay_Resp, both
 * with SO_TIMESTAMPING software stamps (the addon's packet socket, as `syntonic run` uses it). All
 * namespaces share CLOCK_REALTIME, so RX − TX of each frame is its one-way latency: the timer path
 * (what Sync and Pdelay_Req see) and the answer path (Pdelay_Resp).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineChild } from '../../test/support/nativeChildProcess.js';
import { createVethPair, removeVethPair, vethPairNames } from '../../test/support/packetSocketNetns.js';
import type { PeerReport } from '../../test/support/packetSocketPeer.js';
import { quantilesOf, type RecordedNoise } from './latencyDistribution.js';

const PDELAY_REQ = 0x2;
const PDELAY_RESP = 0x3;
const INTERVAL_MS = 125;

/** RX − TX per frame of `type` from `sender` to `receiver`, ns. */
function latencies(sender: PeerReport, receiver: PeerReport, type: number): number[] {
  const tx = new Map(sender.txTimestamps.map((t) => [t.id, BigInt(t.timestampNs)]));
  const rx = new Map(
    receiver.received.filter((r) => r.messageType === type && r.timestampNs !== undefined).map((r) => [r.sequenceId, BigInt(r.timestampNs ?? 0)]),
  );
  const out: number[] = [];
  for (const s of sender.sent) {
    if (s.messageType !== type || !s.event) continue;
    const t = tx.get(s.id);
    const r = rx.get(s.sequenceId);
    if (t !== undefined && r !== undefined) out.push(Number(r - t));
  }
  return out;
}

/** Short sessions of fresh processes for the start-up distribution: how many, how long each. */
const STARTUP_SESSIONS = 16;
const STARTUP_SECONDS = 3;

export async function recordVethNoise(seconds: number): Promise<RecordedNoise> {
  const loadBefore = loadAverage();
  const startTimer: number[] = [];
  const startAnswer: number[] = [];
  const firstAnswer: number[] = [];
  for (let i = 0; i < STARTUP_SESSIONS; i++) {
    const s = await session(STARTUP_SECONDS);
    startTimer.push(...s.timer);
    startAnswer.push(...s.answer.slice(1));
    if (s.answer[0] !== undefined) firstAnswer.push(s.answer[0]);
  }
  const steady = await session(seconds);
  return {
    provenance: {
      recordedAt: new Date().toISOString(),
      kernel: execFileSync('uname', ['-r']).toString().trim(),
      cpus: execFileSync('nproc').toString().trim(),
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadAverage(),
      method: `veth pair between two network namespaces; Pdelay_Req every ${INTERVAL_MS} ms (timer path), Pdelay_Resp sent at once on receipt (answer path); SO_TIMESTAMPING software RX − TX through the addon's packet socket (test/support/packetSocketPeer.ts); steady: one session of ${seconds} s; startup: ${STARTUP_SESSIONS} sessions of ${STARTUP_SECONDS} s, each with fresh processes`,
      recorder: 'conformance/sim/recordVethNoise.ts',
    },
    timer: quantilesOf(steady.timer),
    answer: quantilesOf(steady.answer),
    startup: {
      seconds: STARTUP_SECONDS,
      sessions: STARTUP_SESSIONS,
      timer: quantilesOf(startTimer),
      answer: quantilesOf(startAnswer),
      firstAnswer: quantilesOf(firstAnswer),
    },
  };
}

/** One session: fresh peers on a fresh veth pair, `seconds` of frames. */
export async function session(seconds: number): Promise<{ timer: number[]; answer: number[] }> {
  const peerScript = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'packetSocketPeer.js');
  const pair = vethPairNames('n');
  const children: LineChild[] = [];
  const frames = Math.round((seconds * 1000) / INTERVAL_MS);
  try {
    await createVethPair('n');
    const echo = new LineChild(peerScript, ['echo', pair.interfaceB], { netns: pair.namespaceB });
    const initiator = new LineChild(peerScript, ['initiator', pair.interfaceA], { netns: pair.namespaceA });
    children.push(echo, initiator);
    await echo.nextLine();
    await initiator.nextLine();
    initiator.send(`run ${frames} ${INTERVAL_MS} ${frames + 1}`);
    const a = await initiator.nextJson<PeerReport>(frames * INTERVAL_MS * 2 + 20_000);
    echo.send('stop');
    const b = await echo.nextJson<PeerReport>();
    return { timer: latencies(a, b, PDELAY_REQ), answer: latencies(b, a, PDELAY_RESP) };
  } finally {
    for (const c of children) c.kill();
    removeVethPair(pair);
  }
}

function loadAverage(): string {
  return execFileSync('cat', ['/proc/loadavg']).toString().split(' ').slice(0, 3).join(' ');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const seconds = Number(process.argv[2] ?? 120);
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'noise', 'veth-software.json');
  const noise = await recordVethNoise(seconds);
  writeFileSync(out, `${JSON.stringify(noise, null, 1)}\n`);
  const q = (l: { quantilesNs: readonly number[] }, i: number): number => l.quantilesNs[i] as number;
  process.stdout.write(`recorded ${noise.timer.frames} timer / ${noise.answer.frames} answer frames into ${out}\n`);
  process.stdout.write(
    `timer median ${q(noise.timer, 50)} ns p99 ${q(noise.timer, 99)} ns max ${q(noise.timer, 102)} ns; answer median ${q(noise.answer, 50)} ns p99 ${q(noise.answer, 99)} ns max ${q(noise.answer, 102)} ns\n`,
  );
  const st = noise.startup;
  if (st !== undefined) {
    process.stdout.write(
      `startup timer median ${q(st.timer, 50)} ns p99 ${q(st.timer, 99)} ns max ${q(st.timer, 102)} ns; answer median ${q(st.answer, 50)} ns p99 ${q(st.answer, 99)} ns max ${q(st.answer, 102)} ns\n`,
    );
    process.stdout.write(`first answer of each session: min ${q(st.firstAnswer, 0)} ns median ${q(st.firstAnswer, 50)} ns max ${q(st.firstAnswer, 102)} ns\n`);
  }
}
