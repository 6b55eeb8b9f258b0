/**
 * Which of the last Syncs a servo left out as outliers, a ring of one flag per Sync: how many there
 * are tells whether the noise model still describes the link (timeBaseStatus.ts).
 */
export class RecentOutliers {
  private readonly flags: Uint8Array;
  private next = 0;
  private sum = 0;

  constructor(readonly window: number) {
    if (!(Number.isInteger(window) && window >= 1)) throw new RangeError(`recent outlier window must be an integer ≥ 1, got ${window}`);
    this.flags = new Uint8Array(window);
  }

  /** Outliers among the last `window` Syncs. */
  get count(): number {
    return this.sum;
  }

  note(outlier: boolean): void {
    const flag = outlier ? 1 : 0;
    this.sum += flag - (this.flags[this.next] as number);
    this.flags[this.next] = flag;
    this.next = (this.next + 1) % this.window;
  }

  /** The newest `count` Syncs were a change, not noise: they leave the count. */
  unflag(count: number): void {
    const n = this.window;
    for (let k = 1; k <= Math.min(count, n); k++) {
      const i = (this.next - k + n) % n;
      this.sum -= this.flags[i] as number;
      this.flags[i] = 0;
    }
  }
}
