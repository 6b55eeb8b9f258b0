/**
 * What one lab scenario measured: time series (seconds since the processes started) and the figures
 * the conformance report prints. Syntonic's own view (its `master offset` lines), the truth (the
 * provider's time minus CLOCK_REALTIME), and the ptp4l reference slave on the grandmaster's other port
 * in the same run: its own servo on a virtual clock, whose true error is taken at the same instants;
 * with a control, a second such ptp4l, likewise.
 */
import type { RelayStats } from '../relay/relay.js';
import type { GrandmasterPathDelay, PortOrder, ReferenceErrorSample, ReferenceKind } from './starLab.js';
import type { FloodFirst } from './sharedPortHub.js';
import type { OffsetSample } from './logLines.js';
import type { Ptp4l } from './ptp4l.js';
import { errorBoundOver, seriesFigures, type SeriesFigures } from './stats.js';
import { syncsAfterOtherPort, WARM_SEND_NS, type PdelayPathSample, type SyncLatencySample } from './syncCapture.js';
import type { TruthDisturbance } from './truthWatch.js';
import type { SyntonicDaemon } from './syntonicDaemon.js';
import type { ClockDisciplineOptions } from '../../src/servo/clockDiscipline.js';
import type { StatusObservation, TrueErrorProbe, TrueErrorSample } from './trueErrorProbe.js';

export interface SeriesPoint {
  /** s since the scenario's processes started. */
  readonly tS: number;
  readonly value: number;
}

export interface LabSeries {
  readonly syntonicOffsetNs: readonly SeriesPoint[];
  readonly syntonicFrequencyPpb: readonly SeriesPoint[];
  readonly syntonicPathDelayNs: readonly SeriesPoint[];
  readonly trueErrorNs: readonly SeriesPoint[];
  /** ptp4l servo reference's true error (V − CLOCK_REALTIME), same instants as trueErrorNs. */
  readonly referenceTrueErrorNs: readonly SeriesPoint[];
  readonly ptp4lOffsetNs: readonly SeriesPoint[];
  readonly ptp4lPathDelayNs: readonly SeriesPoint[];
  /** The provider's errorBoundNs at the same instants as trueErrorNs. */
  readonly errorBoundNs: readonly SeriesPoint[];
  /** The control's true error, same instants (absent without a control). */
  readonly controlTrueErrorNs?: readonly SeriesPoint[];
}

/** The control, a second ptp4l servo slave (StarOptions.control), over the steady window. */
export interface ControlFigures {
  /** Its grandmaster port: the third on the star, the one shared port on macvlans. */
  readonly port: number;
  readonly trueErrorNs: SeriesFigures;
  /** s from start until its first `master offset … s2` line. */
  readonly firstS2S: number | undefined;
  /** Its `path delay`, ns. */
  readonly pathDelayNs: SeriesFigures;
  /** Its true error during the run's deliberate change (LabFigures.changeTrueErrorNs), ns. */
  readonly changeTrueErrorNs?: SeriesFigures;
}

export interface StatusPoint {
  readonly tS: number;
  readonly status: string;
  readonly reason: string;
}

export interface LabFigures {
  /** Syntonic's grandmaster port (1: the grandmaster's first -i); the reference is on the other, or on the same with floodFirst. */
  readonly syntonicPort: PortOrder;
  /** Both slaves on the grandmaster's one port (sharedPortHub.ts): the one the hub served first. */
  readonly floodFirst?: FloodFirst;
  /** What ran on the other port: ptp4l's own servo (pi, linreg) on a virtual clock, or a free-running ptp4l. */
  readonly referenceKind: ReferenceKind | undefined;
  /** The steady window, s from start (as the run record's tS): where the steady-state figures are taken. */
  readonly steadyS: { readonly fromS: number; readonly toS: number };
  /** The servo Syntonic's configuration gave it (SyntonicDaemon.servo): what a replay of its run's Syncs runs. */
  readonly syntonicServo?: ClockDisciplineOptions;
  /** s from start until the provider first reported synchronized (undefined: never). */
  readonly timeToSynchronizedS: number | undefined;
  /** s from start until Syntonic's first `master offset … s2` line. */
  readonly syntonicFirstS2S: number | undefined;
  /** s from start until the reference's first `master offset … s2` line (ptp4l's servo locked). */
  readonly referenceFirstS2S: number | undefined;
  /** Over the steady window: synchronized time − CLOCK_REALTIME, ns. */
  readonly trueErrorNs: SeriesFigures;
  /**
   * The ptp4l servo reference's true error (its virtual CLOCK_REALTIME − CLOCK_REALTIME), sampled at
   * the same instants as trueErrorNs over the same window, ns (undefined: no servo reference).
   */
  readonly referenceTrueErrorNs: SeriesFigures | undefined;
  /** Whole seconds between the provider's timescale and CLOCK_REALTIME, every value seen (expect [0]). */
  readonly wholeSecondsOffsets: readonly number[];
  /**
   * From Syntonic's JSON log, steady window, per Sync: its servo clock's true error at the Sync's
   * ingress (offset + gmTime − ingress: the grandmaster's time is CLOCK_REALTIME) — set beside
   * trueErrorNs, the difference is what the provider's mapping and the client's extrapolation add —
   * and the Sync's one-way latency (ingress − preciseOrigin − correction), ns.
   */
  readonly syntonicServoTrueErrorNs: SeriesFigures;
  readonly syntonicSyncLatencyNs: SeriesFigures;
  /**
   * Every Sync's latency on each slave's link from a capture (all Syncs, also those a servo rejected),
   * steady window, ns; undefined without a capture.
   */
  readonly capturedSyncLatencyNs: { readonly syntonic: SeriesFigures; readonly reference: SeriesFigures } | undefined;
  /**
   * The answer path of each slave's own Pdelay exchanges, by capture (syncCapture.ts), over the steady
   * window, ns; undefined without a capture.
   */
  readonly capturedPdelayPathsNs: { readonly syntonic: PdelayPathFigures; readonly reference: PdelayPathFigures } | undefined;
  /**
   * Each slave's Syncs the grandmaster sent just after its Sync to the other slave (syncCapture.ts,
   * WARM_SEND_NS), over the steady window; undefined without a capture or with both slaves on one port.
   */
  readonly capturedSyncsAfterOtherPort: { readonly syntonic: WarmSyncFigures; readonly reference: WarmSyncFigures } | undefined;
  /** Syntonic's `master offset`, ns, over the steady window: the offsets its servo used. */
  readonly syntonicOffsetNs: SeriesFigures;
  /** The offsets its servo left out (`… not used: …`), ns, same window. */
  readonly syntonicOffsetNotUsedNs: SeriesFigures;
  readonly syntonicPathDelayNs: SeriesFigures;
  /** The ptp4l reference slave's `master offset` and `path delay`, ns, same window (undefined: no reference). */
  readonly ptp4lOffsetNs: SeriesFigures | undefined;
  readonly ptp4lPathDelayNs: SeriesFigures | undefined;
  /**
   * The grandmaster's own peerMeanPathDelay (pmc GET PORT_DATA_SET, once a second) on the link to
   * Syntonic and on the link to the reference slave, ns, same window: ptp4l's measurement of the very
   * link Syntonic measures, from the other end.
   */
  readonly gmPathDelayToSyntonicNs: SeriesFigures;
  readonly gmPathDelayToPtp4lNs: SeriesFigures | undefined;
  /** s from the disruption's start until the provider reported lost (undefined: no disruption or never). */
  readonly lostAfterS: number | undefined;
  /** s from the disruption's end until the provider reported synchronized again. */
  readonly recoveryS: number | undefined;
  /** True error from the disruption's start until synchronized again (holdover), ns. */
  readonly disruptionTrueErrorNs: SeriesFigures | undefined;
  /**
   * The last sample in holdover before the disruption's end: |true error|, the provider's holdover
   * estimate (a typical error) and its error bound, ns (undefined: no disruption or no such sample).
   */
  readonly holdoverEnd?: { readonly trueErrorNs: number; readonly estimateNs: number; readonly errorBoundNs: number };
  /**
   * A deliberate change each stack meets while running: a change of the link inside the steady
   * window that it should ride through (sync-path-step), or a rogue grandmaster it should refuse or
   * may follow (rogue-grandmaster*); from the change's start (once it took effect) to its end: each
   * stack's true error, ns (undefined: no change; reference undefined without a servo reference).
   */
  readonly changeTrueErrorNs?: SeriesFigures;
  readonly changeReferenceTrueErrorNs?: SeriesFigures;
  /** Every probe sample the provider called synchronized, the whole run: |true error| figures, ns. */
  readonly whileSynchronizedNs?: SeriesFigures;
  /** Share of those samples with |true error| ≤ the provider's errorBoundNs at that instant (0…1). */
  readonly errorBoundCoverage?: number;
  /** Median errorBoundNs over those samples, ns. */
  readonly errorBoundMedianNs?: number;
  /** The least errorBoundNs − |true error| over those samples, ns (< 0: the bound missed). */
  readonly errorBoundClosestNs?: number;
  /** Samples while synchronized beyond 10 µs. */
  readonly synchronizedBeyond10us?: number;
  /**
   * Where the run moved the grandmaster's time (ResultInput.grandmasterMove) or ran a grandmaster off
   * CLOCK_REALTIME (ResultInput.grandmasterOffsetsNs), the error bound's figures against the time of
   * the grandmaster the provider followed rather than CLOCK_REALTIME: what a slave that follows a
   * grandmaster promises. CLOCK_REALTIME hides a status that says synchronized while the clock has not
   * yet followed, and charges one that followed a better grandmaster with that grandmaster's offset.
   */
  readonly againstGrandmasterTime?: ReturnType<typeof errorBoundFigures>;
  /**
   * Per edge of that move (its start, its end), s from the edge until the provider's status first said
   * other than synchronized; 0 where it did not say synchronized at the edge. The status as the
   * application saw it, to the ms: the 4 Hz samples show it only where one falls in that time.
   */
  readonly synchronizedAfterMoveEdgesS?: readonly number[];
  /** Times the provider left synchronized after first reaching it, before any disruption (steady state: target 0). */
  readonly leftSynchronized?: number;
  /**
   * Probe samples at which CLOCK_REALTIME, the truth, moved against CLOCK_MONOTONIC_RAW beyond
   * truthWatch.ts's limit, and the largest such move, ns: a run with any says nothing about accuracy.
   */
  readonly truthMoves?: { readonly count: number; readonly largestNs: number };
  /**
   * s from the disruption's end until the true error came within FOLLOWED_NS and stayed there to the
   * end of the run (undefined: no disruption, or it never did): how fast the grandmaster was followed.
   */
  readonly followedAfterS?: number;
  /**
   * The same for ptp4l's servo reference, from its true error (null: it had a servo and the run a
   * disruption, but it never came within FOLLOWED_NS for good; absent: nothing to compare).
   */
  readonly referenceFollowedAfterS?: number | null;
  /** The second ptp4l servo slave (absent without a control). */
  readonly control?: ControlFigures;
}

function truthMoves(disturbances: readonly TruthDisturbance[]): { count: number; largestNs: number } {
  return { count: disturbances.length, largestNs: disturbances.reduce((m, d) => Math.max(m, Math.abs(d.movedNs)), 0) };
}

/** "Followed": |true error| within this of the grandmaster's time, as in issue 14's spike target. */
export const FOLLOWED_NS = 10_000;

/** Transitions out of synchronized after the first synchronized report, up to `untilMs`. */
export function leftSynchronizedCount(statuses: readonly StatusObservation[], untilMs = Infinity): number {
  let left = 0;
  for (let i = 1; i < statuses.length; i++) {
    const prev = statuses[i - 1] as StatusObservation;
    const cur = statuses[i] as StatusObservation;
    if (cur.atMs <= untilMs && prev.status === 'synchronized' && cur.status !== 'synchronized') left++;
  }
  return left;
}

/** ms from `fromMs` until the first sample from which every later sample has |error| ≤ FOLLOWED_NS; undefined if none. */
export function followedAfterMs(samples: readonly { readonly atMs: number; readonly errorNs: number }[], fromMs: number): number | undefined {
  const after = samples.filter((s) => s.atMs >= fromMs);
  let first: number | undefined;
  for (const s of after) {
    if (Math.abs(s.errorNs) > FOLLOWED_NS) first = undefined;
    else first ??= s.atMs;
  }
  return first === undefined ? undefined : first - fromMs;
}

/** Issue 14: no instant beyond this, ns, while the status says synchronized. */
export const SYNCHRONIZED_LIMIT_NS = 10_000;

/** Where holdover ended (the last sample the provider called lost before the disruption's end): true error, estimate, bound. */
export function holdoverEndFigures(samples: readonly TrueErrorSample[], disruption: Window | undefined): Pick<LabFigures, 'holdoverEnd'> {
  if (disruption === undefined) return {};
  const held = samples.filter((s) => s.atMs >= disruption.fromMs && s.atMs <= disruption.toMs && s.status === 'lost' && s.holdoverErrorNs !== undefined);
  const last = held[held.length - 1];
  if (last?.holdoverErrorNs === undefined) return {};
  return { holdoverEnd: { trueErrorNs: Math.abs(last.errorNs), estimateNs: last.holdoverErrorNs, errorBoundNs: last.errorBoundNs } };
}

/** Coverage of the provider's error bound over the samples it called synchronized. */
export function errorBoundFigures(
  samples: readonly TrueErrorSample[],
): Pick<LabFigures, 'whileSynchronizedNs' | 'errorBoundCoverage' | 'errorBoundMedianNs' | 'errorBoundClosestNs' | 'synchronizedBeyond10us'> {
  const synced = samples.filter((s) => s.status === 'synchronized');
  const bound = errorBoundOver(synced.map((s) => ({ absErrorNs: Math.abs(s.errorNs), boundNs: s.errorBoundNs })));
  return {
    whileSynchronizedNs: seriesFigures(synced.map((s) => s.errorNs)),
    errorBoundCoverage: bound.coverage,
    errorBoundMedianNs: bound.medianNs,
    errorBoundClosestNs: bound.closestNs,
    synchronizedBeyond10us: synced.filter((s) => Math.abs(s.errorNs) > SYNCHRONIZED_LIMIT_NS).length,
  };
}

/** The grandmaster's time − CLOCK_REALTIME for a sample, ns: what its error is taken against. */
export type GrandmasterOffset = (sample: TrueErrorSample) => number;

/** errorBoundFigures with each sample's error taken against its grandmaster's time (`offsetOf`). */
export function againstGrandmasterTime(samples: readonly TrueErrorSample[], offsetOf: GrandmasterOffset): ReturnType<typeof errorBoundFigures> {
  return errorBoundFigures(samples.map((s) => ({ ...s, errorNs: s.errorNs - offsetOf(s) })));
}

/**
 * The offset for the run's grandmaster moves and other grandmasters: inside `move`, its offsetNs (the
 * grandmaster's own clock stepped); for a sample whose provider followed a grandmaster in `offsets`
 * (by identity), that grandmaster's offset.
 */
export function grandmasterOffset(move: (Window & { readonly offsetNs: number }) | undefined, offsets?: ReadonlyMap<string, number>): GrandmasterOffset {
  const moved = move === undefined ? () => false : inWindow(move);
  const moveNs = move?.offsetNs ?? 0;
  return (s) => (moved(s) ? moveNs : 0) + (s.grandmaster === null ? 0 : (offsets?.get(s.grandmaster) ?? 0));
}

/** For each of the move's edges, s until the status left synchronized (LabResult.synchronizedAfterMoveEdgesS). */
export function synchronizedAfterEdges(statuses: readonly StatusObservation[], move: Window, endMs: number): number[] {
  return [move.fromMs, move.toMs].map((edgeMs) => {
    const atEdge = statuses.filter((o) => o.atMs <= edgeMs).at(-1);
    if (atEdge?.status !== 'synchronized') return 0;
    const left = statuses.find((o) => o.atMs > edgeMs && o.status !== 'synchronized');
    return ((left?.atMs ?? endMs) - edgeMs) / 1000;
  });
}

/** The path of the grandmaster's answers to a slave's Pdelay_Req (grandmaster → slave). */
export interface PdelayPathFigures {
  readonly responseNs: SeriesFigures;
  /** Slave → grandmaster, from the request's capture to t2 (syncCapture.ts). */
  readonly requestNs: SeriesFigures;
  /** From the slave's previous send to its request (syncCapture.ts), ns. */
  readonly requestAfterOwnSendNs: SeriesFigures;
  /** The share of its requests sent within WARM_SEND_NS of its previous send, 0–1 (NaN without any). */
  readonly warmRequestShare: number;
}

/** A link's Syncs sent just after the grandmaster's Sync on the other slave's port, and the rest. */
export interface WarmSyncFigures {
  /** Their share of the link's Syncs, 0–1 (NaN without any Sync). */
  readonly share: number;
  /** Their latency, ns. */
  readonly latencyNs: SeriesFigures;
  /** The other Syncs' latency, ns. */
  readonly restLatencyNs: SeriesFigures;
}

export interface LabResult {
  readonly name: string;
  readonly description: string;
  /** Set when the scenario could not run here, with the reason; figures are then empty. */
  readonly skipped?: string;
  readonly durationS: number;
  readonly figures: LabFigures;
  readonly series: LabSeries;
  readonly statusTimeline: readonly StatusPoint[];
  /** What happened when, in words (e.g. "12.0 s: grandmaster killed"). */
  readonly events: readonly string[];
  readonly relays: readonly RelayStats[];
  /** Every process's output of the run ("s-since-start stream text"), kept next to the report. */
  readonly logs?: readonly { readonly process: string; readonly lines: readonly string[] }[];
}

/** A window of the run, Date.now() ms. */
export interface Window {
  readonly fromMs: number;
  readonly toMs: number;
}

export interface ResultInput {
  readonly name: string;
  readonly description: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly syntonic: SyntonicDaemon;
  readonly probe: TrueErrorProbe;
  readonly reference: Ptp4l | undefined;
  /** Where the steady-state figures are taken. */
  readonly steady: Window;
  /** The disruption: from its start (e.g. the kill) to its end (e.g. the restart). */
  readonly disruption?: Window;
  /** A deliberate change (LabFigures.changeTrueErrorNs): inside the steady window, or the disruption's part once it took effect. */
  readonly change?: Window;
  /** The grandmaster's time moved by offsetNs (its time = CLOCK_REALTIME + offsetNs) within the window: its stepped clock. */
  readonly grandmasterMove?: Window & { readonly offsetNs: number };
  /** Grandmasters the run keeps off CLOCK_REALTIME (a rogue on a moved clock), by identity: their time − CLOCK_REALTIME, ns. */
  readonly grandmasterOffsetsNs?: ReadonlyMap<string, number>;
  readonly events: readonly string[];
  readonly relays?: readonly RelayStats[];
  readonly grandmasterPathDelays?: readonly GrandmasterPathDelay[];
  /** Default 1. */
  readonly syntonicPort?: PortOrder;
  /** Both slaves on one grandmaster port through the hub: which one it served first. */
  readonly floodFirst?: FloodFirst;
  readonly referenceKind?: ReferenceKind;
  readonly referenceErrors?: readonly ReferenceErrorSample[];
  /** The control: the second ptp4l servo slave, its grandmaster port and its true error at the probe's instants. */
  readonly control?: { readonly ptp4l: Ptp4l; readonly port: number; readonly errors: readonly ReferenceErrorSample[] };
  /** Each Sync's latency on each slave's link (tcpdump), when captured. */
  readonly syncLatencies?: { readonly syntonic: readonly SyncLatencySample[]; readonly reference: readonly SyncLatencySample[] };
  readonly pdelayPaths?: { readonly syntonic: readonly PdelayPathSample[]; readonly reference: readonly PdelayPathSample[] };
}

const inWindow = (w: Window) => (s: { atMs: number }) => s.atMs >= w.fromMs && s.atMs <= w.toMs;

export function collectResult(input: ResultInput): LabResult {
  const t = (ms: number): number => (ms - input.startMs) / 1000;
  const points = (samples: readonly OffsetSample[], pick: (s: OffsetSample) => number): SeriesPoint[] =>
    samples.map((s) => ({ tS: t(s.atMs), value: pick(s) }));
  const steady = inWindow(input.steady);
  const ref = input.reference?.samples ?? [];
  const statuses = input.probe.statuses;
  const gmDelays = (input.grandmasterPathDelays ?? []).filter(steady);
  const firstAfter = (status: string, ms: number): StatusObservation | undefined => statuses.find((o) => o.atMs >= ms && o.status === status);
  const firstSynchronized = firstAfter('synchronized', input.startMs);
  const syntonicPort = input.syntonicPort ?? 1;
  const referencePort = input.floodFirst !== undefined ? syntonicPort : syntonicPort === 1 ? 2 : 1;
  const firstS2 = (samples: readonly OffsetSample[]): number | undefined => {
    const s = samples.find((o) => o.servoState === 's2');
    return s === undefined ? undefined : t(s.atMs);
  };
  const withStamps = input.syntonic.offsets
    .filter(steady)
    .filter((s): s is OffsetSample & { ingressNs: bigint; gmTimeNs: bigint } => s.ingressNs !== undefined && s.gmTimeNs !== undefined);
  // Capture times are CLOCK_REALTIME, which Date.now() reads (to the ms).
  const inRealtimeWindow = (ns: bigint): boolean => Number(ns / 1_000_000n) >= input.steady.fromMs && Number(ns / 1_000_000n) <= input.steady.toMs;
  // Each link's captured Syncs in the steady window, once: their latency and which left warm both read them.
  const steadySyncs =
    input.syncLatencies === undefined
      ? undefined
      : {
          syntonic: input.syncLatencies.syntonic.filter((x) => inRealtimeWindow(x.rxNs)),
          reference: input.syncLatencies.reference.filter((x) => inRealtimeWindow(x.rxNs)),
        };
  const servoReference = input.referenceKind !== undefined && input.referenceKind !== 'free-running';
  const lost = input.disruption === undefined ? undefined : firstAfter('lost', input.disruption.fromMs);
  const back = input.disruption === undefined ? undefined : firstAfter('synchronized', input.disruption.toMs);
  const followedMs = input.disruption === undefined ? undefined : followedAfterMs(input.probe.samples, input.disruption.toMs);
  const referenceFollowedMs =
    input.disruption === undefined || !servoReference ? undefined : (followedAfterMs(input.referenceErrors ?? [], input.disruption.toMs) ?? null);
  return {
    name: input.name,
    description: input.description,
    durationS: t(input.endMs),
    figures: {
      syntonicPort,
      ...(input.floodFirst === undefined ? {} : { floodFirst: input.floodFirst }),
      referenceKind: input.reference === undefined ? undefined : input.referenceKind,
      steadyS: { fromS: t(input.steady.fromMs), toS: t(input.steady.toMs) },
      syntonicServo: input.syntonic.servo(),
      timeToSynchronizedS: firstSynchronized === undefined ? undefined : t(firstSynchronized.atMs),
      syntonicFirstS2S: firstS2(input.syntonic.offsets),
      referenceFirstS2S: input.reference === undefined || !servoReference ? undefined : firstS2(ref),
      trueErrorNs: seriesFigures(input.probe.samples.filter(steady).map((s) => s.errorNs)),
      referenceTrueErrorNs: servoReference ? seriesFigures((input.referenceErrors ?? []).filter(steady).map((s) => s.errorNs)) : undefined,
      wholeSecondsOffsets: [...new Set(input.probe.samples.map((s) => s.wholeSeconds))],
      syntonicServoTrueErrorNs: seriesFigures(withStamps.map((s) => s.offsetNs + Number(s.gmTimeNs - s.ingressNs))),
      syntonicSyncLatencyNs: seriesFigures(withStamps.map((s) => Number(s.ingressNs - s.gmTimeNs) + s.pathDelayNs)),
      capturedSyncLatencyNs:
        steadySyncs === undefined
          ? undefined
          : {
              syntonic: seriesFigures(steadySyncs.syntonic.map((x) => x.latencyNs)),
              reference: seriesFigures(steadySyncs.reference.map((x) => x.latencyNs)),
            },
      capturedPdelayPathsNs:
        input.pdelayPaths === undefined
          ? undefined
          : {
              syntonic: pathFigures(input.pdelayPaths.syntonic.filter((x) => inRealtimeWindow(x.rxNs))),
              reference: pathFigures(input.pdelayPaths.reference.filter((x) => inRealtimeWindow(x.rxNs))),
            },
      capturedSyncsAfterOtherPort:
        steadySyncs === undefined || input.floodFirst !== undefined ? undefined : warmSyncsByLink(steadySyncs.syntonic, steadySyncs.reference),
      syntonicOffsetNs: seriesFigures(input.syntonic.offsets.filter(steady).map((s) => s.offsetNs)),
      syntonicOffsetNotUsedNs: seriesFigures(input.syntonic.offsetsNotUsed.filter(steady).map((s) => s.offsetNs)),
      syntonicPathDelayNs: seriesFigures(input.syntonic.offsets.filter(steady).map((s) => s.pathDelayNs)),
      ptp4lOffsetNs: input.reference === undefined ? undefined : seriesFigures(ref.filter(steady).map((s) => s.offsetNs)),
      ptp4lPathDelayNs: input.reference === undefined ? undefined : seriesFigures(ref.filter(steady).map((s) => s.pathDelayNs)),
      // On a shared port the grandmaster hears only the reference's Pdelay answers: it never measures Syntonic's link.
      gmPathDelayToSyntonicNs: seriesFigures(gmDelays.filter((d) => input.floodFirst === undefined && d.portNumber === syntonicPort).map((d) => d.ns)),
      gmPathDelayToPtp4lNs: input.reference === undefined ? undefined : seriesFigures(gmDelays.filter((d) => d.portNumber === referencePort).map((d) => d.ns)),
      lostAfterS: lost === undefined || input.disruption === undefined ? undefined : (lost.atMs - input.disruption.fromMs) / 1000,
      recoveryS: back === undefined || input.disruption === undefined ? undefined : (back.atMs - input.disruption.toMs) / 1000,
      disruptionTrueErrorNs:
        input.disruption === undefined
          ? undefined
          : seriesFigures(input.probe.samples.filter(inWindow({ fromMs: input.disruption.fromMs, toMs: back?.atMs ?? input.endMs })).map((s) => s.errorNs)),
      ...holdoverEndFigures(input.probe.samples, input.disruption),
      ...(input.change === undefined ? {} : changeFigures(input.change, input.probe.samples, servoReference ? (input.referenceErrors ?? []) : undefined)),
      ...errorBoundFigures(input.probe.samples),
      ...(input.grandmasterMove === undefined && input.grandmasterOffsetsNs === undefined
        ? {}
        : { againstGrandmasterTime: againstGrandmasterTime(input.probe.samples, grandmasterOffset(input.grandmasterMove, input.grandmasterOffsetsNs)) }),
      ...(input.grandmasterMove === undefined ? {} : { synchronizedAfterMoveEdgesS: synchronizedAfterEdges(statuses, input.grandmasterMove, input.endMs) }),
      leftSynchronized: leftSynchronizedCount(statuses, input.disruption?.fromMs),
      truthMoves: truthMoves(input.probe.truth.disturbances),
      ...(followedMs === undefined ? {} : { followedAfterS: followedMs / 1000 }),
      ...(referenceFollowedMs === undefined ? {} : { referenceFollowedAfterS: referenceFollowedMs === null ? null : referenceFollowedMs / 1000 }),
      ...(input.control === undefined
        ? {}
        : {
            control: {
              port: input.control.port,
              trueErrorNs: seriesFigures(input.control.errors.filter(steady).map((s) => s.errorNs)),
              firstS2S: firstS2(input.control.ptp4l.samples),
              pathDelayNs: seriesFigures(input.control.ptp4l.samples.filter(steady).map((s) => s.pathDelayNs)),
              ...(input.change === undefined
                ? {}
                : { changeTrueErrorNs: seriesFigures(input.control.errors.filter(inWindow(input.change)).map((s) => s.errorNs)) }),
            },
          }),
    },
    series: {
      syntonicOffsetNs: points(input.syntonic.offsets, (s) => s.offsetNs),
      syntonicFrequencyPpb: points(input.syntonic.offsets, (s) => s.frequencyPpb),
      syntonicPathDelayNs: points(input.syntonic.offsets, (s) => s.pathDelayNs),
      trueErrorNs: input.probe.samples.map((s) => ({ tS: t(s.atMs), value: s.errorNs })),
      referenceTrueErrorNs: (input.referenceErrors ?? []).map((s) => ({ tS: t(s.atMs), value: s.errorNs })),
      ptp4lOffsetNs: points(ref, (s) => s.offsetNs),
      ptp4lPathDelayNs: points(ref, (s) => s.pathDelayNs),
      errorBoundNs: input.probe.samples.map((s) => ({ tS: t(s.atMs), value: s.errorBoundNs })),
      ...(input.control === undefined ? {} : { controlTrueErrorNs: input.control.errors.map((s) => ({ tS: t(s.atMs), value: s.errorNs })) }),
    },
    statusTimeline: statuses.map((o) => ({ tS: t(o.atMs), status: o.status, reason: o.reason })),
    events: input.events,
    relays: input.relays ?? [],
  };
}

const EMPTY: SeriesFigures = seriesFigures([]);

function changeFigures(
  change: Window,
  samples: readonly { atMs: number; errorNs: number }[],
  reference: readonly { atMs: number; errorNs: number }[] | undefined,
): Pick<LabFigures, 'changeTrueErrorNs' | 'changeReferenceTrueErrorNs'> {
  const during = (xs: readonly { atMs: number; errorNs: number }[]): SeriesFigures => seriesFigures(xs.filter(inWindow(change)).map((x) => x.errorNs));
  return { changeTrueErrorNs: during(samples), ...(reference === undefined ? {} : { changeReferenceTrueErrorNs: during(reference) }) };
}

function warmSyncsByLink(
  syntonic: readonly SyncLatencySample[],
  reference: readonly SyncLatencySample[],
): { readonly syntonic: WarmSyncFigures; readonly reference: WarmSyncFigures } {
  const figures = (own: readonly SyncLatencySample[], other: readonly SyncLatencySample[]): WarmSyncFigures => {
    const { after, rest } = syncsAfterOtherPort(own, other);
    return {
      share: after.length / own.length,
      latencyNs: seriesFigures(after.map((x) => x.latencyNs)),
      restLatencyNs: seriesFigures(rest.map((x) => x.latencyNs)),
    };
  };
  return { syntonic: figures(syntonic, reference), reference: figures(reference, syntonic) };
}

function pathFigures(samples: readonly PdelayPathSample[]): PdelayPathFigures {
  const gaps = samples.map((x) => x.afterOwnSendNs).filter((x): x is number => x !== undefined);
  return {
    responseNs: seriesFigures(samples.map((x) => x.responseNs)),
    requestNs: seriesFigures(samples.map((x) => x.requestNs)),
    requestAfterOwnSendNs: seriesFigures(gaps),
    warmRequestShare: gaps.length === 0 ? NaN : gaps.filter((g) => g < WARM_SEND_NS).length / gaps.length,
  };
}

/** The result of a scenario that cannot run on this machine (or build of Syntonic). */
export function skippedResult(name: string, description: string, reason: string): LabResult {
  return {
    name,
    description,
    skipped: reason,
    durationS: 0,
    figures: {
      syntonicPort: 1,
      referenceKind: undefined,
      steadyS: { fromS: 0, toS: 0 },
      timeToSynchronizedS: undefined,
      syntonicFirstS2S: undefined,
      referenceFirstS2S: undefined,
      trueErrorNs: EMPTY,
      referenceTrueErrorNs: undefined,
      syntonicServoTrueErrorNs: EMPTY,
      syntonicSyncLatencyNs: EMPTY,
      capturedSyncLatencyNs: undefined,
      capturedPdelayPathsNs: undefined,
      capturedSyncsAfterOtherPort: undefined,
      wholeSecondsOffsets: [],
      syntonicOffsetNs: EMPTY,
      syntonicOffsetNotUsedNs: EMPTY,
      syntonicPathDelayNs: EMPTY,
      ptp4lOffsetNs: undefined,
      ptp4lPathDelayNs: undefined,
      gmPathDelayToSyntonicNs: EMPTY,
      gmPathDelayToPtp4lNs: undefined,
      lostAfterS: undefined,
      recoveryS: undefined,
      disruptionTrueErrorNs: undefined,
    },
    series: {
      syntonicOffsetNs: [],
      syntonicFrequencyPpb: [],
      syntonicPathDelayNs: [],
      trueErrorNs: [],
      referenceTrueErrorNs: [],
      ptp4lOffsetNs: [],
      ptp4lPathDelayNs: [],
      errorBoundNs: [],
    },
    statusTimeline: [],
    events: [],
    relays: [],
  };
}
