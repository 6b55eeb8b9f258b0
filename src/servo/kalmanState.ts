/**
 * The algebra of the Kalman servo (kalmanServo.ts says what the model is, what is measured when and
 * with what noise): the state — the clock's phase offset θ (ns), the frequency it needs φ (ppb) and,
 * with software timestamps, the Syncs' latency beyond the link delay L (ns) — with its covariance, the
 * time update between Syncs, and the measurement updates for an offset (H = [1, 0, 1]) and for a
 * measurement of φ (H = [0, 1, 0]: the feed-forward, a rate ratio).
 */
export interface LatencyModel {
  /** How long L takes to return to its mean, s. */
  readonly timeConstantS: number;
  /** How far L wanders about its mean (1 σ, stationary), ns. */
  readonly sigmaNs: number;
}

/**
 * 1 σ of the mean slope L makes between two instants spanS apart, ppb (ns/s): an Ornstein–Uhlenbeck
 * process's difference over a span has variance 2σL²(1 − e^(−span/τ)). A filter that reads L as phase
 * (before it joins as a state) takes that slope into its frequency (how well it fits the lab:
 * LatencyJoin.unmodelledSlopePpb).
 */
export function latencySlopeSigmaPpb(model: LatencyModel, spanS: number): number {
  return (model.sigmaNs * Math.sqrt(2 * -Math.expm1(-spanS / model.timeConstantS))) / spanS;
}

export class KalmanState {
  /** θ̂, ns. */
  theta = 0;
  /** φ̂, ppb. */
  phi: number;
  /** L̂, ns (0 while L is not a state). */
  latency = 0;
  /** The covariance [[p00, p01, p02], [·, p11, p12], [·, ·, p22]]: p00, p02, p22 in ns², p01, p12 in ns·ppb, p11 in ppb². */
  p00 = 0;
  p01 = 0;
  p11 = 0;
  p02 = 0;
  p12 = 0;
  p22 = 0;

  constructor(frequencyPpb: number) {
    this.phi = frequencyPpb;
  }

  /**
   * Time update over dt s with appliedPpb applied, the frequency walking by wanderPpbPerSqrtS, and L
   * as latency says when it is a state (undefined: it is not).
   */
  predict(dt: number, appliedPpb: number, wanderPpbPerSqrtS: number, latency: LatencyModel | undefined): void {
    this.theta += (appliedPpb - this.phi) * dt;
    const q = wanderPpbPerSqrtS ** 2;
    // F = [[1, −dt], [0, 1]]; Q of a random-walk frequency integrated into phase.
    const p00 = this.p00 - 2 * dt * this.p01 + dt * dt * this.p11 + (q * dt ** 3) / 3;
    const p01 = this.p01 - dt * this.p11 - (q * dt * dt) / 2;
    const p11 = this.p11 + q * dt;
    this.p00 = p00;
    this.p01 = p01;
    this.p11 = p11;
    if (latency === undefined) return;
    // F's latency row is e^(−dt/τ); its noise keeps L's stationary variance.
    const a = Math.exp(-dt / latency.timeConstantS);
    this.latency *= a;
    this.p02 = a * (this.p02 - dt * this.p12);
    this.p12 = a * this.p12;
    this.p22 = a * a * this.p22 + latency.sigmaNs ** 2 * (1 - a * a);
  }

  /** An offset's innovation, ns: the offset less what the filter predicts of it, H·x̂ = θ̂ + L̂ (H = [1, 0, 1]). */
  offsetInnovation(offsetNs: number): number {
    return offsetNs - this.theta - this.latency;
  }

  /** What the filter knows of the next offset, H·P·Hᵀ (H = [1, 0, 1]; L is 0 while not a state). */
  offsetVariance(): number {
    return this.p00 + 2 * this.p02 + this.p22;
  }

  /** Measurement update for an offset (H = [1, 0, 1]): its innovation, ns, and the innovation's variance s, ns². */
  updateOffset(innovationNs: number, s: number): void {
    this.update(innovationNs, s, this.p00 + this.p02, this.p01 + this.p12, this.p02 + this.p22);
  }

  /** What the filter knows of a measurement of φ whose own variance is r, ppb²: H·P·Hᵀ + r (H = [0, 1, 0]), ppb². */
  frequencyInnovationVariance(r: number): number {
    return this.p11 + r;
  }

  /** Measurement update for a measurement of φ (H = [0, 1, 0]): its innovation, ppb, and its variance r, ppb². */
  updateFrequency(innovationPpb: number, r: number): void {
    this.update(innovationPpb, this.frequencyInnovationVariance(r), this.p01, this.p11, this.p12);
  }

  /** The phase seated from one offset with its variance, ns², knowing nothing of how it relates to the frequency. */
  seatPhase(thetaNs: number, variance: number): void {
    this.theta = thetaNs;
    this.p00 = variance;
    this.p01 = 0;
  }

  /** The frequency exactly this uncertain, ppb² (a start: nothing learned of it yet). */
  setFrequencyVariance(variance: number): void {
    this.p11 = variance;
  }

  /** The frequency at least this uncertain, ppb² (a change believed, the rate ratios' run). */
  widenFrequency(variance: number): void {
    this.p11 = Math.max(this.p11, variance);
  }

  /** The clock stepped by stepNs: θ̂ moves with it, as certain as before (the step is exact). */
  clockStepped(stepNs: number): void {
    this.theta += stepNs;
  }

  /** The phase moved by a level the filter missed, at least this uncertain after, ns². */
  movePhase(levelNs: number, variance: number): void {
    this.theta += levelNs;
    this.p00 = Math.max(this.p00, variance);
  }

  /**
   * L joins with its stationary variance σL², ns²; φ, which took L's wander as noise meanwhile, is left
   * at least minFrequencyVariance uncertain, ppb², and forgets its covariance with θ.
   */
  joinLatency(sigmaNs: number, minFrequencyVariance: number): void {
    this.p22 = sigmaNs ** 2;
    this.p11 = Math.max(this.p11, minFrequencyVariance);
    this.p01 = 0;
  }

  /** L is no state: 0, and nothing known of it. */
  leaveLatency(): void {
    this.latency = 0;
    this.p02 = 0;
    this.p12 = 0;
    this.p22 = 0;
  }

  /** σ of θ̂, ns. */
  phaseSigmaNs(): number {
    return Math.sqrt(Math.max(0, this.p00));
  }

  /** σ of φ̂, ppb. */
  frequencySigmaPpb(): number {
    return Math.sqrt(Math.max(0, this.p11));
  }

  /** K = c / s, P −= K·(H·P), for a measurement whose P·Hᵀ is (c0, c1, c2) and innovation variance s. */
  private update(innovation: number, s: number, c0: number, c1: number, c2: number): void {
    const k0 = c0 / s;
    const k1 = c1 / s;
    const k2 = c2 / s;
    this.theta += k0 * innovation;
    this.phi += k1 * innovation;
    this.latency += k2 * innovation;
    this.p00 -= k0 * c0;
    this.p01 -= k0 * c1;
    this.p02 -= k0 * c2;
    this.p11 -= k1 * c1;
    this.p12 -= k1 * c2;
    this.p22 -= k2 * c2;
  }
}
