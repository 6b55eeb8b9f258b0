/**
 * Conformance reports: one markdown file and one SVG per scenario, and a summary table. Every number
 * comes from the run that writes the report.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSvg } from '../src/report/svgPlot.js';
import type { LabResult, SeriesPoint } from './lab/labResult.js';
import type { SeriesFigures } from './lab/stats.js';
import { Decimator } from '../src/report/decimator.js';
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
    recovery: fmt(r.recoveryS, 2, 's'),
    'steady rms': fmt(r.steadyRmsNs, 1, 'ns'),
    'steady max': fmt(r.steadyMaxNs, 1, 'ns'),
    'steady mean': fmt(r.steadyMeanNs, 1, 'ns'),
    'holdover error': fmt(r.holdoverErrorNs, 0, 'ns'),
    'holdover estimate (the status)': fmt(r.holdoverEstimateNs, 0, 'ns'),
    meanLinkDelay: fmt(r.meanLinkDelayNs, 1, 'ns'),
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
    ...(r.statusTimeline.length === 0
      ? ['(no transitions)']
      : r.statusTimeline.slice(0, 50).map((e) => `- ${e.atS.toFixed(3)} s: **${e.status}** — ${e.reason}`)),
    ...(r.statusTimeline.length > 50 ? [`- … ${r.statusTimeline.length - 50} more`] : []),
    '',
    `![plots](${svgName})`,
    '',
  ].join('\n');
  writeFileSync(join(dir, `sim-${r.name}.md`), md);
  return { scenario: `sim/${r.name}`, figures };
}

/** One table per kind of scenario (simulation, interop lab), since they report different figures. */
export function writeSummary(dir: string, rows: readonly SummaryRow[]): string {
  const groups = new Map<string, SummaryRow[]>();
  for (const r of rows) {
    const kind = r.scenario.split('/')[0] ?? '';
    groups.set(kind, [...(groups.get(kind) ?? []), r]);
  }
  const tables = [...groups.values()].map((group) => {
    const columns = [...new Set(group.flatMap((r) => Object.keys(r.figures)))];
    return [
      `| scenario | ${columns.join(' | ')} |`,
      `|---|${columns.map(() => '---').join('|')}|`,
      ...group.map((r) => `| ${r.scenario} | ${columns.map((c) => r.figures[c] ?? '').join(' | ')} |`),
    ].join('\n');
  });
  const text = tables.join('\n\n');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summary.md'), `# Conformance summary\n\n${text}\n`);
  return text;
}

function outlineOf(points: readonly SeriesPoint[]): ReturnType<Decimator['outline']> {
  const d = new Decimator();
  for (const p of points) d.push(p.tS, p.value);
  return d.outline();
}

function stats(f: SeriesFigures | undefined, digits = 0): string {
  return f === undefined || f.count === 0
    ? '—'
    : `median ${f.median.toFixed(digits)}, rms ${f.rms.toFixed(digits)}, p99 |${f.p99Abs.toFixed(digits)}|, max |${f.maxAbs.toFixed(digits)}| ns`;
}

/** The interop lab's figures: Syntonic's true error and offsets beside ptp4l's from the same run. */
export function writeLabReport(dir: string, r: LabResult): SummaryRow {
  mkdirSync(dir, { recursive: true });
  const f = r.figures;
  const figures: Record<string, string> =
    r.skipped !== undefined
      ? { 'time to lock': `skipped: ${r.skipped}` }
      : {
          'time to lock': fmt(f.timeToSynchronizedS, 2, 's'),
          recovery: fmt(f.recoveryS, 2, 's'),
          'true error mean / std / max': `${fmt(f.trueErrorNs.mean, 0)} / ${fmt(f.trueErrorNs.std, 0)} / ${fmt(f.trueErrorNs.maxAbs, 0)} ns`,
          'ptp4l servo true error mean / std / max':
            f.referenceTrueErrorNs === undefined
              ? '—'
              : `${fmt(f.referenceTrueErrorNs.mean, 0)} / ${fmt(f.referenceTrueErrorNs.std, 0)} / ${fmt(f.referenceTrueErrorNs.maxAbs, 0)} ns`,
          'true error rms': fmt(f.trueErrorNs.rms, 0, 'ns'),
          'syntonic offset rms': fmt(f.syntonicOffsetNs.rms, 0, 'ns'),
          'ptp4l offset rms': fmt(f.ptp4lOffsetNs?.rms, 0, 'ns'),
          'syntonic path delay': fmt(f.syntonicPathDelayNs.median, 0, 'ns'),
          'ptp4l path delay': fmt(f.ptp4lPathDelayNs?.median, 0, 'ns'),
          'GM path delay to syntonic': fmt(f.gmPathDelayToSyntonicNs.count === 0 ? undefined : f.gmPathDelayToSyntonicNs.median, 0, 'ns'),
        };
  const base = r.skipped === undefined ? `lab-${r.name}-port${f.syntonicPort}` : `lab-${r.name}`;
  const svgName = `${base}.svg`;
  if (r.skipped === undefined) {
    writeFileSync(
      join(dir, svgName),
      renderSvg({
        title: `interop lab: ${r.name}`,
        xLabel: 'time since start (s)',
        panels: [
          {
            title: 'offset from master (Syntonic, ptp4l) and true error (Syntonic)',
            unit: 'ns',
            series: [
              { name: 'syntonic master offset', color: '#1f77b4', outline: outlineOf(r.series.syntonicOffsetNs) },
              { name: 'ptp4l master offset', color: '#ff7f0e', outline: outlineOf(r.series.ptp4lOffsetNs) },
              { name: 'syntonic true error', color: '#2ca02c', outline: outlineOf(r.series.trueErrorNs) },
              { name: 'ptp4l servo true error', color: '#9467bd', outline: outlineOf(r.series.referenceTrueErrorNs) },
            ],
          },
          {
            title: 'frequency adjustment (Syntonic)',
            unit: 'ppb',
            series: [{ name: 'freq', color: '#d62728', outline: outlineOf(r.series.syntonicFrequencyPpb) }],
          },
          {
            title: 'path delay',
            unit: 'ns',
            series: [
              { name: 'syntonic', color: '#1f77b4', outline: outlineOf(r.series.syntonicPathDelayNs) },
              { name: 'ptp4l', color: '#ff7f0e', outline: outlineOf(r.series.ptp4lPathDelayNs) },
            ],
          },
        ],
      }),
    );
  }
  const md = [
    `# Interop lab: ${r.name}`,
    '',
    r.description,
    '',
    ...(r.skipped !== undefined
      ? [`Skipped: ${r.skipped}`]
      : [
          '| figure | value |',
          '|---|---|',
          `| Syntonic on grandmaster port | ${f.syntonicPort} (reference: ${f.referenceKind ?? 'none'} on the other) |`,
          `| synchronized after start | ${fmt(f.timeToSynchronizedS, 2, 's')} (first s2 ${fmt(f.syntonicFirstS2S, 2, 's')}) |`,
          `| ptp4l servo's first s2 | ${fmt(f.referenceFirstS2S, 2, 's')} |`,
          `| true error (steady) | ${stats(f.trueErrorNs)}, mean ${fmt(f.trueErrorNs.mean, 0)}, std ${fmt(f.trueErrorNs.std, 0)} ns |`,
          `| ptp4l servo's true error, same instants | ${stats(f.referenceTrueErrorNs)}${f.referenceTrueErrorNs === undefined ? '' : `, mean ${fmt(f.referenceTrueErrorNs.mean, 0)}, std ${fmt(f.referenceTrueErrorNs.std, 0)} ns`} |`,
          `| Syntonic master offset | ${stats(f.syntonicOffsetNs)} |`,
          `| ptp4l master offset (same GM, same run) | ${stats(f.ptp4lOffsetNs)} |`,
          `| Syntonic path delay | ${stats(f.syntonicPathDelayNs)} |`,
          `| ptp4l path delay | ${stats(f.ptp4lPathDelayNs)} |`,
          `| grandmaster's path delay to Syntonic (ptp4l's peerMeanPathDelay, same link) | ${stats(f.gmPathDelayToSyntonicNs)} |`,
          `| grandmaster's path delay to the ptp4l slave | ${stats(f.gmPathDelayToPtp4lNs)} |`,
          `| lost after the disruption | ${fmt(f.lostAfterS, 2, 's')} |`,
          `| synchronized again after it | ${fmt(f.recoveryS, 2, 's')} |`,
          `| true error during the disruption | ${stats(f.disruptionTrueErrorNs)} |`,
          `| at the end of holdover: \\|true error\\| / the status's estimate / error bound | ${
            f.holdoverEnd === undefined
              ? 'n/a'
              : `${fmt(f.holdoverEnd.trueErrorNs, 0, 'ns')} / ${fmt(f.holdoverEnd.estimateNs, 0, 'ns')} / ${fmt(f.holdoverEnd.errorBoundNs, 0, 'ns')}`
          } |`,
          '',
          '## Events',
          '',
          ...r.events.map((e) => `- ${e}`),
          '',
          '## Status timeline',
          '',
          ...r.statusTimeline.slice(0, 40).map((e) => `- ${e.tS.toFixed(2)} s: **${e.status}** — ${e.reason}`),
          '',
          `![plots](${svgName})`,
        ]),
    '',
  ].join('\n');
  writeFileSync(join(dir, `${base}.md`), md);
  return { scenario: r.skipped === undefined ? `lab/${r.name} (port ${f.syntonicPort})` : `lab/${r.name}`, figures };
}
