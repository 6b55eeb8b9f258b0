/**
 * The Kalman servo's measurement noise, learned from its innovations (src/servo/measurementNoise.ts).
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../../src/clock/prng.js';
import { MeasurementNoise } from '../../../src/servo/measurementNoise.js';

const SOFTWARE = { initialMeasurementNoiseNs: 500, minMeasurementNoiseNs: 400, noiseWindow: 64, gateSigmas: 4 };

/** n gaussian innovations of 1 σ = sigmaNs, the same for a given seed. */
function spread(sigmaNs: number, n: number, seed = 1): number[] {
  const prng = new Prng(seed);
  return Array.from({ length: n }, () => sigmaNs * prng.gaussian());
}

describe('MeasurementNoise', () => {
  it("keeps the mode's prior until a quarter of the window is in, then learns the innovations' robust scale", () => {
    const noise = new MeasurementNoise(SOFTWARE);
    expect(Math.sqrt(noise.variance)).toBe(500);
    const innovations = spread(1_000, 64);
    innovations.slice(0, 15).forEach((v) => noise.learn(v, 0));
    expect(noise.learned).toBe(false);
    innovations.slice(15).forEach((v) => noise.learn(v, 0));
    expect(noise.learned).toBe(true);
    // 64 draws: the scale itself is some ±15 % uncertain.
    expect(Math.sqrt(noise.variance)).toBeGreaterThan(800);
    expect(Math.sqrt(noise.variance)).toBeLessThan(1_250);
  });

  it('is barely moved by late frames: a quarter of the window 80 µs late, where a standard deviation would read 35 µs', () => {
    const noise = new MeasurementNoise(SOFTWARE);
    const innovations = spread(1_000, 64).map((v, i) => (i % 4 === 0 ? 80_000 : v));
    innovations.forEach((v) => noise.learn(v, 0));
    expect(Math.sqrt(noise.variance)).toBeLessThan(2_000);
  });

  it("takes away the prediction's own variance, never more than half, never below the floor", () => {
    const learnt = (predictionVariance: number, sigmaNs = 1_000): number => {
      const noise = new MeasurementNoise(SOFTWARE);
      spread(sigmaNs, 64).forEach((v) => noise.learn(v, predictionVariance));
      return noise.variance;
    };
    const whole = learnt(0);
    expect(learnt(200 ** 2)).toBeCloseTo(whole - 200 ** 2, 6);
    expect(learnt(whole)).toBeCloseTo(whole / 2, 6);
    expect(Math.sqrt(learnt(0, 100))).toBe(400);
  });

  it("sets the prior from the link's own jitter only beyond the gate of the mode's prior, and only until learned", () => {
    const noise = new MeasurementNoise(SOFTWARE);
    // √2 × 1 µs is within 4 × 500 ns: the prior stays.
    noise.takePrior(1_000);
    expect(Math.sqrt(noise.variance)).toBe(500);
    // A relay's 35 µs: √2 × 35 µs.
    noise.takePrior(35_000);
    expect(Math.sqrt(noise.variance)).toBeCloseTo(Math.SQRT2 * 35_000, 6);
    spread(1_000, 64).forEach((v) => noise.learn(v, 0));
    const learned = noise.variance;
    noise.takePrior(35_000);
    expect(noise.variance).toBe(learned);
  });

  it('gives the level test the quietest noise of its recent refreshes, from before a level widened it', () => {
    const noise = new MeasurementNoise(SOFTWARE);
    spread(1_000, 64).forEach((v) => noise.learn(v, 0));
    const quiet = noise.quietSigmaNs();
    // Half the window shifts by 3 µs: the scale learned doubles or more, the quiet one stays.
    spread(1_000, 32, 2).forEach((v) => noise.learn(v + 3_000, 0));
    expect(Math.sqrt(noise.variance)).toBeGreaterThan(1.5 * quiet);
    expect(noise.quietSigmaNs()).toBe(quiet);
  });

  it('forgets its innovations at a start but keeps what it learned', () => {
    const noise = new MeasurementNoise(SOFTWARE);
    spread(1_000, 64).forEach((v) => noise.learn(v, 0));
    const learned = noise.variance;
    noise.forgetInnovations();
    expect(noise.variance).toBe(learned);
    expect(noise.learned).toBe(true);
    // After the start the next scale comes from the new innovations alone (4 µs): mixed with the 48
    // older ones it would read some 1.3 µs.
    spread(4_000, 16, 3).forEach((v) => noise.learn(v, 0));
    expect(Math.sqrt(noise.variance)).toBeGreaterThan(2_000);
  });
});
