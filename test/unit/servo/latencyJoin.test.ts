/**
 * When the Syncs' latency joins the Kalman servo's state, and what the filter is told it misses while
 * the latency is not a state (the error bound's unmodelled terms).
 */
import { describe, expect, it } from 'vitest';
import { LatencyJoin } from '../../../src/servo/latencyJoin.js';

const model = { timeConstantS: 10, sigmaNs: 450 };

describe('LatencyJoin', () => {
  it('never joins without a latency model (the hardware tuning), and reports nothing unmodelled', () => {
    const join = new LatencyJoin(undefined, 10);
    join.leave(0);
    expect(join.due(100, true)).toBe(false);
    expect(join.unmodelledPhaseNs(5)).toBe(0);
    expect(join.unmodelledSlopePpb(5, 0.125)).toBe(0);
    expect(join.joinFrequencySigmaPpb(0.125)).toBe(0);
    expect(join.predictedModel()).toBeUndefined();
  });

  it('joins latencyJoinS after it left, and only once the measurement noise is learned', () => {
    const join = new LatencyJoin(model, 10);
    join.leave(3);
    expect(join.due(12.9, true)).toBe(false);
    expect(join.due(13, false)).toBe(false);
    expect(join.due(13, true)).toBe(true);
    join.join(13);
    expect(join.joined).toBe(true);
    expect(join.due(14, true)).toBe(false);
    expect(join.predictedModel()).toBe(model);
  });

  it('says the phase carries σL before the join, fading over the time constant after it', () => {
    const join = new LatencyJoin(model, 10);
    join.leave(0);
    expect(join.unmodelledPhaseNs(4)).toBe(450);
    join.join(10);
    expect(join.unmodelledPhaseNs(10)).toBeCloseTo(450, 9);
    expect(join.unmodelledPhaseNs(20)).toBeCloseTo(450 / Math.E, 9);
  });

  it('says the frequency carries the latency slope over the span since it left, up to the last Sync, and none once joined', () => {
    const join = new LatencyJoin(model, 10);
    join.leave(2);
    // σL·√(2(1 − e^(−span/τ)))/span over 5 s: 450·√(2(1 − e^(−0.5)))/5.
    const fiveSeconds = (450 * Math.sqrt(2 * (1 - Math.exp(-0.5)))) / 5;
    expect(join.unmodelledSlopePpb(7, 0.125)).toBeCloseTo(fiveSeconds, 9);
    expect(join.unmodelledSlopePpb(7, 0.125)).toBeLessThan(join.unmodelledSlopePpb(4, 0.125));
    // A Sync right after it left: one interval, not zero.
    expect(join.unmodelledSlopePpb(2, 0.125)).toBeCloseTo((450 * Math.sqrt(2 * -Math.expm1(-0.0125))) / 0.125, 9);
    join.join(12);
    expect(join.unmodelledSlopePpb(13, 0.125)).toBe(0);
  });

  it('judges the frequency learned before the join no better than a wander of 2 σL over latencyJoinS', () => {
    const join = new LatencyJoin(model, 10);
    expect(join.joinFrequencySigmaPpb(0.125)).toBeCloseTo(90, 9);
    join.leave(0);
    join.join(10);
    expect(join.joinedAfter(9.9)).toBe(true);
    expect(join.joinedAfter(10)).toBe(false);
    join.leave(15);
    expect(join.joinedAfter(9.9)).toBe(false);
  });
});
