/**
 * Records what a simulated station sees — received frames at their RX timestamps and its own at
 * their TX timestamps — as a nanosecond pcap, like a recorder at the slave would. Used to make
 * replay fixtures whose truth is known: `node dist/conformance/sim/recordCapture.js gm-change OUT.pcap`.
 */
import { fileURLToPath } from 'node:url';
import { writePcap } from '../../src/io/pcapWriter.js';
import { encodeFrame } from '../../src/protocol/ethernetFrame.js';
import { DEFAULT_MASTER, Simulation, type SimulationScenario } from './simulation.js';

const START = 1_700_000_000_000_000_000n;
const S = 1_000_000_000n;

/** 40 s at a slave behind a bridge whose grandmaster changes at 20 s, with a +2 ms new time base. */
export const GM_CHANGE_SCENARIO: SimulationScenario = {
  seed: 11,
  startNs: START,
  link: { meanDelayNs: 600, jitterNs: 100 },
  master: {
    ...DEFAULT_MASTER,
    grandmasterChanges: [{ atNs: 20n * S, grandmasterIdentity: 0x00a0b0fffec0d0e0n, priority1: 240 }],
    phaseJumps: [{ atNs: 20n * S, deltaNs: 2_000_000n }],
  },
  station: {
    clock: { oscillator: { frequencyOffsetPpm: 15, wanderPpbPerSqrtS: 1, seed: 5 }, timestampsFollowAdjustment: false, timestampGranularityNs: 8, timestampNoiseNs: 20, seed: 6 },
    discipline: true,
  },
};

export function recordCapture(scenario: SimulationScenario, seconds: number, path: string): void {
  const frames: { timestampNs: bigint; data: Uint8Array }[] = [];
  const sim = new Simulation(scenario, { onStationFrame: (frame, t) => frames.push({ timestampNs: t, data: encodeFrame(frame).slice() }) });
  sim.runFor(seconds);
  frames.sort((a, b) => (a.timestampNs < b.timestampNs ? -1 : a.timestampNs > b.timestampNs ? 1 : 0));
  writePcap(path, frames);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [name, out] = process.argv.slice(2);
  if (name !== 'gm-change' || out === undefined) {
    process.stderr.write('usage: recordCapture.js gm-change OUT.pcap\n');
    process.exitCode = 2;
  } else {
    recordCapture(GM_CHANGE_SCENARIO, 40, out);
  }
}
