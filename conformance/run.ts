/**
 * `npm run conformance`: runs the simulation scenarios (and, as root with network namespaces, the
 * interop lab against ptp4l), writes reports to conformance/out/, and prints every figure on its own
 * line as `name: value unit`, then a one-screen summary table.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { writeSimulationReport, writeSummary, type SummaryRow } from './report.js';
import { runScenario } from './sim/runScenario.js';
import { SCENARIOS } from './sim/scenarios.js';
import { runSoak } from './sim/soak.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/conformance → conformance/out in the source tree. */
const OUT = join(here, '..', '..', 'conformance', 'out');

function figure(name: string, value: number | undefined, unit: string): void {
  process.stdout.write(`${name}: ${value === undefined || !Number.isFinite(value) ? 'n/a' : Number(value.toPrecision(6))} ${unit}\n`);
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
  const table = writeSummary(OUT, rows);
  process.stdout.write(`\n${table}\n\nreports: ${OUT}\n`);
}

await main();
