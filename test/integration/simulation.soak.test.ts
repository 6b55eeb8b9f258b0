import { describe, expect, it } from 'vitest';
import { runSoak } from '../../conformance/sim/soak.js';

describe('soak in simulation (the full day runs in npm run conformance)', () => {
  it('two hours with 2 % loss: keeps synchronizing, memory flat', () => {
    const r = runSoak(2);
    expect(r.syncsAccepted).toBeGreaterThan(2 * 3600 * 8 * 0.9);
    expect(r.worstHourlyRmsNs).toBeLessThan(50);
    // Nothing the station holds grows with time: the second hour adds (almost) nothing.
    expect(r.heapEndMiB - r.heapFirstHourMiB).toBeLessThan(16);
  });
});
