/**
 * The Sync noise of 298 lab runs (sessions 13 and 14, each: steady state, CPU load, automotive, the 2 µs
 * path step, three runs per port order; sessions 16 and 17 on the 60-exchange link-delay window:
 * steady state, CPU load and the step, 23 runs, the last a step run whose error bound missed in the
 * lab, 89.6 %, before the bound kept the whole change a level stands for; session 18's twelve runs through a
 * 1 µs Sync-path step, below the servo's level test; session 19's thirty on another, quieter VM:
 * steady state, CPU load and the 2 µs step, five runs per port order each; session 20's sixteen on that VM,
 * after the error bound kept a followed change whole: both steps, steady state, CPU load; session 21's
 * thirty-two on the latency state, steady state with a control, CPU load, both steps, session 22's
 * ten on one path with the control, session 25's thirty-two, steady state with the control, CPU
 * load and the 2 µs step, then both steps on the next servo, the first that carry each Sync's rate
 * ratio as the lab's engine measured it, and session 26's forty-one on the servo as it is: steady
 * state with the control, CPU load and the 2 µs step, five runs per port order each, and eleven on
 * one path with the control; session 28's twenty after a late Pdelay answer became no end of the
 * rate ratio: steady state with the control and CPU load, five runs per port order each; session 29's
 * twenty-four of steady state on a third VM, beside linreg and with the control; session 30's ten of
 * steady state with the control),
 * replayed through the servo in closed loop
 * (conformance/sim/labNoise.ts). The lab measured Syntonic's true error in those runs (replayed through
 * the servo that ran each series, the replay came within 16 % of each run, most within 5 %); the servo
 * of this code must do no worse on the same noise in most runs and not much worse in any, and on the
 * runs its own steering ran, come out as the lab did, so a change to the servo that would have cost
 * accuracy in the lab fails here, without the lab.
 */
import { describe, expect, it } from 'vitest';
import {
  HOLDOVER_GAPS,
  loadLabNoise,
  replayLabNoise,
  runsWithoutChange,
  ReplayedRateRatio,
  toFile,
  traceFigures,
  traceLabNoise,
  withSyncPathChange,
  type LabNoiseRun,
} from '../../conformance/sim/labNoise.js';
import { neededFrequencyPpb } from '../../src/servo/feedForward.js';

const recording = loadLabNoise();

function constantNoise(noiseNs: number): LabNoiseRun {
  const syncAtS = Array.from({ length: 800 }, (_, i) => 2 + i * 0.125);
  return {
    name: 'constant',
    servo: 'none',
    logSyncInterval: -3,
    syncAtS,
    noiseNs: syncAtS.map(() => noiseNs),
    pathDelayChanges: [[0, 1_000]],
    measured: { syntonicTrueErrorStdNs: 0, ptp4lTrueErrorStdNs: 0, leftSynchronized: 0 },
  };
}

describe('the replay of recorded lab noise', () => {
  it('holds one noise value per Sync, 8 Syncs a second, for every run', () => {
    expect(recording.runs).toHaveLength(298);
    for (const run of recording.runs) {
      expect(run.noiseNs, run.name).toHaveLength(run.syncAtS.length);
      const spanS = (run.syncAtS.at(-1) ?? 0) - (run.syncAtS[0] ?? 0);
      expect(run.syncAtS.length / spanS, run.name).toBeGreaterThan(7);
    }
  });

  it('stores the Sync times as ms steps that add up to the times again', () => {
    const run = recording.runs[0] as LabNoiseRun;
    let ms = 0;
    const again = toFile(run).syncStepsMs.map((step) => (ms += step) / 1000);
    expect(again).toEqual(run.syncAtS);
  });

  it("hands the servo each Sync's interval: a run whose Syncs slow to one a second (the automotive slave's request) replays as steadily as before", () => {
    // 40 s at 8 Syncs a second, then 60 s at one: a latency that alternates ±300 ns, on the clock's true time.
    const syncAtS = [...Array.from({ length: 320 }, (_, i) => 2 + i * 0.125), ...Array.from({ length: 60 }, (_, i) => 42 + i)];
    const run: LabNoiseRun = {
      ...constantNoise(0),
      syncAtS,
      noiseNs: syncAtS.map((_, i) => (i % 2 === 0 ? 300 : -300)),
      logSyncIntervalChanges: [[320, 0]],
    };
    const slow = traceFigures(traceLabNoise(run), 60);
    expect(slow.trueErrorMaxNs).toBeLessThan(1_000);
    expect(slow.leftSynchronized).toBe(0);
  });

  it('follows a latency it cannot see: a constant +1 µs on every Sync leaves the clock 1 µs behind the truth', () => {
    const r = replayLabNoise(constantNoise(1_000));
    expect(r.trueErrorMeanNs).toBeCloseTo(-1_000, -1);
    expect(r.trueErrorStdNs).toBeLessThan(5);
    expect(replayLabNoise(constantNoise(0)).trueErrorMaxNs).toBeLessThan(1);
  });
});

describe("the lab's rate ratios in the replay", () => {
  it('hands the feed-forward the error the lab measured, with its σ and span, from the Sync that first carried it until the next', () => {
    const ratios = new ReplayedRateRatio([
      [0, -140, null],
      [6, 40, 64],
      [14, -4_400, 38, 8.004],
    ]);
    // The replay's clock is the daemon's virtual clock over a base at the master's rate (timestamps do not follow the adjustment).
    const needed = (i: number): number => neededFrequencyPpb(ratios.at(i).rateRatio, false, 0);
    expect(ratios.at(5)).toEqual({ rateRatio: 1 - 140e-9 });
    expect(needed(6)).toBeCloseTo(40, 6);
    expect(ratios.at(13).rateRatioSigma).toBeCloseTo(64e-9, 15);
    expect(ratios.at(13)).not.toHaveProperty('rateRatioSpanS');
    // One ratio is one measurement: the same object on each Sync until the next change, as the engine holds it.
    expect(ratios.at(14)).toBe(ratios.at(20));
    expect(needed(20)).toBeCloseTo(-4_400, 6);
    // The span where the log gave it (since 06e093b); none before (the servo then takes the engine's window).
    expect(ratios.at(20).rateRatioSpanS).toBe(8.004);
  });

  it('gives the Syncs of a run recorded without ratios rateRatio 1 and no σ: the servo weighs none of them', () => {
    expect(new ReplayedRateRatio([]).at(100)).toEqual({ rateRatio: 1 });
  });
});

describe("Syntonic's servo on the noise of the lab runs", () => {
  const replays = recording.runs.map((run) => {
    const trace = traceLabNoise(run);
    return { run, trace, replay: traceFigures(trace) };
  });

  /** The runs the lab ran on this servo's steering: the Syncs' latency as a state (session 21's prototype differed in the first 10 s only). */
  const LATENCY_STATE_SERVOS = ['67520ca-prototype', '67520ca', '6848399'];
  /**
   * The runs the lab ran on the servo as it is: a run of rate ratios taken only once it outlasts their span (06e093b; 3a44b51 the same
   * servo in three files; 2b9d7ea the same servo, a late Pdelay answer no end of the rate ratio).
   */
  const SPAN_RULE_SERVOS = ['06e093b', '3a44b51', '2b9d7ea'];
  // Replayed as they ran: their phase seated from the first offset (startSpanS 0). Seated from the first
  // half second's median (session 23) the start's transient differs: the std from 20 s on comes to
  // 0.713–1.254 of the lab's (3 of the 42 beyond 15 %), 0.754–1.113 of the first-offset start's; from
  // 30 s on within 0.945–1.060 of it.
  const own = recording.runs
    .filter((run) => LATENCY_STATE_SERVOS.includes(run.servo))
    .map((run) => ({ run, replay: replayLabNoise(run, { timestamping: 'software', kalman: { startSpanS: 0 } }) }));
  /** The runs recorded with their rate ratios (session 25), on the servo that weighs every one: replayed as they ran, every input. */
  const withRatios = replays.filter(({ run }) => run.rateRatioChanges !== undefined);
  const earlier = replays.filter(({ run }) => !LATENCY_STATE_SERVOS.includes(run.servo) && run.rateRatioChanges === undefined);

  it("does better than the servos the lab ran before: at or below the lab's true error std in three runs of four, within 1.6 × it in every run", () => {
    // Replayed through the servo that ran them, each run came within 16 % of the lab's std, most within 5 % (docs/servo.md).
    // Since the latency state (session 21): at or below in 102 of 129; 1.48 × at the worst, a run whose
    // latency moved while the state joined (s19.steady-state.run1.order1: 168 against 113 ns from 20 s on).
    expect(earlier).toHaveLength(129);
    const notAbove = earlier.filter(({ run, replay }) => replay.trueErrorStdNs <= run.measured.syntonicTrueErrorStdNs);
    expect(notAbove.length).toBeGreaterThanOrEqual(0.75 * earlier.length);
    for (const { run, replay } of earlier) expect(replay.trueErrorStdNs, run.name).toBeLessThanOrEqual(1.6 * run.measured.syntonicTrueErrorStdNs);
  });

  it("comes out as the lab did on the runs its own steering ran: within 15 % of the lab's std in every one", () => {
    // Measured: 0.885–1.127 of the lab's, 2.0 % off in the median run (sessions 21 and 22).
    expect(own).toHaveLength(42);
    for (const { run, replay } of own) {
      expect(replay.trueErrorStdNs / run.measured.syntonicTrueErrorStdNs, run.name).toBeGreaterThanOrEqual(0.85);
      expect(replay.trueErrorStdNs / run.measured.syntonicTrueErrorStdNs, run.name).toBeLessThanOrEqual(1.15);
    }
  });

  it("comes out as the lab did on the runs recorded with their rate ratios, without a step: within 10 % of the lab's std in every one", () => {
    // Sessions 25 and 26's runs of steady state, stress-ng and one path: 0.961–1.089 of the lab's
    // (session 25's 0.980–1.022; 0.961–1.050 before the recorder kept the Syncs ahead of the first
    // true-error sample); session 28's of steady state and stress-ng, whose ratios left late answers
    // out of their ends, 0.909–1.024; session 29's of steady state 0.975–1.034, session 30's 0.920–1.006. Without their ratios (rateRatio 1, as the older runs) session 25's replay at
    // 0.72–3.57 of it: the servo weighs every ratio, and a replay that withheld them would replay another servo.
    const quietWithRatios = withRatios.filter(({ run }) => !run.name.includes('step'));
    expect(quietWithRatios).toHaveLength(99);
    for (const { run, replay } of quietWithRatios) {
      expect(replay.trueErrorStdNs / run.measured.syntonicTrueErrorStdNs, run.name).toBeGreaterThanOrEqual(0.9);
      expect(replay.trueErrorStdNs / run.measured.syntonicTrueErrorStdNs, run.name).toBeLessThanOrEqual(1.1);
    }
  });

  it("comes out as the lab did through the lab's 2 µs and 1 µs steps on the servo that ran them: within 5 % of the lab's std", () => {
    // Session 25's twelve step runs on 06e093b's servo (a run of ratios taken only once it outlasts
    // their span), three per order of each step, and session 26's ten through the 2 µs step on
    // 3a44b51 (the same servo in three files): 0.990–1.017 of the lab's std.
    const asItIs = withRatios.filter(({ run }) => run.name.includes('step') && SPAN_RULE_SERVOS.includes(run.servo));
    expect(asItIs).toHaveLength(22);
    for (const { run, replay } of asItIs) {
      expect(replay.trueErrorStdNs / run.measured.syntonicTrueErrorStdNs, run.name).toBeGreaterThanOrEqual(0.95);
      expect(replay.trueErrorStdNs / run.measured.syntonicTrueErrorStdNs, run.name).toBeLessThanOrEqual(1.05);
    }
  });

  it("stays synchronized in most runs where the lab's status left: the Syncs' latency rose by 2 µs, which the servo does not steer by", () => {
    // The lab's status left in 11 runs: ten through the 2 µs Sync-path step, and one of session 29's
    // steady state whose Syncs came 2 µs later for 30 s. It judged the raw offsets' RMS, which the
    // latency the servo holds as L̂ took past 2 µs while the clock stayed within its bound; judged net
    // of L̂ (syncStatus.ts), the replay leaves in 1 of the 11 (on the raw offsets it left in 8 of them).
    const leftInLab = replays.filter(({ run }) => run.measured.leftSynchronized > 0);
    expect(leftInLab.length).toBe(11);
    const kept = leftInLab.filter(({ replay }) => replay.leftSynchronized === 0);
    expect(kept.length).toBeGreaterThanOrEqual(8);
  });

  it("carries less of the lab's 2 µs step than the lab did on the servo before, which took a run of eight ratios as a rate: below 0.8 of the lab's std in four of six runs, within 5 % of it in the others", () => {
    // The step moved the grandmaster's time, so the 8 ratios whose span held it said −250 ppb, which
    // the lab's servo (710df33) took as the frequency after eight: 0.36–1.01 of the lab's std now
    // (the lab's own servo replayed: within 1.3 % of it in each, the same departures).
    const stepWithRatios = withRatios.filter(({ run }) => run.name.includes('step') && run.servo === '710df33');
    expect(stepWithRatios).toHaveLength(6);
    const share = stepWithRatios.map(({ run, replay }) => replay.trueErrorStdNs / run.measured.syntonicTrueErrorStdNs);
    expect(share.filter((x) => x < 0.8).length).toBeGreaterThanOrEqual(4);
    for (const x of share) expect(x).toBeLessThanOrEqual(1.05);
  });

  it("measures a level taken before the latency joins at the frequency it knows best: session 30's run with a level at 9.8 s keeps a bound of a few µs, and covered", () => {
    // The level's change reaches back 8 s, to when the frequency was the start-up ratio's (σ ~2 ppm):
    // measured at that frequency it read "a change of 5922 ns so far" for a 1320 ns level, and the
    // bound, which keeps a believed change for minutes, had a median of 16.3 µs (the lab's 16.6 µs).
    // At whichever of the two frequencies has the smaller σ: 5.4 µs.
    const run = replays.find(({ run }) => run.name === 's30.steady-state.run5.order2');
    expect(run?.replay.errorBoundMedianNs).toBeLessThan(8_000);
    expect(run?.replay.errorBoundCoverage).toBeGreaterThanOrEqual(0.999);
  });

  it('and a level after the join whose course reaches back before it: at the frequency the join judged, sessions 29 and 30 keep bounds near the others', () => {
    // Levels at 10.0 and 8.9 s, their change measured again at every Sync for 8 s after, past the join,
    // from a mark at 1–2 s: the frequency then had σ 7–14 ppb and was 50–110 ppb from the one learned
    // by then (the latency's wander read as a rate), so the change read µs too large and the bound's
    // medians were 9.6 and 8.5 µs for minutes (6.2 and 5.7 µs judged as the join judged that
    // frequency; the widest other replay 6.6 µs, the mean 3.7 µs).
    for (const name of ['s29a.steady-state.run5.order1', 's30.steady-state.run3.order2']) {
      const run = replays.find(({ run }) => run.name === name);
      expect(run?.replay.errorBoundMedianNs, name).toBeLessThan(7_500);
      expect(run?.replay.errorBoundCoverage, name).toBeGreaterThanOrEqual(0.999);
    }
  });

  it("knows how far its frequency may be off in the first seconds: the bound's growth with age covers the estimate's error 3, 5 and 8 s after the start in 98 % of the runs", () => {
    // The truth is 0 ppb. Before the latency joins (10 s) the filter reads its wander as phase and
    // its slope as the clock's: the estimate was 140, 90, 63 ppb RMS off at 3, 5, 8 s, where σφ alone
    // said 83, 40, 20 ppb, beyond 4 σφ in 23, 26, 37 runs; with the slope the latency made since the
    // start (LatencyJoin.unmodelledSlopePpb), in 1, 3, 3.
    for (const afterS of [3, 5, 8]) {
      const beyond = replays.filter(({ trace }) => {
        const startS = trace.frequencies[0]?.atS ?? 0;
        const then = trace.frequencies.find((f) => f.atS - startS >= afterS);
        return then === undefined || Math.abs(then.estimatePpb) > then.boundGrowthPpb;
      });
      expect(beyond.length, `${afterS} s: ${beyond.map(({ run }) => run.name).join(', ')}`).toBeLessThanOrEqual(0.02 * replays.length);
    }
  });

  it('keeps |true error| within errorBoundNs in ≥ 99.9 % of the Syncs while synchronized, in every run', () => {
    for (const { run, replay } of replays) expect(replay.errorBoundCoverage, run.name).toBeGreaterThanOrEqual(0.999);
  });

  it('leaves synchronized no more often than it did in the lab (once in each run that did), but where a witnessed move of the grandmaster is judged', () => {
    // The lab's 2 µs step moves the grandmaster's clock, and the rate ratios show it: while such a run
    // is judged its offsets count towards the offsets' RMS (timeBaseStatus.ts), and one run, 13 offsets
    // 2.3 µs off, takes it past 2 µs (s25b.sync-path-step.run3.order1). Once per edge at most, in one run.
    const judged = (name: string) => name.includes('sync-path-step') && !name.includes('small');
    for (const { run, replay } of replays) {
      expect(replay.leftSynchronized, run.name).toBeLessThanOrEqual(run.measured.leftSynchronized + (judged(run.name) ? 2 : 0));
    }
    const more = replays.filter(({ run, replay }) => replay.leftSynchronized > run.measured.leftSynchronized);
    expect(more.length).toBeLessThanOrEqual(1);
  });
});

describe('the error bound through a change of the Sync path below the level test, on the lab noise', () => {
  const quiet = runsWithoutChange(recording);

  // Below 3 σ of the noise the servo learns, no level is taken: the filter follows the change through
  // its gain over tens of seconds. Before the servo watched its course over 64 s for such a change, 9
  // of these runs kept the bound in < 99.9 % of their samples with the 1 µs step, 26 with the ramp
  // (down to 56.1 %); the step the other way moves the true error towards 0 and held in all of them.
  // A change at 40 s comes 35 s after synchronized, while the frequency estimate is still young: it
  // takes part of the change as a rate (φ̂ −70 ppb where the truth is 0, σ 4 ppb), and the course's
  // move at that frequency shrinks again. While the bound kept only the move's excess over 1 σ of what
  // the model allows, 14 of these runs fell short through the 1.3 µs step (down to 72.1 %). Since the
  // latency state (session 21) such a change goes to L first and reaches the clock as L returns to its
  // mean, within 20 s: the span the course is watched over then (over 64 s, 20 of 3840 replays with a
  // change added fell short; over 20 s, 1).
  it.each([
    { what: 'a 1 µs step', changeNs: 1_000, atS: 60, rampS: 0 },
    { what: 'a 1 µs step the other way', changeNs: -1_000, atS: 60, rampS: 0 },
    { what: 'a 1.5 µs ramp over 20 s', changeNs: 1_500, atS: 60, rampS: 20 },
    { what: 'a 1.3 µs step 35 s after synchronized', changeNs: 1_300, atS: 40, rampS: 0 },
  ])('keeps |true error| within errorBoundNs in 0.999 of the samples or more through $what, in every run', ({ changeNs, atS, rampS }) => {
    expect(quiet).toHaveLength(209);
    for (const run of quiet)
      expect(replayLabNoise(withSyncPathChange(run, { changeNs, atS, rampS })).errorBoundCoverage, run.name).toBeGreaterThanOrEqual(0.999);
  });

  // The lab's own 1 µs step (sync-path-small-step, session 18): the bound held through it before the
  // course was watched too, but with 119–352 ns to spare in 5 of 6 runs (the replay: 127–347 ns).
  // Session 25's six on the servo that fuses every rate ratio, with their ratios: 1035–2329 ns.
  it("keeps 400 ns (1 σ of the noise) between the bound and the true error through the lab's 1 µs step, in every run", () => {
    const smallStep = recording.runs.filter((run) => run.name.includes('sync-path-small-step'));
    expect(smallStep).toHaveLength(26);
    for (const run of smallStep) expect(replayLabNoise(run).errorBoundClosestNs, run.name).toBeGreaterThanOrEqual(400);
  });
});

describe('the error bound in holdover, on the lab noise', () => {
  // The Kalman servo's frequency estimate of the first minute is off by more than its σ says on
  // software timestamps (−180 ppb against 28 ppb at 8 s): the bound's growth in holdover must still
  // cover what the clock drifts by. 30 s without Syncs, from 30 s and from 60 s (session 18: the
  // closest 770 ns and 703 ns to spare over the 54 runs; the true error up to 6.5 µs; session 19's 20
  // quieter runs added, 703 ns at the closest still).
  it.each(HOLDOVER_GAPS)('keeps |true error| within errorBoundNs through $forS s without Syncs from $fromS s, in every run', (gap) => {
    for (const run of runsWithoutChange(recording)) {
      const { holdover } = traceLabNoise(run, undefined, gap);
      expect(holdover.length, run.name).toBeGreaterThan(100);
      for (const x of holdover) expect(x.absErrorNs, `${run.name} at ${x.atS} s`).toBeLessThanOrEqual(x.boundNs);
    }
  });
});
