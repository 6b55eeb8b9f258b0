/**
 * Conformance reports: one markdown file and one SVG per scenario, and a summary table. Every number
 * comes from the run that writes the report.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSvg } from '../src/report/svgPlot.js';
import type { ScenarioResult } from './sim/runScenario.js';

export interface SummaryRow {
  readonly scenario: string;
  readonly figures: Readonly<Record<string, string>>;
}

export function fmt(v: number | undefined, digits = 1, unit = ''): string {
  return v === undefined || !Number.isFinite(v) ? '—' : `${v.toFixed(digits)}${unit === '' ? '' : ` ${unit}`}`;
}

export function writeSimulationReport(dir: string, r: ScenarioResult): SummaryRow {
  mkdirSync(dir, { recursive: true });
  const svgName = `sim-${r.name}.svg`;
  writeFileSync(
    join(dir, svgName),
    renderSvg({
      title: `simulation: ${r.name}`,
      xLabel: 'simulated time (s)',
      panels: [
        { title: 'clock error against the grandmaster (truth)', unit: 'ns', series: [{ name: 'error', color: '#1f77b4', outline: r.plots.error.outline() }] },
        { title: 'frequency adjustment', unit: 'ppb', series: [{ name: 'frequency', color: '#d62728', outline: r.plots.frequency.outline() }] },
        { title: 'link delay per Pdelay exchange', unit: 'ns', series: [{ name: 'propTime', color: '#2ca02c', outline: r.plots.delay.outline() }] },
      ],
    }),
  );
  const figures = {
    'time to lock': fmt(r.timeToLockS, 2, 's'),
    'recovery': fmt(r.recoveryS, 2, 's'),
    'steady rms': fmt(r.steadyRmsNs, 1, 'ns'),
    'steady max': fmt(r.steadyMaxNs, 1, 'ns'),
    'steady mean': fmt(r.steadyMeanNs, 1, 'ns'),
    'holdover error': fmt(r.holdoverErrorNs, 0, 'ns'),
    'meanLinkDelay': fmt(r.meanLinkDelayNs, 1, 'ns'),
  };
  const md = [
    `# Simulation: ${r.name}`,
    '',
    r.description,
    '',
    `Simulated ${r.simulatedS} s. Error is the station clock minus the grandmaster's time, sampled every 125 ms; locked means |error| < 100 ns for good.`,
    '',
    '| figure | value |',
    '|---|---|',
    ...Object.entries(figures).map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '## Status timeline',
    '',
    ...(r.statusTimeline.length === 0 ? ['(no transitions)'] : r.statusTimeline.slice(0, 50).map((e) => `- ${e.atS.toFixed(3)} s: **${e.status}** — ${e.reason}`)),
    ...(r.statusTimeline.length > 50 ? [`- … ${r.statusTimeline.length - 50} more`] : []),
    '',
    `![plots](${svgName})`,
    '',
  ].join('\n');
  writeFileSync(join(dir, `sim-${r.name}.md`), md);
  return { scenario: `sim/${r.name}`, figures };
}

export function writeSummary(dir: string, rows: readonly SummaryRow[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r.figures)))];
  const table = [
    `| scenario | ${columns.join(' | ')} |`,
    `|---|${columns.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.scenario} | ${columns.map((c) => r.figures[c] ?? '').join(' | ')} |`),
  ].join('\n');
  writeFileSync(join(dir, 'summary.md'), `# Conformance summary\n\n${table}\n`);
  return table;
}
