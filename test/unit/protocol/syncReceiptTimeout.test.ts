/**
 * The master is aged syncReceiptTimeout sync intervals (plus half an interval of grace) after the
 * last Sync's ingress (802.1AS-2020 10.7.3.1).
 */
import { describe, expect, it } from 'vitest';
import { localTime } from '../../../src/clock/timePoint.js';
import { SyncReceiptTimer } from '../../../src/protocol/syncReceiptTimeout.js';

const T0 = 1_000_000_000_000n;
const MS = 1_000_000n;

describe('SyncReceiptTimer', () => {
  it('is disarmed until a Sync arms it', () => {
    const timeout = new SyncReceiptTimer(3);
    expect(timeout.deadline).toBeUndefined();
    expect(timeout.expire(localTime(T0 + 10_000n * MS))).toBe(false);
  });

  it('expires 3.5 intervals after the last Sync at 8 Syncs a second, once', () => {
    const timeout = new SyncReceiptTimer(3);
    timeout.arm(localTime(T0), -3);
    expect(timeout.deadline).toBe(T0 + 437_500_000n);
    expect(timeout.expire(localTime(T0 + 437_499_999n))).toBe(false);
    expect(timeout.expire(localTime(T0 + 437_500_000n))).toBe(true);
    expect(timeout.expire(localTime(T0 + 500n * MS))).toBe(false);
    expect(timeout.deadline).toBeUndefined();
  });

  it('moves with every Sync and follows a new Sync interval', () => {
    const timeout = new SyncReceiptTimer(3);
    timeout.arm(localTime(T0), -3);
    timeout.arm(localTime(T0 + 125n * MS), -3);
    expect(timeout.deadline).toBe(T0 + 125n * MS + 437_500_000n);
    timeout.arm(localTime(T0 + 250n * MS), 0);
    expect(timeout.deadline).toBe(T0 + 250n * MS + 3_500_000_000n);
  });

  it('counts the configured number of intervals', () => {
    const timeout = new SyncReceiptTimer(5);
    timeout.arm(localTime(T0), 0);
    expect(timeout.deadline).toBe(T0 + 5_500_000_000n);
  });

  it('never expires once cancelled (the port stopped waiting for Syncs)', () => {
    const timeout = new SyncReceiptTimer(3);
    timeout.arm(localTime(T0), -3);
    timeout.cancel();
    expect(timeout.expire(localTime(T0 + 10_000n * MS))).toBe(false);
  });
});
