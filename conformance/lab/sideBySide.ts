/**
 * The lab's side-by-side figures: Syntonic's and ptp4l's own servo's true error from the same run
 * and window, per grandmaster port order, and their ranges over several runs. One place that names
 * them, so `npm run conformance` and the README tables read the same figures.
 */
import type { LabResult } from './labResult.js';
import { meanDifference, meanInterval, type SeriesFigures } from './stats.js';

/** One stack's figures in one run: true error over the window, and when it locked. */
export interface StackFigures {
  readonly mean: number;
  readonly std: number;
  readonly rms: number;
  readonly p99: number;
  readonly max: number;
  /** s from start: synchronized (Syntonic's provider) — undefined for ptp4l, which has no such status. */
  readonly timeToSynchronized: number | undefined;
  /** s from start until the first `master offset … s2`. */
  readonly firstS2: number | undefined;
  /** Mean link delay the stack measured on its own link over the window, ns. */
  readonly pathDelay?: number;
  /** How much that link delay wandered over the window (std of the value each Sync used), ns: every ns of it reaches the clock. */
  readonly pathDelayStd?: number;
  /** Mean one-way latency of every Sync on its link (capture), ns. */
  readonly syncLatency?: number;
  /** Syntonic only, from its log: mean latency of the Syncs its servo used, ns. */
  readonly usedSyncLatency?: number;
  /** Syntonic only, from its log: mean `master offset` over the window, ns. */
  readonly offsetMean?: number;
}

/**
 * What the stack itself added to its mean true error: the mean minus what the link alone gives a
 * perfect slave, pathDelay − syncLatency (a Sync that took longer than the measured link delay makes
 * any slave late by the difference). Undefined without a capture.
 */
export function ownError(x: StackFigures): number | undefined {
  return x.pathDelay === undefined || x.syncLatency === undefined ? undefined : x.mean - (x.pathDelay - x.syncLatency);
}

/** The own part split into what was measured of it (Syntonic: its log names the Syncs it used). */
export interface OwnErrorParts {
  /** The Syncs its gate left out were late: the ones it used were this much faster than all, ns. */
  readonly fromSyncsLeftOut: number;
  /** Its servo's mean offset over the window, ns. */
  readonly fromMeanOffset: number;
  /** What remains: the provider's mapping, the client's extrapolation, every clock conversion, ns. */
  readonly rest: number;
}

/**
 * The same part read from Syntonic's log alone (its `… not used: …` lines), where no capture runs:
 * the mean of every offset minus the mean of those its servo used, ns. An offset is the Sync's
 * latency less the link delay and the clock's error, so over one window this is the capture's
 * fromSyncsLeftOut up to the clock's wander between the two sets of Syncs.
 */
export function notUsedMeanShift(used: SeriesFigures, notUsed: SeriesFigures): number {
  if (notUsed.count === 0) return 0;
  return (notUsed.count * (notUsed.mean - used.mean)) / (used.count + notUsed.count);
}

/**
 * The servo clock's error at a Sync is offset + pathDelay − latency of that Sync (the offset is
 * measured against origin + latency, the clock corrected by pathDelay), so over the Syncs used its
 * mean is offsetMean + pathDelay − usedSyncLatency exactly; the own part's other terms are what the
 * capture's Syncs add (those left out) and what lies between the servo clock and the application's
 * reading (`rest`).
 */
export function ownErrorParts(x: StackFigures): OwnErrorParts | undefined {
  const own = ownError(x);
  if (own === undefined || x.syncLatency === undefined || x.usedSyncLatency === undefined || x.offsetMean === undefined) return undefined;
  const fromSyncsLeftOut = x.syncLatency - x.usedSyncLatency;
  return { fromSyncsLeftOut, fromMeanOffset: x.offsetMean, rest: own - fromSyncsLeftOut - x.offsetMean };
}

export interface SideBySide {
  readonly syntonic: StackFigures;
  /** ptp4l's own servo on the other port (undefined without a servo reference). */
  readonly ptp4l: StackFigures | undefined;
  /** A second ptp4l servo slave in the same run, and its grandmaster port (StarOptions.control). */
  readonly control?: StackFigures & { readonly port: number };
}

function stack(
  f: SeriesFigures,
  timeToSynchronized: number | undefined,
  firstS2: number | undefined,
  pathDelay: SeriesFigures | undefined,
  syncLatency: SeriesFigures | undefined,
  fromLog?: { readonly usedSyncLatency: SeriesFigures; readonly offset: SeriesFigures },
): StackFigures {
  const usable = (x: SeriesFigures | undefined): x is SeriesFigures => x !== undefined && x.count > 0;
  return {
    mean: f.mean,
    std: f.std,
    rms: f.rms,
    p99: f.p99Abs,
    max: f.maxAbs,
    timeToSynchronized,
    firstS2,
    ...(usable(pathDelay) ? { pathDelay: pathDelay.mean, pathDelayStd: pathDelay.std } : {}),
    ...(usable(syncLatency) ? { syncLatency: syncLatency.mean } : {}),
    ...(fromLog !== undefined && usable(fromLog.usedSyncLatency) && usable(fromLog.offset)
      ? { usedSyncLatency: fromLog.usedSyncLatency.mean, offsetMean: fromLog.offset.mean }
      : {}),
  };
}

export function sideBySide(r: LabResult): SideBySide {
  const f = r.figures;
  const syntonic = stack(f.trueErrorNs, f.timeToSynchronizedS, f.syntonicFirstS2S, f.syntonicPathDelayNs, f.capturedSyncLatencyNs?.syntonic, {
    usedSyncLatency: f.syntonicSyncLatencyNs,
    offset: f.syntonicOffsetNs,
  });
  const ptp4l =
    f.referenceTrueErrorNs === undefined
      ? undefined
      : stack(f.referenceTrueErrorNs, undefined, f.referenceFirstS2S, f.ptp4lPathDelayNs, f.capturedSyncLatencyNs?.reference);
  const c = f.control;
  // On macvlans every slave reads the one RX stamp of each Sync: the reference's capture is the control's.
  const controlSyncLatency = f.floodFirst === undefined ? undefined : f.capturedSyncLatencyNs?.reference;
  const control = c === undefined ? undefined : { ...stack(c.trueErrorNs, undefined, c.firstS2S, c.pathDelayNs, controlSyncLatency), port: c.port };
  return { syntonic, ptp4l, ...(control === undefined ? {} : { control }) };
}

export interface FigureLine {
  readonly name: string;
  readonly value: number | undefined;
  readonly unit: string;
}

/** A figure as `npm run conformance` prints it: `name: value unit`, six significant digits, `n/a` for no number. */
export function figureText({ name, value, unit }: FigureLine): string {
  return `${name}: ${value === undefined || !Number.isFinite(value) ? 'n/a' : Number(value.toPrecision(6))} ${unit}`;
}

/**
 * `name: value unit` lines of one run, each stack named by the grandmaster port it was on:
 * `<prefix>.port<P>.syntonic.trueError.mean`, `<prefix>.port<Q>.ptp4l.trueError.mean`, … (prefix e.g.
 * `lab.steady-state`). Syntonic's port is the run's order; ptp4l's servo had the other; the control
 * (`….control.…`) its own. Each stack's std against the reference's in the same run
 * (`order<o>.syntonicMinusPtp4l.trueError.std`, and the control's as `controlMinusPtp4l`): issue 14's
 * "std ≤ ptp4l's", asked of Syntonic and of a second ptp4l alike.
 */
export function sideBySideLines(prefix: string, syntonicPort: 1 | 2, s: SideBySide, sharedPort?: { readonly order: 1 | 2 }): FigureLine[] {
  const lines: FigureLine[] = [];
  const add = (who: string, port: number, x: StackFigures): void => {
    for (const k of ['mean', 'std', 'rms', 'p99', 'max'] as const) lines.push({ name: `${prefix}.port${port}.${who}.trueError.${k}`, value: x[k], unit: 'ns' });
    if (who === 'syntonic') lines.push({ name: `${prefix}.port${port}.${who}.timeToSynchronized`, value: x.timeToSynchronized, unit: 's' });
    lines.push({ name: `${prefix}.port${port}.${who}.firstS2`, value: x.firstS2, unit: 's' });
    if (x.pathDelayStd !== undefined) lines.push({ name: `${prefix}.port${port}.${who}.pathDelay.std`, value: x.pathDelayStd, unit: 'ns' });
    if (x.pathDelay !== undefined) lines.push({ name: `${prefix}.port${port}.${who}.pathDelay.mean`, value: x.pathDelay, unit: 'ns' });
    if (x.pathDelay !== undefined && x.syncLatency !== undefined) {
      lines.push({ name: `${prefix}.port${port}.${who}.syncLatency.mean`, value: x.syncLatency, unit: 'ns' });
      lines.push({ name: `${prefix}.port${port}.${who}.ownError.mean`, value: ownError(x), unit: 'ns' });
    }
    const parts = ownErrorParts(x);
    if (parts !== undefined) {
      for (const k of ['fromSyncsLeftOut', 'fromMeanOffset', 'rest'] as const)
        lines.push({ name: `${prefix}.port${port}.${who}.ownError.${k}`, value: parts[k], unit: 'ns' });
    }
  };
  add('syntonic', syntonicPort, s.syntonic);
  if (s.ptp4l !== undefined) add('ptp4l', sharedPort === undefined ? (syntonicPort === 1 ? 2 : 1) : syntonicPort, s.ptp4l);
  if (s.control !== undefined) add('control', s.control.port, s.control);
  const order = sharedPort?.order ?? syntonicPort;
  const compared = (who: 'syntonic' | 'control', x: StackFigures, ptp4l: StackFigures): void => {
    const difference = (name: string, value: number | undefined): void => {
      if (value !== undefined) lines.push({ name: `${prefix}.order${order}.${who}MinusPtp4l.${name}`, value, unit: 'ns' });
    };
    difference('trueError.std', x.std - ptp4l.std);
    if (sharedPort !== undefined) {
      // Same port, same run, the same Syncs: the difference itself, and the hub's flood skew between them.
      difference('trueError.mean', x.mean - ptp4l.mean);
      if (x.syncLatency !== undefined && ptp4l.syncLatency !== undefined) difference('syncLatency.mean', x.syncLatency - ptp4l.syncLatency);
    }
    const own = ownError(x);
    const ownPtp4l = ownError(ptp4l);
    // Same run, each on its own link: the part of the error each stack added, compared.
    if (own !== undefined && ownPtp4l !== undefined) difference('ownError.mean', own - ownPtp4l);
  };
  if (s.ptp4l !== undefined) {
    compared('syntonic', s.syntonic, s.ptp4l);
    if (s.control !== undefined) compared('control', s.control, s.ptp4l);
  }
  return lines;
}

/** issue 14's same-port target: |mean − the reference's mean| on one port, ns. */
export const SAME_PORT_MEAN_TARGET_NS = 200;

/**
 * Over several runs, how often each stack met issue 14's two run-by-run targets against the
 * reference in the same run: its std at most the reference's (`<prefix>.<who>.stdAtMostPtp4l`, %) and,
 * where both shared a port, its mean within SAME_PORT_MEAN_TARGET_NS of the reference's
 * (`<prefix>.<who>.meanWithin200nsOfPtp4l`, %), each with the runs it counts (`….runs`). Asked of the
 * control too, the same figures say how often one copy of ptp4l's servo meets them against another.
 */
export function targetShares(prefix: string, lines: readonly FigureLine[]): FigureLine[] {
  const out: FigureLine[] = [];
  for (const who of ['syntonic', 'control'] as const) {
    const valuesOf = (figure: string): number[] => {
      const names = new Set([1, 2].map((o) => `${prefix}.order${o}.${who}MinusPtp4l.${figure}`));
      return lines.flatMap((l) => (names.has(l.name) && l.value !== undefined && Number.isFinite(l.value) ? [l.value] : []));
    };
    const share = (name: string, values: readonly number[], met: (v: number) => boolean): void => {
      if (values.length === 0) return;
      out.push(
        { name: `${prefix}.${who}.${name}`, value: (100 * values.filter(met).length) / values.length, unit: '%' },
        { name: `${prefix}.${who}.${name}.runs`, value: values.length, unit: 'runs' },
      );
    };
    share('stdAtMostPtp4l', valuesOf('trueError.std'), (v) => v <= 0);
    share(`meanWithin${SAME_PORT_MEAN_TARGET_NS}nsOfPtp4l`, valuesOf('trueError.mean'), (v) => Math.abs(v) <= SAME_PORT_MEAN_TARGET_NS);
  }
  return out;
}

/**
 * Over several runs, the same-run differences (`order<o>.syntonicMinusPtp4l.<figure>` of each run, and
 * the control's `order<o>.controlMinusPtp4l.<figure>`):
 * their mean and 95 % interval per order and over both (`<prefix>.paired[.order<o>].{syntonic,control}MinusPtp4l.<figure>`,
 * `….ci95HalfWidth`). On a shared port the orders swap which stack the hub serves first, so the mean
 * over both takes the flood skew out.
 */
export function pairedDifferences(prefix: string, lines: readonly FigureLine[]): FigureLine[] {
  const byFigure = new Map<string, { order: string; value: number }[]>();
  for (const l of lines) {
    if (!l.name.startsWith(`${prefix}.order`) || l.value === undefined || !Number.isFinite(l.value)) continue;
    const m = /^order([12])\.((?:syntonic|control)MinusPtp4l\..+)$/.exec(l.name.slice(prefix.length + 1));
    if (m?.[1] === undefined || m[2] === undefined) continue;
    const values = byFigure.get(m[2]) ?? [];
    values.push({ order: m[1], value: l.value });
    byFigure.set(m[2], values);
  }
  const out: FigureLine[] = [];
  for (const [figure, values] of byFigure) {
    for (const scope of ['1', '2', 'both']) {
      const picked = values.filter((v) => scope === 'both' || v.order === scope).map((v) => v.value);
      const interval = meanInterval(picked);
      if (interval === undefined) continue;
      const name = `${prefix}.paired${scope === 'both' ? '' : `.order${scope}`}.${figure}`;
      out.push({ name, value: interval.mean, unit: 'ns' }, { name: `${name}.ci95HalfWidth`, value: interval.halfWidth95, unit: 'ns' });
    }
  }
  return out;
}

/** Over several runs: every figure's `<name>.min` and `<name>.max` (finite values only; n/a when none), in first-seen order. */
export function rangeLines(lines: readonly FigureLine[]): FigureLine[] {
  const byName = new Map<string, { unit: string; values: number[] }>();
  for (const l of lines) {
    const entry = byName.get(l.name) ?? { unit: l.unit, values: [] };
    if (l.value !== undefined && Number.isFinite(l.value)) entry.values.push(l.value);
    byName.set(l.name, entry);
  }
  return [...byName].flatMap(([name, { unit, values }]) => [
    { name: `${name}.min`, value: values.length === 0 ? undefined : Math.min(...values), unit },
    { name: `${name}.max`, value: values.length === 0 ? undefined : Math.max(...values), unit },
  ]);
}

/**
 * The bias check on each port: Syntonic's mean true error on port P (over the runs it had P) minus
 * ptp4l's servo's on the same port P (over the runs it had P), ns — issue 14's target is |·| ≤ 200 ns —
 * with the half-width of its 95 % interval (`….ci95HalfWidth`, Welch's t over the runs): the runs of
 * one port differ by the link's own wander, so the difference is only as sharp as that width. The
 * same for the stacks' own parts (`….ownError.mean`, true error − (link delay − Sync latency)), which
 * take each run's link out and so compare the stacks more sharply where a capture was kept.
 */
export function samePortDifferences(prefix: string, lines: readonly FigureLine[]): FigureLine[] {
  const valuesOf = (name: string): number[] =>
    lines.filter((l) => l.name === name && l.value !== undefined && Number.isFinite(l.value)).map((l) => l.value as number);
  const compare = (port: number, figure: string, name: string): FigureLine[] => {
    const syn = valuesOf(`${prefix}.port${port}.syntonic.${figure}`);
    const ref = valuesOf(`${prefix}.port${port}.ptp4l.${figure}`);
    if (syn.length === 0 || ref.length === 0) return [];
    const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    const out: FigureLine[] = [{ name: `${prefix}.port${port}.syntonicMinusPtp4l.${name}`, value: mean(syn) - mean(ref), unit: 'ns' }];
    const d = meanDifference(syn, ref);
    if (d !== undefined) out.push({ name: `${prefix}.port${port}.syntonicMinusPtp4l.${name}.ci95HalfWidth`, value: d.halfWidth95, unit: 'ns' });
    return out;
  };
  return [1, 2].flatMap((port) => [...compare(port, 'trueError.mean', 'mean'), ...compare(port, 'ownError.mean', 'ownError.mean')]);
}
