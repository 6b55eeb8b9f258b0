/**
 * issue 14 item 3: a grandmaster that restarts with its time moved by milliseconds is followed within
 * 10 s. The grandmaster ptp4l is killed after a steady stretch and restarted on a virtual clock moved
 * by MOVED_NS (vclock.so with VCLOCK_OFFSET_NS, free-running: it sends CLOCK_REALTIME + MOVED_NS and
 * never steers anything; no machine clock changes). From the restart on, the truth for Syntonic and
 * the reference is that moved time, read from the grandmaster's vclock state file (StarLab), so
 * `followedWithin10us` is the time from the restart until Syntonic's true error against the new
 * grandmaster time came within 10 µs for good, and the samples it still called synchronized while
 * off show in `whileSynchronized.beyond10us`.
 */
import { sleep } from '../starLab.js';
import { FOLLOWED_NS } from '../labResult.js';
import type { LabScenario } from './labScenario.js';
import { SETTLE_MS, SYNCHRONIZED_TIMEOUT_MS, withStar } from './labScenario.js';

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
        const lockedMs = (await star.probe.statusBecomes('synchronized', SYNCHRONIZED_TIMEOUT_MS, star.startMs)).atMs;
        star.mark('provider synchronized');
        await sleep(Math.max(0, lockedMs + SETTLE_MS - Date.now()));
        const fromMs = Date.now();
        await sleep((options.durationS ?? 15) * 1000);
        const steady = { fromMs, toMs: Date.now() };
        const killedMs = await star.killGrandmaster();
        await sleep(OUTAGE_MS);
        const restartedMs = star.restartGrandmasterMoved(MOVED_NS);
        const deadline = restartedMs + FOLLOW_TIMEOUT_MS;
        while (Date.now() < deadline) {
          const last = star.probe.samples[star.probe.samples.length - 1];
          if (last !== undefined && last.atMs > restartedMs && last.status === 'synchronized' && Math.abs(last.errorNs) <= FOLLOWED_NS) break;
          await sleep(250);
        }
        star.mark(
          Date.now() < deadline
            ? 'provider synchronized within 10 µs of the moved grandmaster time'
            : `not within 10 µs of the moved grandmaster time ${FOLLOW_TIMEOUT_MS / 1000} s after the restart`,
        );
        await sleep(AFTER_FOLLOWED_MS);
        return { steady, disruption: { fromMs: killedMs, toMs: restartedMs } };
      },
      grandmasterTimeStep,
      options,
    ),
};
