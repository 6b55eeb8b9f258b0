/**
 * The Sync measurement noise of lab runs, replayed through Syntonic's servo in closed loop.
 *
 * A lab run (conformance/lab) records each Sync's `master offset` in Syntonic's log and, 4 times a
 * second, the true error of its clock (synchronized time − CLOCK_REALTIME). Their difference at each
 * Sync (the true error interpolated to the line's arrival) is what the measurement added: the Sync's
 * latency beyond the link delay Syntonic measured, late frames and the slow wander of a software
 * path included, in the order and at the spacing the link produced them. The recorded veth quantiles
 * (latencyDistribution.ts) draw each frame independently and have none of that wander; here it is kept.
 *
 * The replay runs the servo the daemon runs (ClockDiscipline, software timestamps) on the clock it
 * runs, a virtual clock over a free-running base, here one at the master's rate, and adds the
 * recorded noise to each Sync's ingress. What it predicts is
 * the true error's spread, the status and the error bound's coverage; figures are taken after FROM_S
 * as in the recording's `measured`. Runs recorded since the daemon's JSON log carried the rateRatio
 * (rateRatioChanges) give each Sync the ratio's error as the lab measured it: the servo weighs every
 * ratio (docs/servo.md), and its start is seated from the first. Older runs have no ratio: their
 * Syncs carry rateRatio 1 without a σ (the servo then takes none of them, and the start differs).
 * The figures the runner prints are labNoiseFigures.ts's.
 */
import { SimClock } from '../../src/clock/simClock.js';
import { addNs, ptpTime } from '../../src/clock/timePoint.js';
import { ClockDiscipline, type ClockDisciplineOptions } from '../../src/servo/clockDiscipline.js';
import { ServoState } from '../../src/servo/servoState.js';
import { GPTP_DEFAULTS } from '../../src/protocol/portConfig.js';
import { SyncReceiptTimer } from '../../src/protocol/syncReceiptTimeout.js';
import type { SyncReceipt } from '../../src/protocol/syncReceipt.js';
import { errorBoundOver, seriesFigures } from '../lab/stats.js';
import { readNoiseFixture } from './latencyDistribution.js';

/** The name that selects the replay in `npm run conformance`. */
export const LAB_NOISE_REPLAY = 'lab-noise-replay';

/** Figures are taken from this many seconds after Syntonic started on. */
export const FROM_S = 20;

export interface LabNoiseRun {
  /** `<series>.<scenario>.run<N>.order<M>`, after the lab's run record. */
  readonly name: string;
  /** The commit whose servo ran it (what `measured` is of). */
  readonly servo: string;
  readonly logSyncInterval: number;
  /** Where the Syncs' interval changed and stayed (absent: logSyncInterval throughout): see SyncIntervalChange. */
  readonly logSyncIntervalChanges?: readonly SyncIntervalChange[];
  /** Seconds since Syntonic started, one per Sync, rounded to ms. */
  readonly syncAtS: readonly number[];
  /** Offset − true error of each Sync, ns (rounded). */
  readonly noiseNs: readonly number[];
  /** The meanLinkDelay Syntonic used, as [index of the first Sync it was used for, ns] at each change. */
  readonly pathDelayChanges: readonly (readonly [number, number])[];
  /** The rateRatio of the Syncs as the lab's engine measured it, at each change; absent in runs recorded before the log carried it. */
  readonly rateRatioChanges?: readonly RateRatioChange[];
  /** Where the lab moved the grandmaster's time (grandmaster-phase-step): the Syncs that carried the move. */
  readonly grandmasterMove?: GrandmasterMove;
  /** What the lab measured from FROM_S on. */
  readonly measured: {
    readonly syntonicTrueErrorStdNs: number;
    readonly ptp4lTrueErrorStdNs: number;
    /** Times Syntonic's status left synchronized. */
    readonly leftSynchronized: number;
  };
}

/**
 * The grandmaster's time moved against the truth by offsetNs (its time − true time, as the lab's
 * ResultInput.grandmasterMove) for the Syncs fromIndex to toIndex − 1: each of them carries the move
 * in its origin timestamp, so its recorded noise holds −offsetNs more (grandmasterMove.ts).
 */
export interface GrandmasterMove {
  readonly fromIndex: number;
  readonly toIndex: number;
  readonly offsetNs: number;
}

/**
 * [index of the first Sync that carried it, (rateRatio − 1) ppb, its 1 σ ppb or null before the engine
 * measured one, and in runs whose log gave it the time it spans, s]. In the lab both ends timestamp
 * with the host's CLOCK_REALTIME (the grandmaster's virtual clock runs at +0 ppb), so the true ratio
 * is 1 and (rateRatio − 1) is the ratio's error.
 */
export type RateRatioChange = readonly [index: number, errorPpb: number, sigmaPpb: number | null, spanS?: number];

/**
 * [index of the first Sync at the new interval, its logSyncInterval (log2 s)]. The automotive profile's
 * slave asks its master for operLogSyncInterval once its servo is stable (a message interval request,
 * 802.1AS-2020 10.6.4.3; ptp4l's reference slave does, and is then sent one Sync a second): the replay
 * hands the servo each Sync's interval as the Sync's logMessageInterval would carry it (10.6.2.2.14),
 * since a servo told 125 ms while a second passes steers its phase eight times too hard.
 */
export type SyncIntervalChange = readonly [index: number, logSyncInterval: number];

export interface LabNoiseRecording {
  readonly provenance: Readonly<Record<string, string | number>>;
  readonly runs: readonly LabNoiseRun[];
}

export interface LabNoiseReplay {
  readonly trueErrorMeanNs: number;
  readonly trueErrorStdNs: number;
  readonly trueErrorMaxNs: number;
  readonly leftSynchronized: number;
  /** When the servo first reached s2, s (as syncAtS); Infinity if never. */
  readonly lockedAtS: number;
  /** Share of the Syncs while synchronized (after FROM_S) whose |true error| was within errorBoundNs just after them. */
  readonly errorBoundCoverage: number;
  /** Median errorBoundNs over those Syncs, ns. */
  readonly errorBoundMedianNs: number;
  /** The least errorBoundNs − |true error| over those Syncs, ns (< 0: the bound missed). */
  readonly errorBoundClosestNs: number;
}

/** The file's form of a run: the Sync times as ms steps (the first from Syntonic's start), a third of the size. */
export type LabNoiseRunFile = Omit<LabNoiseRun, 'syncAtS'> & { readonly syncStepsMs: readonly number[] };

export interface LabNoiseFile {
  readonly provenance: LabNoiseRecording['provenance'];
  readonly runs: readonly LabNoiseRunFile[];
}

/** A recording of lab noise in fixtures/noise: the 298 runs by default, LAB_GRANDMASTER_MOVE the runs through a move of the grandmaster's time. */
export function loadLabNoise(fixture = 'lab-sync-noise'): LabNoiseRecording {
  const file = readNoiseFixture(fixture) as LabNoiseFile;
  return { provenance: file.provenance, runs: file.runs.map(fromFile) };
}

function fromFile({ syncStepsMs, ...run }: LabNoiseRunFile): LabNoiseRun {
  let ms = 0;
  return { ...run, syncAtS: syncStepsMs.map((step) => (ms += step) / 1000) };
}

export function toFile({ syncAtS, ...run }: LabNoiseRun): LabNoiseRunFile {
  let ms = 0;
  return {
    ...run,
    syncStepsMs: syncAtS.map((s) => {
      const at = Math.round(s * 1000);
      const step = at - ms;
      ms = at;
      return step;
    }),
  };
}

const START_NS = 1_700_000_000_000_000_000n;
/** The servo acts this long after the Sync's ingress (Follow_Up, scheduling), ns. */
const PROCESSING_NS = 1_000_000n;

/** One replay, Sync by Sync: what any window's figures are taken from. */
export interface LabNoiseTrace {
  /** Per Sync: its time (as syncAtS), the true error before the servo acted on it, ns. */
  readonly errors: readonly { readonly atS: number; readonly ns: number }[];
  /** Per Sync the status was synchronized after: its index and time, the true error then (and its magnitude) and errorBoundNs then, ns. */
  readonly synchronized: readonly {
    readonly index: number;
    readonly atS: number;
    readonly errorNs: number;
    readonly absErrorNs: number;
    readonly boundNs: number;
  }[];
  readonly leftSynchronized: number;
  /** When the servo first reached s2, s (as syncAtS); Infinity if never. */
  readonly lockedAtS: number;
  /** With a SyncGap: at each left-out Sync's time once the syncReceiptTimeout fired, |true error| and errorBoundNs then, ns. */
  readonly holdover: readonly { readonly atS: number; readonly absErrorNs: number; readonly boundNs: number }[];
  /**
   * Per Sync the servo used, once it has a bound: its frequency estimate, ppb (the replay's truth is 0,
   * so this is its error), and how fast errorBoundNs grows with age then, ns/s (k σφ).
   */
  readonly frequencies: readonly { readonly atS: number; readonly estimatePpb: number; readonly boundGrowthPpb: number }[];
}

/** Syncs left out of a replay, as a grandmaster or a link gone for a while: from `fromS` (as syncAtS) for `forS`, s. */
export interface SyncGap {
  readonly fromS: number;
  readonly forS: number;
}

/** The holdover the replay is asked through: 30 s without Syncs in the first minute and after it. */
export const HOLDOVER_GAPS: readonly SyncGap[] = [
  { fromS: 30, forS: 30 },
  { fromS: 60, forS: 30 },
];

/** Sync intervals without a Sync before the port engine's syncReceiptTimeout fires (802.1AS-2020 10.7.3.1): the engine's default. */
const SYNC_RECEIPT_TIMEOUT = GPTP_DEFAULTS.syncReceiptTimeout;

/**
 * A run's changes ([index of the first Sync it holds for, …]) as the replay walks its Syncs in order:
 * the one in force at Sync i (the meanLinkDelay, the rate ratio the engine gave the Syncs).
 */
class ChangeInForce<C extends readonly [number, ...unknown[]]> {
  private next = 0;
  private current: C | undefined;

  constructor(private readonly changes: readonly C[]) {}

  /** The change in force at Sync i (i never decreasing), undefined before the first. */
  at(i: number): C | undefined {
    for (let c = this.changes[this.next]; c !== undefined && c[0] <= i; c = this.changes[++this.next]) this.current = c;
    return this.current;
  }
}

/** The receipt's rate-ratio fields as the replay gives them. */
export type ReplayedRatio = Pick<SyncReceipt, 'rateRatio' | 'rateRatioSigma' | 'rateRatioSpanS'>;

const NO_RATIO: ReplayedRatio = Object.freeze({ rateRatio: 1 });

/**
 * The rate ratio a run's Syncs carry in the replay: 1 + the lab's error on it, as the replay's clock
 * is the daemon's virtual clock over a free-running base at the master's rate (the ratio is measured
 * against that base, so the feed-forward reads the error back: feedForward.ts). As the engine's, a
 * ratio is formed once, when a Pdelay exchange completes, and held until the next: one object per
 * change, so that a servo that weighs each ratio once sees one ratio, not eight.
 */
export class ReplayedRateRatio {
  private readonly changes: ChangeInForce<RateRatioChange>;
  private change: RateRatioChange | undefined;
  private current: ReplayedRatio = NO_RATIO;

  constructor(changes: readonly RateRatioChange[]) {
    this.changes = new ChangeInForce(changes);
  }

  /** What the i-th Sync carries: rateRatio 1 without a σ in runs recorded without one. */
  at(i: number): ReplayedRatio {
    const change = this.changes.at(i);
    if (change === undefined || change === this.change) return this.current;
    const [, errorPpb, sigmaPpb, spanS] = change;
    this.change = change;
    this.current = {
      rateRatio: 1 + errorPpb * 1e-9,
      ...(sigmaPpb === null ? {} : { rateRatioSigma: sigmaPpb * 1e-9 }),
      ...(spanS === undefined ? {} : { rateRatioSpanS: spanS }),
    };
    return this.current;
  }
}

/** Runs one recorded run's noise through a ClockDiscipline (software defaults unless options say). */
export function traceLabNoise(run: LabNoiseRun, options: ClockDisciplineOptions = { timestamping: 'software' }, gap?: SyncGap): LabNoiseTrace {
  const first = run.syncAtS[0] ?? 0;
  const clock = new SimClock({
    oscillator: { frequencyOffsetPpm: 0, wanderPpbPerSqrtS: 0, seed: 1, startTrueNs: START_NS, startReadingNs: START_NS },
    timestampsFollowAdjustment: false,
  });
  const discipline = new ClockDiscipline(clock, options);
  const errors: { atS: number; ns: number }[] = [];
  const synchronized: { index: number; atS: number; errorNs: number; absErrorNs: number; boundNs: number }[] = [];
  let left = 0;
  let lockedAtS = Infinity;
  const holdover: { atS: number; absErrorNs: number; boundNs: number }[] = [];
  const frequencies: { atS: number; estimatePpb: number; boundGrowthPpb: number }[] = [];
  // The engine's own timer (802.1AS-2020 10.7.3.1), armed by each Sync fed.
  const receiptTimer = new SyncReceiptTimer(SYNC_RECEIPT_TIMEOUT);
  const pathDelays = new ChangeInForce(run.pathDelayChanges);
  const rateRatio = new ReplayedRateRatio(run.rateRatioChanges ?? []);
  const intervals = new ChangeInForce(run.logSyncIntervalChanges ?? []);
  run.noiseNs.forEach((noiseNs, i) => {
    const pathDelayNs = pathDelays.at(i)?.[1] ?? 0;
    const logSyncInterval = intervals.at(i)?.[1] ?? run.logSyncInterval;
    const atS = run.syncAtS[i] ?? first;
    const trueNs = START_NS + 1_000_000_000n + BigInt(Math.round((atS - first) * 1e9));
    clock.advanceTo(trueNs);
    errors.push({ atS, ns: clock.errorNs() });
    if (gap !== undefined && atS >= gap.fromS && atS < gap.fromS + gap.forS) {
      // What the daemon's engine does: the status learns of the loss when the sync receipt timer expires.
      if (receiptTimer.expire(clock.localNow()))
        discipline.onSyncReceiptTimeout({ at: clock.localNow(), syncReceiptTimeout: SYNC_RECEIPT_TIMEOUT, logSyncInterval });
      // Holdover: from the timeout on, the status says lost until Syncs return (none do inside the gap).
      const bound = discipline.errorBoundAt(clock.localNow());
      if (discipline.syncStatus() === 'lost' && bound !== undefined) holdover.push({ atS, absErrorNs: Math.abs(clock.errorNs()), boundNs: bound.atNs });
      return;
    }
    const ingressTime = addNs(clock.timestampNow(), noiseNs);
    receiptTimer.arm(ingressTime, logSyncInterval);
    clock.advanceTo(trueNs + PROCESSING_NS);
    // The grandmaster is the neighbor: the ratio is all neighborRateRatio (802.1AS-2020 10.2.8.1.4).
    const ratio = rateRatio.at(i);
    const outcome = discipline.onSync({ ...receipt(i, ingressTime, trueNs, pathDelayNs, logSyncInterval), ...ratio, neighborRateRatio: ratio.rateRatio });
    for (const e of outcome.events) if (e.from === 'synchronized') left++;
    if (lockedAtS === Infinity && outcome.servoState === ServoState.locked) lockedAtS = atS;
    // One bound per Sync for both records (report() would build it again, and the holdover model with it).
    const bound = discipline.errorBoundAt(clock.localNow());
    if (bound !== undefined) frequencies.push({ atS, estimatePpb: discipline.frequencyEstimatePpb(), boundGrowthPpb: bound.growthPpb });
    if (discipline.syncStatus() !== 'synchronized') return;
    const boundNs = bound?.atNs ?? 0;
    const errorNs = clock.errorNs();
    synchronized.push({ index: i, atS, errorNs, absErrorNs: Math.abs(errorNs), boundNs });
  });
  return { errors, synchronized, leftSynchronized: left, lockedAtS, holdover, frequencies };
}

/** A trace's figures from fromS on (the lab's FROM_S by default). */
export function traceFigures(trace: LabNoiseTrace, fromS = FROM_S): LabNoiseReplay {
  const e = seriesFigures(trace.errors.filter((x) => x.atS >= fromS).map((x) => x.ns));
  const bound = errorBoundOver(trace.synchronized.filter((x) => x.atS >= fromS));
  return {
    trueErrorMeanNs: e.mean,
    trueErrorStdNs: e.std,
    trueErrorMaxNs: e.maxAbs,
    leftSynchronized: trace.leftSynchronized,
    lockedAtS: trace.lockedAtS,
    errorBoundCoverage: bound.coverage,
    errorBoundMedianNs: bound.medianNs,
    errorBoundClosestNs: bound.closestNs,
  };
}

/** A change of the Sync path added to a run's noise: `changeNs` more on each Sync from `atS` on, reached over `rampS` (0: at once). */
export interface SyncPathChange {
  readonly changeNs: number;
  readonly atS: number;
  readonly rampS: number;
}

/** The recorded runs without a change of their own (the step runs have theirs): steady state, CPU load, automotive. */
export function runsWithoutChange(recording: LabNoiseRecording): readonly LabNoiseRun[] {
  return recording.runs.filter((run) => !run.name.includes('step'));
}

/**
 * The run with a change of its Syncs' path added to the noise: what the servo cannot tell from the
 * grandmaster's time moving, and what the clock follows (the error bound's case, docs/servo.md).
 */
export function withSyncPathChange(run: LabNoiseRun, change: SyncPathChange): LabNoiseRun {
  const { changeNs, atS, rampS } = change;
  return {
    ...run,
    noiseNs: run.noiseNs.map((noiseNs, i) => {
      const sinceS = (run.syncAtS[i] ?? 0) - atS;
      const share = rampS === 0 ? (sinceS >= 0 ? 1 : 0) : Math.min(1, Math.max(0, sinceS / rampS));
      return noiseNs + changeNs * share;
    }),
  };
}

/** Replays one run; figures from fromS on. */
export function replayLabNoise(run: LabNoiseRun, options?: ClockDisciplineOptions, fromS = FROM_S): LabNoiseReplay {
  return traceFigures(traceLabNoise(run, options), fromS);
}

/**
 * A Sync from a master whose time is true time at the ingress: the recorded noise holds all the link
 * did beyond its measured delay, which is passed on for what the servo and the error bound read of it.
 */
function receipt(sequenceId: number, ingressTime: SyncReceipt['ingressTime'], trueNs: bigint, meanLinkDelay: number, logSyncInterval: number): SyncReceipt {
  return {
    sequenceId: sequenceId & 0xffff,
    sourcePortIdentity: { clockIdentity: 0x02aa_aaff_fe00_0001n, portNumber: 1 },
    grandmasterIdentity: 0x02aa_aaff_fe00_0001n,
    ingressTime,
    gmTime: ptpTime(trueNs),
    gmTimeFractionNs: 0,
    rateRatio: 1,
    neighborRateRatio: 1,
    meanLinkDelay,
    logSyncInterval,
    gmTimeBaseIndicator: 0,
    lastGmPhaseChange: 0n,
    scaledLastGmFreqChange: 0,
  };
}
