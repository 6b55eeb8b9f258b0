/**
 * The error bound's servo terms (src/servo/servoErrorBound.ts): what it adds at the Sync and how it
 * grows with age.
 */
import { describe, expect, it } from 'vitest';
import { servoErrorBound } from '../../../src/servo/servoErrorBound.js';

describe('error bound (servoErrorBound.ts)', () => {
  it('adds the asymmetry allowance, 4 σ of the phase and the unremoved phase; grows with 4 σ of the frequency and the wander', () => {
    const uncertainty = { phaseNs: 50, frequencyPpb: 10, phaseEstimateNs: -20, measurementNoiseNs: 300, outliers: 0, recentOutliers: 0, recentWindow: 64 };
    const b = servoErrorBound({ software: true, pathDelayNs: 1_350, offsetRmsNs: 400, uncertainty, ageS: 2 });
    // 1350 + 300 + 4·50 + 20 = 1870 at the Sync; + 2·(40 + 10·2) = 120 after 2 s.
    expect(b.atLastSyncNs).toBe(1_870);
    expect(b.atNs).toBe(1_990);
    expect(b.growthPpb).toBe(40);
  });

  it('adds the level of a run still being judged: the grandmaster may have moved its time by it', () => {
    const uncertainty = { phaseNs: 50, frequencyPpb: 10, phaseEstimateNs: -20, measurementNoiseNs: 300, outliers: 4, recentOutliers: 4, recentWindow: 64 };
    const judgedRun = { levelNs: -20_300, offsets: 4, ratiosSeeMove: false };
    const b = servoErrorBound({ software: true, pathDelayNs: 1_350, offsetRmsNs: 400, uncertainty: { ...uncertainty, judgedRun }, ageS: 0 });
    // 1350 + 300 + 4·50 + 20 + 20300.
    expect(b.atNs).toBe(22_170);
  });

  /** A Kalman servo's uncertainty without a judged run, and what it does not model yet as given. */
  const unmodelled = (phaseNs: number, frequencyPpb: number, unmodelledPhaseNs: number, unmodelledFrequencyPpb: number) => ({
    phaseNs,
    frequencyPpb,
    unmodelledPhaseNs,
    unmodelledFrequencyPpb,
    phaseEstimateNs: 0,
    measurementNoiseNs: 400,
    outliers: 0,
    recentOutliers: 0,
    recentWindow: 64,
  });

  it('takes what the phase may carry unmodelled in quadrature with σθ', () => {
    const b = servoErrorBound({ software: true, pathDelayNs: 1_000, offsetRmsNs: 400, uncertainty: unmodelled(300, 10, 400, 0), ageS: 0 });
    // 1000 + 400 + 4·√(300² + 400²) = 1400 + 2000.
    expect(b.atNs).toBe(3_400);
  });

  it('grows with what the frequency may carry unmodelled in quadrature with σφ', () => {
    const b = servoErrorBound({ software: true, pathDelayNs: 1_000, offsetRmsNs: 400, uncertainty: unmodelled(300, 30, 0, 40), ageS: 1 });
    // 4·√(30² + 40²) = 200 ns/s, and ½·20 ppb/s·1 s² of wander.
    expect(b.growthPpb).toBe(200);
    expect(b.atNs - b.atLastSyncNs).toBe(200 + 10);
  });

  it("without a servo uncertainty (pi, linreg): 4 × the offset RMS and the mode's frequency error", () => {
    const b = servoErrorBound({ software: false, pathDelayNs: 500, offsetRmsNs: 10, uncertainty: undefined, ageS: 0 });
    expect(b.atNs).toBe(500 + 10 + 40);
    expect(b.growthPpb).toBe(100);
  });
});
