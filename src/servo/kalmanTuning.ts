/**
 * The Kalman servo's tuning per timestamping mode: what it assumes of the noise and the oscillator
 * before it has learned them, and which measurements it takes (kalmanServo.ts says how each is used).
 */
/** What differs between timestamping modes: the noise the filter assumes before it has learned it. */
export interface KalmanTuning {
  /** Measurement noise (1 σ) before enough innovations are seen to learn it, ns. */
  readonly initialMeasurementNoiseNs?: number;
  /** Smallest measurement noise the filter ever assumes (1 σ), ns. */
  readonly minMeasurementNoiseNs?: number;
  /** 1 σ of the feed-forward (rate ratio) taken as a measurement of the frequency, ppb. */
  readonly feedForwardSigmaPpb?: number;
  /** 1 σ of the frequency at start when no feed-forward is available, ppb. */
  readonly initialFrequencySigmaPpb?: number;
  /**
   * Random-walk frequency noise of the local oscillator against the master, ppb/√s (until a learned
   * one is in use, when the servo learns it: oscillatorWander.ts).
   */
  readonly wanderPpbPerSqrtS?: number;
  /** Innovations beyond this many σ are outliers. */
  readonly gateSigmas?: number;
  /** Outliers in a row on the same side that are believed as a real change. */
  readonly maxConsecutiveOutliers?: number;
  /**
   * And the time such a run must span before it is believed, s: a host under load delays software
   * timestamps in bursts of a few hundred ms, which a run of four Syncs cannot tell from a jump.
   */
  readonly minOutlierRunS?: number;
  /** A median innovation beyond this many σ is taken as a level the phase has missed (0: never). */
  readonly levelSigmas?: number;
  /** The phase estimate is removed over this many Sync intervals. */
  readonly phaseTimeConstantIntervals?: number;
  /** Innovations kept for learning the measurement noise. */
  readonly noiseWindow?: number;
  /**
   * The oscillator's random walk assumed while the latency is a state, ppb/√s: a filter that can take a
   * slow move of the offsets as the latency's must let the frequency move more, or it follows a real
   * oscillator's wander late.
   */
  readonly latencyStateWanderPpbPerSqrtS?: number;
  /** How long the Syncs' latency takes to return to its mean (the latency state L), s; 0: no such state. */
  readonly latencyTimeConstantS?: number;
  /** How far that latency wanders about its mean (1 σ, stationary), ns. */
  readonly latencySigmaNs?: number;
  /** The latency state joins the filter this long after a start or a believed change, s. */
  readonly latencyJoinS?: number;
  /**
   * The phase is seated from the median of the offsets of this span, s (at least one offset; 0: from
   * the first). One software Sync can be tens of µs late, and the phase seated from it leaves the clock
   * off by as much until an outlier run is believed (firstOffsets.ts).
   */
  readonly startSpanS?: number;
  /**
   * Every new rate ratio after the start is a measurement of φ with the σ the engine gives it: the
   * Pdelay exchanges measure the clock's rate without the Sync path, so a slow change of the Syncs'
   * latency is not taken as a rate, and the oscillator's own wander is seen as it happens.
   */
  readonly fuseEveryRateRatio?: boolean;
  /**
   * An outlier run that agrees is first held against the rate ratios measured inside it when the
   * neighbour is the grandmaster (neighborPhaseWitness.ts): when they say the grandmaster's time did
   * not move, the run is a change of the Syncs' path and is not followed while it lasts, up to
   * heldRunMaxS.
   */
  readonly neighborWitness?: boolean;
  /** The longest a run the ratios contradict is held, s: a change of the Sync path that outlasts it is followed. */
  readonly heldRunMaxS?: number;
  /**
   * A learned walk (oscillatorWander.ts) is tracked with this many times its upper bound: the walk the
   * filter does best with is the oscillator's or more (docs/servo.md, "The oscillator's wander, learned").
   */
  readonly learnedWanderScale?: number;
  /** The least walk a learned one makes the filter assume, ppb/√s. */
  readonly learnedWanderFloorPpbPerSqrtS?: number;
}

export const KALMAN_TUNING_HARDWARE: Required<KalmanTuning> = Object.freeze({
  initialMeasurementNoiseNs: 50,
  minMeasurementNoiseNs: 1,
  feedForwardSigmaPpb: 20,
  initialFrequencySigmaPpb: 500_000,
  wanderPpbPerSqrtS: 1,
  gateSigmas: 5,
  maxConsecutiveOutliers: 3,
  minOutlierRunS: 0,
  levelSigmas: 3,
  phaseTimeConstantIntervals: 1,
  noiseWindow: 64,
  latencyStateWanderPpbPerSqrtS: 1,
  latencyTimeConstantS: 0,
  latencySigmaNs: 0,
  latencyJoinS: 0,
  startSpanS: 0,
  fuseEveryRateRatio: false,
  neighborWitness: false,
  heldRunMaxS: 0,
  // Simulated PHC, 3 seeds of an hour: the best walk is 1–1.5× the oscillator's (0.1–4 ppb/√s).
  learnedWanderScale: 1.5,
  learnedWanderFloorPpbPerSqrtS: 0.03,
});

/**
 * Software timestamps: µs of noise with a heavy one-sided tail (LAB-NOTES: 1.6–2.5 µs one way at
 * Sync rate, spikes of 30–120 µs), and a start-up rate ratio from two or three Pdelay exchanges that is
 * hundreds of ppb off.
 */
export const KALMAN_TUNING_SOFTWARE: Required<KalmanTuning> = Object.freeze({
  initialMeasurementNoiseNs: 500,
  // The latency of software timestamps wanders by hundreds of ns over seconds, which no slave can tell
  // from its own clock and a filter that assumes white noise follows. Measured on the lab's own noise
  // (24 runs, conformance/sim/labNoise.ts): its robust σ was 231–1251 ns Sync to Sync, but averages of
  // 8 Syncs still scattered as 364–2641 ns would; with this floor (was 20 ns) the true error's std fell
  // from 463 to 407 ns on average, below ptp4l's PI on the same noise in 16 of 24 runs (was 9), the
  // bound and the departures unchanged; 500 ns and above began to leave synchronized at a path change.
  minMeasurementNoiseNs: 400,
  feedForwardSigmaPpb: 2_000,
  initialFrequencySigmaPpb: 500_000,
  wanderPpbPerSqrtS: 1,
  gateSigmas: 4,
  maxConsecutiveOutliers: 4,
  minOutlierRunS: 2,
  levelSigmas: 3,
  phaseTimeConstantIntervals: 4,
  noiseWindow: 64,
  // 4, not 1: ptp4l's PI on the same simulated oscillators, wandering by 0–8 ppb/√s, is then above the
  // servo up to 4 ppb/√s (docs/servo.md, "The latency as a state of its own").
  latencyStateWanderPpbPerSqrtS: 4,
  // The latency of software timestamps on veth wanders by hundreds of ns and comes back within seconds
  // (the lab's recorded noise: 2 s medians scatter by 83–686 ns, correlated over 2 s, hardly over 10 s).
  latencyTimeConstantS: 10,
  // 450, not 500: θ's σ settles just under σL, and the status wants 2 σθ within 1 µs to say synchronized.
  latencySigmaNs: 450,
  latencyJoinS: 10,
  // Four Syncs at 8/s: a late first one cost 9.0 s to synchronized, and an error bound of 21 µs for
  // minutes, in 1 of 110 simulated runs on the lab's Sync noise (docs/servo.md, Kalman servo, "Start").
  startSpanS: 0.5,
  // The lab's Sync noise, measured and simulated: the true error's std a third to a half lower, and
  // lower on oscillators that wander by 0–8 ppb/√s too (docs/servo.md, "Every rate ratio after the start").
  fuseEveryRateRatio: true,
  // A run of two seconds holds one or two ratios; the σ of each, ~400 ns of the neighbour's time on
  // veth, tells a 2 µs move from none (neighborPhaseWitness.ts). 20 s: under stress-ng the Syncs'
  // latency was seen 1–2.1 µs off for up to 20 s while the Pdelay answers' mostly stayed.
  neighborWitness: true,
  heldRunMaxS: 20,
  // With the latency a state of its own the filter does best with 2–4× the oscillator's walk (the
  // simulator on the lab's Sync noise, 2 h, oscillators of 0–16 ppb/√s: docs/servo.md), and little
  // worse with more: 4× the upper bound is 7.8× the estimate on four squares, 4.9× on 26.
  learnedWanderScale: 4,
  learnedWanderFloorPpbPerSqrtS: 0.25,
});

/**
 * The frequency's random walk once the filter tracks, ppb/√s, as the tuning field that carries it:
 * with software timestamps the latency's state is then part of the model and the walk is
 * latencyStateWanderPpbPerSqrtS (the first latencyJoinS, and as long after each believed change,
 * keep wanderPpbPerSqrtS, which the start is measured with); with hardware timestamps there is no
 * such state and wanderPpbPerSqrtS is the walk.
 */
export function trackingWander(ppbPerSqrtS: number, softwareTimestamps: boolean): KalmanTuning {
  return softwareTimestamps ? { latencyStateWanderPpbPerSqrtS: ppbPerSqrtS } : { wanderPpbPerSqrtS: ppbPerSqrtS };
}

/** The mode's tuning with every option given laid over it, checked: a bad value names the field. */
export function resolveKalmanTuning(options: KalmanTuning, softwareTimestamps: boolean): Required<KalmanTuning> {
  const tuning = { ...(softwareTimestamps ? KALMAN_TUNING_SOFTWARE : KALMAN_TUNING_HARDWARE), ...definedOnly(options) };
  for (const [key, value] of Object.entries(tuning)) {
    if (typeof value === 'boolean') continue;
    if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`kalman ${key} must be a finite number ≥ 0, got ${value}`);
  }
  if (!(tuning.noiseWindow >= 8 && Number.isInteger(tuning.noiseWindow))) throw new RangeError('kalman noiseWindow must be an integer ≥ 8');
  if (!(tuning.phaseTimeConstantIntervals >= 1)) throw new RangeError('kalman phaseTimeConstantIntervals must be ≥ 1');
  if (tuning.latencyTimeConstantS > 0 && !(tuning.latencySigmaNs > 0)) throw new RangeError('kalman latencySigmaNs must be > 0 with a latencyTimeConstantS');
  return tuning;
}

function definedOnly(options: KalmanTuning): KalmanTuning {
  const out: Record<string, number | boolean> = {};
  for (const key of Object.keys(KALMAN_TUNING_HARDWARE) as (keyof KalmanTuning)[]) {
    const v = options[key];
    if (v !== undefined) out[key] = v;
  }
  return out as KalmanTuning;
}
