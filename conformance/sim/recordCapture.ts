/**
 * Records what a simulated station sees — received frames at their RX timestamps and its own at
 * their TX timestamps — as a nanosecond pcap, like a recorder at the slave would. Used to make
 * replay fixtures whose truth is known: `node dist/conformance/sim/recordCapture.js gm-change|rogue-gm OUT.pcap`.
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
    clock: {
      oscillator: { frequencyOffsetPpm: 15, wanderPpbPerSqrtS: 1, seed: 5 },
      timestampsFollowAdjustment: false,
      timestampGranularityNs: 8,
      timestampNoiseNs: 20,
      seed: 6,
    },
    discipline: true,
  },
};

/**
 * 40 s at a slave whose link also carries, from 12 s to 28 s, a rogue master port (00a0b0.fffe.c0d0e0-1)
 * with a better grandmaster (priority1 240 < 246) whose time is 1 ms ahead. Without acceptable lists a
 * replay follows it (and its time), with `acceptable_grandmasters 001122.fffe.334455` it does not.
 */
export const ROGUE_GM_SCENARIO: SimulationScenario = {
  seed: 12,
  startNs: START,
  link: { meanDelayNs: 600, jitterNs: 100 },
  master: DEFAULT_MASTER,
  station: GM_CHANGE_SCENARIO.station,
  rogue: {
    port: { clockIdentity: 0x00a0b0fffec0d0e0n, portNumber: 1 },
    grandmasterIdentity: 0x00a0b0fffec0d0e0n,
    priority1: 240,
    offsetNs: 1_000_000n,
    fromNs: 12n * S,
    toNs: 28n * S,
  },
};

const SCENARIOS: Readonly<Record<string, SimulationScenario>> = { 'gm-change': GM_CHANGE_SCENARIO, 'rogue-gm': ROGUE_GM_SCENARIO };

export function recordCapture(scenario: SimulationScenario, seconds: number, path: string): void {
  const frames: { timestampNs: bigint; data: Uint8Array }[] = [];
  const sim = new Simulation(scenario, { onStationFrame: (frame, t) => frames.push({ timestampNs: t, data: encodeFrame(frame).slice() }) });
  sim.runFor(seconds);
  frames.sort((a, b) => (a.timestampNs < b.timestampNs ? -1 : a.timestampNs > b.timestampNs ? 1 : 0));
  writePcap(path, frames);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [name, out] = process.argv.slice(2);
  const scenario = name === undefined ? undefined : SCENARIOS[name];
  if (scenario === undefined || out === undefined) {
    process.stderr.write(`usage: recordCapture.js ${Object.keys(SCENARIOS).join('|')} OUT.pcap\n`);
    process.exitCode = 2;
  } else {
    recordCapture(scenario, 40, out);
  }
}
