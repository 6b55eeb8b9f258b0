/**
 * The Syncs' noise as the lab recorded it (fixtures/noise/lab-sync-noise.json: offset − true error of
 * each Sync, labNoise.ts), measured the one way for the lab and for the simulator so the two can be
 * set side by side, and the simulator's model of it (syncNoise.ts) fitted to each recorded run.
 *
 * The measure: the noise's medians over 2 s blocks (16 Syncs at 8 per second) — a median leaves the
 * heavy one-sided tail and most of the white part out — their spread and their autocorrelation at
 * lags of 2 s. Over the 110 recorded runs of sessions 13–22 without a change of their own the spread
 * is 81–689 ns (median 228 ns): the machine's state, which differs from hour to hour, so each simulated seed takes one
 * run's figure, not one figure for all. The autocorrelation is 0.57 at 2 s, 0.13 at 10 s and gone by
 * 20 s; over 49 blocks a sample autocorrelation reads low, and the 5 s time constant is the one whose
 * simulated runs read the same (test/integration/simulation.labSyncNoise.test.ts). What is left of
 * each Sync once the median of its neighbours is taken away is the white part, kept as quantiles per
 * run, its tail with it (σ from successive differences 137–412 ns over the runs, median 263; the veth
 * recorder's timer path, drawn for every frame, spreads twice as wide: 537).
 */
import { MAD_TO_SIGMA, median } from '../../src/protocol/windowedMedian.js';
import { seriesFigures } from '../lab/stats.js';
import { FROM_S, runsWithoutChange, type LabNoiseRecording } from './labNoise.js';
import { QUANTILE_PROBABILITIES, quantilesOf, type LatencyQuantiles } from './latencyDistribution.js';
import type { SyncNoise } from './syncNoise.js';

/** The Sync latency's time constant on veth, s (above). */
export const LAB_WANDER_TIME_CONSTANT_S = 5;

/** The blocks the wander is measured over, s: 16 Syncs at logSyncInterval −3. */
export const WANDER_BLOCK_S = 2;

export interface WanderStatistics {
  /** Standard deviation of the 2 s medians, ns. */
  readonly blockMedianStdNs: number;
  /** The white part's σ per Sync, from successive differences (robust to the tail), ns. */
  readonly whiteNs: number;
  /** Autocorrelation of the 2 s medians at lags of 1, 2, … blocks (index 0: 2 s). */
  readonly autocorrelation: readonly number[];
  /** Syncs per block, median. */
  readonly syncsPerBlock: number;
  /** Blocks measured. */
  readonly blocks: number;
}

/** The noise of one run (offset − true error per Sync, at syncAtS s) from fromS on. */
export function wanderStatistics(syncAtS: readonly number[], noiseNs: readonly number[], fromS = FROM_S, lags = 10): WanderStatistics {
  const blocks = blockMedians(syncAtS, noiseNs, fromS);
  const medians = blocks.map((b) => b.median);
  const steps: number[] = [];
  for (let i = 1; i < noiseNs.length; i++) if ((syncAtS[i] ?? 0) >= fromS) steps.push(Math.abs((noiseNs[i] ?? 0) - (noiseNs[i - 1] ?? 0)));
  return {
    blockMedianStdNs: seriesFigures(medians).std,
    whiteNs: (MAD_TO_SIGMA * median(steps)) / Math.SQRT2,
    autocorrelation: Array.from({ length: lags }, (_, k) => autocorrelation(medians, k + 1)),
    syncsPerBlock: median(blocks.map((b) => b.count)),
    blocks: blocks.length,
  };
}

/** The recorded runs' Sync interval, s: logSyncInterval −3 in every one (LabNoiseRun.logSyncInterval). */
const SYNC_INTERVAL_S = 0.125;
/** Neighbours on each side a Sync's residual is taken against: 1 s at SYNC_INTERVAL_S. */
const NEIGHBOURS = 8;

/**
 * The σ of the wander that gives a run's block medians their spread, ns: the white part's share of a
 * median (√(π/2) σ / √n, σ the white part's as a gaussian's with the same density at the centre:
 * robust to the tail), the averaging over a block and the few blocks' own shortfall taken out (about
 * their own mean, 49 blocks 2 s apart of a wander with a 5 s time constant read 10 % of its variance
 * low).
 */
function wanderSigmaNs(s: WanderStatistics, whiteSigmaNs: number, timeConstantS = LAB_WANDER_TIME_CONSTANT_S): number {
  const whiteInMedian = (Math.sqrt(Math.PI / 2) * whiteSigmaNs) / Math.sqrt(s.syncsPerBlock);
  const rho = Math.exp(-WANDER_BLOCK_S / timeConstantS);
  const readShare = Math.max(0.5, 1 - (1 + (2 * rho) / (1 - rho)) / s.blocks);
  return Math.sqrt(Math.max(0, s.blockMedianStdNs ** 2 / readShare - whiteInMedian ** 2) / averagedShare(timeConstantS));
}

/** One recorded run's Sync noise, and the seed its simulated runs draw from. */
export interface LabRunSyncNoise {
  /** The recorded run's name (e.g. `s28.steady-state.run1.order1`). */
  readonly run: string;
  /** seedOf(run): the same seed whatever other runs the fixture holds. */
  readonly seed: number;
  readonly noise: SyncNoise;
}

/** The recorded runs without a change of their own, each as the Sync noise that fits it and its seed, sorted by the wander's σ. */
export function labSyncNoises(recording: LabNoiseRecording): readonly LabRunSyncNoise[] {
  return runsWithoutChange(recording)
    .map((run) => ({ run: run.name, seed: seedOf(run.name), noise: syncNoiseOf(run.syncAtS, run.noiseNs) }))
    .sort((a, b) => a.noise.wander.sigmaNs - b.noise.wander.sigmaNs);
}

/**
 * A run's seed from its name (32-bit FNV-1a): a run keeps its draws when runs join the fixture, so
 * that a figure that moves was moved by the code, not by a reshuffle of seeds.
 */
export function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * One run's noise as a level (its median: the Syncs' latency above the meanLinkDelay the run
 * measured), a residual and a wander. The residual is each Sync less the median of its neighbours
 * (itself left out, so its density at the centre is the white part's); it holds besides the white part
 * the neighbours' median's own noise and the wander's move within a second, which the simulator adds
 * again, so it is narrowed by both (by 8 % in the median run, by 86 % where the wander is most of it).
 * The tail keeps its shape.
 */
export function syncNoiseOf(syncAtS: readonly number[], noiseNs: readonly number[], fromS = FROM_S): SyncNoise {
  const residuals = neighbourResiduals(syncAtS, noiseNs, fromS);
  const centre = median(residuals);
  const raw = quantilesOf(residuals.map((ns) => ns - centre));
  const rawSigma = spreadAboutMedianNs(raw) / Math.sqrt(2 * Math.PI);
  const statistics = wanderStatistics(syncAtS, noiseNs, fromS);
  const medianNoiseShare = 1 + Math.PI / (2 * 2 * NEIGHBOURS);
  // Two passes: the white part's σ sets the wander's, whose move within a second is in the residual.
  let whiteSigma = rawSigma / Math.sqrt(medianNoiseShare);
  let sigmaNs = wanderSigmaNs(statistics, whiteSigma);
  whiteSigma = Math.sqrt(Math.max(0, rawSigma ** 2 - neighbourWanderShare(LAB_WANDER_TIME_CONSTANT_S) * sigmaNs ** 2) / medianNoiseShare);
  sigmaNs = wanderSigmaNs(statistics, whiteSigma);
  const narrowed = rawSigma > 0 ? whiteSigma / rawSigma : 1;
  return {
    levelNs: median(noiseNs.filter((_, i) => (syncAtS[i] ?? 0) >= fromS)),
    residual: { ...raw, quantilesNs: raw.quantilesNs.map((ns) => ns * narrowed) },
    wander: { timeConstantS: LAB_WANDER_TIME_CONSTANT_S, sigmaNs },
  };
}

/** Variance of a stationary OU process's mean over a block, as a share of its own variance. */
function averagedShare(timeConstantS: number): number {
  const r = WANDER_BLOCK_S / timeConstantS;
  return (2 / (r * r)) * (r - 1 + Math.exp(-r));
}

/** Variance of an OU process's value less the mean of its neighbours (NEIGHBOURS each side, SYNC_INTERVAL_S apart), as a share of its own. */
function neighbourWanderShare(timeConstantS: number): number {
  const at = [...Array.from({ length: NEIGHBOURS }, (_, k) => -(k + 1)), ...Array.from({ length: NEIGHBOURS }, (_, k) => k + 1)].map(
    (k) => k * SYNC_INTERVAL_S,
  );
  const rho = (dtS: number): number => Math.exp(-Math.abs(dtS) / timeConstantS);
  const m = at.length;
  let among = 0;
  for (const a of at) for (const b of at) among += rho(a - b);
  const withIt = at.reduce((sum, a) => sum + rho(a), 0);
  return 1 + among / (m * m) - (2 * withIt) / m;
}

/** 1 / f(0) of a distribution at its median, from its 40th and 60th percentiles (a gaussian's: √(2π) σ), ns. */
function spreadAboutMedianNs(q: LatencyQuantiles): number {
  const at = (p: number): number => q.quantilesNs[QUANTILE_PROBABILITIES.indexOf(p)] as number;
  return (at(0.6) - at(0.4)) / 0.2;
}

/** Each Sync's noise from fromS on less the median of the NEIGHBOURS Syncs on each side of it, ns. */
function neighbourResiduals(syncAtS: readonly number[], noiseNs: readonly number[], fromS: number): number[] {
  const out: number[] = [];
  for (let i = NEIGHBOURS; i + NEIGHBOURS < noiseNs.length; i++) {
    if ((syncAtS[i] ?? 0) < fromS) continue;
    const around = [...noiseNs.slice(i - NEIGHBOURS, i), ...noiseNs.slice(i + 1, i + 1 + NEIGHBOURS)];
    out.push((noiseNs[i] ?? 0) - median(around));
  }
  return out;
}

function blockMedians(syncAtS: readonly number[], noiseNs: readonly number[], fromS: number): { median: number; count: number }[] {
  return blocks(syncAtS, noiseNs, fromS).map((block) => ({ median: median(block), count: block.length }));
}

/** The noise in blocks of WANDER_BLOCK_S from fromS on; a block half empty (Syncs left out, a gap) is left out, as it would weigh as much as a full one. */
function blocks(syncAtS: readonly number[], noiseNs: readonly number[], fromS: number): number[][] {
  const out: number[][] = [];
  const endS = syncAtS[syncAtS.length - 1] ?? 0;
  let i = 0;
  for (let start = fromS; start + WANDER_BLOCK_S <= endS; start += WANDER_BLOCK_S) {
    const block: number[] = [];
    while (i < syncAtS.length && (syncAtS[i] ?? 0) < start) i++;
    while (i < syncAtS.length && (syncAtS[i] ?? 0) < start + WANDER_BLOCK_S) block.push(noiseNs[i++] ?? 0);
    if (block.length >= 8) out.push(block);
  }
  return out;
}

function autocorrelation(xs: readonly number[], lag: number): number {
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  let c0 = 0;
  let ck = 0;
  for (let i = 0; i < xs.length; i++) {
    const d = (xs[i] ?? 0) - mean;
    c0 += d * d;
    if (i + lag < xs.length) ck += d * ((xs[i + lag] ?? 0) - mean);
  }
  return c0 > 0 ? ck / c0 : NaN;
}
