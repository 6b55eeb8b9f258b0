/**
 * Rate-limits subscriber updates: at most one per minimum interval. A change inside the interval is
 * delivered at the interval's end, and all changes made meanwhile are coalesced into that one update
 * (the emitter sends the latest state, never a backlog).
 */
export interface RateLimiterTimers {
  /** Monotonic ms (performance.now() by default). */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: RateLimiterTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending update must not keep a daemon that is shutting down alive.
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class UpdateRateLimiter {
  private lastEmitMs = -Infinity;
  private timer: unknown = undefined;

  constructor(
    private readonly minIntervalMs: number,
    private readonly emit: () => void,
    private readonly timers: RateLimiterTimers = realTimers,
  ) {}

  /** Something changed: emit now if the interval has passed, else once at its end. */
  changed(): void {
    if (this.timer !== undefined) return;
    const now = this.timers.now();
    const dueMs = this.lastEmitMs + this.minIntervalMs;
    if (now >= dueMs) {
      this.fire(now);
      return;
    }
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.fire(this.timers.now());
    }, dueMs - now);
  }

  /** Drops a pending update (server closing). */
  cancel(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(nowMs: number): void {
    this.lastEmitMs = nowMs;
    this.emit();
  }
}
