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
  const table = writeSummary(OUT, rows);
  process.stdout.write(`\n${table}\n\nreports: ${OUT}\n`);
}

await main();
