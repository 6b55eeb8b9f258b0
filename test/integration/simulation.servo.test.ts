import { describe, expect, it } from 'vitest';
import { DEFAULT_MASTER, Simulation, type SimulationScenario } from '../../conformance/sim/simulation.js';

const START = 1_700_000_000_000_000_000n;
const SECOND = 1_000_000_000n;

/** Issue scenario: 8 ns timestamps with ±20 ns noise, +100 ppm, 1 ppb/√s wander, 8 Sync/s, 3.456789 ms initial error. */
function hardwareLike(seed: number): SimulationScenario {
  return {
    seed,
    startNs: START,
    link: { meanDelayNs: 500 },
    master: DEFAULT_MASTER,
    station: {
      clock: {
        oscillator: { frequencyOffsetPpm: 100, wanderPpbPerSqrtS: 1, seed },
        timestampsFollowAdjustment: true,
        timestampGranularityNs: 8,
        timestampNoiseNs: 20,
        seed: seed + 1,
        initialReadingNs: START + 3_456_789n,
      },
      discipline: true,
    },
  };
}

describe('full stack on the simulator: engine → ClockServo → SimClock', () => {
  it.each([1, 2, 3])('locks and stays within 100 ns of the grandmaster (seed %i)', (seed) => {
    const sim = new Simulation(hardwareLike(seed));
    const errors: number[] = [];
    sim.runFor(5);
    sim.runFor(60, SECOND / 8n, (s) => errors.push(s.clockErrorNs()));
    const worst = Math.max(...errors.map(Math.abs));
    expect(worst).toBeLessThan(100);
    expect(sim.slave.discipline.report(sim.localNow()).status).toBe('synchronized');
  });

  it('goes to lost after syncReceiptTimeout when the grandmaster falls silent, and holds over', () => {
    const scenario = hardwareLike(4);
    const sim = new Simulation({ ...scenario, master: { ...DEFAULT_MASTER, outages: [{ fromNs: 20n * SECOND, toNs: 100n * SECOND }] } });
    const statuses: string[] = [];
    sim.runFor(20);
    const before = sim.slave.discipline.report(sim.localNow()).status;
    sim.runFor(1, SECOND / 8n, (s) => statuses.push(s.slave.discipline.report(s.localNow()).status));
    expect(before).toBe('synchronized');
    expect(statuses).toContain('lost');
    sim.runFor(10);
    // 10 s of holdover on a 1 ppb/√s oscillator: the kept frequency holds the error to a few µs at most
    expect(Math.abs(sim.clockErrorNs())).toBeLessThan(5_000);
  });
});
