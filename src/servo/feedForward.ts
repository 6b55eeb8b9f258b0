/**
 * Feed-forward frequency from the measured rate ratio (802.1AS-2020 10.2.8.1.4 rateRatio: grandmaster
 * frequency / local timestamp-clock frequency), so that syntonization lands before the phase loop has
 * to work.
 *
 * What the clock needs, ppb:
 *  - timestamps from a free-running base (virtual clock): the ratio is measured against the base, so
 *    the clock must run at rateRatio × base:         ff = (rateRatio − 1) · 1e9
 *  - timestamps from the adjusted clock itself (PHC): the ratio is measured against the clock as it
 *    ran during the engine's window, (1 + f̄·1e-9) × oscillator, with f̄ the time-weighted mean of the
 *    applied adjustment over that window:          ff = (rateRatio · (1 + f̄·1e-9) − 1) · 1e9
 *    (with a constant adjustment f̄ = f, the current one). Using the current f instead would echo
 *    every recent change of the adjustment back into the estimate, e.g. a phase slew's.
 *
 * When it is used. The engine measures the ratio over a window of Pdelay exchanges (8 s by default):
 * its noise is a few ppb with hardware timestamps, and it lags a wandering oscillator (or a changing
 * grandmaster) by half a window. Once it runs, the servo's integral, fed by offsets 8 times a second,
 * estimates the frequency better and sooner than that (measured on the simulator: re-seating the
 * estimate from the ratio whenever they disagree only slowed the recovery from a grandmaster
 * frequency step). So the feed-forward seats the frequency estimate once: on the first Sync, and
 * again after a servo reset or a new grandmaster. The clock is syntonized at once, and the servo's
 * integral then holds the residual (wander, bias of the ratio): it never fights the feed-forward.
 * A servo that weighs its inputs (the Kalman servo on software timestamps) gets every ratio as well,
 * as a measurement with its σ (measure()): weighing a ratio is not following it.
 *
 * A PHC step corrupts every ratio whose window spans it, so after a step of a clock whose timestamps
 * follow adjustment the feed-forward is withheld for holdoffAfterStepS.
 */
import { addNs, type LocalTime } from '../clock/timePoint.js';
import type { RateMeasurement } from './servo.js';

export interface FeedForwardOptions {
  /** Use the rate ratio at all. Default true. */
  readonly enabled?: boolean;
  /**
   * After a step of a clock whose timestamps follow adjustment, ignore rate ratios for this long, s.
   * It must exceed the engine's rate-ratio window (neighborRateRatioWindow × Pdelay interval, 8 s by
   * default). Default 10 s.
   */
  readonly holdoffAfterStepS?: number;
  /** Rate ratios whose |rateRatio − 1| exceeds this, ppb, are ignored (sanity_freq_limit). Default 200,000,000. */
  readonly sanityFreqLimitPpb?: number;
  /**
   * The engine's rate-ratio window, s (neighborRateRatioWindow × Pdelay interval): the span over which
   * the applied adjustment is averaged for a PHC. Default 8 s.
   */
  readonly rateRatioWindowS?: number;
}

/** The frequency adjustment, ppb, that makes the clock run at the grandmaster's rate. */
export function neededFrequencyPpb(rateRatio: number, timestampsFollowAdjustment: boolean, currentPpb: number): number {
  if (!timestampsFollowAdjustment) return (rateRatio - 1) * 1e9;
  // (r·(1 + f·1e-9) − 1)·1e9, written so that no precision is lost when r is within ppm of 1.
  return (rateRatio - 1) * 1e9 + rateRatio * currentPpb;
}

export type FeedForwardVerdict = 'seated' | 'kept' | 'disabled' | 'insane' | 'holdoff';

export class FeedForward {
  private readonly enabled: boolean;
  private readonly holdoffNs: bigint;
  private readonly sanityPpb: number;
  private readonly windowNs: bigint;
  /** Adjustments applied to a PHC, oldest first: each holds from its time to the next one's. */
  private readonly applied: { local: LocalTime; ppb: number }[] = [];
  private seatedPpb: number | undefined;
  /** 1 σ of the seated value as the engine measured its rate ratio, ppb. */
  private seatedSigma: number | undefined;
  private holdoffUntil: LocalTime | undefined;
  private lastVerdict: FeedForwardVerdict = 'disabled';
  /** The measurement of the current rate ratio (measure()). */
  private lastMeasurement: RateMeasurement | undefined;

  constructor(
    private readonly timestampsFollowAdjustment: boolean,
    options: FeedForwardOptions = {},
  ) {
    this.enabled = options.enabled ?? true;
    const holdoffS = options.holdoffAfterStepS ?? 10;
    this.sanityPpb = options.sanityFreqLimitPpb ?? 200_000_000;
    const windowS = options.rateRatioWindowS ?? 8;
    if (!(windowS > 0)) throw new RangeError(`feedForward.rateRatioWindowS must be > 0 s, got ${windowS}`);
    this.windowNs = BigInt(Math.round(windowS * 1e9));
    if (!(holdoffS >= 0)) throw new RangeError(`feedForward.holdoffAfterStepS must be ≥ 0 s, got ${holdoffS}`);
    this.holdoffNs = BigInt(Math.round(holdoffS * 1e9));
  }

  /**
   * The feed-forward for this Sync, ppb, or undefined when none is available. The value seated first
   * is returned until reset() (see the file comment).
   * @param currentPpb the clock's frequency adjustment now
   * @param rateRatioSigma 1 σ of rateRatio (SyncReceipt.rateRatioSigma), when known
   */
  update(rateRatio: number, currentPpb: number, localTime: LocalTime, rateRatioSigma?: number): number | undefined {
    if (!this.enabled) return this.verdict('disabled', undefined);
    if (this.seatedPpb !== undefined) return this.verdict('kept', this.seatedPpb);
    const unusable = this.unusable(rateRatio, localTime);
    if (unusable !== undefined) return this.verdict(unusable, undefined);
    this.seatedPpb = neededFrequencyPpb(rateRatio, this.timestampsFollowAdjustment, this.meanAppliedPpb(localTime, currentPpb));
    this.seatedSigma = rateRatioSigma === undefined ? undefined : rateRatioSigma * 1e9;
    return this.verdict('seated', this.seatedPpb);
  }

  /**
   * Every rate ratio as a measurement of the frequency the clock needs, for a servo that fuses each
   * (servo.ts RateMeasurement); undefined when disabled, insane, held off after a step, or of unknown σ.
   * The seated feed-forward is unaffected. One measurement per ratio, made at the first Sync that
   * carries it: the engine's ratio changes once a second (a Pdelay exchange completed), the Syncs come
   * 8 times a second, and a servo weighs each ratio once; the same one is handed back until then.
   * @param rateRatioSpanS the time the ratio spans (SyncReceipt.rateRatioSpanS), when known; else the window
   */
  measure(
    rateRatio: number,
    currentPpb: number,
    localTime: LocalTime,
    rateRatioSigma: number | undefined,
    rateRatioSpanS?: number,
  ): RateMeasurement | undefined {
    if (!this.enabled || rateRatioSigma === undefined || !(rateRatioSigma >= 0)) return undefined;
    if (this.unusable(rateRatio, localTime) !== undefined) return undefined;
    const sigmaPpb = rateRatioSigma * 1e9;
    const spanS = rateRatioSpanS ?? Number(this.windowNs) / 1e9;
    const last = this.lastMeasurement;
    if (last !== undefined && last.rateRatio === rateRatio && last.sigmaPpb === sigmaPpb && last.spanS === spanS) return last;
    const neededPpb = neededFrequencyPpb(rateRatio, this.timestampsFollowAdjustment, this.meanAppliedPpb(localTime, currentPpb));
    this.lastMeasurement = { rateRatio, neededPpb, sigmaPpb, spanS };
    return this.lastMeasurement;
  }

  /** Why a rate ratio cannot be used now (beyond sanity_freq_limit, or within the hold-off after a step), if it cannot. */
  private unusable(rateRatio: number, localTime: LocalTime): 'insane' | 'holdoff' | undefined {
    if (!(rateRatio > 0) || !Number.isFinite(rateRatio) || Math.abs(rateRatio - 1) * 1e9 > this.sanityPpb) return 'insane';
    if (this.holdoffUntil === undefined) return undefined;
    if (localTime < this.holdoffUntil) return 'holdoff';
    this.holdoffUntil = undefined;
    return undefined;
  }

  /** The clock's adjustment became `ppb` at `local` (only a PHC's history matters). */
  noteAdjustment(local: LocalTime, ppb: number): void {
    if (!this.timestampsFollowAdjustment) return;
    const last = this.applied[this.applied.length - 1];
    if (last !== undefined && last.ppb === ppb) return;
    this.applied.push({ local, ppb });
    // Keep one entry older than the window: it holds at the window's start.
    while (this.applied.length > 1 && (this.applied[1] as { local: LocalTime }).local <= local - this.windowNs) this.applied.shift();
  }

  /** Time-weighted mean of the adjustment over the window ending at `now`, ppb (current value when unknown). */
  private meanAppliedPpb(now: LocalTime, currentPpb: number): number {
    if (!this.timestampsFollowAdjustment || this.applied.length === 0) return currentPpb;
    const windowStart = now - this.windowNs;
    let weighted = 0;
    let covered = 0n;
    for (let i = 0; i < this.applied.length; i++) {
      const entry = this.applied[i] as { local: LocalTime; ppb: number };
      const next = this.applied[i + 1];
      const from = entry.local > windowStart ? entry.local : windowStart;
      const to = next === undefined ? now : next.local < now ? next.local : now;
      if (to <= from) continue;
      weighted += Number(to - from) * entry.ppb;
      covered += to - from;
    }
    // Before the first recorded adjustment the clock ran at whatever it had: assume the first value.
    const first = this.applied[0] as { local: LocalTime; ppb: number };
    const uncovered = now - windowStart - covered;
    if (uncovered > 0n) {
      weighted += Number(uncovered) * first.ppb;
      covered += uncovered;
    }
    return covered > 0n ? weighted / Number(covered) : currentPpb;
  }

  /** The clock was stepped; with PHC timestamps the engine's rate ratio is unreliable for a while. */
  notifyStep(deltaNs: number, localTimeAfterStep: LocalTime): void {
    if (deltaNs === 0) return;
    this.shiftLocalTime(deltaNs);
    if (this.timestampsFollowAdjustment) this.holdoffUntil = (localTimeAfterStep + this.holdoffNs) as LocalTime;
  }

  /** Shift stored local times (the timestamp clock was stepped). */
  shiftLocalTime(deltaNs: number): void {
    if (!this.timestampsFollowAdjustment) return;
    for (const entry of this.applied) entry.local = addNs(entry.local, deltaNs);
    if (this.holdoffUntil !== undefined) this.holdoffUntil = addNs(this.holdoffUntil, deltaNs);
  }

  /** The next usable rate ratio seats the frequency again (servo reset, new grandmaster). */
  reset(): void {
    this.seatedPpb = undefined;
  }

  /** 1 σ of the seated feed-forward, ppb, when the engine measured it (undefined otherwise). */
  seatedSigmaPpb(): number | undefined {
    return this.seatedPpb === undefined ? undefined : this.seatedSigma;
  }

  /** What the last update did. */
  verdictOfLastUpdate(): FeedForwardVerdict {
    return this.lastVerdict;
  }

  private verdict(v: FeedForwardVerdict, value: number | undefined): number | undefined {
    this.lastVerdict = v;
    return value;
  }
}
