import type { LabScenario, LabScenarioOptions } from './labScenario.js';
import { endWindow, withStar } from './labScenario.js';

/** issue 14's method: 120 s runs, the last 50 s measured (ptp4l's software PI reaches s2 at ~42 s). */
export const STEADY_RUN_S = 120;
export const STEADY_WINDOW_S = 50;

/** The run's length and its measured window at the end, s: the options' (`windowS`, else `durationS`) or issue 14's. */
export function steadyRun(options: LabScenarioOptions): { runS: number; windowS: number } {
  return { runS: options.runS ?? STEADY_RUN_S, windowS: options.windowS ?? options.durationS ?? STEADY_WINDOW_S };
}

export const steadyState: LabScenario = {
  name: 'steady-state',
  description: `ptp4l grandmaster with one port per slave; Syntonic (software timestamps, virtual clock) on one, ptp4l running its own servo on a virtual CLOCK_REALTIME (vclock.so) on the other; both true errors over the last ${STEADY_WINDOW_S} s of ${STEADY_RUN_S} s`,
  run: (options) =>
    // JSON log: per-Sync ingress and grandmaster time (the bias decomposition in docs/accuracy.md).
    withStar(
      { syntonic: { logFormat: 'json' }, captureSyncs: true },
      async (star) => {
        const { runS, windowS } = steadyRun(options);
        return { steady: await endWindow(star, runS, windowS) };
      },
      steadyState,
      options,
    ),
};
