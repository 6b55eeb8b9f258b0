/**
 * Issue 14's "std ≤ ptp4l's servo's" asked on the very same Syncs. In a lab run Syntonic and ptp4l's
 * servo each sit on their own grandmaster port, and a port's Syncs wander in their own way (the warm
 * Syncs, each slave's cold or warm Pdelay_Req: docs/accuracy.md), so one run's two stds are two links
 * as much as two servos. Each stack's record (its `master offset` per Sync and its true error) is that
 * link's noise (labNoiseRecord.ts), which the replay (labNoise.ts) feeds to the other servo:
 *
 * - on ptp4l's Syncs, Syntonic's servo beside ptp4l's measured std: without a rate ratio (ptp4l logs
 *   none), and with the ratios Syntonic measured on its own link in the same run (the grandmaster is
 *   one clock; each ratio in force from the Sync it came with). The truth lies between: the first
 *   lacks an input the servo uses, the second has one whose noise is another link's;
 * - on Syntonic's Syncs, ptp4l's PI as the replay models it (PTP4L_PI_SOFTWARE) beside Syntonic's
 *   measured std; how near that model comes to ptp4l itself is the same model on ptp4l's own Syncs.
 */
import { readFileSync } from 'node:fs';
import type { ClockDisciplineOptions } from '../../src/servo/clockDiscipline.js';
import type { FigureLine } from '../lab/sideBySide.js';
import { STEADY_RUN_S, STEADY_WINDOW_S } from '../lab/scenarios/steadyState.js';
import { seriesFigures } from '../lab/stats.js';
import { traceLabNoise, type LabNoiseRun, type RateRatioChange } from './labNoise.js';
import { PTP4L_PI_SOFTWARE } from './labNoiseFigures.js';
import { parseTruthSamples, recordRun, type RecordedStack } from './labNoiseRecord.js';

/** The part of a run its figures are taken over, s since Syntonic started (as the record's tS). */
export interface RecordWindow {
  readonly fromS: number;
  readonly toS: number;
}

/** The lab's window when a record does not say: steady state's, the last STEADY_WINDOW_S s of a STEADY_RUN_S s run. */
export const DEFAULT_RECORD_WINDOW: RecordWindow = { fromS: STEADY_RUN_S - STEADY_WINDOW_S, toS: STEADY_RUN_S };

/** The lab's own section of a run's log, after the processes' (conformance/run.ts writes it). */
export const LAB_SECTION = '== lab';

/** The record's line for its steady window, in the log's `tS stream text` shape. */
export function steadyWindowLine(w: RecordWindow): string {
  return `${w.fromS.toFixed(3)} note steady window ${w.fromS.toFixed(3)} ${w.toS.toFixed(3)} s`;
}

/** The steady window a record's log names (records before it was written name none). */
export function recordWindow(log: string): RecordWindow | undefined {
  const at = log.lastIndexOf(`\n${LAB_SECTION}\n`);
  const m = at < 0 ? null : /^\S+ note steady window (\S+) (\S+) s$/m.exec(log.slice(at));
  if (m === null) return undefined;
  const fromS = Number(m[1]);
  const toS = Number(m[2]);
  return Number.isFinite(fromS) && Number.isFinite(toS) && toS > fromS ? { fromS, toS } : undefined;
}

/** The true error's std over the window, ns: as measured, and as each servo gives it on the other's Syncs. */
export interface SameSyncsFigures {
  readonly syntonicMeasuredStdNs: number;
  readonly ptp4lMeasuredStdNs: number;
  readonly onPtp4lSyncs: {
    readonly syntonicServoStdNs: number;
    readonly syntonicServoWithItsRatiosStdNs: number;
    readonly ptp4lPiModelStdNs: number;
  };
  readonly onSyntonicSyncs: { readonly ptp4lPiModelStdNs: number };
}

/** The run with `source`'s rate ratios, each in force at the run's Syncs from the time it came with. */
export function withRatiosOf(run: LabNoiseRun, source: LabNoiseRun): LabNoiseRun {
  const changes = source.rateRatioChanges ?? [];
  const out: RateRatioChange[] = [];
  let next = 0;
  run.syncAtS.forEach((atS, i) => {
    let latest: RateRatioChange | undefined;
    while (next < changes.length && (source.syncAtS[changes[next]?.[0] ?? 0] ?? Infinity) <= atS) latest = changes[next++];
    if (latest === undefined) return;
    const [, errorPpb, sigmaPpb, spanS] = latest;
    out.push(spanS === undefined ? [i, errorPpb, sigmaPpb] : [i, errorPpb, sigmaPpb, spanS]);
  });
  return { ...run, rateRatioChanges: out };
}

function stdOver(errors: readonly { readonly atS: number; readonly ns: number }[], w: RecordWindow): number {
  return seriesFigures(errors.filter((e) => e.atS >= w.fromS && e.atS <= w.toS).map((e) => e.ns)).std;
}

/**
 * One run's record (its `.log` and `.samples.csv`) on the same Syncs, Syntonic's side replayed through
 * `servo` (the daemon's: servoOfConfigFile); undefined without a ptp4l servo's Syncs in the window.
 */
export function sameSyncsFigures(
  log: string,
  samplesCsv: string,
  window: RecordWindow = DEFAULT_RECORD_WINDOW,
  servo: ClockDisciplineOptions = { timestamping: 'software' },
): SameSyncsFigures | undefined {
  const record = (stack: RecordedStack): LabNoiseRun => recordRun(stack, '', log, samplesCsv, stack);
  const syntonic = record('syntonic');
  const ptp4l = record('ptp4l');
  const inWindow = (run: LabNoiseRun): boolean => run.syncAtS.some((t) => t >= window.fromS && t <= window.toS);
  if (!inWindow(ptp4l) || !inWindow(syntonic)) return undefined;
  const samples = parseTruthSamples(samplesCsv).filter((x) => x.tS >= window.fromS && x.tS <= window.toS);
  const measured = (pick: (x: (typeof samples)[number]) => number | undefined): number =>
    seriesFigures(samples.map(pick).filter((v): v is number => v !== undefined)).std;
  const replayed = (run: LabNoiseRun, pi: boolean): number => stdOver(traceLabNoise(run, pi ? PTP4L_PI_SOFTWARE : servo).errors, window);
  return {
    syntonicMeasuredStdNs: measured((x) => x.syntonicNs),
    ptp4lMeasuredStdNs: measured((x) => x.ptp4lNs),
    onPtp4lSyncs: {
      syntonicServoStdNs: replayed(ptp4l, false),
      syntonicServoWithItsRatiosStdNs: replayed(withRatiosOf(ptp4l, syntonic), false),
      ptp4lPiModelStdNs: replayed(ptp4l, true),
    },
    onSyntonicSyncs: { ptp4lPiModelStdNs: replayed(syntonic, true) },
  };
}

/** A run record's files, by the path without `.log` / `.samples.csv`: over the window its log names, else `fallback`. */
export function sameSyncsOfRecord(path: string, fallback?: RecordWindow, servo?: ClockDisciplineOptions): SameSyncsFigures | undefined {
  const log = readFileSync(`${path}.log`, 'utf8');
  return sameSyncsFigures(log, readFileSync(`${path}.samples.csv`, 'utf8'), recordWindow(log) ?? fallback, servo);
}

/** One run's `name: value unit` lines under `key` (e.g. `lab.steady-state.run1.order2`): each comparison with both its stds. */
export function sameSyncsLines(key: string, f: SameSyncsFigures): FigureLine[] {
  const std = (name: string, value: number): FigureLine => ({ name: `${key}.${name}.trueError.std`, value, unit: 'ns' });
  return [
    std('onPtp4lSyncs.ptp4l', f.ptp4lMeasuredStdNs),
    std('onPtp4lSyncs.syntonicServo', f.onPtp4lSyncs.syntonicServoStdNs),
    std('onPtp4lSyncs.syntonicServoWithItsRatios', f.onPtp4lSyncs.syntonicServoWithItsRatiosStdNs),
    std('onPtp4lSyncs.ptp4lPiModel', f.onPtp4lSyncs.ptp4lPiModelStdNs),
    std('onSyntonicSyncs.syntonic', f.syntonicMeasuredStdNs),
    std('onSyntonicSyncs.ptp4lPiModel', f.onSyntonicSyncs.ptp4lPiModelStdNs),
  ];
}

/**
 * Over several runs (prefix e.g. `lab.steady-state`): how often Syntonic's std was at most ptp4l's on
 * the same Syncs, each way (%, with the runs counted), and the PI model's std on ptp4l's own Syncs as a
 * share of ptp4l's measured one (median and range over the runs, %): how far the model may be trusted.
 */
export function sameSyncsShares(prefix: string, runs: readonly SameSyncsFigures[]): FigureLine[] {
  if (runs.length === 0) return [];
  const share = (name: string, met: (f: SameSyncsFigures) => boolean): FigureLine[] => [
    { name: `${prefix}.${name}`, value: (100 * runs.filter(met).length) / runs.length, unit: '%' },
    { name: `${prefix}.${name}.runs`, value: runs.length, unit: 'runs' },
  ];
  const model = runs.map((f) => (100 * f.onPtp4lSyncs.ptp4lPiModelStdNs) / f.ptp4lMeasuredStdNs);
  return [
    ...share('onPtp4lSyncs.syntonicServo.stdAtMostPtp4l', (f) => f.onPtp4lSyncs.syntonicServoStdNs <= f.ptp4lMeasuredStdNs),
    ...share('onPtp4lSyncs.syntonicServoWithItsRatios.stdAtMostPtp4l', (f) => f.onPtp4lSyncs.syntonicServoWithItsRatiosStdNs <= f.ptp4lMeasuredStdNs),
    ...share('onSyntonicSyncs.syntonic.stdAtMostPtp4lPiModel', (f) => f.syntonicMeasuredStdNs <= f.onSyntonicSyncs.ptp4lPiModelStdNs),
    { name: `${prefix}.onPtp4lSyncs.ptp4lPiModel.ofMeasured.median`, value: seriesFigures(model).median, unit: '%' },
    { name: `${prefix}.onPtp4lSyncs.ptp4lPiModel.ofMeasured.min`, value: Math.min(...model), unit: '%' },
    { name: `${prefix}.onPtp4lSyncs.ptp4lPiModel.ofMeasured.max`, value: Math.max(...model), unit: '%' },
  ];
}
