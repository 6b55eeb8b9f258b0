/**
 * A change of the Syncs' path alone, in the lab, on the direct veth links: from STEP_AT_S to
 * STEP_AT_S + STEP_FOR_S the grandmaster's clock reads SYNC_PATH_STEP_NS early (ptp4l on vclock.so,
 * stepped by signal), while the truth stays CLOCK_REALTIME. Its Pdelay answers keep t3 − t2, so the
 * link delay does not change: each Sync seems to have taken SYNC_PATH_STEP_NS longer, a delay on the
 * Syncs' path that meanLinkDelay cannot see (802.1AS-2020 8.3). Neither slave can tell it from a
 * change of the master's time, so both follow it — a true error of about −SYNC_PATH_STEP_NS during the
 * step. The answers' t3 moves with the stepped clock, though: every neighborRateRatio whose span holds
 * the step is off by step / span for one span (−250 ppb for 8 s at 2 µs, −125 ppb at 1 µs), which a
 * change of the Sync path alone would not do. To a servo that weighs the rate ratios (Syntonic's
 * Kalman servo since session 24) this is a step of the grandmaster's time, and it follows it as one;
 * ptp4l's PI takes no ratio. What this checks is Syntonic's side: that it stays
 * synchronized while its servo steers the change out, and that errorBoundNs covers the true error
 * (the believed change is in the bound) — the case docs/servo.md's status rule was changed for,
 * shown until now by the simulator only (sim.software-path-shift, the same 2 µs).
 *
 * `sync-path-small-step` is the same with 1 µs, a change below the Kalman servo's level test: nothing
 * is believed, the filter follows it through its gain, and the bound must cover it all the same.
 *
 * `grandmaster-phase-step` is the same with 20 µs, a change no latency on veth makes: an outlier run
 * from its first Sync, which the Kalman servo holds against the rate ratios measured inside it
 * (docs/servo.md, "A run the grandmaster's own ratios contradict"). The ratios carry the move (t3
 * moves with the stepped clock, above), so the run is believed after its 2 s and followed, at both
 * edges of the step: what shows that ptp4l's answers witness its time in the lab as the servo assumes.
 */
import type { LabScenario } from './labScenario.js';
import { endWindow, withStar } from './labScenario.js';
import { sleep } from '../starLab.js';
import { steadyRun } from './steadyState.js';

/** The simulator's path shift, and the size of the Sync-latency changes seen on veth. */
export const SYNC_PATH_STEP_NS = 2_000;
/**
 * A change below the Kalman servo's level test (3 σ of the 400–500 ns it learns on veth): followed
 * through the filter's gain alone, over tens of seconds, and believed nowhere.
 */
export const SYNC_PATH_SMALL_STEP_NS = 1_000;
/** A move of the grandmaster's time well beyond the Kalman servo's gate on veth (4 σ of ~500 ns), and within the engine's 500 µs move rule. */
export const GRANDMASTER_PHASE_STEP_NS = 20_000;
/** Inside the measured window (70–120 s), after ptp4l's PI has settled. */
const STEP_AT_S = 80;
const STEP_FOR_S = 20;

function syncPathStepScenario(
  name: string,
  stepNs: number,
  expected = 'Syntonic should stay synchronized with its error bound covering the true error',
): LabScenario {
  const scenario: LabScenario = {
    name,
    description: `from ${STEP_AT_S} s to ${STEP_AT_S + STEP_FOR_S} s the grandmaster's Syncs say they left ${stepNs / 1000} µs earlier than they did (its clock stepped through vclock.so; the truth stays CLOCK_REALTIME): to both slaves a ${stepNs / 1000} µs longer Sync path; ${expected}`,
    run: (options) =>
      withStar(
        // The capture shows the step in each Sync's latency on both links; the JSON log the servo's view of it.
        { grandmasterStepNs: -stepNs, syntonic: { logFormat: 'json' }, captureSyncs: true },
        async (star) => {
          const { runS, windowS } = steadyRun(options);
          if (STEP_AT_S < runS - windowS || STEP_AT_S + STEP_FOR_S >= runS) {
            throw new RangeError(`the step (${STEP_AT_S}–${STEP_AT_S + STEP_FOR_S} s) must lie inside the measured window (${runS - windowS}–${runS} s)`);
          }
          const steady = endWindow(star, runS, windowS);
          await sleep(star.startMs + STEP_AT_S * 1000 - Date.now());
          const fromMs = await star.stepGrandmasterStamps(true);
          await sleep(STEP_FOR_S * 1000);
          const toMs = await star.stepGrandmasterStamps(false);
          return { steady: await steady, change: { fromMs, toMs } };
        },
        scenario,
        options,
      ),
  };
  return scenario;
}

export const syncPathStep = syncPathStepScenario('sync-path-step', SYNC_PATH_STEP_NS);
export const syncPathSmallStep = syncPathStepScenario('sync-path-small-step', SYNC_PATH_SMALL_STEP_NS);
export const grandmasterPhaseStep = syncPathStepScenario(
  'grandmaster-phase-step',
  GRANDMASTER_PHASE_STEP_NS,
  "its Pdelay answers' t3 moves too, so the rate ratios witness a move of its time: Syntonic should follow each edge within 3 s, its error bound covering the true error",
);
