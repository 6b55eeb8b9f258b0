/**
 * Whether the lab's outside truth held still. The true error is synchronized time − CLOCK_REALTIME,
 * and Syntonic's clients extrapolate over CLOCK_MONOTONIC_RAW; on a shared kernel CLOCK_REALTIME can
 * be slewed or stepped by someone else (adjtimex moves CLOCK_REALTIME and never CLOCK_MONOTONIC_RAW),
 * and then the "true error" measures that, not the stack. Believed seen once (2026-12-03, 12:19–12:22
 * UTC, before this watch): for two runs every other sample was 0.25–0.5 ms off and one 369 ms, while
 * both stacks' servos and the reference's own true error (read from its virtual clock over
 * CLOCK_REALTIME) were undisturbed.
 *
 * Between two probe samples CLOCK_REALTIME − CLOCK_MONOTONIC_RAW moves by their rate difference
 * (ppm) × the interval, plus the pair's reading noise (a preempted read: tens of µs, rarely); a move
 * beyond TRUTH_LIMIT_NS is a disturbance of the truth, and a run with one says so in its figures.
 */
export const TRUTH_LIMIT_NS = 50_000;

export interface TruthDisturbance {
  /** Date.now() ms of the sample that saw it. */
  readonly atMs: number;
  /** How far CLOCK_REALTIME − CLOCK_MONOTONIC_RAW moved since the sample before, ns. */
  readonly movedNs: number;
}

export class TruthWatch {
  readonly disturbances: TruthDisturbance[] = [];
  private lastDifference: bigint | undefined;

  /** One pair of readings taken together (ns). */
  observe(realtimeNs: bigint, monotonicRawNs: bigint, atMs: number): void {
    const difference = realtimeNs - monotonicRawNs;
    if (this.lastDifference !== undefined) {
      const movedNs = Number(difference - this.lastDifference);
      if (Math.abs(movedNs) > TRUTH_LIMIT_NS) this.disturbances.push({ atMs, movedNs });
    }
    this.lastDifference = difference;
  }
}
