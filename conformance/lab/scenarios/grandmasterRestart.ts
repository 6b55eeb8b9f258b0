import { sleep } from '../starLab.js';
import type { LabScenario } from './labScenario.js';
import { steadyStretch, withStar, SYNCHRONIZED_TIMEOUT_MS } from './labScenario.js';

/** How long the grandmaster stays away: well beyond syncReceiptTimeout (375 ms) and announceReceiptTimeout (3 s). */
const OUTAGE_MS = 10_000;

export const grandmasterRestart: LabScenario = {
  name: 'grandmaster-restart',
  description: `the grandmaster ptp4l is killed (SIGKILL) after a steady stretch and restarted ${OUTAGE_MS / 1000} s later; Syntonic keeps running`,
  run: (options) =>
    withStar(
      {},
      async (star) => {
        const steady = await steadyStretch(star, options.durationS ?? 20);
        const killedMs = await star.killGrandmaster();
        await sleep(OUTAGE_MS);
        const restartedMs = star.restartGrandmaster();
        await star.probe.statusBecomes('synchronized', SYNCHRONIZED_TIMEOUT_MS, restartedMs);
        star.mark('provider synchronized again');
        await sleep(5_000);
        return { steady, disruption: { fromMs: killedMs, toMs: restartedMs } };
      },
      grandmasterRestart,
      options,
    ),
};
