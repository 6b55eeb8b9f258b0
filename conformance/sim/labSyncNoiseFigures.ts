/**
 * `npm run conformance -- lab-sync-noise`: the simulator on the Syncs' noise fitted to each recorded
 * lab run (labSyncNoise.ts), one seed per run, Syntonic and ptp4l's PI each on the same draws, with
 * the lab's measuring window and without LAB_COLD_START (session 21's lab runs read their largest
 * meanLinkDelay at 0.88–1.41 µs: no start-up hump) — the simulated side of docs/servo.md's
 * "Simulated against measured". The lab's own noise replayed (labNoiseFigures.ts) keeps the order of
 * what happened; this draws it afresh, through the whole engine (Pdelay, rate ratio, start-up).
 */
import type { ClockDisciplineOptions } from '../../src/servo/clockDiscipline.js';
import { seriesFigures } from '../lab/stats.js';
import { loadLabNoise, runsWithoutChange, type LabNoiseRecording } from './labNoise.js';
import { PTP4L_PI_SOFTWARE, type LabNoiseFigure } from './labNoiseFigures.js';
import { labSyncNoises, wanderStatistics, type LabRunSyncNoise } from './labSyncNoise.js';
import { runScenario } from './runScenario.js';
import { softwareRecorded, withSyncNoise, type ScenarioSpec } from './scenarios.js';
import { Simulation } from './simulation.js';
import type { SyncNoise } from './syncNoise.js';

/** The name that selects these figures in `npm run conformance`. */
export const LAB_SYNC_NOISE = 'lab-sync-noise';

/** The lab's steady-state run and its measured window at the end (conformance/lab/scenarios/steadyState.ts), s. */
const RUN_S = 120;
const WINDOW_FROM_S = 70;
/** When softwareRecorded's grandmaster sends its first Sync (its announceReceiptTimeout), s. */
const FIRST_SYNC_S = 3;

/** A run as the lab's steady state on one recorded run's Sync noise. */
export function labLikeSpec(noise: SyncNoise, seed: number, servo: ClockDisciplineOptions): ScenarioSpec {
  const spec = withSyncNoise(softwareRecorded(`lab-sync-noise-${seed}`, "the lab's steady state on one recorded run's Sync noise", seed, 0, servo), noise);
  return { ...spec, durationS: RUN_S, steadyFromS: WINDOW_FROM_S };
}

/** The noise a simulated run gave its servo, as the lab measures it: offset − true error at each Sync. */
export function simulatedSyncNoise(spec: ScenarioSpec): { syncAtS: number[]; noiseNs: number[] } {
  const syncAtS: number[] = [];
  const noiseNs: number[] = [];
  const sim = new Simulation(spec.scenario, {
    onSyncRecord: (record, s) => {
      if (!Number.isFinite(record.outcome.offsetNs)) return;
      syncAtS.push(Number(s.trueNow - spec.scenario.startNs) / 1e9);
      noiseNs.push(record.outcome.offsetNs - s.clockErrorNs());
    },
  });
  sim.runFor(spec.durationS, 125_000_000n, () => undefined);
  return { syncAtS, noiseNs };
}

export function labSyncNoiseFigures(recording: LabNoiseRecording = loadLabNoise()): LabNoiseFigure[] {
  const out: LabNoiseFigure[] = [];
  const syntonicStd: number[] = [];
  const piStd: number[] = [];
  const synchronizedAt: number[] = [];
  const boundMedian: number[] = [];
  const means: number[] = [];
  const maxima: number[] = [];
  let notAbove = 0;
  let left = 0;
  let coverage = 1;
  const noises = labSyncNoises(recording);
  for (const { run, seed, noise } of noises) {
    const syntonic = runScenario(labLikeSpec(noise, seed, { timestamping: 'software' }));
    const pi = runScenario(labLikeSpec(noise, seed, PTP4L_PI_SOFTWARE));
    // Each simulated run is named after the recorded run whose noise it draws afresh (seedOf(run)).
    const prefix = `sim.labSyncNoise.${run}`;
    out.push({ name: `${prefix}.wander.sigma`, value: noise.wander.sigmaNs, unit: 'ns' });
    out.push({ name: `${prefix}.syntonic.trueError.std`, value: syntonic.steadyStdNs, unit: 'ns' });
    out.push({ name: `${prefix}.ptp4lPi.trueError.std`, value: pi.steadyStdNs, unit: 'ns' });
    syntonicStd.push(syntonic.steadyStdNs);
    piStd.push(pi.steadyStdNs);
    if (syntonic.steadyStdNs <= pi.steadyStdNs) notAbove++;
    // The lab's time to synchronized counts from Syntonic's start, the simulator's from the first Sync.
    synchronizedAt.push((syntonic.timeToSynchronizedS ?? Infinity) + FIRST_SYNC_S);
    boundMedian.push(syntonic.errorBoundMedianNs);
    means.push(syntonic.steadyMeanNs);
    maxima.push(syntonic.synchronizedMaxNs);
    left += syntonic.leftSynchronized;
    coverage = Math.min(coverage, syntonic.errorBoundCoverage);
  }
  const range = (name: string, xs: readonly number[], unit: string): void => {
    const f = seriesFigures(xs);
    out.push(
      { name: `${name}.min`, value: Math.min(...xs), unit },
      { name: `${name}.median`, value: f.median, unit },
      { name: `${name}.max`, value: Math.max(...xs), unit },
    );
  };
  out.push({ name: 'sim.labSyncNoise.seeds', value: syntonicStd.length, unit: 'seeds' });
  range('sim.labSyncNoise.syntonic.trueError.std', syntonicStd, 'ns');
  range('sim.labSyncNoise.ptp4lPi.trueError.std', piStd, 'ns');
  out.push({ name: 'sim.labSyncNoise.syntonicStdNotAbovePtp4lPi', value: notAbove, unit: 'seeds' });
  range('sim.labSyncNoise.syntonic.synchronizedAfter', synchronizedAt, 's');
  out.push({ name: 'sim.labSyncNoise.syntonic.leftSynchronized', value: left, unit: 'times' });
  range('sim.labSyncNoise.syntonic.trueError.mean', means, 'ns');
  range('sim.labSyncNoise.syntonic.whileSynchronized.max', maxima, 'ns');
  out.push({ name: 'sim.labSyncNoise.syntonic.errorBound.coverage.min', value: coverage * 100, unit: '%' });
  range('sim.labSyncNoise.syntonic.errorBound.median', boundMedian, 'ns');
  return [...out, ...noiseStatisticFigures(recording, noises)];
}

/** The Syncs' noise the simulator gave against the lab's, measured alike (labSyncNoise.ts): medians over the runs. */
function noiseStatisticFigures(recording: LabNoiseRecording, noises: readonly LabRunSyncNoise[]): LabNoiseFigure[] {
  const lab = runsWithoutChange(recording).map((run) => wanderStatistics(run.syncAtS, run.noiseNs));
  const sim = noises.map(({ noise, seed }) => {
    const { syncAtS, noiseNs } = simulatedSyncNoise(labLikeSpec(noise, seed, { timestamping: 'software' }));
    return wanderStatistics(syncAtS, noiseNs);
  });
  const out: LabNoiseFigure[] = [];
  for (const [who, stats] of [
    ['lab', lab],
    ['simulated', sim],
  ] as const) {
    const median = (xs: readonly number[]): number => seriesFigures(xs).median;
    out.push({ name: `sim.labSyncNoise.${who}.blockMedian.std.median`, value: median(stats.map((s) => s.blockMedianStdNs)), unit: 'ns' });
    out.push({ name: `sim.labSyncNoise.${who}.white.median`, value: median(stats.map((s) => s.whiteNs)), unit: 'ns' });
    // Autocorrelation coefficients as percent: every figure has its unit.
    out.push({ name: `sim.labSyncNoise.${who}.autocorrelation2s.median`, value: 100 * median(stats.map((s) => s.autocorrelation[0] ?? NaN)), unit: '%' });
    out.push({ name: `sim.labSyncNoise.${who}.autocorrelation10s.median`, value: 100 * median(stats.map((s) => s.autocorrelation[4] ?? NaN)), unit: '%' });
  }
  return out;
}
