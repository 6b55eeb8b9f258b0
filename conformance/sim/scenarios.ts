/**
 * Named simulation scenarios: each a link, a grandmaster, an oscillator and timestamping model, run
 * through the real engine and servo. Parameters carry their units in their names.
 */
import type { ClockDisciplineOptions } from '../../src/servo/clockDiscipline.js';
import { loadRecordedNoise } from './latencyDistribution.js';
import { DEFAULT_MASTER, type LinkModel, type MasterModel, type SimulationScenario } from './simulation.js';
import type { SyncNoise } from './syncNoise.js';

const START_NS = 1_700_000_000_000_000_000n;
const S = 1_000_000_000n;

/**
 * The lab's cold start, beyond what the recorder sees: in the lab the first meanLinkDelay read 2.21 µs
 * against 1.3 µs steady, and the start-up rate ratio the feed-forward seated was +462 ppb (issue 14)
 * and +1.29 ppm (this branch's baseline run) where the truth is 0: the grandmaster's first two
 * Pdelay_Resp arrive ~2.5 µs late. (The recorder's fresh peers show only the first answer ~1 µs late.)
 */
export const LAB_COLD_START = { count: 2, extraNs: 2_500 } as const;

/** From the grandmaster's silence to its Syncs back, s (softwareEarlyLoss). */
export const EARLY_LOSS = { fromS: 5, lossS: 30 } as const;

export interface ScenarioSpec {
  readonly name: string;
  readonly description: string;
  readonly durationS: number;
  /** Start of the window over which steady-state error is measured, s. */
  readonly steadyFromS: number;
  /** End of that window (default: the end of the run), s. */
  readonly steadyToS?: number;
  /** Holdover is measured `measureAfterS` after the Syncs stop at `fromS` (the scenario scripts the outage). */
  readonly holdover?: { readonly fromS: number; readonly measureAfterS: number };
  /** A scripted disruption (phase jump, outage) from atS to endS: lock is timed before it, recovery after it. */
  readonly disruption?: { readonly atS: number; readonly endS: number };
  /** |error| below which the station counts as locked, ns. Default 100 (LOCK_THRESHOLD_NS). */
  readonly lockThresholdNs?: number;
  readonly scenario: SimulationScenario;
}

interface Knobs {
  seed?: number;
  meanDelayNs?: number;
  asymmetryNs?: number;
  jitterNs?: number;
  lossProbability?: number;
  frequencyOffsetPpm?: number;
  wanderPpbPerSqrtS?: number;
  granularityNs?: number;
  noiseNs?: number;
  noise?: 'uniform' | 'gaussian';
  timestampsFollowAdjustment?: boolean;
  initialErrorNs?: bigint;
  master?: Partial<MasterModel>;
  neighborPropDelayThresh?: number;
  /** Software-timestamp latencies recorded on veth (fixtures/noise/veth-software.json) instead of the link model. */
  recordedNoise?: boolean;
  syncExtraNs?: number;
  coldStartAnswers?: { readonly count: number; readonly extraNs: number };
  servo?: ClockDisciplineOptions;
}

function scenario(k: Knobs): SimulationScenario {
  const seed = k.seed ?? 1;
  return {
    seed,
    startNs: START_NS,
    link: {
      meanDelayNs: k.meanDelayNs ?? 500,
      asymmetryNs: k.asymmetryNs ?? 0,
      jitterNs: k.jitterNs ?? 0,
      lossProbability: k.lossProbability ?? 0,
      ...(k.recordedNoise === true ? { recorded: loadRecordedNoise(), syncExtraNs: k.syncExtraNs ?? 0 } : {}),
      ...(k.coldStartAnswers === undefined ? {} : { coldStartAnswers: k.coldStartAnswers }),
    },
    master: { ...DEFAULT_MASTER, ...k.master },
    station: {
      clock: {
        oscillator: { frequencyOffsetPpm: k.frequencyOffsetPpm ?? 100, wanderPpbPerSqrtS: k.wanderPpbPerSqrtS ?? 1, seed: seed + 100 },
        timestampsFollowAdjustment: k.timestampsFollowAdjustment ?? true,
        timestampGranularityNs: k.granularityNs ?? 8,
        timestampNoiseNs: k.noiseNs ?? 20,
        timestampNoise: k.noise ?? 'uniform',
        seed: seed + 200,
        initialReadingNs: START_NS + (k.initialErrorNs ?? 3_456_789n),
      },
      config: { neighborPropDelayThresh: k.neighborPropDelayThresh ?? 800 },
      discipline: true,
      ...(k.servo === undefined ? {} : { servo: k.servo }),
    },
  };
}

export const SCENARIOS: readonly ScenarioSpec[] = [
  {
    name: 'ideal',
    description: 'ideal 1 ns timestamps, no noise, +100 ppm oscillator without wander, 500 ns link',
    durationS: 60,
    steadyFromS: 10,
    scenario: scenario({ granularityNs: 1, noiseNs: 0, wanderPpbPerSqrtS: 0 }),
  },
  {
    name: 'hardware',
    description: 'PHC-like: 8 ns timestamp granularity, ±20 ns noise, +100 ppm, 1 ppb/√s wander, 8 Sync/s; the grandmaster stops at 240 s',
    durationS: 300,
    steadyFromS: 10,
    holdover: { fromS: 240, measureAfterS: 60 },
    disruption: { atS: 240, endS: 300 },
    scenario: scenario({ master: { outages: [{ fromNs: 240n * S, toNs: 400n * S }] } }),
  },
  {
    name: 'software',
    description: 'software timestamps on veth: 1 ns resolution, gaussian noise σ 300 ns, 1.35 µs link with 0.35 µs asymmetry, 0–3 µs jitter, virtual clock',
    durationS: 300,
    steadyFromS: 30,
    scenario: scenario({
      granularityNs: 1,
      noiseNs: 300,
      noise: 'gaussian',
      meanDelayNs: 1_700,
      asymmetryNs: 350,
      jitterNs: 3_000,
      timestampsFollowAdjustment: false,
      frequencyOffsetPpm: 12,
      neighborPropDelayThresh: 10_000_000,
    }),
  },
  softwareRecorded(
    'software-recorded',
    "software timestamps as recorded on veth (fixtures/noise/veth-software.json): heavy-tailed one-way latencies, the timer path slower than the answer path, both ends on one clock (0 ppm), virtual clock; the start-up rate ratio is as noisy as the lab's",
    1,
    0,
  ),
  {
    ...softwareRecorded(
      'software-gm-restart',
      'software-recorded; the grandmaster is silent from 60 s to 70 s and comes back with its time 3 ms ahead and the same gmTimeBaseIndicator (a restart)',
      3,
      0,
    ),
    durationS: 120,
    steadyFromS: 90,
    disruption: { atS: 60, endS: 70 },
    scenario: {
      ...softwareRecorded('', '', 3, 0).scenario,
      master: {
        ...DEFAULT_MASTER,
        firstSyncAfterNs: 3n * S,
        outages: [{ fromNs: 60n * S, toNs: 70n * S }],
        phaseJumps: [{ atNs: 65n * S, deltaNs: 3_000_000n, announced: false }],
      },
    },
  },
  softwareRecorded(
    'software-cold-start',
    "software-recorded, with the lab's cold start: the grandmaster's first two Pdelay_Resp 2.5 µs late, so the start-up rate ratio is ~1 ppm off (the feed-forward problem of issue 14)",
    4,
    0,
    { timestamping: 'software' },
    LAB_COLD_START,
  ),
  {
    ...softwareRecorded(
      'software-path-shift',
      "software-recorded; the Syncs' path takes 2 µs more from 60 s to 90 s (a shift of state the lab saw on veth, 1.6–2.5 µs): an asymmetry no slave can see, which moves the true error by as much",
      5,
      0,
    ),
    // Lock and steady state are timed before the shift, recovery after it; the bound counts throughout.
    steadyToS: 60,
    disruption: { atS: 60, endS: 90 },
    scenario: withSyncPathShifts(softwareRecorded('', '', 5, 0).scenario, [
      { fromNs: 60n * S, extraNs: 2_000 },
      { fromNs: 90n * S, extraNs: 0 },
    ]),
  },
  {
    ...softwareRecorded(
      'software-pdelay-stall',
      'software-recorded; every frame towards the grandmaster takes 0.85 ms more from 30 s to 130 s (one direction of a path queued, as a userland relay did in the lab): the Pdelay exchanges read the link 0.42 ms longer, the Syncs do not',
      6,
      0,
    ),
    durationS: 200,
    // The whole run after the start is the window: the stall must not reach the clock.
    steadyFromS: 20,
    scenario: withTowardsMasterShifts(softwareRecorded('', '', 6, 0).scenario, [
      { fromNs: 30n * S, extraNs: 850_000 },
      { fromNs: 130n * S, extraNs: 0 },
    ]),
  },
  softwareEarlyLoss(4),
  softwareRecorded('software-recorded-port2', "as software-recorded, with the Syncs 0.8 µs slower (the other grandmaster port's colder path)", 2, 800),
  {
    name: 'asymmetry',
    description: '500 ns link with 200 ns of asymmetry nobody can see: the slave settles 200 ns off',
    durationS: 120,
    steadyFromS: 20,
    scenario: scenario({ asymmetryNs: 200 }),
  },
  {
    name: 'loss',
    description: 'hardware timestamps with 5 % frame loss each way (about 10 % of Syncs lose their Sync or Follow_Up)',
    durationS: 300,
    steadyFromS: 20,
    scenario: scenario({ lossProbability: 0.05 }),
  },
  {
    name: 'gm-phase-jump',
    description: 'the grandmaster jumps +1 ms at 60 s (gmTimeBaseIndicator changes)',
    durationS: 120,
    steadyFromS: 80,
    disruption: { atS: 60, endS: 60 },
    scenario: scenario({ master: { phaseJumps: [{ atNs: 60n * S, deltaNs: 1_000_000n }] } }),
  },
  {
    name: 'gm-outage',
    description: 'the grandmaster falls silent at 60 s for 60 s (holdover), then returns',
    durationS: 180,
    steadyFromS: 140,
    holdover: { fromS: 60, measureAfterS: 60 },
    disruption: { atS: 60, endS: 120 },
    scenario: scenario({ master: { outages: [{ fromNs: 60n * S, toNs: 120n * S }] } }),
  },
];

function withSyncPathShifts(s: SimulationScenario, shifts: NonNullable<LinkModel['syncPathShifts']>): SimulationScenario {
  return { ...s, link: { ...s.link, syncPathShifts: shifts } };
}

function withTowardsMasterShifts(s: SimulationScenario, shifts: NonNullable<LinkModel['towardsMasterShifts']>): SimulationScenario {
  return { ...s, link: { ...s.link, towardsMasterShifts: shifts } };
}

/** The scenario with its Syncs' own noise as the lab's (syncNoise.ts, labSyncNoise.ts). */
export function withSyncNoise(spec: ScenarioSpec, syncNoise: SyncNoise): ScenarioSpec {
  return { ...spec, scenario: { ...spec.scenario, link: { ...spec.scenario.link, syncNoise } } };
}

/** The scenario drawn again from `seed`: the link's draws and the timestamps' noise (as scenario() seeds them); the oscillator keeps its own. */
export function withSeed(spec: ScenarioSpec, seed: number): ScenarioSpec {
  const s = spec.scenario;
  return { ...spec, scenario: { ...s, seed, station: { ...s.station, clock: { ...s.station.clock, seed: seed + 200 } } } };
}

/** The scenario on an oscillator whose frequency takes a random walk of wanderPpbPerSqrtS (ppb/√s), its other figures kept. */
export function withOscillatorWander(spec: ScenarioSpec, wanderPpbPerSqrtS: number): ScenarioSpec {
  const station = spec.scenario.station;
  const oscillator = { ...station.clock.oscillator, wanderPpbPerSqrtS };
  return { ...spec, scenario: { ...spec.scenario, station: { ...station, clock: { ...station.clock, oscillator } } } };
}

/**
 * The scenario with its grandmaster silent for `lossS` from `fromS` (the outage it scripts replaces
 * any other): holdover is measured at its end, and the steady window is the 30 s from
 * `measureFromS` after the Syncs come back.
 */
export function withSilence(spec: ScenarioSpec, fromS: number, lossS: number, measureFromS: number): ScenarioSpec {
  const returnS = fromS + lossS;
  const outage = { fromNs: BigInt(fromS) * S, toNs: BigInt(returnS) * S };
  return {
    ...spec,
    durationS: returnS + 30,
    steadyFromS: returnS + measureFromS,
    holdover: { fromS, measureAfterS: lossS },
    disruption: { atS: fromS, endS: returnS },
    scenario: { ...spec.scenario, master: { ...spec.scenario.master, outages: [outage] } },
  };
}

/**
 * software-recorded, the grandmaster silent from 5 s to 35 s: the Syncs stop while the servo still
 * pulls the start's phase in, so its last output is far from the frequency holdover holds (the servo
 * is told: Servo.holdFrequency). Measured from 5 s after the return to 30 s after it.
 */
export function softwareEarlyLoss(seed: number): ScenarioSpec {
  const spec = withSilence(softwareRecorded('software-early-loss', '', seed, 0), EARLY_LOSS.fromS, EARLY_LOSS.lossS, 5);
  const returnS = EARLY_LOSS.fromS + EARLY_LOSS.lossS;
  return {
    ...spec,
    description: `software-recorded (seed ${seed}); the grandmaster is silent from ${EARLY_LOSS.fromS} s to ${returnS} s, while the servo still pulls the start's phase in`,
  };
}

/** Software timestamps from the recorded veth noise, with Syntonic's software defaults (servo per timestamping mode). */
export function softwareRecorded(
  name: string,
  description: string,
  seed: number,
  syncExtraNs: number,
  servo: ClockDisciplineOptions = { timestamping: 'software' },
  coldStartAnswers?: { readonly count: number; readonly extraNs: number },
): ScenarioSpec {
  return {
    name,
    description,
    durationS: 120,
    steadyFromS: 30,
    // µs of timestamp noise and a static asymmetry of about 0.7 µs: locked means within 2 µs.
    lockThresholdNs: 2_000,
    scenario: scenario({
      seed,
      granularityNs: 1,
      noiseNs: 0,
      timestampsFollowAdjustment: false,
      frequencyOffsetPpm: 0,
      wanderPpbPerSqrtS: 0,
      neighborPropDelayThresh: 10_000_000,
      recordedNoise: true,
      syncExtraNs,
      servo,
      master: { firstSyncAfterNs: 3n * S },
      ...(coldStartAnswers === undefined ? {} : { coldStartAnswers }),
    }),
  };
}
