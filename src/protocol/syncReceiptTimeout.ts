/**
 * The port's sync receipt timeout (802.1AS-2020 10.7.3.1), as a timer whose deadline is the
 * standard's syncReceiptTimeoutTime: the master is aged after syncReceiptTimeout sync intervals
 * without a Sync, counted from the last Sync's ingress (or from when the port began to wait for
 * one). Half an interval of grace is added: the Sync after two missing ones is due exactly at the
 * deadline, and a few ns of jitter would otherwise count it missing too (measured in simulation: 2 %
 * loss aged the master ~15 times more often than syncReceiptTimeout lost Syncs in a row can explain).
 */
import type { LocalTime } from '../clock/timePoint.js';
import { logIntervalToNsBig } from './logInterval.js';

export class SyncReceiptTimer {
  private deadlineAt: LocalTime | undefined;
  /** syncReceiptTimeout + ½ intervals, ns, for spanLogInterval (log2 s): worked out once per interval, as this runs on every Sync. */
  private spanNs = 0n;
  private spanLogInterval: number | undefined;

  /** @param intervals syncReceiptTimeout, in sync intervals (802.1AS-2020 10.7.3.1, default 3). */
  constructor(readonly intervals: number) {}

  /** When the master is aged unless a Sync comes first; undefined while disarmed. */
  get deadline(): LocalTime | undefined {
    return this.deadlineAt;
  }

  /** A Sync came (or the port began to wait for one) at `from`, at this logSyncInterval (log2 s). */
  arm(from: LocalTime, logSyncInterval: number): void {
    this.deadlineAt = (from + this.span(logSyncInterval)) as LocalTime;
  }

  cancel(): void {
    this.deadlineAt = undefined;
  }

  /** True once `now` reaches the deadline; the timeout is then disarmed until armed again. */
  expire(now: LocalTime): boolean {
    if (this.deadlineAt === undefined || now < this.deadlineAt) return false;
    this.deadlineAt = undefined;
    return true;
  }

  private span(logSyncInterval: number): bigint {
    if (this.spanLogInterval !== logSyncInterval) {
      const interval = logIntervalToNsBig(logSyncInterval);
      this.spanLogInterval = logSyncInterval;
      this.spanNs = BigInt(this.intervals) * interval + interval / 2n;
    }
    return this.spanNs;
  }
}
