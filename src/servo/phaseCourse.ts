/**
 * The clock's course as the Kalman servo saw it after each Sync it used: the phase estimate less all
 * the adjustments had moved the clock by (θ̂ − A), the frequency it believed (φ̂), when, and how
 * uncertain both estimates were. Between two marks, how far the offsets moved can be told from the
 * oscillator's own course up to what the servo's model allows: a change of the Sync path's latency, or
 * of the grandmaster's time, which the clock follows and the error bound must keep (kalmanServo.ts).
 */
export interface CourseMark {
  /** θ̂ − A: the phase estimate less the phase the adjustments had applied since the servo started, ns. */
  readonly courseNs: number;
  /** The frequency estimate then, ppb. */
  readonly phiPpb: number;
  /** The servo's elapsed time then, s. */
  readonly atS: number;
  /** 1 σ of the phase estimate then, ns. */
  readonly sigmaThetaNs: number;
  /** 1 σ of the frequency estimate then, ppb. */
  readonly sigmaPhiPpb: number;
}

/** Fields per mark in the ring. */
const WIDTH = 5;

/** The marks of the last `length` Syncs used, a ring. */
export class PhaseCourse {
  private readonly ring: Float64Array;
  private count = 0;
  private next = 0;

  constructor(readonly length: number) {
    if (!(Number.isInteger(length) && length >= 1)) throw new RangeError(`phase course length must be an integer ≥ 1, got ${length}`);
    this.ring = new Float64Array(length * WIDTH);
  }

  /** Called on every Sync the servo uses: writes the mark's fields in place, no allocation. */
  push(mark: CourseMark): void {
    const r = this.ring;
    const i = this.next * WIDTH;
    r[i] = mark.courseNs;
    r[i + 1] = mark.phiPpb;
    r[i + 2] = mark.atS;
    r[i + 3] = mark.sigmaThetaNs;
    r[i + 4] = mark.sigmaPhiPpb;
    this.next = (this.next + 1) % this.length;
    this.count = Math.min(this.count + 1, this.length);
  }

  /** The mark `back` Syncs before the newest (0: the newest), the oldest kept when fewer are; undefined when none is. */
  back(back: number): CourseMark | undefined {
    if (this.count === 0) return undefined;
    const i = ((this.next - 1 - Math.min(back, this.count - 1) + this.length) % this.length) * WIDTH;
    const r = this.ring;
    return { courseNs: r[i] as number, phiPpb: r[i + 1] as number, atS: r[i + 2] as number, sigmaThetaNs: r[i + 3] as number, sigmaPhiPpb: r[i + 4] as number };
  }

  /** The oldest mark kept. */
  oldest(): CourseMark | undefined {
    return this.back(this.length);
  }

  clear(): void {
    this.count = 0;
    this.next = 0;
  }
}

/**
 * How far the offsets moved from `from` to `to`, ns: the estimate's move less what the clock was
 * adjusted by beyond the frequency `phiPpb` over the span — (θ − θ₀) − (A − A₀ − φ·Δt).
 */
export function courseChangeNs(from: CourseMark, to: CourseMark, phiPpb: number): number {
  return to.courseNs - from.courseNs + phiPpb * (to.atS - from.atS);
}

/**
 * 1 σ of courseChangeNs that the servo's own model allows: the two phase estimates, the frequency used
 * (`sigmaPhiPpb`) over the span, and the oscillator's random walk over it (q·Δt³/3).
 */
export function courseChangeSigmaNs(from: CourseMark, to: CourseMark, sigmaPhiPpb: number, wanderPpbPerSqrtS: number): number {
  const dt = to.atS - from.atS;
  return Math.sqrt(from.sigmaThetaNs ** 2 + to.sigmaThetaNs ** 2 + (sigmaPhiPpb * dt) ** 2 + (wanderPpbPerSqrtS ** 2 * dt ** 3) / 3);
}
