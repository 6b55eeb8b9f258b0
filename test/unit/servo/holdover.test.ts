import { describe, expect, it } from 'vitest';
import {
  HoldoverEstimator,
  heldFrequencyPpb,
  holdoverDriftTermPpbPerS,
  holdoverErrorNs,
  rampMissed,
  trendScatters,
  type HoldoverModel,
} from '../../../src/servo/holdover.js';
import { localTime } from '../../../src/clock/timePoint.js';

const at = (s: number) => localTime(BigInt(Math.round(s * 1e9)));

describe('HoldoverEstimator', () => {
  it("holds the trend line's value at the last sample and reports its slope", () => {
    const h = new HoldoverEstimator({ windowS: 10 });
    // 100 ppb + 0.5 ppb/s, sampled every second for 10 s: at 10 s the line is at 105 ppb.
    for (let t = 0; t <= 10; t++) h.record(at(t), 100 + 0.5 * t);
    const m = h.model();
    expect(m?.frequencyPpb).toBeCloseTo(105, 9);
    expect(m?.driftPpbPerS).toBeCloseTo(0.5, 9);
    expect(m?.stabilityPpb).toBeCloseTo(0, 9);
    expect(m?.samples).toBe(11);
  });

  it('measures the scatter around the trend (n − 2 degrees of freedom)', () => {
    const h = new HoldoverEstimator({ windowS: 3 });
    [10, 12, 10, 12].forEach((ppb, t) => h.record(at(t), ppb));
    // Fit: slope 0.4 ppb/s, value 11.6 ppb at the last sample; residuals −0.4, 1.2, −1.2, 0.4:
    // √(3.2 / 2) = 1.2649 ppb.
    const m = h.model();
    expect(m?.driftPpbPerS).toBeCloseTo(0.4, 9);
    expect(m?.stabilityPpb).toBeCloseTo(1.2649, 4);
    // The line moves 1.2 ppb across the window, less than one scatter: no ramp, the last estimate is held.
    expect(m?.frequencyPpb).toBe(12);
  });

  it('reads no trend from less than a window of history: a servo settling is not an oscillator drifting', () => {
    const h = new HoldoverEstimator({ windowS: 60 });
    // A frequency estimate settling from 400 ppb towards 0 with τ = 2 s, for the 5 s a loss at the
    // start leaves: the line's slope is the settling (tens of ppb/s), the oscillator does not move.
    for (let i = 0; i <= 40; i++) h.record(at(i / 8), 400 * Math.exp(-i / 8 / 2));
    const m = h.model();
    expect(m?.driftPpbPerS).toBe(0);
    // Nor is its end value an estimate: the servo's last one is held (400·e^−2.5 = 32.8 ppb; the
    // line's end would be below 0, overshooting the settling).
    expect(m?.frequencyPpb).toBeCloseTo(400 * Math.exp(-2.5), 9);
  });

  it('reads the trend once its history spans the window, through a step of the local time and until cleared', () => {
    const h = new HoldoverEstimator({ windowS: 10 });
    for (let t = 0; t < 10; t++) h.record(at(t), 2 * t);
    expect(h.model()?.driftPpbPerS).toBe(0);
    h.shiftLocalTime(-5e9); // a PHC stepped back 5 s: the history still reaches 9 s back
    h.record(at(5), 20);
    expect(h.model()?.driftPpbPerS).toBeCloseTo(2, 9);
    h.clear();
    for (let t = 20; t < 25; t++) h.record(at(t), 2 * t);
    expect(h.model()?.driftPpbPerS).toBe(0);
  });

  it('over a whole window holds the line on a ramp, the last estimate on a walk', () => {
    // 2 ppb/s with ±0.5 ppb of noise: the line moves 20 ppb across the 10 s window, 36 scatters.
    const ramp = new HoldoverEstimator({ windowS: 10 });
    for (let t = 0; t <= 10; t++) ramp.record(at(t), 2 * t + (t % 2 === 1 ? 0.5 : -0.5));
    expect(ramp.model()?.frequencyPpb).toBeCloseTo(19.9545, 4);
    // Estimates that wander about: their line moves 5 ppb across the window, 3.6 scatters (1.38 ppb).
    const walk = new HoldoverEstimator({ windowS: 10 });
    [0, 3, 1, 4, 2, 5, 3, 6, 4, 7, 5].forEach((ppb, t) => walk.record(at(t), ppb));
    expect(walk.model()?.driftPpbPerS).toBeCloseTo(0.5, 9);
    expect(walk.model()?.frequencyPpb).toBe(5);
  });

  it("on a ramp runs at the servo's output, not its estimate: the line plus the phase correction the loop lags by", () => {
    // A loop on a ramp lags by a steady phase, and steers 12 ppb (±2) above its estimate to hold it.
    const ramp = new HoldoverEstimator({ windowS: 10 });
    for (let t = 0; t <= 10; t++) ramp.record(at(t), 2 * t, 12 + (t % 2 === 0 ? 2 : -2));
    // The line ends at 20 ppb; the correction's mean over the window is 12.1818 ppb (six +14, five +10).
    expect(ramp.model()?.frequencyPpb).toBeCloseTo(20 + 134 / 11, 9);
    expect(ramp.model()?.rampPpbPerS).toBeCloseTo(2, 9);
    expect(ramp.model()?.phaseCorrectionPpb).toBeCloseTo(134 / 11, 9);
    // Without a ramp the correction is the loop's noise about its estimate: the last estimate is held.
    const walk = new HoldoverEstimator({ windowS: 10 });
    [0, 3, 1, 4, 2, 5, 3, 6, 4, 7, 5].forEach((ppb, t) => walk.record(at(t), ppb, 12));
    expect(walk.model()?.frequencyPpb).toBe(5);
    expect(walk.model()?.phaseCorrectionPpb).toBe(0);
  });

  it('measures a trend in scatters across the window, and says of a line it did not follow how far it moved', () => {
    // 0.35 ppb/s over 60 s is 21 ppb: 7 scatters of 3 ppb, below the 10 a ramp needs.
    expect(trendScatters(0.35, 60, 3)).toBeCloseTo(7, 9);
    expect(trendScatters(-0.35, 60, 3)).toBeCloseTo(7, 9);
    expect(trendScatters(0.35, 60, 0)).toBe(Infinity);
    expect(trendScatters(0, 60, 0)).toBe(0);
    const model: HoldoverModel = {
      frequencyPpb: 5,
      phaseCorrectionPpb: 0,
      at: at(0),
      rampPpbPerS: 0,
      rampS: 60,
      stabilityPpb: 3,
      driftPpbPerS: 0.35,
      samples: 480,
    };
    expect(rampMissed(model)).toEqual({ movedPpb: expect.closeTo(21, 9), scatters: expect.closeTo(7, 9), neededScatters: 10 });
    // Followed, or not yet read over a whole window: nothing was missed.
    expect(rampMissed({ ...model, rampPpbPerS: 0.35 })).toBeUndefined();
    expect(rampMissed({ ...model, driftPpbPerS: 0 })).toBeUndefined();
  });

  it('forgets estimates older than its window', () => {
    const h = new HoldoverEstimator({ windowS: 5 });
    // Each old estimate came with a correction of its own, which leaves with it.
    for (let t = 0; t <= 20; t++) h.record(at(t), t < 10 ? 1_000 : 7 + 0.5 * t, t < 10 ? 500 : 1);
    expect(h.model()?.frequencyPpb).toBeCloseTo(7 + 0.5 * 20 + 1, 9);
    expect(h.model()?.samples).toBe(6); // 15 s … 20 s
  });

  it('estimates the error as e0 + σ·t + ½·|D|·t² while a constant frequency is held', () => {
    const model: HoldoverModel = {
      frequencyPpb: 0,
      at: at(0),
      rampPpbPerS: 0,
      phaseCorrectionPpb: 0,
      rampS: 60,
      stabilityPpb: 2,
      driftPpbPerS: -0.1,
      samples: 10,
    };
    // 5 ns + 2 ppb × 10 s + ½ × 0.1 ppb/s × 100 s² = 5 + 20 + 5
    expect(holdoverErrorNs(model, 5, 10)).toBeCloseTo(30, 9);
  });

  it("follows a ramp's line from the last estimate for one window, then holds the frequency it reached", () => {
    const ramp = new HoldoverEstimator({ windowS: 10 });
    for (let t = 0; t <= 10; t++) ramp.record(at(t), 2 * t + (t % 2 === 1 ? 0.5 : -0.5));
    const m = ramp.model() as HoldoverModel;
    expect(m.at).toBe(at(10));
    expect(m.rampPpbPerS).toBeCloseTo(2, 9);
    expect(m.rampS).toBe(10);
    // The mean over the next second: the line half a second on.
    expect(heldFrequencyPpb(m, at(10), at(11))).toBeCloseTo(m.frequencyPpb + 0.5 * m.rampPpbPerS, 9);
    // Across the ramp's end at 20 s: 19.5 s … 20 s on the ramp (its mean at 19.75 s), 20 s … 20.5 s at its end.
    const end = m.frequencyPpb + 10 * m.rampPpbPerS;
    expect(heldFrequencyPpb(m, at(19.5), at(20.5))).toBeCloseTo((end - 0.25 * m.rampPpbPerS + end) / 2, 9);
    expect(heldFrequencyPpb(m, at(25), at(26))).toBeCloseTo(end, 9);
    expect(heldFrequencyPpb(m, at(30), at(30))).toBeCloseTo(end, 9);
    // Estimates that wander follow no ramp: the last estimate, constant.
    const walk = new HoldoverEstimator({ windowS: 10 });
    [0, 3, 1, 4, 2, 5, 3, 6, 4, 7, 5].forEach((ppb, t) => walk.record(at(t), ppb));
    const w = walk.model() as HoldoverModel;
    expect(w.rampPpbPerS).toBe(0);
    expect(heldFrequencyPpb(w, at(10), at(11))).toBe(5);
  });

  it("estimates a followed ramp's error from the slope's uncertainty, and from the ramp again past its end", () => {
    const model: HoldoverModel = {
      frequencyPpb: 0,
      at: at(0),
      rampPpbPerS: 1,
      phaseCorrectionPpb: 0,
      rampS: 60,
      stabilityPpb: 3,
      driftPpbPerS: 1,
      samples: 480,
    };
    // Along the ramp: 3 scatters across the window, 3 × 3 ppb / 60 s = 0.15 ppb/s.
    expect(holdoverDriftTermPpbPerS(model, 30)).toBeCloseTo(0.15, 9);
    // 5 ns + 3 ppb × 30 s + ½ × 0.15 ppb/s × 900 s² = 5 + 90 + 67.5
    expect(holdoverErrorNs(model, 5, 30)).toBeCloseTo(162.5, 9);
    // 30 s past the end the held frequency is ½ × 1 ppb/s × (30 s)² = 450 ns behind a ramp that goes on.
    expect(holdoverErrorNs(model, 5, 90)).toBeCloseTo(5 + 270 + 0.5 * 0.15 * 8100 + 450, 9);
  });

  it('has no model before the first estimate', () => {
    expect(new HoldoverEstimator().model()).toBeUndefined();
  });
});
