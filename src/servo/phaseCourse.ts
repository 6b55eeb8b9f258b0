/**
 * The clock's course as the Kalman servo saw it at each recent Sync: the phase estimate less all the
 * adjustments had moved the clock by (θ̂ − A), the frequency it believed (φ̂) and when. Against a mark
 * of it, how far the offsets have moved since can be told apart from the oscillator's own course:
 * that is the phase change a level stands for (kalmanServo.ts), which the error bound keeps.
 *
 * A ring of the last `length` Syncs, so that a change that began before the level test could see it
 * (the filter follows its first part through its gain) is measured from before it began.
 */
export interface CourseMark {
  /** θ̂ − A: the phase estimate less the phase the adjustments had applied since the servo started, ns. */
  readonly courseNs: number;
  /** The frequency estimate then, ppb. */
  readonly phiPpb: number;
  /** The servo's elapsed time then, s. */
  readonly atS: number;
}

/** Fields per mark in the ring. */
const WIDTH = 3;

export class PhaseCourse {
  private readonly ring: Float64Array;
  private count = 0;
  private next = 0;

  constructor(readonly length: number) {
    if (!(Number.isInteger(length) && length >= 1)) throw new RangeError(`phase course length must be an integer ≥ 1, got ${length}`);
    this.ring = new Float64Array(length * WIDTH);
  }

  push(mark: CourseMark): void {
    this.ring.set([mark.courseNs, mark.phiPpb, mark.atS], this.next * WIDTH);
    this.next = (this.next + 1) % this.length;
    this.count = Math.min(this.count + 1, this.length);
  }

  /** The oldest mark kept; undefined when none is. */
  oldest(): CourseMark | undefined {
    if (this.count === 0) return undefined;
    const i = (this.count < this.length ? 0 : this.next) * WIDTH;
    return { courseNs: this.ring[i] as number, phiPpb: this.ring[i + 1] as number, atS: this.ring[i + 2] as number };
  }

  clear(): void {
    this.count = 0;
    this.next = 0;
  }
}

/**
 * How far the offsets moved from `from` to `to`, ns: the estimate's move less what the clock was
 * adjusted by beyond the frequency believed at `from` — (θ − θ₀) − (A − A₀ − φ₀·Δt).
 */
export function courseChangeNs(from: CourseMark, to: CourseMark): number {
  return to.courseNs - from.courseNs + from.phiPpb * (to.atS - from.atS);
}
