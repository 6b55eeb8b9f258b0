import type { LabScenario } from './labScenario.js';
import { steadyStretch, withStar } from './labScenario.js';

/**
 * Every namespace shares CLOCK_REALTIME, so station and grandmaster would have the same frequency.
 * `syntonic run --timestamp-skew 100:1` makes the station's own timestamp clock run +100 ppm fast with a
 * 1 ppb/√s random walk (every timestamp and every reading of "now" alike); the servo must remove it, and
 * the true error is still measured against the unskewed CLOCK_REALTIME.
 */
export const oscillatorOffset: LabScenario = {
  name: 'oscillator-plus-100ppm',
  description: "Syntonic's timestamp clock skewed +100 ppm with a 1 ppb/√s random walk; the servo must remove it",
  run: (options) =>
    withStar(
      { syntonic: { extraArgs: ['--timestamp-skew', '100:1'], ...(options.logFormat === undefined ? {} : { logFormat: options.logFormat }) } },
      async (star) => ({ steady: await steadyStretch(star, options.durationS ?? 60) }),
      oscillatorOffset,
      options,
    ),
};
