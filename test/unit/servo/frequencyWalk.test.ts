/**
 * The walk the Kalman servo's model assumes for its frequency state: the start's while the Syncs'
 * latency waits to join, then a learned walk once it rests on enough, else the tuning's.
 */
import { describe, expect, it } from 'vitest';
import { FrequencyWalk, type FrequencyWalkTuning } from '../../../src/servo/frequencyWalk.js';
import { LatencyJoin } from '../../../src/servo/latencyJoin.js';
import { upperFactor } from '../../../src/servo/oscillatorWander.js';

const tuning: FrequencyWalkTuning = {
  wanderPpbPerSqrtS: 1,
  latencyStateWanderPpbPerSqrtS: 4,
  learnedWanderScale: 4,
  learnedWanderFloorPpbPerSqrtS: 0.25,
};

/** The software tuning's latency, joined or still waiting. */
function softwareLatency(joined: boolean): LatencyJoin {
  const latency = new LatencyJoin({ timeConstantS: 10, sigmaNs: 450 }, 10);
  latency.leave(0);
  if (joined) latency.join(10);
  return latency;
}

const hardwareLatency = (): LatencyJoin => new LatencyJoin(undefined, 10);

describe('FrequencyWalk', () => {
  it("assumes the start's walk until the Syncs' latency joins, then the tracking walk (software timestamps)", () => {
    expect(new FrequencyWalk(tuning, softwareLatency(false), false).ppbPerSqrtS()).toBe(1);
    expect(new FrequencyWalk(tuning, softwareLatency(true), false).ppbPerSqrtS()).toBe(4);
  });

  it('assumes wanderPpbPerSqrtS throughout without a latency state (hardware timestamps)', () => {
    expect(new FrequencyWalk(tuning, hardwareLatency(), false).ppbPerSqrtS()).toBe(1);
  });

  it("tracks with the mode's scale × a learned walk's upper bound once it rests on four intervals", () => {
    const walk = new FrequencyWalk(tuning, softwareLatency(true), true, { ppbPerSqrtS: 2, evidence: 4 });
    const expected = 4 * 2 * Math.sqrt(upperFactor(4));
    expect(walk.ppbPerSqrtS()).toBeCloseTo(expected, 9);
    expect(walk.learned()).toMatchObject({ inUse: true, evidence: 4 });
    expect(walk.learned()?.trackingPpbPerSqrtS).toBeCloseTo(expected, 9);
  });

  it('keeps the tuning while a learned walk rests on fewer, and says so', () => {
    const walk = new FrequencyWalk(tuning, softwareLatency(true), true, { ppbPerSqrtS: 2, evidence: 3.9 });
    expect(walk.ppbPerSqrtS()).toBe(4);
    expect(walk.learned()).toMatchObject({ inUse: false, trackingPpbPerSqrtS: 4 });
  });

  it("keeps the start's walk before the join, whatever was learned", () => {
    const walk = new FrequencyWalk(tuning, softwareLatency(false), true, { ppbPerSqrtS: 2, evidence: 8 });
    expect(walk.ppbPerSqrtS()).toBe(1);
  });

  it('keeps a learned walk within its floor and 128 ppb/√s', () => {
    const quiet = new FrequencyWalk(tuning, hardwareLatency(), true, { ppbPerSqrtS: 0.001, evidence: 8 });
    expect(quiet.ppbPerSqrtS()).toBe(0.25);
    const wild = new FrequencyWalk(tuning, hardwareLatency(), true, { ppbPerSqrtS: 1000, evidence: 8 });
    expect(wild.ppbPerSqrtS()).toBe(128);
  });

  it('learns nothing unless asked, a prior given or not', () => {
    const walk = new FrequencyWalk(tuning, softwareLatency(true), false, { ppbPerSqrtS: 2, evidence: 8 });
    expect(walk.learned()).toBeUndefined();
    expect(walk.ppbPerSqrtS()).toBe(4);
  });
});
