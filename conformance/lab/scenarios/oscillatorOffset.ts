import { skippedResult } from '../labResult.js';
import type { LabScenario } from './labScenario.js';

/**
 * Every namespace shares CLOCK_REALTIME, so the lab's station and grandmaster have the same frequency.
 * A +100 ppm local oscillator needs the daemon to skew its own timestamp clock (the software
 * timestamps and its reading of CLOCK_REALTIME alike); `syntonic run` has no such option yet.
 */
export const oscillatorOffset: LabScenario = {
  name: 'oscillator-plus-100ppm',
  description: "Syntonic's timestamp clock running 100 ppm fast against the grandmaster",
  run: async () =>
    skippedResult(
      oscillatorOffset.name,
      oscillatorOffset.description,
      'needs a daemon option that skews its timestamp clock (e.g. a test-only --timestamp-skew-ppb); not available in syntonic run',
    ),
};
