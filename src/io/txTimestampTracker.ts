/**
 * Ties TX timestamps to the sends that asked for them, and gives up on those that never come.
 *
 * The kernel numbers every send that requests a TX timestamp (SOF_TIMESTAMPING_OPT_ID) and reports the
 * number with the timestamp; the port's send() returns that number (the key). A NIC can fail to stamp
 * a frame (its timestamp slot busy, the frame dropped): after `timeoutMs` the send is reported as timed
 * out, as ptp4l reports "timed out while polling for tx timestamp" after tx_timestamp_timeout.
 */

export interface TxTimestampTrackerOptions {
  readonly timeoutMs: number;
  /** Called for each send whose timestamp did not come in time. */
  readonly onTimeout: (sendId: number) => void;
  /**
   * Reads timestamps that are already queued but not yet delivered (the error queue). Called before
   * any send is declared timed out: when the event loop was blocked past a deadline, timers run before
   * I/O, and a timestamp sitting in the queue must not be mistaken for a missing one.
   */
  readonly drain: () => void;
  /** Milliseconds on a monotonic clock (performance.now by default). */
  readonly nowMs?: () => number;
}

interface PendingSend {
  readonly sendId: number;
  readonly deadlineMs: number;
}

export class TxTimestampTracker {
  // Insertion order is deadline order (one timeout for all), so expiry scans from the front.
  private readonly pending = new Map<number, PendingSend>();
  private timer: NodeJS.Timeout | undefined;
  private readonly nowMs: () => number;

  constructor(private readonly options: TxTimestampTrackerOptions) {
    this.nowMs = options.nowMs ?? (() => performance.now());
  }

  /** Sends still waiting for their timestamp. */
  get size(): number {
    return this.pending.size;
  }

  /** Registers the send `sendId` whose timestamp will carry `key`. */
  expect(key: number, sendId: number): void {
    const previous = this.pending.get(key);
    if (previous !== undefined) {
      // The key counter was restarted (after an ambiguous send failure): the older send's timestamp
      // can no longer be told apart, so it counts as missing.
      this.pending.delete(key);
      this.options.onTimeout(previous.sendId);
    }
    this.pending.set(key, { sendId, deadlineMs: this.nowMs() + this.options.timeoutMs });
    if (this.timer === undefined) this.arm(this.options.timeoutMs);
  }

  /** The send id waiting for `key`, now resolved; undefined when none waits (late or unknown). */
  resolve(key: number): number | undefined {
    const entry = this.pending.get(key);
    if (entry === undefined) return undefined;
    this.pending.delete(key);
    if (this.pending.size === 0) this.disarm();
    return entry.sendId;
  }

  /** Forgets every pending send without reporting it. */
  clear(): void {
    this.pending.clear();
    this.disarm();
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(() => this.expire(), Math.max(1, Math.ceil(delayMs)));
    // A port the user unref'd must not be kept alive by its own bookkeeping.
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private expire(): void {
    this.timer = undefined;
    this.options.drain();
    const now = this.nowMs();
    for (const [key, entry] of this.pending) {
      if (entry.deadlineMs > now) break;
      this.pending.delete(key);
      this.options.onTimeout(entry.sendId);
    }
    const next = this.pending.values().next();
    if (!next.done && this.timer === undefined) this.arm(next.value.deadlineMs - now);
  }
}
