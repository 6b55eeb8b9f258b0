/**
 * What one lab scenario measured: time series (seconds since the processes started) and the figures
 * the conformance report prints. Syntonic's own view (its `master offset` lines), the truth (the
 * provider's time minus CLOCK_REALTIME), and ptp4l's free-running slave on a second port of the same
 * grandmaster as a reference from the same run.
 */
import type { RelayStats } from '../relay/relay.js';
import type { GrandmasterPathDelay } from './starLab.js';
import type { OffsetSample } from './logLines.js';
import type { Ptp4l } from './ptp4l.js';
import { seriesFigures, type SeriesFigures } from './stats.js';
import type { SyntonicDaemon } from './syntonicDaemon.js';
import type { StatusObservation, TrueErrorProbe } from './trueErrorProbe.js';

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
  readonly ptp4lOffsetNs: readonly SeriesPoint[];
  readonly ptp4lPathDelayNs: readonly SeriesPoint[];
}

export interface StatusPoint {
  readonly tS: number;
  readonly status: string;
  readonly reason: string;
}

export interface LabFigures {
  /** s from start until the provider first reported synchronized (undefined: never). */
  readonly timeToSynchronizedS: number | undefined;
  /** Over the steady window: synchronized time − CLOCK_REALTIME, ns. */
  readonly trueErrorNs: SeriesFigures;
  /** Whole seconds between the provider's timescale and CLOCK_REALTIME, every value seen (expect [0]). */
  readonly wholeSecondsOffsets: readonly number[];
  /** Syntonic's `master offset`, ns, over the steady window. */
  readonly syntonicOffsetNs: SeriesFigures;
  readonly syntonicPathDelayNs: SeriesFigures;
  /** ptp4l free-running slave's `master offset` and `path delay`, ns, same window (undefined: no reference). */
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
  readonly events: readonly string[];
  readonly relays?: readonly RelayStats[];
  readonly grandmasterPathDelays?: readonly GrandmasterPathDelay[];
}

const inWindow = (w: Window) => (s: { atMs: number }) => s.atMs >= w.fromMs && s.atMs <= w.toMs;

export function collectResult(input: ResultInput): LabResult {
  const t = (ms: number): number => (ms - input.startMs) / 1000;
  const points = (samples: readonly OffsetSample[], pick: (s: OffsetSample) => number): SeriesPoint[] => samples.map((s) => ({ tS: t(s.atMs), value: pick(s) }));
  const steady = inWindow(input.steady);
  const ref = input.reference?.samples ?? [];
  const statuses = input.probe.statuses;
  const gmDelays = (input.grandmasterPathDelays ?? []).filter(steady);
  const firstAfter = (status: string, ms: number): StatusObservation | undefined => statuses.find((o) => o.atMs >= ms && o.status === status);
  const firstSynchronized = firstAfter('synchronized', input.startMs);
  const lost = input.disruption === undefined ? undefined : firstAfter('lost', input.disruption.fromMs);
  const back = input.disruption === undefined ? undefined : firstAfter('synchronized', input.disruption.toMs);
  return {
    name: input.name,
    description: input.description,
    durationS: t(input.endMs),
    figures: {
      timeToSynchronizedS: firstSynchronized === undefined ? undefined : t(firstSynchronized.atMs),
      trueErrorNs: seriesFigures(input.probe.samples.filter(steady).map((s) => s.errorNs)),
      wholeSecondsOffsets: [...new Set(input.probe.samples.map((s) => s.wholeSeconds))],
      syntonicOffsetNs: seriesFigures(input.syntonic.offsets.filter(steady).map((s) => s.offsetNs)),
      syntonicPathDelayNs: seriesFigures(input.syntonic.offsets.filter(steady).map((s) => s.pathDelayNs)),
      ptp4lOffsetNs: input.reference === undefined ? undefined : seriesFigures(ref.filter(steady).map((s) => s.offsetNs)),
      ptp4lPathDelayNs: input.reference === undefined ? undefined : seriesFigures(ref.filter(steady).map((s) => s.pathDelayNs)),
      gmPathDelayToSyntonicNs: seriesFigures(gmDelays.filter((d) => d.portNumber === 1).map((d) => d.ns)),
      gmPathDelayToPtp4lNs: input.reference === undefined ? undefined : seriesFigures(gmDelays.filter((d) => d.portNumber === 2).map((d) => d.ns)),
      lostAfterS: lost === undefined || input.disruption === undefined ? undefined : (lost.atMs - input.disruption.fromMs) / 1000,
      recoveryS: back === undefined || input.disruption === undefined ? undefined : (back.atMs - input.disruption.toMs) / 1000,
      disruptionTrueErrorNs:
        input.disruption === undefined
          ? undefined
          : seriesFigures(input.probe.samples.filter(inWindow({ fromMs: input.disruption.fromMs, toMs: back?.atMs ?? input.endMs })).map((s) => s.errorNs)),
    },
    series: {
      syntonicOffsetNs: points(input.syntonic.offsets, (s) => s.offsetNs),
      syntonicFrequencyPpb: points(input.syntonic.offsets, (s) => s.frequencyPpb),
      syntonicPathDelayNs: points(input.syntonic.offsets, (s) => s.pathDelayNs),
      trueErrorNs: input.probe.samples.map((s) => ({ tS: t(s.atMs), value: s.errorNs })),
      ptp4lOffsetNs: points(ref, (s) => s.offsetNs),
      ptp4lPathDelayNs: points(ref, (s) => s.pathDelayNs),
    },
    statusTimeline: statuses.map((o) => ({ tS: t(o.atMs), status: o.status, reason: o.reason })),
    events: input.events,
    relays: input.relays ?? [],
  };
}

const EMPTY: SeriesFigures = seriesFigures([]);

/** The result of a scenario that cannot run on this machine (or build of Syntonic). */
export function skippedResult(name: string, description: string, reason: string): LabResult {
  return {
    name,
    description,
    skipped: reason,
    durationS: 0,
    figures: {
      timeToSynchronizedS: undefined,
      trueErrorNs: EMPTY,
      wholeSecondsOffsets: [],
      syntonicOffsetNs: EMPTY,
      syntonicPathDelayNs: EMPTY,
      ptp4lOffsetNs: undefined,
      ptp4lPathDelayNs: undefined,
      gmPathDelayToSyntonicNs: EMPTY,
      gmPathDelayToPtp4lNs: undefined,
      lostAfterS: undefined,
      recoveryS: undefined,
      disruptionTrueErrorNs: undefined,
    },
    series: { syntonicOffsetNs: [], syntonicFrequencyPpb: [], syntonicPathDelayNs: [], trueErrorNs: [], ptp4lOffsetNs: [], ptp4lPathDelayNs: [] },
    statusTimeline: [],
    events: [],
    relays: [],
  };
}
