import { describe, expect, it } from 'vitest';
import { SyncStatusClassifier, type SyncObservation } from '../src/servo/syncStatus.js';
import { ServoState } from '../src/servo/servoState.js';
import { localTime } from '../src/clock/timePoint.js';

const at = (s: number) => localTime(BigInt(Math.round(s * 1e9)));
const GM = 0x0011_22ff_fe33_4455n;

function sync(tS: number, offsetNs: number, changes: Partial<SyncObservation> = {}): SyncObservation {
  return {
    local: at(tS),
    offsetNs,
    servoState: ServoState.locked,
    logSyncInterval: -3,
    grandmasterIdentity: GM,
    gmTimeBaseIndicator: 0,
    lastGmPhaseChange: 0n,
    asCapable: true,
    ...changes,
  };
}

/** A classifier fed eight good Syncs (10 ns, s2) at 8 Sync/s from t = 10 s: synchronized. */
function synchronizedClassifier(): SyncStatusClassifier {
  const c = new SyncStatusClassifier({ rmsWindow: 4 });
  for (let i = 0; i < 8; i++) c.onSync(sync(10 + i * 0.125, 10));
  return c;
}

describe('SyncStatusClassifier', () => {
  it('starts lost, turns unstable on the first Sync and synchronized after eight good ones', () => {
    const c = new SyncStatusClassifier();
    expect(c.status()).toBe('lost');
    const first = c.onSync(sync(10, 10));
    expect(first).toEqual([{ from: 'lost', to: 'unstable', reason: 'Sync messages are received again.', atLocal: at(10) }]);
    for (let i = 1; i < 7; i++) expect(c.onSync(sync(10 + i * 0.125, 10))).toEqual([]);
    const eighth = c.onSync(sync(10.875, 10));
    expect(eighth).toHaveLength(1);
    expect(eighth[0]?.to).toBe('synchronized');
    expect(eighth[0]?.reason).toBe('Servo locked (s2) with offset RMS 10 ns below 1000 ns for 8 Syncs.');
  });

  it('stays synchronized while the RMS is between the threshold and exitFactor × threshold (hysteresis)', () => {
    const c = synchronizedClassifier();
    // RMS of the last 4: 750, 1061, 1837 ns — above 1000 but below 2000: no change.
    for (const [i, offset] of [1500, 1500, 3000].entries()) expect(c.onSync(sync(11 + i * 0.125, offset))).toEqual([]);
    expect(c.status()).toBe('synchronized');
    // 1500, 1500, 3000, 3000: RMS √5,625,000 = 2372 ns.
    const events = c.onSync(sync(11.375, 3000));
    expect(events[0]?.to).toBe('unstable');
    expect(events[0]?.reason).toBe('Offset RMS 2372 ns exceeds 2000 ns.');
  });

  it('goes lost after syncReceiptTimeout Sync intervals without a Sync and counts holdover from there', () => {
    const c = synchronizedClassifier(); // last Sync at 10.875 s
    // 3 × 125 ms plus half an interval of grace: 437.5 ms
    expect(c.tick(at(11.3125))).toEqual([]); // exactly the limit: not yet
    const events = c.tick(at(11.3135));
    expect(events[0]?.reason).toBe('No Sync for 0.439 s (syncReceiptTimeout 3 × 125 ms).');
    expect(c.inHoldover()).toBe(true);
    expect(c.snapshot(at(12.3135)).holdoverS).toBeCloseTo(1, 9);
    expect(c.snapshot(at(12.3135)).sinceLastSyncS).toBeCloseTo(1.4385, 9);
  });

  it('names the instant the timeout falls due, so a driver need not poll: 1 ns past (3 + ½) intervals', () => {
    const c = synchronizedClassifier(); // last Sync at 10.875 s, 8 Sync/s
    expect(c.lostDeadline()).toBe(at(11.3125) + 1n);
    expect(c.tick(at(11.3125))).toEqual([]);
    expect(c.tick(localTime(at(11.3125) + 1n))[0]?.to).toBe('lost');
    expect(c.lostDeadline()).toBeUndefined(); // lost: nothing more to time out
    // A new Sync moves it; at 1 Sync/s the grace is 3.5 s.
    c.onSync(sync(20, 10, { logSyncInterval: 0 }));
    expect(c.lostDeadline()).toBe(at(23.5) + 1n);
  });

  it('a Sync whose offset was rejected still keeps the timeout from expiring', () => {
    const c = synchronizedClassifier();
    c.onSyncReceived(at(11.2), -3);
    expect(c.tick(at(11.5))).toEqual([]);
    expect(c.status()).toBe('synchronized');
  });

  it('is not in holdover when it was never synchronized', () => {
    const c = new SyncStatusClassifier();
    c.onSync(sync(1, 50_000, { servoState: ServoState.unlocked }));
    c.tick(at(5));
    expect(c.status()).toBe('lost');
    expect(c.inHoldover()).toBe(false);
    expect(c.snapshot(at(6)).holdoverS).toBe(0);
  });

  it('names a grandmaster change, a time-base change, a servo leaving s2 and asCapable false', () => {
    const gm = synchronizedClassifier();
    expect(gm.onSync(sync(11, 10, { grandmasterIdentity: 0x0011_22ff_fe33_4466n }))[0]?.reason).toBe(
      'Grandmaster changed from 001122.fffe.334455 to 001122.fffe.334466.',
    );
    const base = synchronizedClassifier();
    expect(base.onSync(sync(11, 10, { gmTimeBaseIndicator: 1, lastGmPhaseChange: 1_000_000n * 65536n }))[0]?.reason).toBe(
      'Grandmaster time base changed (gmTimeBaseIndicator 0 → 1, lastGmPhaseChange 1000000 ns).',
    );
    const servo = synchronizedClassifier();
    expect(servo.onSync(sync(11, 10, { servoState: ServoState.jump }))[0]?.reason).toBe('Servo left s2 (now s1).');
    const capable = synchronizedClassifier();
    expect(capable.tick(at(11), false)[0]).toEqual({
      from: 'synchronized',
      to: 'lost',
      reason: 'asCapable is false on the slave port.',
      atLocal: at(11),
    });
  });

  it('needs eight good Syncs again after a disruption (the first from the new grandmaster counts)', () => {
    const c = synchronizedClassifier();
    const other = { grandmasterIdentity: 0x0011_22ff_fe33_4466n };
    for (let i = 0; i < 7; i++) c.onSync(sync(11 + i * 0.125, 10, other));
    expect(c.status()).toBe('unstable');
    c.onSync(sync(11.875, 10, other));
    expect(c.status()).toBe('synchronized');
  });

  it('moves its remembered times with a PHC step', () => {
    const c = synchronizedClassifier();
    c.shiftLocalTime(-5e9); // the timestamp clock went back 5 s
    expect(c.tick(at(6.0))).toEqual([]);
    expect(c.tick(at(6.4))[0]?.to).toBe('lost');
  });
});
