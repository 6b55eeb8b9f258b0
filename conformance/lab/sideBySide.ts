/**
 * The lab's side-by-side figures: Syntonic's and ptp4l's own servo's true error from the same run
 * and window, per grandmaster port order, and their ranges over several runs. One place that names
 * them, so `npm run conformance` and the README tables read the same figures.
 */
import type { LabResult } from './labResult.js';
import type { SeriesFigures } from './stats.js';

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
}

export interface SideBySide {
  readonly syntonic: StackFigures;
  /** ptp4l's own servo on the other port (undefined without a servo reference). */
  readonly ptp4l: StackFigures | undefined;
  /** Syntonic mean − ptp4l mean, ns. */
  readonly meanDifference: number | undefined;
}

function stack(f: SeriesFigures, timeToSynchronized: number | undefined, firstS2: number | undefined): StackFigures {
  return { mean: f.mean, std: f.std, rms: f.rms, p99: f.p99Abs, max: f.maxAbs, timeToSynchronized, firstS2 };
}

export function sideBySide(r: LabResult): SideBySide {
  const f = r.figures;
  const syntonic = stack(f.trueErrorNs, f.timeToSynchronizedS, f.syntonicFirstS2S);
  const ptp4l = f.referenceTrueErrorNs === undefined ? undefined : stack(f.referenceTrueErrorNs, undefined, f.referenceFirstS2S);
  return { syntonic, ptp4l, meanDifference: ptp4l === undefined ? undefined : syntonic.mean - ptp4l.mean };
}

/** `name: value unit` lines of one run (prefix e.g. `lab.steady-state.port1`). */
export function sideBySideLines(prefix: string, s: SideBySide): { name: string; value: number | undefined; unit: string }[] {
  const lines: { name: string; value: number | undefined; unit: string }[] = [];
  const add = (who: string, x: StackFigures): void => {
    for (const k of ['mean', 'std', 'rms', 'p99', 'max'] as const) lines.push({ name: `${prefix}.${who}.trueError.${k}`, value: x[k], unit: 'ns' });
    if (who === 'syntonic') lines.push({ name: `${prefix}.${who}.timeToSynchronized`, value: x.timeToSynchronized, unit: 's' });
    lines.push({ name: `${prefix}.${who}.firstS2`, value: x.firstS2, unit: 's' });
  };
  add('syntonic', s.syntonic);
  if (s.ptp4l !== undefined) add('ptp4l', s.ptp4l);
  if (s.meanDifference !== undefined) lines.push({ name: `${prefix}.syntonicMinusPtp4l.mean`, value: s.meanDifference, unit: 'ns' });
  return lines;
}

/** Every line's range over runs: `<name>.min` and `<name>.max` (finite values only; n/a when none). */
export function rangeLines(runs: readonly { name: string; value: number | undefined; unit: string }[][]): { name: string; value: number | undefined; unit: string }[] {
  const first = runs[0] ?? [];
  return first.flatMap((l, i) => {
    const values = runs.map((r) => r[i]?.value).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return [
      { name: `${l.name}.min`, value: values.length === 0 ? undefined : Math.min(...values), unit: l.unit },
      { name: `${l.name}.max`, value: values.length === 0 ? undefined : Math.max(...values), unit: l.unit },
    ];
  });
}
