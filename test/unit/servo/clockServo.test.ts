import { describe, expect, it } from 'vitest';
import { ClockDiscipline, type ClockDisciplineOptions } from '../../../src/servo/clockDiscipline.js';
import { ServoState } from '../../../src/servo/servoState.js';
import { VirtualClock } from '../../../src/clock/virtualClock.js';
import { localTime, ptpTime, type LocalTime } from '../../../src/clock/timePoint.js';
import type { SyncReceipt } from '../../../src/protocol/syncReceipt.js';

const GM = 0x0011_22ff_fe33_4455n;
const BASE_START = 1_000_000_000_000n;
const TAI = 5_000_000_000_000n;

/** A virtual clock over a base the test moves; the clock reads TAI + offsetNs at the base's start. */
function rig(offsetNs: bigint, options: ClockDisciplineOptions = {}) {
  let base = BASE_START;
  const clock = new VirtualClock(() => localTime(base), { initialTime: ptpTime(TAI + offsetNs) });
  const servo = new ClockDiscipline(clock, { pi: { kpConst: 0.5, kiConst: 0.1 }, ...options });
  return { clock, servo, advance: (ns: bigint) => (base += ns), base: () => localTime(base) };
}

/** A Sync seen at base time `ingress`, carrying master time `gmNs` (+ fraction). */
function receipt(ingress: LocalTime, gmNs: bigint, changes: Partial<SyncReceipt> = {}): SyncReceipt {
  return {
    sequenceId: 1,
    sourcePortIdentity: { clockIdentity: GM, portNumber: 1 },
    grandmasterIdentity: GM,
    ingressTime: ingress,
    gmTime: ptpTime(gmNs),
    gmTimeFractionNs: 0,
    rateRatio: 1,
    neighborRateRatio: 1,
    meanLinkDelay: 500,
    logSyncInterval: 0,
    gmTimeBaseIndicator: 0,
    lastGmPhaseChange: 0n,
    scaledLastGmFreqChange: 0,
    ...changes,
  };
}

describe('ClockServo', () => {
  it('computes master offset = clock(ingress) − gmTime, fraction included, and slews it (positive: ahead)', () => {
    const r = rig(1_000n);
    const out = r.servo.onSync(receipt(r.base(), TAI, { gmTimeFractionNs: 0.25 }));
    expect(out.offsetNs).toBe(999.75);
    expect(out.servoState).toBe(ServoState.locked);
    // ff 0 (rateRatio 1) − 0.5 × 999.75 − 0.1 × 999.75
    expect(out.frequencyPpb).toBeCloseTo(-599.85, 9);
    expect(r.clock.frequencyPpb()).toBeCloseTo(-599.85, 9);
  });

  it('steps a first offset beyond 20 µs exactly, and sets the rate-ratio frequency with it', () => {
    const r = rig(-1_000_000n);
    const out = r.servo.onSync(receipt(r.base(), TAI, { rateRatio: 1.00002 }));
    expect(out.servoState).toBe(ServoState.jump);
    expect(out.stepNs).toBe(1_000_000);
    expect(r.clock.now()).toBe(TAI);
    expect(r.clock.frequencyPpb()).toBeCloseTo(20_000, 4);
  });

  it('keeps a step of years exact to the nanosecond', () => {
    const r = rig(-(TAI - 123_456_789n)); // the clock reads 123,456,789 ns after the epoch
    const out = r.servo.onSync(receipt(r.base(), TAI, { gmTimeFractionNs: 0.5 }));
    expect(out.servoState).toBe(ServoState.jump);
    // Offset −(TAI − 123,456,789) − 0.5 ns: the step rounds the half away, to the whole ns.
    expect(r.clock.now() - TAI).toBeGreaterThanOrEqual(0n);
    expect(r.clock.now() - TAI).toBeLessThanOrEqual(1n);
  });

  it('with its link-delay filter on, replaces a spiky meanLinkDelay by the median of recent ones', () => {
    const r = rig(0n, { linkDelayFilter: {} });
    for (const delay of [500, 502, 498]) {
      r.advance(1_000_000_000n);
      r.servo.onSync(receipt(r.base(), TAI + (r.base() - BASE_START), { meanLinkDelay: delay }));
    }
    r.advance(1_000_000_000n);
    const trueOffset = Number(r.clock.fromTimestamp(r.base()) - (TAI + (r.base() - BASE_START)));
    // The engine put a 50 µs delay spike into gmTime; the filter's median of 500, 502, 498, 50500
    // is 501, so 50,500 − 501 = 49,999 ns of it are taken out again.
    const out = r.servo.onSync(receipt(r.base(), TAI + (r.base() - BASE_START) + 50_000n, { meanLinkDelay: 50_500 }));
    expect(out.offsetNs).toBeCloseTo(trueOffset - 50_000 + 49_999, 9);
    expect(r.servo.report(r.base()).pathDelayNs).toBe(501);
  });

  it('rejects an unusable receipt with the field named, without throwing', () => {
    const r = rig(0n);
    const out = r.servo.onSync(receipt(r.base(), TAI, { rateRatio: Number.NaN }));
    expect(out.accepted).toBe(false);
    expect(out.rejection).toMatch(/rateRatio/);
    expect(r.clock.frequencyPpb()).toBe(0);
  });

  it('rejects an isolated offset spike once locked, and reports it', () => {
    const r = rig(0n, { spikeFilter: { minSamples: 4, length: 8 } });
    for (let i = 0; i < 6; i++) {
      r.advance(125_000_000n);
      r.servo.onSync(receipt(r.base(), TAI + (r.base() - BASE_START), { logSyncInterval: -3 }));
    }
    r.advance(125_000_000n);
    const spike = r.servo.onSync(receipt(r.base(), TAI + (r.base() - BASE_START) - 30_000n, { logSyncInterval: -3 }));
    expect(spike.accepted).toBe(false);
    expect(spike.rejection).toBe('offset spike');
    // Why, with the filter's limit, apart from the notes (which are happenings, logged whatever the verdict).
    expect(spike.rejectionDetail).toMatch(/^offset -?\d+ ns beyond ±\d+ ns around the recent median$/);
    expect(spike.notes).toEqual([]);
    expect(r.servo.report(r.base()).rejectedSpikes).toBe(1);
  });

  it('resets the servo when an offset implies more than sanity_freq_limit and the next confirms the new level', () => {
    const r = rig(0n, { spikeFilter: false });
    r.servo.onSync(receipt(r.base(), TAI, { logSyncInterval: -3 }));
    r.advance(125_000_000n);
    r.servo.onSync(receipt(r.base(), TAI + 125_000_000n, { logSyncInterval: -3 }));
    // The master's time moves 100 ms back: 100 ms of offset in 125 ms is 8e8 ppb, beyond 2e8 ppb.
    r.advance(125_000_000n);
    const first = r.servo.onSync(receipt(r.base(), TAI + 250_000_000n - 100_000_000n, { logSyncInterval: -3 }));
    expect(r.servo.report(r.base()).sanityResets).toBe(0);
    expect(first.stepNs).toBeUndefined();
    // The next Sync is on the new level too: confirmed, and the reset servo steps it as a first update.
    r.advance(125_000_000n);
    const now = r.clock.fromTimestamp(r.base());
    const out = r.servo.onSync(receipt(r.base(), TAI + 375_000_000n - 100_000_000n, { logSyncInterval: -3 }));
    expect(r.servo.report(r.base()).sanityResets).toBe(1);
    expect(out.notes.some((n) => n.includes('sanity_freq_limit'))).toBe(true);
    expect(out.servoState).toBe(ServoState.jump);
    expect(Number(r.clock.fromTimestamp(r.base()) - now)).toBeCloseTo(-(Number(now) - Number(TAI + 275_000_000n)), -3);
  });

  it('enters holdover on timeout and holds the frequency it had found', () => {
    const r = rig(0n);
    // A master running 1 ppm fast against the base, which the rate ratio says: the seated 1000 ppb.
    const masterAt = (base: LocalTime) => TAI + (base - BASE_START) + (base - BASE_START) / 1_000_000n;
    for (let i = 0; i < 16; i++) {
      r.servo.onSync(receipt(r.base(), masterAt(r.base()), { logSyncInterval: -3, rateRatio: 1.000001 }));
      r.advance(125_000_000n);
    }
    r.advance(375_000_000n); // 500 ms after the last Sync: the engine's syncReceiptTimeout
    const events = r.servo.onSyncReceiptTimeout({ at: r.base(), syncReceiptTimeout: 3, logSyncInterval: -3 });
    expect(events[0]?.to).toBe('lost');
    const report = r.servo.report(r.base());
    expect(report.status).toBe('lost');
    expect(report.holdoverS).toBeCloseTo(0, 9);
    expect(report.holdoverErrorNs).toBeDefined();
    // Offsets stayed within a nanosecond: the integral moved by tenths of a ppb at most.
    expect(Math.abs(r.clock.frequencyPpb() - 1_000)).toBeLessThan(2);
  });
});

describe('ClockServo and asCapable', () => {
  it('takes no asCapable argument: the engine gives no Sync on a port that is not asCapable (one gate)', () => {
    const r = rig(1_000n);
    expect(r.servo.onSync.length).toBe(1);
  });

  it('drops from synchronized to lost, with the reason, when the engine says asCapable went false', () => {
    const r = rig(0n);
    for (let i = 0; i < 8; i++) {
      r.servo.onSync(receipt(r.base(), TAI + (r.base() - BASE_START), { logSyncInterval: -3 }));
      r.advance(125_000_000n);
    }
    expect(r.servo.report(r.base()).status).toBe('synchronized');
    expect(r.servo.onNotAsCapable(r.base())).toEqual([
      { from: 'synchronized', to: 'lost', reason: 'asCapable is false on the slave port.', atLocal: r.base() },
    ]);
  });
});

describe('ClockServo with the Kalman servo (software timestamps)', () => {
  /** Syncs every 125 ms carrying the clock's own time plus `offsetNs(i)` of measured offset. */
  function feed(r: ReturnType<typeof rig>, count: number, offsetNs: (i: number) => number, from = 0): ReturnType<ClockDiscipline['onSync']>[] {
    const outcomes: ReturnType<ClockDiscipline['onSync']>[] = [];
    for (let i = from; i < from + count; i++) {
      r.advance(125_000_000n);
      const now = r.clock.fromTimestamp(r.base());
      outcomes.push(r.servo.onSync(receipt(r.base(), BigInt(now) - BigInt(Math.round(offsetNs(i))), { logSyncInterval: -3, meanLinkDelay: 1_300 })));
    }
    return outcomes;
  }
  const jitter = (i: number): number => ((i * 7919) % 600) - 300;

  it('is the default for software timestamps; a late frame is not used and not counted as an offset, the Sync still is', () => {
    const r = rig(0n, { timestamping: 'software', pi: undefined });
    feed(r, 60, jitter);
    expect(r.servo.syncStatus()).toBe('synchronized');
    const [late] = feed(r, 1, () => 40_000, 60);
    expect(late?.accepted).toBe(false);
    expect(late?.rejection).toBe('offset outlier');
    expect(late?.events).toEqual([]);
    expect(r.servo.report(r.base()).rejectedSpikes).toBe(1);
    expect(r.servo.syncStatus()).toBe('synchronized');
  });

  it("says synchronized at the offsets' level a configured threshold accepts (synchronized_offset_rms), not at the default 1 µs", () => {
    // A hub's jitter: offsets spread ±4 µs (RMS ≈ 2.3 µs) that no servo removes.
    const hub = (i: number): number => ((i * 7919) % 8001) - 4000;
    const strict = rig(0n, { timestamping: 'software', pi: undefined });
    feed(strict, 240, hub);
    expect(strict.servo.syncStatus()).toBe('unstable');
    const accepting = rig(0n, { timestamping: 'software', pi: undefined, status: { offsetRmsThresholdNs: 5_000 } });
    feed(accepting, 240, hub);
    expect(accepting.servo.syncStatus()).toBe('synchronized');
  });

  it('follows a new grandmaster 1 ms ahead by one step once its offsets agree, says so at the change, and never slews towards it', () => {
    const r = rig(0n, { timestamping: 'software', pi: undefined });
    const GM2 = 0x0011_22ff_fe99_8877n;
    /** One Sync 125 ms on from `grandmasterIdentity`, whose time runs `aheadNs` ahead of the true time. */
    const sync = (i: number, grandmasterIdentity: bigint, aheadNs: bigint) => {
      const base = r.advance(125_000_000n);
      const gmNs = TAI + (base - BASE_START) + aheadNs - BigInt(jitter(i));
      return { outcome: r.servo.onSync(receipt(r.base(), gmNs, { grandmasterIdentity, logSyncInterval: -3, meanLinkDelay: 1_300 })), gmNs };
    };
    for (let i = 0; i < 60; i++) sync(i, GM, 0n);
    expect(r.servo.syncStatus()).toBe('synchronized');

    const after = Array.from({ length: 40 }, (_, k) => sync(60 + k, GM2, 1_000_000n).outcome);
    expect(after[0]?.notes).toContain('New grandmaster: its time may be stepped to as on a first update (first_step_threshold).');
    const stepAt = after.findIndex((o) => o.stepNs !== undefined);
    // Believed once the run spans 2 s on software timestamps (the 17th Sync, as in the lab's rogue
    // runs), never before, and stepped by the run's level.
    expect(stepAt).toBeGreaterThanOrEqual(16);
    expect(stepAt).toBeLessThanOrEqual(24);
    expect(after[stepAt]?.stepNs).toBeGreaterThan(995_000);
    expect(after[stepAt]?.stepNs).toBeLessThan(1_005_000);
    expect(after.slice(0, stepAt).every((o) => !o.accepted)).toBe(true);
    const { gmNs } = sync(100, GM2, 1_000_000n);
    const errorNs = Number(BigInt(r.clock.fromTimestamp(r.base())) - gmNs) - jitter(100);
    expect(Math.abs(errorNs)).toBeLessThan(2_000);
  });

  it('does not step the clock by a Sync held up for 46 ms (a relay that stalled): the sanity check waits for a second offset', () => {
    const r = rig(0n, { timestamping: 'software', pi: undefined });
    feed(r, 60, jitter);
    const [late] = feed(r, 1, () => 46_486_492, 60);
    expect(late?.rejection).toBe('offset outlier');
    expect(late?.stepNs).toBeUndefined();
    const after = feed(r, 16, jitter, 61);
    expect(after.every((o) => o.accepted && o.stepNs === undefined && o.servoState === ServoState.locked)).toBe(true);
    expect(r.servo.report(r.base()).sanityResets).toBe(0);
    expect(r.servo.syncStatus()).toBe('synchronized');
  });

  it("weighs the receipt's start-up rate ratio and its first offsets by the link's noise the engine measured (a relay)", () => {
    const first = (relay: Partial<SyncReceipt>) => {
      const r = rig(0n, { timestamping: 'software', pi: undefined });
      // The servo starts from the median of its first half second of offsets (KALMAN_TUNING_SOFTWARE.startSpanS).
      for (let i = 0; i < 4; i++) {
        r.advance(125_000_000n);
        const now = r.clock.fromTimestamp(r.base());
        r.servo.onSync(receipt(r.base(), BigInt(now), { logSyncInterval: -3, rateRatio: 1, ...relay }));
      }
      return r.servo.report(r.base()).errorBound;
    };
    const veth = first({});
    const relay = first({ rateRatioSigma: 21e-6, propTimeSigmaNs: 10_600 });
    // The frequency is as uncertain as the ratio's 21 ppm (4 σ of growth), not the mode's 2 ppm; with
    // either, the slope the Syncs' latency may make over one interval (567 ppb, kalmanServo.ts).
    const slopePpb = (450 * Math.sqrt(2 * (1 - Math.exp(-0.125 / 10)))) / 0.125;
    expect(veth?.growthPpb).toBeCloseTo(4 * Math.hypot(2_000, slopePpb), -1);
    expect(relay?.growthPpb).toBeCloseTo(4 * Math.hypot(21_000, slopePpb), -3);
    // The phase as uncertain as one offset on that link (√2 × 10.6 µs), not the mode's 500 ns.
    expect(veth?.atLastSyncNs).toBeLessThan(5_000);
    expect(relay?.atLastSyncNs).toBeGreaterThan(4 * 15_000);
  });

  it("reports an error bound: the asymmetry allowance (meanLinkDelay + learned noise) plus the servo's own uncertainty, growing with age", () => {
    const r = rig(0n, { timestamping: 'software', pi: undefined });
    feed(r, 80, jitter);
    const now = r.servo.report(r.base()).errorBound;
    // 10 s in, the Syncs' latency is not yet a state of the filter: 4 × its σ (450 ns) is in the bound.
    expect(now?.atNs).toBeGreaterThan(1_300 + 4 * 450);
    expect(now?.atNs).toBeLessThan(4_000);
    const later = r.servo.errorBoundAt(localTime(BigInt(r.base()) + 10_000_000_000n));
    expect(later?.atNs).toBeGreaterThan((now?.atNs ?? 0) + 1_000);
  });

  it("holds a run the grandmaster's own rate ratios contradict: says so once, stays synchronized, keeps the change in the bound, follows nothing", () => {
    const run = (sourceClock: bigint) => {
      const r = rig(0n, { timestamping: 'software', pi: undefined });
      const outcomes: ReturnType<ClockDiscipline['onSync']>[] = [];
      // 60 s of Syncs at 8/s; a new rate ratio (1 ± 20 ppb, σ 45 ppb over 9 s) each second; from 40 s
      // to 46 s the Syncs arrive 3 µs sooner (the offsets read 3 µs below the clock), the ratios unmoved.
      for (let i = 0; i < 480; i++) {
        r.advance(125_000_000n);
        const now = r.clock.fromTimestamp(r.base());
        const offsetNs = jitter(i) + (i >= 320 && i < 368 ? -3_000 : 0);
        const rateRatio = 1 + (((Math.floor(i / 8) * 7919) % 41) - 20) * 1e-9;
        const changes = { logSyncInterval: -3, meanLinkDelay: 1_300, rateRatio, rateRatioSigma: 45e-9, rateRatioSpanS: 9 };
        const sourcePortIdentity = { clockIdentity: sourceClock, portNumber: 1 };
        outcomes.push(r.servo.onSync(receipt(r.base(), BigInt(now) - BigInt(offsetNs), { ...changes, sourcePortIdentity })));
      }
      return { r, outcomes };
    };
    const { r, outcomes } = run(GM);
    const notes = outcomes.flatMap((o) => o.notes);
    expect(
      notes.filter((n) =>
        /offsets in a row beyond the servo's gate agree \(offset -\d+ ns\), but the grandmaster's Pdelay answers say its time moved [-+]\d+ ± \d+ ns: a change of the Syncs' path, not followed while it lasts\./.test(
          n,
        ),
      ),
    ).toHaveLength(1);
    expect(notes.some((n) => /taken as a real change/.test(n))).toBe(false);
    expect(outcomes.slice(300).flatMap((o) => o.events)).toEqual([]);
    expect(r.servo.syncStatus()).toBe('synchronized');
    // The clock kept its course: the offsets after the run are the jitter's, not 3 µs off.
    expect(Math.max(...outcomes.slice(400).map((o) => Math.abs(o.offsetNs)))).toBeLessThan(800);
    expect(r.servo.report(r.base()).errorBound?.atNs).toBeGreaterThan(3_000);
    // Through a bridge (the Syncs' source is not the grandmaster) the same run is believed, as before.
    const bridged = run(0x0011_22ff_fe99_8877n).outcomes.flatMap((o) => o.notes);
    expect(bridged.some((n) => /taken as a real change/.test(n))).toBe(true);
  });

  it('goes unstable, saying why, when outliers are more than half of the recent offsets', () => {
    const r = rig(0n, { timestamping: 'software', pi: undefined });
    feed(r, 60, jitter);
    expect(r.servo.syncStatus()).toBe('synchronized');
    // Two Syncs in three 5–55 µs late (at random: neither a run nor a level that agrees): the link no longer behaves as the learned noise says.
    const outcomes = feed(r, 64, (i) => (i % 3 !== 0 ? 30_000 + 25_000 * Math.sin(i) : jitter(i)), 60);
    const reasons = outcomes.flatMap((o) => o.events).map((e) => `${e.to}: ${e.reason}`);
    expect(reasons.some((t) => /^unstable: \d+ of the last 64 offsets were outliers/.test(t))).toBe(true);
  });
});
