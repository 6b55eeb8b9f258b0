/**
 * Stacked time-series panels as a self-contained SVG a browser opens: offset, frequency and link
 * delay against time for replay and conformance reports. Each series is drawn as its min–max band
 * and its line, from a Decimator's outline.
 */
import type { Bucket } from './decimator.js';

export interface PlotSeries {
  readonly name: string;
  readonly color: string;
  readonly outline: readonly Bucket[];
}

export interface PlotPanel {
  readonly title: string;
  readonly unit: string;
  readonly series: readonly PlotSeries[];
}

export interface PlotSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly panels: readonly PlotPanel[];
}

const WIDTH = 960;
const PANEL_HEIGHT = 220;
const MARGIN = { left: 80, right: 20, top: 40, bottom: 40 };

export function renderSvg(spec: PlotSpec): string {
  const height = MARGIN.top + spec.panels.length * (PANEL_HEIGHT + MARGIN.bottom) + 10;
  const xs = spec.panels.flatMap((p) => p.series.flatMap((s) => s.outline.flatMap((b) => [b.x0, b.x1])));
  const xMin = xs.length > 0 ? Math.min(...xs) : 0;
  const xMax = xs.length > 0 ? Math.max(...xs) : 1;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="16">${escapeXml(spec.title)}</text>`,
  ];
  spec.panels.forEach((panel, i) => {
    const top = MARGIN.top + i * (PANEL_HEIGHT + MARGIN.bottom);
    parts.push(renderPanel(panel, top, xMin, xMax, spec.xLabel));
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function renderPanel(panel: PlotPanel, top: number, xMin: number, xMax: number, xLabel: string): string {
  const ys = panel.series.flatMap((s) => s.outline.flatMap((b) => [b.min, b.max]));
  let yMin = ys.length > 0 ? Math.min(...ys) : 0;
  let yMax = ys.length > 0 ? Math.max(...ys) : 1;
  if (yMin === yMax) {
    yMin -= 1;
    yMax += 1;
  }
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const sx = (x: number): number => MARGIN.left + ((x - xMin) / (xMax - xMin || 1)) * plotW;
  const sy = (y: number): number => top + PANEL_HEIGHT - ((y - yMin) / (yMax - yMin)) * PANEL_HEIGHT;
  const out = [
    `<g>`,
    `<rect x="${MARGIN.left}" y="${top}" width="${plotW}" height="${PANEL_HEIGHT}" fill="none" stroke="#999"/>`,
    `<text x="${MARGIN.left}" y="${top - 6}">${escapeXml(panel.title)} (${escapeXml(panel.unit)})</text>`,
  ];
  for (const t of ticks(yMin, yMax)) {
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#eee"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${formatTick(t)}</text>`);
  }
  for (const t of ticks(xMin, xMax)) {
    out.push(`<text x="${sx(t).toFixed(1)}" y="${top + PANEL_HEIGHT + 16}" text-anchor="middle">${formatTick(t)}</text>`);
  }
  out.push(`<text x="${MARGIN.left + plotW}" y="${top + PANEL_HEIGHT + 32}" text-anchor="end">${escapeXml(xLabel)}</text>`);
  panel.series.forEach((s, k) => {
    if (s.outline.length === 0) return;
    const band = s.outline.map((b) => `${sx(b.x0).toFixed(1)},${sy(b.max).toFixed(1)} ${sx(b.x1).toFixed(1)},${sy(b.min).toFixed(1)}`);
    out.push(`<polyline points="${band.join(' ')}" fill="none" stroke="${s.color}" stroke-opacity="0.25"/>`);
    const line = s.outline.map((b) => `${sx(b.x1).toFixed(1)},${sy(b.last).toFixed(1)}`);
    out.push(`<polyline points="${line.join(' ')}" fill="none" stroke="${s.color}" stroke-width="1.2"/>`);
    out.push(`<text x="${MARGIN.left + plotW - 4}" y="${top + 14 + 14 * k}" text-anchor="end" fill="${s.color}">${escapeXml(s.name)}</text>`);
  });
  out.push('</g>');
  return out.join('\n');
}

/** About five round tick values across [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9 && out.length < 12; t += step) out.push(t);
  return out;
}

function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(1);
  return String(Number(v.toPrecision(6)));
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
