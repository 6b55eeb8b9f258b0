import { describe, expect, it } from 'vitest';
import { DEFAULT_MASTER, Simulation, type SimulationScenario } from '../../../conformance/sim/simulation.js';

const START = 1_700_000_000_000_000_000n;

/** The station's oscillator runs at 1/1.00005 of the grandmaster's rate: neighborRateRatio 1.00005 (+50 ppm). */
const SLOW_BY_50PPM = (1 / 1.00005 - 1) * 1e6;

function scenario(overrides: Partial<SimulationScenario> = {}): SimulationScenario {
  return {
    seed: 7,
    startNs: START,
    link: { meanDelayNs: 500 },
    master: DEFAULT_MASTER,
    station: {
      clock: { oscillator: { frequencyOffsetPpm: SLOW_BY_50PPM }, timestampsFollowAdjustment: false, timestampGranularityNs: 1 },
    },
    ...overrides,
  };
}

describe('engine on a simulated link with ideal timestamps', () => {
  it('recovers a 500 ns link delay within 1 ns and a +50 ppm neighbour within 0.01 ppm', () => {
    const sim = new Simulation(scenario());
    sim.runFor(20);
    // meanLinkDelay is in the responder's (grandmaster's) time base: 500 ns of true time
    expect(Math.abs((sim.engine.meanLinkDelay ?? NaN) - 500)).toBeLessThan(1);
    expect(Math.abs(sim.engine.neighborRateRatio - 1.00005) * 1e6).toBeLessThan(0.01);
    expect(sim.engine.asCapable.asCapable).toBe(true);
    expect(sim.engine.portState).toBe('SLAVE');
  });

  it('answers the grandmaster’s Pdelay_Req so that it measures the same link', () => {
    const sim = new Simulation(scenario());
    sim.runFor(10);
    const measured = sim.masterView.measurements;
    expect(measured.length).toBeGreaterThanOrEqual(9);
    // the grandmaster does not correct for the station's rate: (t3 − t2) of ~25 µs at 50 ppm is 1.25 ns off at most
    for (const d of measured) expect(Math.abs(d - 500)).toBeLessThan(2);
  });

  it('delivers one SyncReceipt per Sync with the grandmaster time of the ingress instant', () => {
    const errors: number[] = [];
    const sim = new Simulation(scenario(), {
      onSyncReceipt: (r, s) => {
        // The receipt completes at the Follow_Up, which left the grandmaster followUpDelayNs after the
        // Sync: without jitter the Sync's ingress was exactly that long ago in true time.
        const ingressTrue = s.trueNow - BigInt(DEFAULT_MASTER.followUpDelayNs);
        errors.push(Number(r.gmTime - s.masterTimeAt(ingressTrue)) + r.gmTimeFractionNs);
      },
    });
    sim.runFor(5);
    // 8 Syncs/s from the first Announce on (asCapable needs two Pdelay exchanges first: ~1 s)
    expect(errors.length).toBeGreaterThan(25);
    for (const e of errors.slice(10)) expect(Math.abs(e)).toBeLessThan(1);
  });

  it('keeps measuring through 20 % frame loss without losing asCapable for long', () => {
    const sim = new Simulation(scenario({ link: { meanDelayNs: 500, lossProbability: 0.2 } }));
    sim.runFor(60);
    expect(Math.abs((sim.engine.meanLinkDelay ?? NaN) - 500)).toBeLessThan(1);
    expect(sim.engine.statistics().followUpsLost).toBeGreaterThan(0);
  });
});
