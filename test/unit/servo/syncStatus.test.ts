import { describe, expect, it } from 'vitest';
import { SyncStatusClassifier, type SyncObservation } from '../../../src/servo/syncStatus.js';
import { ServoState } from '../../../src/servo/servoState.js';
import { localTime } from '../../../src/clock/timePoint.js';

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

  it("judges the clock's offsets: what the servo reads as the Syncs' latency is taken out, and the last offset stays ptp4l's", () => {
    // The Syncs' latency 2.2 µs up, which the servo holds as L̂ = 2 µs and does not steer by.
    const judged = synchronizedClassifier();
    for (let i = 0; i < 16; i++) expect(judged.onSync(sync(11 + i * 0.125, 2_200, { latencyEstimateNs: 2_000 }))).toEqual([]);
    expect(judged.status()).toBe('synchronized');
    expect(judged.snapshot(at(13)).offsetRmsNs).toBeCloseTo(200, 9);
    expect(judged.snapshot(at(13)).lastOffsetNs).toBe(2_200);
    // The same offsets with nothing read as latency: the clock is 2.2 µs off.
    const raw = synchronizedClassifier();
    const events = [0, 1, 2, 3].flatMap((i) => raw.onSync(sync(11 + i * 0.125, 2_200)));
    expect(events.map((e) => e.reason)).toEqual(['Offset RMS 2200 ns exceeds 2000 ns.']);
  });

  it("goes lost on the engine's syncReceiptTimeout, names its figures, and counts holdover from there", () => {
    const c = synchronizedClassifier(); // last Sync at 10.875 s
    // the engine's deadline: (3 + ½) × 125 ms after the last Sync
    const events = c.onSyncReceiptTimeout({ at: at(11.3125), syncReceiptTimeout: 3, logSyncInterval: -3 });
    expect(events).toEqual([{ from: 'synchronized', to: 'lost', reason: 'No Sync for 0.438 s (syncReceiptTimeout 3 × 125 ms).', atLocal: at(11.3125) }]);
    expect(c.inHoldover()).toBe(true);
    expect(c.snapshot(at(12.3125)).holdoverS).toBeCloseTo(1, 9);
    expect(c.snapshot(at(12.3125)).sinceLastSyncS).toBeCloseTo(1.4375, 9);
    // the engine repeats the event while the master stays silent (automotive): nothing new
    expect(c.onSyncReceiptTimeout({ at: at(11.75), syncReceiptTimeout: 3, logSyncInterval: -3 })).toEqual([]);
  });

  it('keeps no timer of its own: silence alone never makes it lost', () => {
    const c = synchronizedClassifier();
    expect(c.snapshot(at(100)).status).toBe('synchronized');
    expect(Object.getOwnPropertyNames(SyncStatusClassifier.prototype)).not.toContain('tick');
  });

  it('a Sync whose offset was rejected still counts as received', () => {
    const c = synchronizedClassifier();
    c.onSyncReceived(at(11.2));
    expect(c.snapshot(at(11.5)).sinceLastSyncS).toBeCloseTo(0.3, 9);
    expect(c.status()).toBe('synchronized');
  });

  it('leaves synchronized on a Sync not used when told why, and comes back only after enterSamples good Syncs', () => {
    const c = synchronizedClassifier();
    const events = c.onSyncReceived(at(11.2), 'the clock may be 20 µs off.');
    expect(events).toEqual([{ from: 'synchronized', to: 'unstable', reason: 'the clock may be 20 µs off.', atLocal: at(11.2) }]);
    expect(c.onSyncReceived(at(11.3), 'the clock may be 20 µs off.')).toEqual([]);
    const back = Array.from({ length: 8 }, (_, i) => c.onSync(sync(11.4 + i * 0.125, 100))).flat();
    expect(back.map((e) => e.to)).toEqual(['synchronized']);
    expect(back[0]?.atLocal).toEqual(at(11.4 + 7 * 0.125));
  });

  it("gives the offsets' RMS had the next offsets been another value: the window's oldest give way to them", () => {
    const c = synchronizedClassifier();
    // rmsWindow 4, every offset 10 ns: two of 1000 in the place of the two oldest.
    expect(c.offsetRmsWith(1_000, 2)).toBeCloseTo(Math.sqrt((2 * 10 ** 2 + 2 * 1_000 ** 2) / 4), 9);
    expect(c.offsetRmsWith(1_000, 9)).toBeCloseTo(1_000, 9);
    expect(new SyncStatusClassifier().offsetRmsWith(300, 1)).toBe(300);
  });

  it('is not in holdover when it was never synchronized', () => {
    const c = new SyncStatusClassifier();
    c.onSync(sync(1, 50_000, { servoState: ServoState.unlocked }));
    c.onSyncReceiptTimeout({ at: at(1.4375), syncReceiptTimeout: 3, logSyncInterval: -3 });
    expect(c.status()).toBe('lost');
    expect(c.inHoldover()).toBe(false);
    expect(c.snapshot(at(6)).holdoverS).toBe(0);
  });

  it('names a grandmaster change, a time-base change, a servo leaving s2, asCapable false and a lost master', () => {
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
    expect(capable.onNotAsCapable(at(11))[0]).toEqual({
      from: 'synchronized',
      to: 'lost',
      reason: 'asCapable is false on the slave port.',
      atLocal: at(11),
    });
    const aged = synchronizedClassifier();
    expect(aged.onMasterLost(at(11), 'no Announce for 3 announce intervals (announceReceiptTimeout)')[0]?.reason).toBe(
      'No master: no Announce for 3 announce intervals (announceReceiptTimeout).',
    );
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
    c.shiftLocalTime(-5e9); // the timestamp clock went back 5 s: the last Sync was at 5.875 s
    expect(c.snapshot(at(6.875)).sinceLastSyncS).toBeCloseTo(1, 9);
  });
});
