/**
 * The offsets a servo sees before it starts, and the one it seats its phase from: their median.
 *
 * A software timestamp is late by the host's scheduling (tens of µs at times), never early beyond its
 * noise, and a late Sync reads as a clock ahead of the master: a larger offset. The median of a few
 * offsets over a fraction of a second leaves such a Sync out, each carried first to the newest one's
 * instant at the rate the offset drifts (the clock's adjustment less the frequency it needs, which the
 * engine's rate ratio tells: 802.1AS-2020 10.2.8.1.4 rateRatio). Not the smallest: of four it reads the
 * noise's low tail (the simulated error bound's median 3.91 µs over 110 seeds, the median's 3.55).
 * ptp4l seats from the first offset; so did Syntonic, and one simulated run on the lab's Sync noise
 * whose first Sync was 18 µs late took 9.0 s to synchronized and kept an 18 µs change in its error
 * bound for minutes.
 */
import type { LocalTime } from '../clock/timePoint.js';
import { elapsedNs } from '../clock/timePoint.js';
import { median } from '../protocol/windowedMedian.js';

export class FirstOffsets {
  private readonly offsetsNs: number[] = [];
  private readonly times: LocalTime[] = [];

  get size(): number {
    return this.offsetsNs.length;
  }

  /** One offset (clock − master, ns) at its Sync's ingress. */
  push(offsetNs: number, at: LocalTime): void {
    this.offsetsNs.push(offsetNs);
    this.times.push(at);
  }

  /**
   * The offset to seat the phase from: the median of the offsets, each carried to the newest one's instant, ns.
   * @param driftPpb how fast the offset grows while nothing is corrected: the adjustment applied less
   *   the frequency the clock needs, ppb (ns per s)
   */
  seatedOffset(driftPpb: number): number {
    const newest = this.times[this.times.length - 1];
    if (newest === undefined) throw new RangeError('no offset to seat the phase from');
    return median(this.offsetsNs.map((offsetNs, i) => offsetNs + driftPpb * elapsedNs(this.times[i] as LocalTime, newest) * 1e-9));
  }

  clear(): void {
    this.offsetsNs.length = 0;
    this.times.length = 0;
  }
}
