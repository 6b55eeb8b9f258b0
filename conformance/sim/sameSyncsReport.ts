/**
 * Syntonic and ptp4l's servo on the same Syncs (sameSyncs.ts), from lab run records already taken:
 *
 *   node dist/conformance/sim/sameSyncsReport.js [--from-s S] [--to-s S] [-f CONFIG] conformance/out/lab.steady-state.run1.order1 …
 *
 * Each path is a record without `.log` / `.samples.csv`; its figures print under its name
 * (`lab.steady-state.run1.order1.onPtp4lSyncs.…`), then each scenario's shares over its runs. The
 * window is the lab's steady window, the last 50 s of a 120 s run unless given (s since Syntonic
 * started; `grandmaster-time-step` takes its own before the restart: `--from-s 20 --to-s 60`).
 * Syntonic's side is replayed through the servo of the configuration the runs had: `-f CONFIG`, else
 * the lab's (SYNTONIC_LAB_CONFIG, else syntonic-gPTP-software.cfg).
 */
import { basename } from 'node:path';
import { figureText, type FigureLine } from '../lab/sideBySide.js';
import { labConfigFile, servoOfConfigFile } from '../lab/syntonicDaemon.js';
import { DEFAULT_RECORD_WINDOW, sameSyncsLines, sameSyncsOfRecord, sameSyncsShares, type RecordWindow, type SameSyncsFigures } from './sameSyncs.js';

function parse(argv: readonly string[]): { paths: string[]; window: RecordWindow; config: string } | undefined {
  const paths: string[] = [];
  let { fromS, toS } = DEFAULT_RECORD_WINDOW;
  let config = labConfigFile();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--from-s') fromS = Number(argv[++i]);
    else if (arg === '--to-s') toS = Number(argv[++i]);
    else if (arg === '-f') config = argv[++i] ?? '';
    else paths.push(arg);
  }
  if (paths.length === 0 || !Number.isFinite(fromS) || !Number.isFinite(toS) || toS <= fromS || config === '') return undefined;
  return { paths, window: { fromS, toS }, config };
}

const args = parse(process.argv.slice(2));
if (args === undefined) {
  process.stderr.write(
    'usage: node dist/conformance/sim/sameSyncsReport.js [--from-s S] [--to-s S (> from)] [-f CONFIG] <conformance/out/lab.scenario.runN.orderM>…\n',
  );
  process.exit(2);
}
function print(l: FigureLine): void {
  process.stdout.write(`${figureText(l)}\n`);
}

const servo = servoOfConfigFile(args.config);
const byScenario = new Map<string, SameSyncsFigures[]>();
for (const path of args.paths) {
  const key = basename(path);
  const f = sameSyncsOfRecord(path, args.window, servo);
  if (f === undefined) {
    process.stdout.write(`# ${key}: no ptp4l servo's Syncs in the window\n`);
    continue;
  }
  for (const l of sameSyncsLines(key, f)) print(l);
  const scenario = key.replace(/\.run\d+\.order\d+$/, '').replace(/\.order\d+$/, '');
  byScenario.set(scenario, [...(byScenario.get(scenario) ?? []), f]);
}
for (const [prefix, runs] of byScenario) for (const l of sameSyncsShares(prefix, runs)) print(l);
