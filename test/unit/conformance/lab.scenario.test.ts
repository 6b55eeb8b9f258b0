/**
 * The lab's scenario registry. The scenarios themselves run in `npm run conformance` (they take
 * minutes and, through the userland relay, depend on the VM's wake-up latency): CI runs the daemon's
 * end-to-end test (test/lab/daemon.test.ts) and the relay's own test instead.
 */
import { describe, expect, it } from 'vitest';
import { LAB_SCENARIO_NAMES, runLabScenario, UnknownLabScenario } from '../../../conformance/lab/scenarios/index.js';

describe('lab scenarios', () => {
  it('refuses unknown scenario names, naming the known ones', async () => {
    await expect(runLabScenario('no-such-scenario')).rejects.toBeInstanceOf(UnknownLabScenario);
    await expect(runLabScenario('no-such-scenario')).rejects.toThrow(/known: .*oscillator-plus-100ppm/);
    expect(LAB_SCENARIO_NAMES).toContain('steady-state');
  });
});
