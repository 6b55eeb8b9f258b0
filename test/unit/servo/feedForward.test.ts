import { describe, expect, it } from 'vitest';
import { FeedForward, neededFrequencyPpb } from '../../../src/servo/feedForward.js';
import { localTime } from '../../../src/clock/timePoint.js';

const at = (s: number) => localTime(BigInt(Math.round(s * 1e9)));

describe('neededFrequencyPpb', () => {
  it('is (rateRatio − 1)·1e9 over a free-running base', () => {
    expect(neededFrequencyPpb(1.0001, false, 50_000)).toBeCloseTo(100_000, 4);
    expect(neededFrequencyPpb(0.99995, false, 0)).toBeCloseTo(-50_000, 4);
  });

  it('is rateRatio·(1 + f·1e-9) − 1 for a PHC already running at f', () => {
    // 1.0001 × 1.00005 = 1.000150005
    expect(neededFrequencyPpb(1.0001, true, 50_000)).toBeCloseTo(150_005, 4);
    // A syntonized PHC measures rateRatio 1: it needs what it has.
    expect(neededFrequencyPpb(1, true, -12_345)).toBe(-12_345);
  });
});

describe('FeedForward', () => {
  it('seats the frequency from the first rate ratio and keeps that value until reset', () => {
    const ff = new FeedForward(false);
    expect(ff.update(1.00002, 0, at(1))).toBeCloseTo(20_000, 4);
    expect(ff.verdictOfLastUpdate()).toBe('seated');
    expect(ff.update(1.00003, 0, at(2))).toBeCloseTo(20_000, 4);
    expect(ff.verdictOfLastUpdate()).toBe('kept');
    ff.reset();
    expect(ff.update(1.00003, 0, at(3))).toBeCloseTo(30_000, 4);
  });

  it("averages a PHC's adjustment over the rate-ratio window instead of using the current one", () => {
    const ff = new FeedForward(true, { rateRatioWindowS: 8 });
    ff.noteAdjustment(at(0), 0);
    ff.noteAdjustment(at(4), 1_000);
    // Over the last 8 s the PHC ran 4 s at 0 and 4 s at +1000 ppb: mean 500 ppb. A rate ratio of 1
    // measured over that window means the oscillator needs 500 ppb (not the current 1000).
    expect(ff.update(1, 1_000, at(8))).toBeCloseTo(500, 6);
  });

  it('ignores insane rate ratios (beyond sanity_freq_limit) and is silent when disabled', () => {
    const ff = new FeedForward(false);
    expect(ff.update(1.5, 0, at(1))).toBeUndefined();
    expect(ff.verdictOfLastUpdate()).toBe('insane');
    expect(new FeedForward(false, { enabled: false }).update(1.00001, 0, at(1))).toBeUndefined();
  });

  it("withholds a PHC's rate ratio for holdoffAfterStepS after a step, since the engine's window spans it", () => {
    const ff = new FeedForward(true, { holdoffAfterStepS: 10 });
    ff.notifyStep(-1_000_000, at(5));
    expect(ff.update(1.00001, 0, at(14))).toBeUndefined();
    expect(ff.verdictOfLastUpdate()).toBe('holdoff');
    expect(ff.update(1.00001, 0, at(15.1))).toBeCloseTo(10_000, 4);
  });

  it('does not hold off a virtual clock: its timestamps never step', () => {
    const ff = new FeedForward(false, { holdoffAfterStepS: 10 });
    ff.notifyStep(-1_000_000, at(5));
    expect(ff.update(1.00001, 0, at(6))).toBeCloseTo(10_000, 4);
  });

  it('gives every rate ratio as a measurement with its σ, the seated value untouched', () => {
    const ff = new FeedForward(false);
    expect(ff.update(1.00002, 0, at(1), 5e-8)).toBeCloseTo(20_000, 4);
    const next = ff.measure(1.000021, 0, at(2), 4e-8);
    expect(next?.rateRatio).toBe(1.000021);
    expect(next?.neededPpb).toBeCloseTo(21_000, 4);
    expect(next?.sigmaPpb).toBeCloseTo(40, 9);
    expect(ff.update(1.000021, 0, at(2), 4e-8)).toBeCloseTo(20_000, 4);
    // The same ratio on the next Sync is the same measurement, not a new one.
    expect(ff.measure(1.000021, 0, at(2.125), 4e-8)).toBe(next);
    expect(ff.measure(1.000022, 0, at(3), 4e-8)).not.toBe(next);
  });

  it("says what time each ratio spans: the engine's span when the receipt has it, else the window", () => {
    expect(new FeedForward(false, { rateRatioWindowS: 16 }).measure(1.00001, 0, at(1), 1e-8, 7.996)?.spanS).toBe(7.996);
    expect(new FeedForward(false, { rateRatioWindowS: 16 }).measure(1.00001, 0, at(1), 1e-8)?.spanS).toBe(16);
  });

  it("measures a PHC's ratio against its mean adjustment over the window, as the seat does", () => {
    const ff = new FeedForward(true, { rateRatioWindowS: 8 });
    ff.noteAdjustment(at(0), 0);
    ff.noteAdjustment(at(4), 1_000);
    expect(ff.measure(1, 1_000, at(8), 1e-8)?.neededPpb).toBeCloseTo(500, 6);
  });

  it('gives none of unknown σ, insane, held off after a step, or disabled', () => {
    expect(new FeedForward(false).measure(1.00001, 0, at(1), undefined)).toBeUndefined();
    expect(new FeedForward(false).measure(1.5, 0, at(1), 1e-8)).toBeUndefined();
    expect(new FeedForward(false, { enabled: false }).measure(1.00001, 0, at(1), 1e-8)).toBeUndefined();
    const phc = new FeedForward(true, { holdoffAfterStepS: 10 });
    phc.notifyStep(-1_000_000, at(5));
    expect(phc.measure(1.00001, 0, at(14), 1e-8)).toBeUndefined();
    expect(phc.measure(1.00001, 0, at(15.1), 1e-8)?.neededPpb).toBeCloseTo(10_000, 4);
  });
});
