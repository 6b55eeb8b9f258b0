/**
 * issue 14 item 6: the steady-state side-by-side run while stress-ng keeps both cores busy. stress-ng
 * (Debian) runs guarded like every lab process, from before the grandmaster starts until the end, with
 * one CPU worker per online core; Syntonic and ptp4l's servo are then scheduled late as any
 * application would be on a busy host.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { skippedResult } from '../labResult.js';
import { LabProcess } from '../labProcess.js';
import type { LabScenario } from './labScenario.js';
import { endWindow, withStar } from './labScenario.js';
import { STEADY_RUN_S, STEADY_WINDOW_S, steadyRun } from './steadyState.js';

export const cpuLoad: LabScenario = {
  name: 'cpu-load',
  description: `the steady-state side-by-side run (last ${STEADY_WINDOW_S} s of ${STEADY_RUN_S} s) with stress-ng --cpu ${availableParallelism()} loading every core throughout`,
  run: async (options) =>
    spawnSync('sh', ['-c', 'command -v stress-ng']).status !== 0
      ? skippedResult(cpuLoad.name, cpuLoad.description, 'stress-ng is not installed (apt-get install stress-ng)')
      : withStar(
          { syntonic: { logFormat: 'json' }, captureSyncs: true },
          async (star) => {
            const { runS, windowS } = steadyRun(options);
            const workers = availableParallelism();
            const argv = ['stress-ng', '--cpu', String(workers), '--cpu-load', '100', '--timeout', `${Math.ceil(runS + 5)}s`, '--quiet'];
            const stress = new LabProcess('stress-ng', star.lab, star.syntonicEnd.namespace, argv, star.guard);
            star.mark(`stress-ng --cpu ${workers} started`);
            try {
              return { steady: await endWindow(star, runS, windowS) };
            } finally {
              stress.assertClockUntouched();
              await stress.stop();
            }
          },
          cpuLoad,
          options,
        ),
};
