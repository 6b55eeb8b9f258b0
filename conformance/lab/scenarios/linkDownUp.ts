import { sleep } from '../starLab.js';
import type { LabScenario } from './labScenario.js';
import { steadyStretch, withStar, SYNCHRONIZED_TIMEOUT_MS } from './labScenario.js';

const DOWN_MS = 5_000;

export const linkDownUp: LabScenario = {
  name: 'link-down-up',
  description: `Syntonic's veth end is set down (ip link set … down) for ${DOWN_MS / 1000} s after a steady stretch, then up again; both ends lose carrier`,
  run: (options) =>
    withStar(
      {},
      async (star) => {
        const steady = await steadyStretch(star, options.durationS ?? 20);
        const downMs = star.setSyntonicLink('down');
        await sleep(DOWN_MS);
        const upMs = star.setSyntonicLink('up');
        await star.probe.statusBecomes('synchronized', SYNCHRONIZED_TIMEOUT_MS, upMs);
        star.mark('provider synchronized again');
        await sleep(5_000);
        return { steady, disruption: { fromMs: downMs, toMs: upMs } };
      },
      linkDownUp,
      options,
    ),
};
