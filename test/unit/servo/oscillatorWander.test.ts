/**
 * The oscillator's walk learned from the free-running phase (oscillatorWander.ts): synthetic phases of
 * an oscillator whose frequency walks by a known amount, seen through white phase noise, at 8 Syncs per
 * second.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../../src/clock/prng.js';
import { MAX_PRIOR_EVIDENCE, OscillatorWander, upperFactor } from '../../../src/servo/oscillatorWander.js';

const SYNC_INTERVAL_S = 0.125;

interface Phases {
  readonly wanderPpbPerSqrtS: number;
  readonly phaseNoiseNs: number;
  readonly durationS: number;
  readonly seed: number;
  /** A step of the phase nobody tells the learner of, at this time, ns. */
  readonly unannouncedStep?: { readonly atS: number; readonly ns: number };
}

/** Feeds the learner the phase of a walking oscillator (plus 30 ppm of fixed frequency, as a real one has). */
function learn(learner: OscillatorWander, phases: Phases): void {
  const random = new Prng(phases.seed);
  let frequencyPpb = 30_000;
  let phaseNs = 0;
  const walkPerSync = phases.wanderPpbPerSqrtS * Math.sqrt(SYNC_INTERVAL_S);
  for (let tS = 0; tS < phases.durationS; tS += SYNC_INTERVAL_S) {
    frequencyPpb += walkPerSync * random.gaussian();
    // The phase runs at −φ: φ is the frequency the clock needs.
    phaseNs -= frequencyPpb * SYNC_INTERVAL_S;
    const step = phases.unannouncedStep !== undefined && tS >= phases.unannouncedStep.atS ? phases.unannouncedStep.ns : 0;
    learner.phase(tS, phaseNs + step + phases.phaseNoiseNs * random.gaussian(), frequencyPpb);
  }
}

function learned(phases: Phases): number {
  const learner = new OscillatorWander();
  learn(learner, phases);
  const estimate = learner.estimate();
  if (estimate === undefined) throw new Error('nothing learned');
  return estimate.ppbPerSqrtS;
}

describe('OscillatorWander', () => {
  it.each([1, 4, 16])('learns a walk of %d ppb/√s within 35 % over two hours, hardware-like phase noise', (wander) => {
    for (const seed of [1, 2, 3]) {
      const estimate = learned({ wanderPpbPerSqrtS: wander, phaseNoiseNs: 20, durationS: 7200, seed });
      expect(estimate).toBeGreaterThan(0.65 * wander);
      expect(estimate).toBeLessThan(1.35 * wander);
    }
  });

  it('reads a still oscillator behind software phase noise as a small walk, never as none', () => {
    // 400 ns at each phase point: 6σ²/τ² of the second differences is the noise's, read as a walk.
    const estimate = learned({ wanderPpbPerSqrtS: 0, phaseNoiseNs: 400 * Math.sqrt(32), durationS: 7200, seed: 7 });
    expect(estimate).toBeGreaterThan(0.05);
    expect(estimate).toBeLessThan(0.5);
  });

  it('tells 1 ppb/√s from 4 behind software phase noise', () => {
    const quiet = learned({ wanderPpbPerSqrtS: 1, phaseNoiseNs: 2_000, durationS: 7200, seed: 11 });
    const noisy = learned({ wanderPpbPerSqrtS: 4, phaseNoiseNs: 2_000, durationS: 7200, seed: 11 });
    expect(noisy).toBeGreaterThan(2.5 * quiet);
  });

  it('leaves out a step of the phase nobody told it of', () => {
    const step = { atS: 3600, ns: 3_000_000 };
    const estimate = learned({ wanderPpbPerSqrtS: 1, phaseNoiseNs: 20, durationS: 7200, seed: 5, unannouncedStep: step });
    expect(estimate).toBeLessThan(1.35);
  });

  it('has nothing to say before its first second difference, 2 τ after the start', () => {
    const learner = new OscillatorWander();
    learn(learner, { wanderPpbPerSqrtS: 1, phaseNoiseNs: 20, durationS: 500, seed: 1 });
    expect(learner.estimate()).toBeUndefined();
    learn(learner, { wanderPpbPerSqrtS: 1, phaseNoiseNs: 20, durationS: 600, seed: 1 });
    expect(learner.estimate()).toBeDefined();
  });

  it('spans no second difference across a restart', () => {
    const learner = new OscillatorWander();
    learn(learner, { wanderPpbPerSqrtS: 1, phaseNoiseNs: 20, durationS: 400, seed: 1 });
    learner.restart();
    learn(learner, { wanderPpbPerSqrtS: 1, phaseNoiseNs: 20, durationS: 400, seed: 2 });
    expect(learner.estimate()).toBeUndefined();
  });

  it('counts a prior as the evidence it rests on, until the phases outweigh it', () => {
    const learner = new OscillatorWander();
    learner.seed({ ppbPerSqrtS: 10, evidence: 4 });
    expect(learner.estimate()?.ppbPerSqrtS).toBeCloseTo(10, 9);
    learn(learner, { wanderPpbPerSqrtS: 1, phaseNoiseNs: 20, durationS: 4 * 3600, seed: 3 });
    const estimate = learner.estimate();
    expect(estimate?.evidence).toBeGreaterThan(40);
    expect(estimate?.ppbPerSqrtS).toBeLessThan(0.5 * 10);
  });

  it('counts a kept walk for at most MAX_PRIOR_EVIDENCE, however long it was learned', () => {
    const learner = new OscillatorWander();
    learner.seed({ ppbPerSqrtS: 3, evidence: 500 });
    expect(learner.estimate()?.evidence).toBe(MAX_PRIOR_EVIDENCE);
  });

  it('bounds the walk from above by more, the less it rests on', () => {
    expect(upperFactor(4)).toBeGreaterThan(upperFactor(16));
    expect(upperFactor(16)).toBeGreaterThan(1);
    expect(upperFactor(1_000)).toBeLessThan(1.1);
  });
});
