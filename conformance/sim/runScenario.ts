/**
 * Runs one simulation scenario and measures it against the truth: the station clock's error to the
 * grandmaster's time at every sample, time to lock, steady-state RMS/max error, holdover error, and
 * the status timeline. Deterministic: a scenario and seed always give the same figures.
 */
import { Decimator } from '../../src/report/decimator.js';
import { RunningStats } from '../../src/report/runningStats.js';
import { median } from '../../src/protocol/windowedMedian.js';
import { Simulation } from './simulation.js';
import type { ScenarioSpec } from './scenarios.js';

const SAMPLE_NS = 125_000_000n;
/** Locked means |error| below this, and staying below it for the rest of the steady window. */
export const LOCK_THRESHOLD_NS = 100;

export interface ScenarioResult {
  readonly name: string;
  readonly description: string;
  /** s from the first Sync until |error| < 100 ns for good (before any disruption; undefined: never). */
  readonly timeToLockS: number | undefined;
  /** s from the end of the disruption until |error| < 100 ns for good (undefined: no disruption or never). */
  readonly recoveryS: number | undefined;
  readonly steadyRmsNs: number;
  readonly steadyMaxNs: number;
  readonly steadyMeanNs: number;
  /** Standard deviation of the error over the steady window, ns. */
  readonly steadyStdNs: number;
  /** |error| after `holdover.measureAfterS` s without Sync. */
  readonly holdoverErrorNs: number | undefined;
  /** The status's own estimate of that error at the same instant (holdover.ts), ns. */
  readonly holdoverEstimateNs: number | undefined;
  readonly statusTimeline: readonly { readonly atS: number; readonly status: string; readonly reason: string }[];
  readonly meanLinkDelayNs: number | undefined;
  readonly neighborRateRatioPpm: number;
  readonly plots: { readonly error: Decimator; readonly frequency: Decimator; readonly delay: Decimator };
  readonly simulatedS: number;
  /** s from the disruption's end until the status said synchronized again (undefined: no disruption or never). */
  readonly resynchronizedS: number | undefined;
  /** s from the first Sync until the status first said synchronized (undefined: never). */
  readonly timeToSynchronizedS: number | undefined;
  /** Times the status left synchronized before the disruption (0: it stayed). */
  readonly leftSynchronized: number;
  /** Over the samples taken while the status said synchronized: largest |error|, ns. */
  readonly synchronizedMaxNs: number;
  /** Share of those samples with |error| ≤ the servo's errorBoundNs at that instant (0…1; NaN: none). */
  readonly errorBoundCoverage: number;
  readonly synchronizedSamples: number;
  /** Median errorBoundNs over those samples, ns (NaN: none). */
  readonly errorBoundMedianNs: number;
  /**
   * Samples left out of the coverage, synchronized or in holdover: after the grandmaster moved its
   * time and before the first Sync that could tell the station (a bound is on the time base the
   * station has heard of).
   */
  readonly unheardChangeSamples: number;
  /** Samples taken while the status said lost after a first Sync (holdover), with a bound to judge. */
  readonly holdoverSamples: number;
  /** Share of those with |error| ≤ errorBoundNs (0…1; NaN: none). */
  readonly holdoverBoundCoverage: number;
  /** Largest errorBoundNs over those samples, ns (NaN: none): the bound reached in holdover. */
  readonly holdoverBoundMaxNs: number;
  /** Of those samples, how many had a holdover estimate (a typical error) above the bound (a 99.9 % one). */
  readonly holdoverEstimateAboveBound: number;
}

export function runScenario(spec: ScenarioSpec): ScenarioResult {
  const timeline: { atS: number; status: string; reason: string }[] = [];
  const plots = { error: new Decimator(), frequency: new Decimator(), delay: new Decimator() };
  const start = spec.scenario.startNs;
  const seconds = (ns: bigint): number => Number(ns - start) / 1e9;
  let firstSyncS: number | undefined;
  let synchronizedAtS: number | undefined;
  let resynchronizedAtS: number | undefined;
  let left = 0;
  let syncedSamples = 0;
  let syncedWithin = 0;
  let syncedMax = 0;
  const syncedBounds: number[] = [];
  let unheardChangeSamples = 0;
  let heldSamples = 0;
  let heldWithin = 0;
  let heldBoundMax = NaN;
  let estimateAboveBound = 0;
  let lastSyncTrueNs: bigint | undefined;
  const jumpsAtNs = spec.scenario.master.phaseJumps.map((j) => start + j.atNs);
  // A jump not yet followed by a Sync: the station cannot know of it.
  const unheardJump = (trueNs: bigint): boolean => jumpsAtNs.some((at) => trueNs >= at && (lastSyncTrueNs === undefined || lastSyncTrueNs < at));
  const sim = new Simulation(spec.scenario, {
    onSyncReceipt: (_r, s) => {
      lastSyncTrueNs = s.trueNow;
      firstSyncS ??= seconds(s.trueNow);
    },
    onStatus: (e, s) => {
      timeline.push({ atS: seconds(s.trueNow), status: e.to, reason: e.reason });
      if (e.to === 'synchronized') synchronizedAtS ??= seconds(s.trueNow);
      if (e.to === 'synchronized' && spec.disruption !== undefined && seconds(s.trueNow) >= spec.disruption.endS) resynchronizedAtS ??= seconds(s.trueNow);
      else if (e.from === 'synchronized' && (spec.disruption === undefined || seconds(s.trueNow) < spec.disruption.atS)) left++;
    },
    onEvent: (e, s) => {
      if (e.type === 'pdelayMeasured') plots.delay.push(seconds(s.trueNow), e.measurement.propTime);
    },
  });
  const steadyTo = spec.steadyToS ?? (spec.holdover !== undefined && spec.holdover.fromS > spec.steadyFromS ? spec.holdover.fromS : spec.durationS);
  const steady = new RunningStats();
  const lockEnd = spec.disruption?.atS ?? steadyTo;
  let lastOutsideS: number | undefined;
  let lastOutsideAfterS: number | undefined;
  let insideAfter = false;
  let holdoverErrorNs: number | undefined;
  let holdoverEstimateNs: number | undefined;
  const holdoverAt = spec.holdover === undefined ? undefined : spec.holdover.fromS + spec.holdover.measureAfterS;
  sim.runFor(spec.durationS, SAMPLE_NS, (s) => {
    const t = seconds(s.trueNow);
    const err = s.clockErrorNs();
    plots.error.push(t, err);
    plots.frequency.push(t, s.clock.frequencyPpb());
    const outside = Math.abs(err) >= (spec.lockThresholdNs ?? LOCK_THRESHOLD_NS);
    if (t < lockEnd && outside) lastOutsideS = t;
    if (spec.disruption !== undefined && t >= spec.disruption.endS && t <= spec.durationS) {
      if (outside) lastOutsideAfterS = t;
      else insideAfter = true;
    }
    if (t >= spec.steadyFromS && t <= steadyTo) steady.push(err);
    const status = s.slave.discipline.syncStatus();
    // Synchronized or in holdover, a bound is judged on the time base the station has heard of.
    if (status !== 'unstable' && unheardJump(s.trueNow)) unheardChangeSamples++;
    else if (status === 'synchronized') {
      const bound = s.slave.discipline.errorBoundAt(s.localNow());
      syncedSamples++;
      if (bound !== undefined && Math.abs(err) <= bound.atNs) syncedWithin++;
      if (bound !== undefined) syncedBounds.push(bound.atNs);
      syncedMax = Math.max(syncedMax, Math.abs(err));
    } else if (status === 'lost') {
      // Before the first Sync there is no bound; in holdover it goes on growing and must still hold.
      // One report gives both the bound and the status's estimate of the error.
      const { errorBound: bound, holdoverErrorNs: estimateNs } = s.slave.discipline.report(s.localNow());
      if (bound !== undefined) {
        heldSamples++;
        if (Math.abs(err) <= bound.atNs) heldWithin++;
        heldBoundMax = Number.isNaN(heldBoundMax) ? bound.atNs : Math.max(heldBoundMax, bound.atNs);
        if ((estimateNs ?? 0) > bound.atNs) estimateAboveBound++;
      }
      if (holdoverAt !== undefined && holdoverErrorNs === undefined && t >= holdoverAt) holdoverEstimateNs = estimateNs;
    }
    if (holdoverAt !== undefined && holdoverErrorNs === undefined && t >= holdoverAt) holdoverErrorNs = Math.abs(err);
  });
  const sampleS = Number(SAMPLE_NS) / 1e9;
  const lockS = lastOutsideS === undefined ? 0 : lastOutsideS + sampleS;
  const d = spec.disruption;
  const recoveredS = lastOutsideAfterS === undefined ? d?.endS : lastOutsideAfterS + sampleS;
  return {
    name: spec.name,
    description: spec.description,
    timeToLockS: firstSyncS === undefined || lockS >= lockEnd ? undefined : Math.max(0, lockS - firstSyncS),
    recoveryS:
      d === undefined || d.endS >= spec.durationS || !insideAfter || recoveredS === undefined || recoveredS >= spec.durationS ? undefined : recoveredS - d.endS,
    steadyRmsNs: steady.rms,
    steadyMaxNs: steady.maxAbs,
    steadyMeanNs: steady.mean,
    steadyStdNs: steady.std,
    holdoverErrorNs,
    holdoverEstimateNs,
    statusTimeline: timeline,
    meanLinkDelayNs: sim.engine.meanLinkDelay,
    neighborRateRatioPpm: (sim.engine.neighborRateRatio - 1) * 1e6,
    plots,
    simulatedS: spec.durationS,
    timeToSynchronizedS: synchronizedAtS === undefined || firstSyncS === undefined ? undefined : synchronizedAtS - firstSyncS,
    leftSynchronized: left,
    resynchronizedS: resynchronizedAtS === undefined || spec.disruption === undefined ? undefined : resynchronizedAtS - spec.disruption.endS,
    synchronizedMaxNs: syncedMax,
    errorBoundCoverage: syncedSamples === 0 ? NaN : syncedWithin / syncedSamples,
    synchronizedSamples: syncedSamples,
    errorBoundMedianNs: syncedBounds.length === 0 ? NaN : median(syncedBounds),
    unheardChangeSamples,
    holdoverSamples: heldSamples,
    holdoverBoundCoverage: heldSamples === 0 ? NaN : heldWithin / heldSamples,
    holdoverBoundMaxNs: heldBoundMax,
    holdoverEstimateAboveBound: estimateAboveBound,
  };
}
