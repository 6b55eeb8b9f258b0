import { join } from 'node:path';
import { LAB_CONFIGS } from '../syntonicDaemon.js';
import type { LabScenario } from './labScenario.js';
import { steadyStretch, withStar } from './labScenario.js';

export const automotive: LabScenario = {
  name: 'automotive',
  description:
    "automotive profile: ptp4l with linuxptp's automotive-master.cfg (-S, static master, no Announce), Syntonic --profile automotive with automotive-slave.cfg's options, ptp4l automotive slave as reference",
  run: (options) =>
    withStar(
      {
        grandmasterBase: 'automotive-master',
        referenceBase: 'automotive-slave',
        syntonic: { profile: 'automotive', configFile: join(LAB_CONFIGS, 'syntonic-automotive-software.cfg') },
      },
      async (star) => ({ steady: await steadyStretch(star, options.durationS ?? 30) }),
      automotive,
      options,
    ),
};
