/**
 * Writes fixtures/noise/lab-sync-noise.json (labNoise.ts) from lab run records in conformance/out:
 *
 *   npx tsc -p tsconfig.json && node dist/conformance/sim/recordLabNoise.js \
 *     --label s13 --servo 7481117 <dir>/lab.steady-state.run1.order1 … --label s14 --servo … …
 *
 * Each run needs its `.log` (Syntonic's section: its `master offset` lines, text or JSON) and its
 * `.samples.csv` (the 4 Hz true error); `--label` names the series (the run is `<label>.<scenario>.
 * run<N>.order<M>`) and `--servo` the commit that ran it, for the runs after them. The noise of a Sync is its offset minus the true error
 * interpolated to the line's arrival; the lines the servo left out are kept (their noise is the tail).
 * Runs whose JSON lines carry the Sync's rateRatio (since 0487da9) keep it at each change, with its σ.
 * `--append "<what the new runs are>"` keeps the file's runs (whose records may be gone) and adds
 * these after them, with that text added to the provenance's `labRuns`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOffsetSample, parseStatusChange, type OffsetSample } from '../lab/logLines.js';
import { seriesFigures } from '../lab/stats.js';
import { FROM_S, toFile, type LabNoiseFile, type LabNoiseRun, type RateRatioChange } from './labNoise.js';

interface Sample {
  readonly tS: number;
  readonly syntonicNs: number | undefined;
  readonly ptp4lNs: number | undefined;
}

function samples(path: string): Sample[] {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  const columns = (header ?? '').split(',');
  const at = (name: string): number => columns.indexOf(name);
  const value = (cells: string[], name: string): number | undefined => {
    const cell = cells[at(name)];
    return cell === undefined || cell === '' ? undefined : Number(cell);
  };
  return rows.map((r) => r.split(',')).map((c) => ({ tS: Number(c[0]), syntonicNs: value(c, 'trueErrorNs'), ptp4lNs: value(c, 'ptp4lTrueErrorNs') }));
}

/** Syntonic's section of a run's log: `tS stream text` lines. */
function syntonicLines(path: string): { tS: number; text: string }[] {
  const out: { tS: number; text: string }[] = [];
  let inSyntonic = false;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith('== ')) inSyntonic = line === '== syntonic';
    const m = /^(\d+(?:\.\d+)?) std(?:out|err) (.*)$/.exec(line);
    if (inSyntonic && m !== null) out.push({ tS: Number(m[1]), text: m[2] ?? '' });
  }
  return out;
}

function interpolate(s: readonly Sample[], tS: number): number | undefined {
  const i = s.findIndex((x) => x.tS >= tS && x.syntonicNs !== undefined);
  const before = s[i - 1];
  const after = s[i];
  if (i <= 0 || before?.syntonicNs === undefined || after?.syntonicNs === undefined) return undefined;
  return before.syntonicNs + ((after.syntonicNs - before.syntonicNs) * (tS - before.tS)) / (after.tS - before.tS);
}

interface RunSource {
  /** The run record's path without `.log` / `.samples.csv`. */
  readonly path: string;
  readonly label: string;
  readonly servo: string;
}

function record({ path, label, servo }: RunSource): LabNoiseRun {
  const s = samples(`${path}.samples.csv`);
  const syncAtS: number[] = [];
  const noiseNs: number[] = [];
  const pathDelayChanges: [number, number][] = [];
  const rateRatioChanges: RateRatioChange[] = [];
  let left = 0;
  for (const { tS, text } of syntonicLines(`${path}.log`)) {
    if (parseStatusChange(text, 0)?.from === 'synchronized') left++;
    const o = parseOffsetSample(text, 0);
    const truth = o === undefined ? undefined : interpolate(s, tS);
    if (o === undefined || truth === undefined) continue;
    syncAtS.push(Math.round(tS * 1000) / 1000);
    const pathDelayNs = Math.round(o.pathDelayNs);
    if (pathDelayChanges.at(-1)?.[1] !== pathDelayNs) pathDelayChanges.push([noiseNs.length, pathDelayNs]);
    const ratio = rateRatioChange(noiseNs.length, o);
    const lastRatio = rateRatioChanges.at(-1);
    if (ratio !== undefined && (lastRatio?.[1] !== ratio[1] || lastRatio[2] !== ratio[2] || lastRatio[3] !== ratio[3])) rateRatioChanges.push(ratio);
    noiseNs.push(Math.round(o.offsetNs - truth));
  }
  const steady = s.filter((x) => x.tS >= FROM_S);
  const defined = (v: readonly (number | undefined)[]): number[] => v.filter((x): x is number => x !== undefined);
  return {
    name: `${label}.${basename(path).replace(/^lab\./, '')}`,
    servo,
    logSyncInterval: -3,
    syncAtS,
    noiseNs,
    pathDelayChanges,
    ...(rateRatioChanges.length === 0 ? {} : { rateRatioChanges }),
    measured: {
      syntonicTrueErrorStdNs: Math.round(seriesFigures(defined(steady.map((x) => x.syntonicNs))).std),
      ptp4lTrueErrorStdNs: Math.round(seriesFigures(defined(steady.map((x) => x.ptp4lNs))).std),
      leftSynchronized: left,
    },
  };
}

/** A Sync's rateRatio as the file keeps it: its error and σ, ppb, to 0.01 ppb (the lab's truth is 1: labNoise.ts), and its span to the µs. */
function rateRatioChange(index: number, { rateRatio, rateRatioSigma, rateRatioSpanS }: OffsetSample): RateRatioChange | undefined {
  if (rateRatio === undefined) return undefined;
  const hundredths = (x: number): number => Math.round(x * 1e11) / 100;
  const errorPpb = hundredths(rateRatio - 1);
  const sigmaPpb = rateRatioSigma === undefined ? null : hundredths(rateRatioSigma);
  return rateRatioSpanS === undefined ? [index, errorPpb, sigmaPpb] : [index, errorPpb, sigmaPpb, Math.round(rateRatioSpanS * 1e6) / 1e6];
}

/** `[--append WHAT] --label L --servo S path…`, repeated: each path with the label and servo given before it. */
function sources(argv: readonly string[]): { runs: RunSource[]; append: string | undefined } {
  const runs: RunSource[] = [];
  let label = 'lab';
  let servo = 'unknown';
  let append: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--label') label = argv[++i] ?? label;
    else if (arg === '--servo') servo = argv[++i] ?? servo;
    else if (arg === '--append') append = argv[++i] ?? '';
    else runs.push({ path: arg, label, servo });
  }
  return { runs, append };
}

const target = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'noise', 'lab-sync-noise.json');
const { runs, append } = sources(process.argv.slice(2));
if (runs.length === 0 || append === '') {
  process.stderr.write(
    'usage: node dist/conformance/sim/recordLabNoise.js [--append "WHAT THE RUNS ARE"] [--label L] [--servo COMMIT] <conformance/out/lab.scenario.runN.orderM>…\n',
  );
  process.exit(2);
}
const kept: LabNoiseFile | undefined = append === undefined ? undefined : (JSON.parse(readFileSync(target, 'utf8')) as LabNoiseFile);
const provenance = {
  recorded: new Date().toISOString().slice(0, 10),
  kernel: release(),
  cpus: cpus().length,
  fromS: FROM_S,
  source: 'conformance lab run records (log + samples.csv)',
};
const recording: LabNoiseFile = {
  provenance:
    kept === undefined
      ? provenance
      : { ...kept.provenance, ...provenance, labRuns: [kept.provenance['labRuns'], append].filter((x) => x !== undefined).join('; ') },
  runs: [...(kept?.runs ?? []), ...runs.map((r) => toFile(record(r)))],
};
writeFileSync(target, `${JSON.stringify(recording)}\n`);
process.stdout.write(`${target}: ${recording.runs.length} runs, ${recording.runs.reduce((a, r) => a + r.noiseNs.length, 0)} Syncs\n`);
