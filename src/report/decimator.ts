/**
 * Keeps a plottable outline of an unbounded time series in bounded memory: when the buffer is full,
 * neighbouring buckets are merged (halving the resolution), each bucket remembering its min and max
 * so that spikes stay visible.
 */
export interface Bucket {
  readonly x0: number;
  readonly x1: number;
  readonly min: number;
  readonly max: number;
  readonly last: number;
}

export class Decimator {
  private buckets: Bucket[] = [];
  private span = 1;
  private pending: { x0: number; x1: number; min: number; max: number; last: number; n: number } | undefined;

  constructor(private readonly capacity = 2000) {}

  push(x: number, y: number): void {
    if (!Number.isFinite(y)) return;
    const p = this.pending;
    if (p === undefined) {
      this.pending = { x0: x, x1: x, min: y, max: y, last: y, n: 1 };
    } else {
      p.x1 = x;
      p.min = Math.min(p.min, y);
      p.max = Math.max(p.max, y);
      p.last = y;
      p.n += 1;
    }
    if ((this.pending?.n ?? 0) >= this.span) this.flush();
  }

  /** The buckets so far, oldest first (including a partly filled last one). */
  outline(): Bucket[] {
    const p = this.pending;
    return p === undefined ? [...this.buckets] : [...this.buckets, { x0: p.x0, x1: p.x1, min: p.min, max: p.max, last: p.last }];
  }

  private flush(): void {
    const p = this.pending;
    if (p === undefined) return;
    this.buckets.push({ x0: p.x0, x1: p.x1, min: p.min, max: p.max, last: p.last });
    this.pending = undefined;
    if (this.buckets.length < this.capacity) return;
    const merged: Bucket[] = [];
    for (let i = 0; i + 1 < this.buckets.length; i += 2) {
      const a = this.buckets[i] as Bucket;
      const b = this.buckets[i + 1] as Bucket;
      merged.push({ x0: a.x0, x1: b.x1, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max), last: b.last });
    }
    if (this.buckets.length % 2 === 1) merged.push(this.buckets[this.buckets.length - 1] as Bucket);
    this.buckets = merged;
    this.span *= 2;
  }
}
