/**
 * Writes fixtures/noise/lab-sync-noise.json (labNoise.ts) from lab run records in conformance/out:
 *
 *   npx tsc -p tsconfig.json && node dist/conformance/sim/recordLabNoise.js \
 *     --label s13 --servo 7481117 <dir>/lab.steady-state.run1.order1 … --label s14 --servo … …
 *
 * Each run needs its `.log` (Syntonic's section: its `master offset` lines, text or JSON) and its
 * `.samples.csv` (the 4 Hz true error); `--label` names the series (the run is `<label>.<scenario>.
 * run<N>.order<M>`) and `--servo` the commit that ran it, for the runs after them. What a run keeps
 * is labNoiseRecord.ts's. Runs whose JSON lines carry the Sync's rateRatio (since 0487da9) keep it at
 * each change, with its σ and span. `--append "<what the new runs are>"` keeps the file's runs (whose
 * records may be gone) and adds these after them, a run recorded again in its old place, with that
 * text added to the provenance's `labRuns`. `--fixture NAME` writes fixtures/noise/NAME.json instead;
 * `--grandmaster-move NS` marks the runs after it as moving the grandmaster's time by NS (its time −
 * true time: −20000 for grandmaster-phase-step), the Syncs that carried it read from their noise
 * (grandmasterMove.ts): the lab's runs through a move go to lab-grandmaster-move.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grandmasterMoveOf } from './grandmasterMove.js';
import { FROM_S, toFile, type LabNoiseFile, type LabNoiseRun } from './labNoise.js';
import { mergeRuns, recordRun } from './labNoiseRecord.js';

interface RunSource {
  /** The run record's path without `.log` / `.samples.csv`. */
  readonly path: string;
  readonly label: string;
  readonly servo: string;
  /** The grandmaster's time − true time while the lab moved it, ns (--grandmaster-move). */
  readonly grandmasterMoveNs: number | undefined;
}

function record({ path, label, servo, grandmasterMoveNs }: RunSource): LabNoiseRun {
  const name = `${label}.${basename(path).replace(/^lab\./, '')}`;
  const run = recordRun(name, servo, readFileSync(`${path}.log`, 'utf8'), readFileSync(`${path}.samples.csv`, 'utf8'));
  if (grandmasterMoveNs === undefined) return run;
  const grandmasterMove = grandmasterMoveOf(run.noiseNs, grandmasterMoveNs);
  if (grandmasterMove === undefined) throw new Error(`${path}: no Sync carries a move of ${grandmasterMoveNs} ns`);
  return { ...run, grandmasterMove };
}

/** `[--fixture NAME] [--append WHAT] --label L --servo S [--grandmaster-move NS] path…`, repeated: each path with the options given before it. */
function sources(argv: readonly string[]): { runs: RunSource[]; append: string | undefined; fixture: string; bad: boolean } {
  const runs: RunSource[] = [];
  let label = 'lab';
  let servo = 'unknown';
  let append: string | undefined;
  let fixture = 'lab-sync-noise';
  let grandmasterMoveNs: number | undefined;
  let bad = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--label') label = argv[++i] ?? label;
    else if (arg === '--servo') servo = argv[++i] ?? servo;
    else if (arg === '--append') append = argv[++i] ?? '';
    else if (arg === '--fixture') fixture = argv[++i] ?? fixture;
    else if (arg === '--grandmaster-move') {
      grandmasterMoveNs = Number(argv[++i]);
      bad ||= !Number.isFinite(grandmasterMoveNs) || grandmasterMoveNs === 0;
    } else runs.push({ path: arg, label, servo, grandmasterMoveNs });
  }
  return { runs, append, fixture, bad };
}

const { runs, append, fixture, bad } = sources(process.argv.slice(2));
const target = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'noise', `${fixture}.json`);
if (runs.length === 0 || append === '' || bad) {
  process.stderr.write(
    'usage: node dist/conformance/sim/recordLabNoise.js [--fixture NAME] [--append "WHAT THE RUNS ARE"] [--label L] [--servo COMMIT] [--grandmaster-move NS (≠ 0)] <conformance/out/lab.scenario.runN.orderM>…\n',
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
  runs: mergeRuns(
    kept?.runs ?? [],
    runs.map((r) => toFile(record(r))),
  ),
};
writeFileSync(target, `${JSON.stringify(recording)}\n`);
process.stdout.write(`${target}: ${recording.runs.length} runs, ${recording.runs.reduce((a, r) => a + r.noiseNs.length, 0)} Syncs\n`);
