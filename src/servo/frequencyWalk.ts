/**
 * The oscillator's random walk the Kalman servo's model assumes (the Q of its frequency state φ), and
 * whose word it is: the tuning's, or the one learned from the offsets (oscillatorWander.ts).
 *
 * With software timestamps the start (and the latencyJoinS after each believed change) keeps the
 * tuning's start walk, which the start is measured with: until the Syncs' latency is a state
 * (latencyJoin.ts) its wander reads as the clock's, and a larger walk would follow it. Once tracking, a
 * learned walk that rests on MIN_WANDER_EVIDENCE Allan intervals is the filter's, else the tuning's
 * tracking walk (with software timestamps latencyStateWanderPpbPerSqrtS, `kalman_frequency_wander`).
 */
import type { LatencyJoin } from './latencyJoin.js';
import type { KalmanTuning } from './kalmanTuning.js';
import { OscillatorWander, type LearnedWander, type WanderEstimate, type WanderPrior } from './oscillatorWander.js';

/** Independent second differences (about τ each) before a learned walk is used: its upper bound is then 1.9× the estimate. */
const MIN_WANDER_EVIDENCE = 4;
/** The most walk a learned estimate makes the filter assume, ppb/√s. */
const MAX_LEARNED_WANDER_PPB_PER_SQRT_S = 128;

export type FrequencyWalkTuning = Required<
  Pick<KalmanTuning, 'wanderPpbPerSqrtS' | 'latencyStateWanderPpbPerSqrtS' | 'learnedWanderScale' | 'learnedWanderFloorPpbPerSqrtS'>
>;

export class FrequencyWalk {
  /** The walk learned from the offsets; undefined when the node's configured walk is its word. */
  private readonly learner: OscillatorWander | undefined;

  /** learn: learn the walk from the offsets; prior: a walk learned in an earlier run (with learn). */
  constructor(
    private readonly tuning: FrequencyWalkTuning,
    private readonly latency: LatencyJoin,
    learn: boolean,
    prior?: WanderPrior,
  ) {
    this.learner = learn ? new OscillatorWander() : undefined;
    if (prior !== undefined) this.learner?.seed(prior);
  }

  /** The walk the model assumes now, ppb/√s. */
  ppbPerSqrtS(): number {
    if (this.latency.model !== undefined && !this.latency.joined) return this.tuning.wanderPpbPerSqrtS;
    return this.trackingWander(this.learner?.estimate());
  }

  /** What the offsets say of the walk, and the walk the filter tracks with; undefined when not learning or nothing is learned yet. */
  learned(): LearnedWander | undefined {
    const estimate = this.learner?.estimate();
    if (estimate === undefined) return undefined;
    return { ...estimate, trackingPpbPerSqrtS: this.trackingWander(estimate), inUse: inUse(estimate) };
  }

  /** One free-running phase (the offset less every adjustment, ns) at elapsedS, with the frequency believed then (ppb). */
  phase(elapsedS: number, freeRunningPhaseNs: number, frequencyPpb: number): void {
    this.learner?.phase(elapsedS, freeRunningPhaseNs, frequencyPpb);
  }

  /** The free-running phase does not go on from before (a step, a start, a new grandmaster): no second difference spans it. */
  restart(): void {
    this.learner?.restart();
  }

  /**
   * The walk to track with: from a learned one in use, its upper bound (a filter that assumes too
   * little walk follows the oscillator late, and one that assumes more pays little) times the mode's
   * scale; else the tuning's (with software timestamps, its walk once the latency has joined).
   */
  private trackingWander(estimate: WanderEstimate | undefined): number {
    const { learnedWanderScale, learnedWanderFloorPpbPerSqrtS } = this.tuning;
    if (estimate !== undefined && inUse(estimate)) {
      return Math.min(MAX_LEARNED_WANDER_PPB_PER_SQRT_S, Math.max(learnedWanderFloorPpbPerSqrtS, learnedWanderScale * estimate.upperPpbPerSqrtS));
    }
    return this.latency.model === undefined ? this.tuning.wanderPpbPerSqrtS : this.tuning.latencyStateWanderPpbPerSqrtS;
  }
}

/** Whether a learned walk rests on enough to be the filter's. */
function inUse(estimate: WanderEstimate): boolean {
  return estimate.evidence >= MIN_WANDER_EVIDENCE;
}
