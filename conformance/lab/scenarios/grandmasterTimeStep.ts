/**
 * issue 14 item 3: a grandmaster that restarts with its time moved by milliseconds is followed within
 * 10 s. The grandmaster ptp4l is killed after a steady stretch and restarted on a virtual clock moved
 * by MOVED_NS (vclock.so with VCLOCK_OFFSET_NS, free-running: it sends CLOCK_REALTIME + MOVED_NS and
 * never steers anything; no machine clock changes). From the restart on, the truth for Syntonic and
 * the reference is that moved time, read from the grandmaster's vclock state file (StarLab), so
 * `followedWithin10us` is the time from the restart until Syntonic's true error against the new
 * grandmaster time came within 10 µs for good, and the samples it still called synchronized while
 * off show in `whileSynchronized.beyond10us`. With a servo reference (the default) the steady stretch
 * waits for ptp4l's PI to settle, and its own follow of the moved time is measured the same way
 * (`ptp4l.followedWithin10us`): issue 14's "followed within 10 s" beside what ptp4l's servo does.
 */
import { sleep, until } from '../starLab.js';
import { FOLLOWED_NS } from '../labResult.js';
import type { LabScenario } from './labScenario.js';
import { steadyStretch, withStar } from './labScenario.js';

/** The grandmaster's time after the restart, ahead of CLOCK_REALTIME. */
export const MOVED_NS = 3_000_000;
/** Shorter than announceReceiptTimeout (3 s): the same grandmaster comes back with another time. */
const OUTAGE_MS = 2_000;
/** How long after the restart the run waits for Syntonic to follow before it gives up. */
const FOLLOW_TIMEOUT_MS = 30_000;
/** Once followed, the run goes on this long to see that it stays. */
const AFTER_FOLLOWED_MS = 10_000;

export const grandmasterTimeStep: LabScenario = {
  name: 'grandmaster-time-step',
  description: `the grandmaster ptp4l is killed after a steady stretch and restarted ${OUTAGE_MS / 1000} s later with its time moved by +${MOVED_NS / 1e6} ms (vclock.so); the truth is then the grandmaster's moved time`,
  run: (options) =>
    withStar(
      { syntonic: { logFormat: 'json' } },
      async (star) => {
        // With a servo reference the steady stretch starts once ptp4l's PI has settled too, so its
        // figures before the step and its own follow of the step are measured beside Syntonic's.
        const steady = await steadyStretch(star, options.durationS ?? 15);
        const killedMs = await star.killGrandmaster();
        await sleep(OUTAGE_MS);
        const restartedMs = star.restartGrandmasterMoved(MOVED_NS);
        const deadline = restartedMs + FOLLOW_TIMEOUT_MS;
        const within = (x: { atMs: number; errorNs: number } | undefined): boolean =>
          x !== undefined && x.atMs > restartedMs && Math.abs(x.errorNs) <= FOLLOWED_NS;
        const syntonicFollowed = await until(deadline, () => {
          const last = star.probe.samples.at(-1);
          return within(last) && last?.status === 'synchronized';
        });
        star.mark(
          syntonicFollowed
            ? 'provider synchronized within 10 µs of the moved grandmaster time'
            : `not within 10 µs of the moved grandmaster time ${FOLLOW_TIMEOUT_MS / 1000} s after the restart`,
        );
        // ptp4l's servo beside it gets the same time to follow: its figure is measured, not awaited forever.
        if (star.referenceKind !== undefined && star.referenceKind !== 'free-running') {
          const referenceFollowed = await until(deadline, () => within(star.referenceErrors.at(-1)));
          star.mark(`ptp4l's ${star.referenceKind} ${referenceFollowed ? 'within' : 'not within'} 10 µs of the moved grandmaster time`);
        }
        await sleep(AFTER_FOLLOWED_MS);
        return { steady, disruption: { fromMs: killedMs, toMs: restartedMs } };
      },
      grandmasterTimeStep,
      options,
    ),
};
