/** Mean, spread and extremes of a stream of numbers (Welford). */
export class RunningStats {
  count = 0;
  mean = 0;
  private m2 = 0;
  min = Infinity;
  max = -Infinity;
  private sumSquares = 0;

  push(v: number): void {
    this.count += 1;
    const d = v - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (v - this.mean);
    this.sumSquares += v * v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  get std(): number {
    return this.count > 1 ? Math.sqrt(this.m2 / (this.count - 1)) : 0;
  }

  get rms(): number {
    return this.count > 0 ? Math.sqrt(this.sumSquares / this.count) : NaN;
  }

  /** Largest |value|. */
  get maxAbs(): number {
    return Math.max(Math.abs(this.min), Math.abs(this.max));
  }
}
