/**
 * `npm run conformance`: runs the simulation scenarios (and, as root with network namespaces, the
 * interop lab against ptp4l), writes reports to conformance/out/, and prints every figure on its own
 * line as `name: value unit`, then a one-screen summary table.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { LAB_SCENARIO_NAMES, runLabScenario, type LabResult } from './lab/scenarios/index.js';
import { LabScenarioFailure } from './lab/scenarios/labScenario.js';
import { writeLabReport, writeSimulationReport, writeSummary, type SummaryRow } from './report.js';
import { runScenario } from './sim/runScenario.js';
import { SCENARIOS } from './sim/scenarios.js';
import { runSoak } from './sim/soak.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/conformance → conformance/out in the source tree. */
const OUT = join(here, '..', '..', 'conformance', 'out');

function figure(name: string, value: number | undefined, unit: string): void {
  process.stdout.write(`${name}: ${value === undefined || !Number.isFinite(value) ? 'n/a' : Number(value.toPrecision(6))} ${unit}\n`);
}

/** The interop lab needs root (network namespaces) and ptp4l; without them it says why and goes on. */
async function runLab(only: readonly string[], rows: SummaryRow[]): Promise<void> {
  const missing = labPrerequisites();
  if (missing !== undefined) {
    process.stdout.write(`# interop lab skipped: ${missing}\n`);
    return;
  }
  const wanted = only.filter((o) => o.startsWith('lab:')).map((o) => o.slice(4));
  for (const name of LAB_SCENARIO_NAMES) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    process.stdout.write(`# lab ${name} …\n`);
    let r: LabResult;
    try {
      r = await runLabScenario(name);
    } catch (err) {
      if (!(err instanceof LabScenarioFailure)) throw err;
      // One failed scenario is a finding, not the end of the run: its logs go next to the reports.
      const log = join(OUT, `lab-${name}-failure.log`);
      mkdirSync(OUT, { recursive: true });
      writeFileSync(log, [err.message, '', ...err.logs.flatMap((l) => [`== ${l.process}`, ...l.lines, ''])].join('\n'));
      process.stdout.write(`lab.${name}.failed: ${err.message} (logs: ${log})\n`);
      rows.push({ scenario: `lab/${name}`, figures: { 'time to lock': `failed: ${err.cause instanceof Error ? err.cause.message : String(err.cause)}` } });
      continue;
    }
    const f = r.figures;
    const key = `lab.${name}`;
    if (r.skipped !== undefined) {
      process.stdout.write(`${key}.skipped: ${r.skipped}\n`);
    } else {
      figure(`${key}.timeToSynchronized`, f.timeToSynchronizedS, 's');
      if (f.recoveryS !== undefined) figure(`${key}.recovery`, f.recoveryS, 's');
      if (f.lostAfterS !== undefined) figure(`${key}.lostAfter`, f.lostAfterS, 's');
      figure(`${key}.trueError.median`, f.trueErrorNs.median, 'ns');
      figure(`${key}.trueError.rms`, f.trueErrorNs.rms, 'ns');
      figure(`${key}.trueError.max`, f.trueErrorNs.maxAbs, 'ns');
      figure(`${key}.syntonicOffset.rms`, f.syntonicOffsetNs.rms, 'ns');
      figure(`${key}.syntonicOffset.max`, f.syntonicOffsetNs.maxAbs, 'ns');
      figure(`${key}.syntonicPathDelay.median`, f.syntonicPathDelayNs.median, 'ns');
      if (f.ptp4lOffsetNs !== undefined) {
        figure(`${key}.ptp4lOffset.rms`, f.ptp4lOffsetNs.rms, 'ns');
        figure(`${key}.ptp4lOffset.max`, f.ptp4lOffsetNs.maxAbs, 'ns');
      }
      if (f.ptp4lPathDelayNs !== undefined) figure(`${key}.ptp4lPathDelay.median`, f.ptp4lPathDelayNs.median, 'ns');
      if (f.gmPathDelayToSyntonicNs.count > 0) figure(`${key}.gmPathDelayToSyntonic.median`, f.gmPathDelayToSyntonicNs.median, 'ns');
      if (f.gmPathDelayToPtp4lNs !== undefined && f.gmPathDelayToPtp4lNs.count > 0) figure(`${key}.gmPathDelayToPtp4l.median`, f.gmPathDelayToPtp4lNs.median, 'ns');
    }
    rows.push(writeLabReport(OUT, r));
  }
}

function labPrerequisites(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces';
  for (const tool of ['ip', 'ptp4l', 'gcc', 'setpriv']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
    if (!found) return `${tool} is not installed`;
  }
  return undefined;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const rows: SummaryRow[] = [];
  for (const spec of SCENARIOS) {
    if (only.length > 0 && !only.includes(spec.name) && !only.includes('sim')) continue;
    const r = runScenario(spec);
    figure(`sim.${r.name}.timeToLock`, r.timeToLockS, 's');
    if (spec.disruption !== undefined) figure(`sim.${r.name}.recovery`, r.recoveryS, 's');
    figure(`sim.${r.name}.steadyRms`, r.steadyRmsNs, 'ns');
    figure(`sim.${r.name}.steadyMax`, r.steadyMaxNs, 'ns');
    figure(`sim.${r.name}.steadyMean`, r.steadyMeanNs, 'ns');
    if (r.holdoverErrorNs !== undefined) figure(`sim.${r.name}.holdoverError60s`, r.holdoverErrorNs, 'ns');
    rows.push(writeSimulationReport(OUT, r));
  }
  if (only.length === 0 || only.includes('soak')) {
    const hours = Number(process.env['SYNTONIC_SOAK_HOURS'] ?? 24);
    const r = runSoak(hours);
    figure('sim.soak.hours', r.hours, 'h');
    figure('sim.soak.worstHourlyRms', r.worstHourlyRmsNs, 'ns');
    figure('sim.soak.heapAfterFirstHour', r.heapFirstHourMiB, 'MiB');
    figure('sim.soak.heapAtEnd', r.heapEndMiB, 'MiB');
    figure('sim.soak.grandmasterChanges', r.grandmasterChanges, 'changes');
    figure('sim.soak.statusChanges', r.statusChanges, 'transitions');
    figure('sim.soak.speed', r.simulatedPerRealSecond, 'simulated s/s');
    rows.push({
      scenario: `sim/soak-${hours}h`,
      figures: { 'steady rms': `${r.worstHourlyRmsNs.toFixed(1)} ns (worst hour)`, heap: `${r.heapFirstHourMiB.toFixed(1)} → ${r.heapEndMiB.toFixed(1)} MiB` },
    });
  }
  if (only.length === 0 || only.some((o) => o === 'lab' || o.startsWith('lab:'))) await runLab(only, rows);
  const table = writeSummary(OUT, rows);
  process.stdout.write(`\n${table}\n\nreports: ${OUT}\n`);
}

await main();
