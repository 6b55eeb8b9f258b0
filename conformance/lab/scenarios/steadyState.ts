import type { LabScenario } from './labScenario.js';
import { steadyStretch, withStar } from './labScenario.js';

export const steadyState: LabScenario = {
  name: 'steady-state',
  description:
    'ptp4l grandmaster with one port per slave; Syntonic (software timestamps, virtual clock) and a free-running ptp4l slave each on their own veth; 60 s after synchronized',
  run: (options) =>
    withStar({ syntonic: { ...(options.logFormat === undefined ? {} : { logFormat: options.logFormat }) } }, async (star) => ({ steady: await steadyStretch(star, options.durationS ?? 60) }), steadyState),
};
