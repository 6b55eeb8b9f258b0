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
 * text added to the provenance's `labRuns`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FROM_S, toFile, type LabNoiseFile, type LabNoiseRun } from './labNoise.js';
import { mergeRuns, recordRun } from './labNoiseRecord.js';

interface RunSource {
  /** The run record's path without `.log` / `.samples.csv`. */
  readonly path: string;
  readonly label: string;
  readonly servo: string;
}

function record({ path, label, servo }: RunSource): LabNoiseRun {
  const name = `${label}.${basename(path).replace(/^lab\./, '')}`;
  return recordRun(name, servo, readFileSync(`${path}.log`, 'utf8'), readFileSync(`${path}.samples.csv`, 'utf8'));
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
  runs: mergeRuns(
    kept?.runs ?? [],
    runs.map((r) => toFile(record(r))),
  ),
};
writeFileSync(target, `${JSON.stringify(recording)}\n`);
process.stdout.write(`${target}: ${recording.runs.length} runs, ${recording.runs.reduce((a, r) => a + r.noiseNs.length, 0)} Syncs\n`);
