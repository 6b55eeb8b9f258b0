/**
 * The engine's rate ratios as measurements of the frequency the Kalman servo estimates
 * (src/servo/rateRatioFusion.ts).
 */
import { describe, expect, it } from 'vitest';
import { KalmanState } from '../../../src/servo/kalmanState.js';
import { RateRatioFusion } from '../../../src/servo/rateRatioFusion.js';
import type { RateMeasurement } from '../../../src/servo/servo.js';

const SOFTWARE = { feedForwardSigmaPpb: 2_000, fuseEveryRateRatio: true, gateSigmas: 4 };

/** A filter that believes 0 ppb within σ `sigmaPpb`. */
function filterAt(sigmaPpb: number): KalmanState {
  const filter = new KalmanState(0);
  filter.setFrequencyVariance(sigmaPpb ** 2);
  return filter;
}

/** A ratio asking for `neededPpb` with σ 10 ppb over a span of 8 s; each call a new Pdelay exchange. */
let exchange = 0;
function ratio(neededPpb: number, spanS = 8): RateMeasurement {
  exchange++;
  return { rateRatio: 1 + exchange * 1e-12, neededPpb, sigmaPpb: 10, spanS };
}

describe('RateRatioFusion', () => {
  it('uses a feed-forward value once, weighted by the larger of the mode’s σ and the engine’s', () => {
    const filter = filterAt(2_000);
    const fusion = new RateRatioFusion(filter, SOFTWARE);
    fusion.fuseFeedForward(1_000, undefined);
    // Equal variances: halfway.
    expect(filter.phi).toBeCloseTo(500, 6);
    fusion.fuseFeedForward(1_000, undefined);
    expect(filter.phi).toBeCloseTo(500, 6);
    // The engine measured it 20 ppm noisy: it barely moves the estimate.
    fusion.fuseFeedForward(-1_000, 20_000);
    expect(filter.phi).toBeGreaterThan(480);
  });

  it('fuses each new rate ratio once, and leaves out the one the start was seated from', () => {
    const filter = filterAt(100);
    const fusion = new RateRatioFusion(filter, SOFTWARE);
    const seated = ratio(50);
    fusion.seatedFrom(seated);
    fusion.fuseRateRatio(seated, 10, 10, undefined);
    expect(filter.phi).toBe(0);
    const next = ratio(50);
    fusion.fuseRateRatio(next, 11, 11, undefined);
    const once = filter.phi;
    expect(once).toBeGreaterThan(45);
    fusion.fuseRateRatio(next, 12, 12, undefined);
    expect(filter.phi).toBe(once);
  });

  it('leaves out ratios beyond the gate until they have stood on one side for a whole span, then follows them', () => {
    const filter = filterAt(5);
    const fusion = new RateRatioFusion(filter, SOFTWARE);
    // The neighbour's time stepped: every ratio spanning it reads 250 ppb off, for one span (8 s).
    for (let t = 0; t < 8; t++) fusion.fuseRateRatio(ratio(250), 100 + t, 100 + t, undefined);
    expect(filter.phi).toBe(0);
    // Still on that side after a whole span: the frequency really moved.
    fusion.fuseRateRatio(ratio(250), 108, 108, undefined);
    expect(filter.phi).toBeGreaterThan(200);
  });

  it('starts the run again when a ratio lands on the other side', () => {
    const filter = filterAt(5);
    const fusion = new RateRatioFusion(filter, SOFTWARE);
    for (let t = 0; t < 6; t++) fusion.fuseRateRatio(ratio(250), 100 + t, 100 + t, undefined);
    fusion.fuseRateRatio(ratio(-250), 106, 106, undefined);
    fusion.fuseRateRatio(ratio(250), 108, 108, undefined);
    expect(filter.phi).toBe(0);
  });

  it('leaves out a ratio whose span holds a change the servo believed (802.1AS-2020 11.2.19.3.3)', () => {
    const filter = filterAt(100);
    const fusion = new RateRatioFusion(filter, SOFTWARE);
    fusion.fuseRateRatio(ratio(80, 8), 105, 105, 100);
    expect(filter.phi).toBe(0);
    // A ratio over 101–105 s, all after the change: used.
    fusion.fuseRateRatio(ratio(80, 4), 105, 105, 100);
    expect(filter.phi).toBeGreaterThan(70);
  });

  it('fuses no rate ratio where the mode fuses the feed-forward alone', () => {
    const filter = filterAt(100);
    const fusion = new RateRatioFusion(filter, { ...SOFTWARE, fuseEveryRateRatio: false });
    fusion.fuseRateRatio(ratio(80), 10, 10, undefined);
    expect(filter.phi).toBe(0);
  });
});
