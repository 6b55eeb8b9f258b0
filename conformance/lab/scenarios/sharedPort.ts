import type { LabScenario } from './labScenario.js';
import { endWindow, withStar } from './labScenario.js';
import { STEADY_RUN_S, STEADY_WINDOW_S, steadyRun } from './steadyState.js';

/**
 * issue 14's same-port comparison made paired: steady state with Syntonic and ptp4l's servo on the
 * grandmaster's one port at once (sharedPortHub.ts), so both take the same Syncs in the same run and
 * the link's run-to-run wander drops out of each run's difference. `--order` 1: the hub serves
 * Syntonic first, 2: ptp4l first (the flood skew, captured, swaps sides).
 */
export const sharedPort: LabScenario = {
  name: 'shared-port',
  sharedPort: true,
  description: `steady state with Syntonic and ptp4l's own servo (vclock.so) on the grandmaster's one port through a hub that copies the grandmaster's frames to both and keeps each slave's Pdelay point-to-point (nftables, netdev family): the same Syncs to both; both true errors over the last ${STEADY_WINDOW_S} s of ${STEADY_RUN_S} s`,
  run: (options) =>
    withStar(
      { sharedPort: true, syntonic: { logFormat: 'json' }, captureSyncs: true },
      async (star) => {
        const { runS, windowS } = steadyRun(options);
        return { steady: await endWindow(star, runS, windowS) };
      },
      sharedPort,
      options,
    ),
};
