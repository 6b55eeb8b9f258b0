/**
 * The Kalman servo's tuning: each timestamping mode's defaults, options laid over them, and a bad
 * value refused with the field named.
 */
import { describe, expect, it } from 'vitest';
import { KALMAN_TUNING_HARDWARE, KALMAN_TUNING_SOFTWARE, resolveKalmanTuning } from '../../../src/servo/kalmanTuning.js';

describe('resolveKalmanTuning', () => {
  it('starts from the mode’s tuning: the latency state and every rate ratio for software timestamps only', () => {
    expect(resolveKalmanTuning({}, true)).toEqual(KALMAN_TUNING_SOFTWARE);
    expect(resolveKalmanTuning({}, false)).toEqual(KALMAN_TUNING_HARDWARE);
    expect(KALMAN_TUNING_SOFTWARE.latencyTimeConstantS).toBeGreaterThan(0);
    expect(KALMAN_TUNING_HARDWARE.fuseEveryRateRatio).toBe(false);
  });

  it('lays the options given over it and leaves the others', () => {
    const tuning = resolveKalmanTuning({ gateSigmas: 6, startSpanS: undefined }, true);
    expect(tuning.gateSigmas).toBe(6);
    expect(tuning.startSpanS).toBe(KALMAN_TUNING_SOFTWARE.startSpanS);
  });

  it('refuses a value that is not a finite number ≥ 0, naming the field', () => {
    expect(() => resolveKalmanTuning({ wanderPpbPerSqrtS: -1 }, false)).toThrow(/kalman wanderPpbPerSqrtS must be a finite number ≥ 0, got -1/);
    expect(() => resolveKalmanTuning({ latencySigmaNs: Number.NaN }, true)).toThrow(/kalman latencySigmaNs/);
  });

  it('refuses a noise window below 8, a phase time constant below one interval, and a latency state without a σ', () => {
    expect(() => resolveKalmanTuning({ noiseWindow: 4 }, false)).toThrow(/noiseWindow must be an integer ≥ 8/);
    expect(() => resolveKalmanTuning({ phaseTimeConstantIntervals: 0.5 }, false)).toThrow(/phaseTimeConstantIntervals must be ≥ 1/);
    expect(() => resolveKalmanTuning({ latencyTimeConstantS: 10, latencySigmaNs: 0 }, false)).toThrow(/latencySigmaNs must be > 0/);
  });
});
