import { describe, expect, it } from 'vitest';
import { localTime, ptpTime, type LocalTime } from '../../../src/clock/timePoint.js';
import { VirtualClock } from '../../../src/clock/virtualClock.js';
import type { SyncReceipt } from '../../../src/protocol/syncReceipt.js';
import { ClockServo, type ServoSyncOutput } from '../../../src/servo/clockServo.js';
import { ServoState } from '../../../src/servo/servoState.js';
import type { ServoUncertainty } from '../../../src/servo/servo.js';
import { TimeBaseStatus, type ServoUncertaintySource } from '../../../src/servo/timeBaseStatus.js';

const at = (s: number): LocalTime => localTime(BigInt(Math.round(s * 1e9)));
const NO_UNCERTAINTY = { uncertainty: () => undefined };

const GM = 0x0011_22ff_fe33_4455n;

function receiptAt(tS: number): SyncReceipt {
  return {
    sequenceId: 1,
    sourcePortIdentity: { clockIdentity: GM, portNumber: 1 },
    grandmasterIdentity: GM,
    ingressTime: at(tS),
    gmTime: ptpTime(BigInt(Math.round(tS * 1e9))),
    gmTimeFractionNs: 0,
    rateRatio: 1,
    neighborRateRatio: 1,
    meanLinkDelay: 500,
    logSyncInterval: -3,
    gmTimeBaseIndicator: 0,
    lastGmPhaseChange: 0n,
    scaledLastGmFreqChange: 0,
  };
}

/** A locked servo's output for one Sync: offset used, frequency estimate `estimatePpb`. */
function used(offsetNs: number, estimatePpb: number, pathDelayNs = 500): ServoSyncOutput {
  const state = ServoState.locked;
  return {
    accepted: true,
    offsetNs,
    servoState: state,
    frequencyPpb: estimatePpb,
    notes: [],
    received: true,
    sample: { state, frequencyEstimatePpb: estimatePpb },
    pathDelayNs,
  };
}

/** Fed eight good Syncs at 8 Sync/s from t = 10 s: synchronized. */
function synchronizedStatus(): TimeBaseStatus {
  const s = new TimeBaseStatus(NO_UNCERTAINTY);
  for (let i = 0; i < 8; i++) s.onServoOutput(receiptAt(10 + i * 0.125), used(10, 250));
  return s;
}

/** A Kalman-like servo's uncertainty the test moves Sync by Sync (σθ, θ̂ in ns). */
function uncertainty(initial: Partial<ServoUncertainty>): { source: ServoUncertaintySource; set(change: Partial<ServoUncertainty>): void } {
  let u: ServoUncertainty = {
    phaseNs: 150,
    frequencyPpb: 5,
    phaseEstimateNs: 0,
    measurementNoiseNs: 300,
    outliers: 0,
    recentOutliers: 0,
    recentWindow: 64,
    ...initial,
  };
  return { source: { uncertainty: () => u }, set: (change) => (u = { ...u, ...change }) };
}

/** Sixteen Syncs of offset `offsetNs` at 8 Sync/s from t = 10 s: synchronized; returns the next Sync's time, s. */
function feedQuiet(s: TimeBaseStatus, offsetNs = 100): number {
  let t = 10;
  for (let i = 0; i < 16; i++, t += 0.125) s.onServoOutput(receiptAt(t), used(offsetNs, 0));
  return t;
}

describe('TimeBaseStatus: the one owner of status, holdover, quality and error bound', () => {
  it("turns synchronized on the servo's per-Sync output alone, with quality and an error bound", () => {
    const s = synchronizedStatus();
    const report = s.report(at(11));
    expect(report.status).toBe('synchronized');
    expect(report.quality).toBe('excellent');
    expect(report.errorBound?.atNs).toBeGreaterThan(0);
    // A servo without a latency state (pi): nothing of the offset is read as the Syncs' latency.
    expect(report.latencyEstimateNs).toBeUndefined();
  });

  it('counts a Sync the servo did not use as received: the master is there (spike)', () => {
    const s = synchronizedStatus();
    s.onServoOutput(receiptAt(12), { ...used(40_000, 250), accepted: false, rejection: 'offset spike' });
    expect(s.report(at(12.5)).sinceLastSyncS).toBeCloseTo(0.5, 9);
    expect(s.status()).toBe('synchronized');
  });

  it('names the frequency to hold when the engine says Sync is lost after having been synchronized', () => {
    const s = synchronizedStatus();
    expect(s.holdoverCourse()).toBeUndefined();
    const events = s.onSyncReceiptTimeout({ at: at(12), syncReceiptTimeout: 3, logSyncInterval: -3 });
    expect(events.map((e) => e.to)).toEqual(['lost']);
    expect(s.holdoverCourse()?.frequencyPpb).toBeCloseTo(250, 6);
    expect(s.holdoverCourse()?.rampPpbPerS).toBe(0);
    expect(s.report(at(13)).holdoverS).toBeCloseTo(1, 9);
  });
});

describe('ClockServo without a status', () => {
  it('reports only what the servo did: no status, holdover, quality or error bound', () => {
    const servo = new ClockServo(new VirtualClock(() => localTime(0n)), { servo: 'pi' });
    expect(Object.keys(servo.report()).sort()).toEqual(['frequencyPpb', 'pathDelayNs', 'rateRatio', 'rejectedSpikes', 'sanityResets', 'servoState', 'steps']);
  });

  it("keeps the link's largest meanLinkDelay of the last minutes in the bound through a dip (software timestamps)", () => {
    const s = new TimeBaseStatus(NO_UNCERTAINTY, { timestamping: 'software' });
    let t = 10;
    for (let i = 0; i < 8 * 30; i++, t += 0.125) s.onServoOutput(receiptAt(t), used(10, 0, 1_300));
    const before = s.report(at(t)).errorBound?.atLastSyncNs as number;
    // 20 s of Pdelay answers on a warmer path: the measured delay dips, the Syncs' own latency does not.
    for (let i = 0; i < 8 * 20; i++, t += 0.125) s.onServoOutput(receiptAt(t), used(10, 0, 730));
    expect(s.report(at(t)).errorBound?.atLastSyncNs).toBeCloseTo(before, 6);
  });

  it("keeps a change of phase the servo believed in the bound for minutes: the Sync path's latency may be what moved", () => {
    const s = new TimeBaseStatus(NO_UNCERTAINTY, { timestamping: 'software' });
    let t = 10;
    for (let i = 0; i < 16; i++, t += 0.125) s.onServoOutput(receiptAt(t), used(10, 0, 1_300));
    const before = s.report(at(t)).errorBound?.atLastSyncNs as number;
    s.onServoOutput(receiptAt(t), { ...used(10, 0, 1_300), phaseChangeNs: -1_900 });
    for (let i = 0; i < 8 * 60; i++) s.onServoOutput(receiptAt((t += 0.125)), used(10, 0, 1_300));
    expect(s.report(at(t)).errorBound?.atLastSyncNs).toBeCloseTo(before + 1_900, 6);
  });

  it('forgets believed changes after a step, and after a new grandmaster: those were the grandmaster moving its time', () => {
    const s = new TimeBaseStatus(NO_UNCERTAINTY, { timestamping: 'software' });
    let t = 10;
    for (let i = 0; i < 16; i++, t += 0.125) s.onServoOutput(receiptAt(t), used(10, 0, 1_300));
    const quiet = s.report(at(t)).errorBound?.atLastSyncNs as number;
    s.onServoOutput(receiptAt((t += 0.125)), { ...used(10, 0, 1_300), phaseChangeNs: 2_500 });
    s.onServoOutput(receiptAt((t += 0.125)), { ...used(10, 0, 1_300), stepNs: -3_000_000 });
    expect(s.report(at(t)).errorBound?.atLastSyncNs).toBeCloseTo(quiet, 6);

    s.onServoOutput(receiptAt((t += 0.125)), { ...used(10, 0, 1_300), phaseChangeNs: 2_500 });
    const other = { ...receiptAt((t += 0.125)), grandmasterIdentity: GM + 1n };
    s.onServoOutput(other, used(10, 0, 1_300));
    expect(s.report(at(t)).errorBound?.atLastSyncNs).toBeCloseTo(quiet, 6);
  });

  it('keeps synchronized with a quarter of the recent offsets beyond the gate, and leaves it past half (the noise model no longer holds)', () => {
    const u = uncertainty({ phaseNs: 50 });
    const s = new TimeBaseStatus(u.source, { timestamping: 'software' });
    const t = feedQuiet(s, 10);
    expect(s.status()).toBe('synchronized');
    u.set({ outliers: 17, recentOutliers: 17 });
    s.onServoOutput(receiptAt(t), used(10, 0));
    expect(s.status()).toBe('synchronized');
    u.set({ outliers: 33, recentOutliers: 33 });
    const events = s.onServoOutput(receiptAt(t + 0.125), used(10, 0));
    expect(events.map((e) => e.to)).toEqual(['unstable']);
    expect(events[0]?.reason).toContain('33 of the last 64 offsets were outliers');
  });
});

describe("TimeBaseStatus: the servo's knowledge of its phase, judged beside the offsets' RMS", () => {
  it("stays synchronized while the servo steers out a 2.2 µs change it believed (the offsets' RMS judges how far), with θ̂ kept in the bound", () => {
    const u = uncertainty({});
    const s = new TimeBaseStatus(u.source, { timestamping: 'software' });
    let t = feedQuiet(s);
    expect(s.status()).toBe('synchronized');
    // A believed change: the phase is re-seated 2.2 µs away and steered out over the next Syncs.
    for (const offset of [2_200, 1_700, 1_300, 1_000, 800, 600, 450, 350]) {
      u.set({ phaseEstimateNs: offset, phaseNs: 300 });
      expect(s.onServoOutput(receiptAt(t), used(offset, 0))).toEqual([]);
      t += 0.125;
    }
    expect(s.status()).toBe('synchronized');
    // meanLinkDelay 500 + learned noise 300 (asymmetry) + 4 σθ + |θ̂| (servoErrorBound.ts).
    expect(s.report(at(t - 0.125)).errorBound?.atLastSyncNs).toBeCloseTo(500 + 300 + 4 * 300 + 350, 6);
  });

  it('judges the offsets net of the latency the servo reads in them (L̂): 2.3 µs offsets it holds 2.1 µs of as latency keep synchronized', () => {
    const u = uncertainty({});
    const s = new TimeBaseStatus(u.source, { timestamping: 'software' });
    let t = feedQuiet(s);
    u.set({ latencyEstimateNs: 2_100 });
    for (let i = 0; i < 32; i++, t += 0.125) expect(s.onServoOutput(receiptAt(t), used(2_300, 0))).toEqual([]);
    const report = s.report(at(t - 0.125));
    expect(report.status).toBe('synchronized');
    expect(report.offsetRmsNs).toBeCloseTo(200, 6);
    expect(report.lastOffsetNs).toBe(2_300);
    expect(report.latencyEstimateNs).toBe(2_100);
    // Quality grades the same offset the status judges: 200 ns is good; 2300 ns would be fair.
    expect(report.qualityErrorNs).toBe(200);
    expect(report.quality).toBe('good');
    // Read as the clock's, the same offsets leave.
    u.set({ latencyEstimateNs: 0 });
    const events = Array.from({ length: 16 }, (_, i) => s.onServoOutput(receiptAt(t + i * 0.125), used(2_300, 0))).flat();
    expect(events.map((e) => e.to)).toEqual(['unstable']);
  });

  it('leaves synchronized when 2 σθ exceeds twice the threshold, and says so', () => {
    const u = uncertainty({});
    const s = new TimeBaseStatus(u.source, { timestamping: 'software' });
    const t = feedQuiet(s);
    u.set({ phaseNs: 990 });
    expect(s.onServoOutput(receiptAt(t), used(100, 0))).toEqual([]);
    u.set({ phaseNs: 1_010 });
    const events = s.onServoOutput(receiptAt(t + 0.125), used(100, 0));
    expect(events.map((e) => e.to)).toEqual(['unstable']);
    expect(events[0]?.reason).toBe('Servo phase uncertainty 2020 ns (2 σ) exceeds 2000 ns.');
  });

  it("holds the phase to the offsets' own hysteresis: with exitFactor 3, 2 σθ of 2020 ns stays synchronized, 3020 ns leaves", () => {
    const u = uncertainty({});
    const s = new TimeBaseStatus(u.source, { timestamping: 'software', status: { exitFactor: 3 } });
    const t = feedQuiet(s);
    u.set({ phaseNs: 1_010 });
    expect(s.onServoOutput(receiptAt(t), used(100, 0))).toEqual([]);
    u.set({ phaseNs: 1_510 });
    expect(s.onServoOutput(receiptAt(t + 0.125), used(100, 0))[0]?.reason).toBe('Servo phase uncertainty 3020 ns (2 σ) exceeds 3000 ns.');
  });
});

describe('TimeBaseStatus: a run of offsets the servo is still judging (the grandmaster may have moved its time)', () => {
  /** An outlier the servo did not use, while its uncertainty says whether a run is being judged. */
  const notUsed = (offsetNs: number): ServoSyncOutput => ({ ...used(offsetNs, 0), accepted: false, rejection: 'offset outlier' });
  /** Software timestamps, synchronized on sixteen quiet Syncs; the uncertainty the test moves, and the next Sync's time. */
  const synchronizedSoftware = () => {
    const u = uncertainty({});
    const s = new TimeBaseStatus(u.source, { timestamping: 'software' });
    return { u, s, t: feedQuiet(s) };
  };

  it('leaves synchronized at a run 20 µs off (beyond 10 µs, witnessed or not), and keeps its level in the error bound until it is judged', () => {
    const { u, s, t } = synchronizedSoftware();
    const quiet = s.report(at(t)).errorBound?.atLastSyncNs as number;
    u.set({ judgedRun: { levelNs: 20_300, offsets: 4, ratiosSeeMove: false } });
    const events = s.onServoOutput(receiptAt(t), notUsed(20_400));
    expect(events.map((e) => e.to)).toEqual(['unstable']);
    expect(events[0]?.reason).toBe(
      "4 offsets in a row agree +20300 ns from the servo's phase estimate, beyond 10000 ns: the clock may be that far off the grandmaster while the run is judged.",
    );
    expect(s.report(at(t)).errorBound?.atLastSyncNs).toBeCloseTo(quiet + 20_300, 6);
    // Left out after all: the level leaves the bound, and synchronized comes back after enterSamples good Syncs.
    u.set({ judgedRun: undefined });
    expect(s.report(at(t)).errorBound?.atLastSyncNs).toBeCloseTo(quiet, 6);
    const back = Array.from({ length: 8 }, (_, i) => s.onServoOutput(receiptAt(t + (i + 1) * 0.125), used(100, 0))).flat();
    expect(back.map((e) => e.to)).toEqual(['synchronized']);
  });

  it('leaves synchronized at one offset 20 µs early, and says why', () => {
    const { u, s, t } = synchronizedSoftware();
    u.set({ judgedRun: { levelNs: -20_300, offsets: 1, ratiosSeeMove: false } });
    const events = s.onServoOutput(receiptAt(t), notUsed(-20_300));
    expect(events.map((e) => e.to)).toEqual(['unstable']);
    expect(events[0]?.reason).toBe(
      "One offset -20300 ns from the servo's phase estimate, early (no late frame reads so), beyond 10000 ns: the clock may be that far off the grandmaster while the run is judged.",
    );
  });

  it('with synchronized_offset_rms 5 µs, one offset 20 µs early is within what was accepted; 50 µs early is not', () => {
    const u = uncertainty({});
    const s = new TimeBaseStatus(u.source, { timestamping: 'software', status: { offsetRmsThresholdNs: 5_000 } });
    const t = feedQuiet(s);
    expect(s.report(at(t)).status).toBe('synchronized');
    u.set({ judgedRun: { levelNs: -20_300, offsets: 1, ratiosSeeMove: false } });
    expect(s.onServoOutput(receiptAt(t), notUsed(-20_300))).toEqual([]);
    u.set({ judgedRun: { levelNs: -50_300, offsets: 1, ratiosSeeMove: false } });
    expect(s.onServoOutput(receiptAt(t + 0.125), notUsed(-50_300))[0]?.reason).toBe(
      "One offset -50300 ns from the servo's phase estimate, early (no late frame reads so), beyond 50000 ns: the clock may be that far off the grandmaster while the run is judged.",
    );
  });

  it("leaves at a witnessed run 3 µs off once its offsets would take the offsets' RMS beyond 2 µs (the eighth of 16)", () => {
    const { u, s, t } = synchronizedSoftware();
    // Sixteen offsets of 100 ns; seven at 3 µs in their place: √((9·100² + 7·3000²) / 16) = 1986 ns.
    u.set({ judgedRun: { levelNs: -3_000, offsets: 7, ratiosSeeMove: true } });
    expect(s.onServoOutput(receiptAt(t), notUsed(-3_000))).toEqual([]);
    u.set({ judgedRun: { levelNs: -3_000, offsets: 8, ratiosSeeMove: true } });
    const events = s.onServoOutput(receiptAt(t + 0.125), notUsed(-3_000));
    expect(events.map((e) => e.to)).toEqual(['unstable']);
    expect(events[0]?.reason).toBe(
      "8 offsets in a row agree -3000 ns from the servo's phase estimate and the grandmaster's rate ratios show its time moving: with them the offset RMS would be 2122 ns, beyond 2000 ns, while the run is judged.",
    );
  });

  it('keeps synchronized through a 2.3 µs run no ratio has witnessed yet (the Syncs’ path on veth moves so), the bound widened by it', () => {
    const { u, s, t } = synchronizedSoftware();
    const quiet = s.report(at(t)).errorBound?.atLastSyncNs as number;
    u.set({ judgedRun: { levelNs: -2_300, offsets: 16, ratiosSeeMove: false } });
    expect(s.onServoOutput(receiptAt(t), notUsed(-2_300))).toEqual([]);
    expect(s.status()).toBe('synchronized');
    expect(s.report(at(t)).errorBound?.atLastSyncNs).toBeCloseTo(quiet + 2_300, 6);
  });

  it('leaves beyond 10 µs even before a ratio has witnessed the run, and not below', () => {
    const { u, s, t } = synchronizedSoftware();
    u.set({ judgedRun: { levelNs: 9_900, offsets: 16, ratiosSeeMove: false } });
    expect(s.onServoOutput(receiptAt(t), notUsed(9_900))).toEqual([]);
    u.set({ judgedRun: { levelNs: 10_100, offsets: 17, ratiosSeeMove: false } });
    expect(s.onServoOutput(receiptAt(t + 0.125), notUsed(10_100)).map((e) => e.to)).toEqual(['unstable']);
  });

  it('keeps synchronized through a witnessed run within the limit the offsets are held to (2 µs while synchronized), however long', () => {
    const { u, s, t } = synchronizedSoftware();
    u.set({ judgedRun: { levelNs: 1_900, offsets: 16, ratiosSeeMove: true } });
    expect(s.onServoOutput(receiptAt(t), notUsed(1_900))).toEqual([]);
    expect(s.status()).toBe('synchronized');
  });
});
