/**
 * Soak: a day (or any span) of simulated time with frame loss and a grandmaster change every few
 * hours, checking that the station keeps synchronizing and that memory stays flat.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RunningStats } from '../../src/report/runningStats.js';
import { DEFAULT_MASTER, Simulation, type SimulationScenario } from './simulation.js';

const START = 1_700_000_000_000_000_000n;
const S = 1_000_000_000n;
const HOUR = 3600n * S;

export interface SoakResult {
  readonly hours: number;
  /** Heap used after the first hour and at the end, MiB (after a GC when --expose-gc is given). */
  readonly heapFirstHourMiB: number;
  readonly heapEndMiB: number;
  /** Steady error per hour (samples with the status synchronized, not in the second after a scripted jump), ns. */
  readonly worstHourlyRmsNs: number;
  readonly statusChanges: number;
  readonly grandmasterChanges: number;
  readonly syncsAccepted: number;
  readonly simulatedPerRealSecond: number;
}

export function soakScenario(hours: number, seed = 21): SimulationScenario {
  const changes = Array.from({ length: Math.floor(hours / 6) }, (_, i) => BigInt(i + 1) * 6n * HOUR).filter((t) => t < BigInt(hours) * HOUR);
  return {
    seed,
    startNs: START,
    link: { meanDelayNs: 500, jitterNs: 50, lossProbability: 0.02 },
    master: {
      ...DEFAULT_MASTER,
      grandmasterChanges: changes.map((atNs, i) => ({ atNs, grandmasterIdentity: 0x00a0b0fffec0d000n + BigInt(i), priority1: 240 })),
      phaseJumps: changes.map((atNs, i) => ({ atNs, deltaNs: (i % 2 === 0 ? 1n : -1n) * 500_000n })),
    },
    station: {
      clock: {
        oscillator: { frequencyOffsetPpm: 40, wanderPpbPerSqrtS: 1, seed: seed + 1 },
        timestampsFollowAdjustment: true,
        timestampGranularityNs: 8,
        timestampNoiseNs: 20,
        seed: seed + 2,
      },
      discipline: true,
    },
  };
}

/** A full GC before reading the heap, so that garbage not yet collected does not read as growth. */
function collectGarbage(): void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed();
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function heapMiB(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

export function runSoak(hours: number): SoakResult {
  let statusChanges = 0;
  let grandmasterChanges = 0;
  let syncs = 0;
  let synchronized = false;
  const sim = new Simulation(soakScenario(hours), {
    onStatus: (e) => {
      statusChanges += 1;
      synchronized = e.to === 'synchronized';
    },
    onEvent: (e) => {
      if (e.type === 'grandmasterChanged' && e.current !== undefined) grandmasterChanges += 1;
    },
    onSyncReceipt: () => {
      syncs += 1;
    },
  });
  const t0 = performance.now();
  const jumps = (sim.scenario.master.phaseJumps ?? []).map((j) => sim.scenario.startNs + j.atNs);
  // The station cannot know of a grandmaster's jump before the next Sync shows it: samples in the
  // second after a scripted jump measure the jump, not the servo.
  const afterJump = (t: bigint): boolean => jumps.some((j) => t >= j && t < j + S);
  let worst = 0;
  let heapFirst = 0;
  for (let h = 0; h < hours; h++) {
    const hour = new RunningStats();
    sim.runFor(3600, S / 8n, (s) => {
      if (synchronized && !afterJump(s.trueNow)) hour.push(s.clockErrorNs());
    });
    if (hour.count > 0) worst = Math.max(worst, hour.rms);
    if (h === 0) heapFirst = heapMiB();
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    hours,
    heapFirstHourMiB: heapFirst,
    heapEndMiB: heapMiB(),
    worstHourlyRmsNs: worst,
    statusChanges,
    grandmasterChanges,
    syncsAccepted: syncs,
    simulatedPerRealSecond: (hours * 3600) / seconds,
  };
}
