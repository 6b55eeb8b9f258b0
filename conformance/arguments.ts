/**
 * The arguments of `npm run conformance`: which scenarios (none: all), and the lab's options. A name
 * that selects nothing would run nothing and print nothing, so it is refused, naming it.
 */
import type { PortOrder, ReferenceKind } from './lab/starLab.js';

/**
 * Options of the lab part: `--runs N`, `--order 1|2` (both by default), `--reference pi|linreg|free-running`,
 * `--control` (a second ptp4l servo slave like the reference), `--reference-delay-ms MS`, `--run-s S`,
 * `--window-s S`.
 */
export interface LabRunOptions {
  readonly runs: number;
  readonly orders: readonly PortOrder[];
  readonly reference: ReferenceKind;
  /** A second ptp4l servo slave like the reference in every run (StarOptions.control). */
  readonly control: boolean;
  /** Start the reference and the control this long after the grandmaster and Syntonic, ms (StarOptions.referenceDelayMs). */
  readonly referenceDelayMs?: number;
  readonly runS?: number;
  readonly windowS?: number;
}

function parseLabOptions(argv: readonly string[]): { rest: string[]; lab: LabRunOptions } {
  const rest: string[] = [];
  let runs = 1;
  let orders: PortOrder[] = [1, 2];
  let reference: ReferenceKind = 'pi';
  let control = false;
  let runS: number | undefined;
  let windowS: number | undefined;
  let referenceDelayMs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const positive = (v: string): number => {
      const n = Number(v);
      if (!(Number.isFinite(n) && n > 0)) throw new Error(`${a}: '${v}' is not a positive number`);
      return n;
    };
    if (a === '--runs') runs = Math.round(positive(value()));
    else if (a === '--order') {
      const v = value();
      if (v !== '1' && v !== '2' && v !== 'both') throw new Error(`--order: '${v}' is not 1, 2 or both`);
      orders = v === 'both' ? [1, 2] : [Number(v) as PortOrder];
    } else if (a === '--reference') {
      const v = value();
      if (v !== 'pi' && v !== 'linreg' && v !== 'free-running') throw new Error(`--reference: '${v}' is not pi, linreg or free-running`);
      reference = v;
    } else if (a === '--control') control = true;
    else if (a === '--run-s') runS = positive(value());
    else if (a === '--window-s') windowS = positive(value());
    else if (a === '--reference-delay-ms') referenceDelayMs = positive(value());
    else rest.push(a);
  }
  if (control && reference === 'free-running')
    throw new Error('--control: the control is a second servo slave like the reference, and --reference free-running has no servo');
  if (referenceDelayMs !== undefined && reference === 'free-running')
    throw new Error(
      "--reference-delay-ms: it sets the idle time of the reference servo's Pdelay_Req, and --reference free-running is the old comparison without one",
    );
  const optional = {
    ...(runS === undefined ? {} : { runS }),
    ...(windowS === undefined ? {} : { windowS }),
    ...(referenceDelayMs === undefined ? {} : { referenceDelayMs }),
  };
  return { rest, lab: { runs, orders, reference, control, ...optional } };
}

/** What to run, the usage text asked for, or the problem with the arguments. */
export type ParsedArguments =
  | ({ readonly kind: 'run' } & ConformanceArguments)
  | { readonly kind: 'help'; readonly usage: string }
  | { readonly kind: 'error'; readonly problem: string; readonly usage: string };

export interface ConformanceArguments {
  /** The names given: `sim`, `soak`, `lab`, a simulation's name or `lab:<scenario>`; empty: everything. */
  readonly only: readonly string[];
  readonly lab: LabRunOptions;
}

/** The scenarios there are, by name. */
export interface KnownScenarios {
  readonly simulations: readonly string[];
  readonly lab: readonly string[];
}

export function conformanceUsage(known: KnownScenarios): string {
  return [
    'usage: npm run conformance -- [NAME…] [--runs N] [--order 1|2|both] [--reference pi|linreg|free-running] [--control] [--reference-delay-ms MS] [--run-s S] [--window-s S]',
    '  no NAME: every simulation, the soak and (as root, with ptp4l) every lab scenario',
    '  --control: a second ptp4l servo slave like the reference in every lab run, to show what ptp4l meets against itself',
    '  --reference-delay-ms MS: start the reference (and the control) MS ms after the grandmaster and Syntonic, so that both stacks send their Pdelay_Req as long after their previous send',
    '  sim: the simulations; soak: the soak (SYNTONIC_SOAK_HOURS, 24 by default); lab: the lab scenarios',
    `  a simulation: ${known.simulations.join(', ')}`,
    `  a lab scenario: ${known.lab.map((n) => `lab:${n}`).join(', ')}`,
  ].join('\n');
}

export function parseConformanceArguments(argv: readonly string[], known: KnownScenarios): ParsedArguments {
  const usage = conformanceUsage(known);
  if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help', usage };
  let parsed: { rest: string[]; lab: LabRunOptions };
  try {
    parsed = parseLabOptions(argv);
  } catch (err) {
    return { kind: 'error', problem: err instanceof Error ? err.message : String(err), usage };
  }
  const names = new Set(['sim', 'soak', 'lab', ...known.simulations, ...known.lab.map((n) => `lab:${n}`)]);
  const unknown = parsed.rest.filter((n) => !names.has(n));
  if (unknown.length > 0) {
    return { kind: 'error', problem: `unknown ${unknown.map((n) => `'${n}'`).join(', ')}: not an option, a simulation or a lab scenario`, usage };
  }
  return { kind: 'run', only: parsed.rest, lab: parsed.lab };
}
