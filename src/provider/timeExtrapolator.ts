/**
 * Synchronized time computed locally from the last mapping and a CLOCK_MONOTONIC_RAW reading, without
 * a round trip to the daemon. Everything that does not depend on the reading is precomputed when a
 * snapshot arrives, so that at() costs one clock read's worth of bigint arithmetic and one result.
 */
import type { MonotonicRawTime, PtpTime, TaiTime, UtcTime } from '../clock/timePoint.js';
import { NS_PER_S, type LeapKind } from '../protocol/timeProperties.js';
import { qualityLevel, type QualityThresholdsNs } from '../servo/quality.js';
import { errorBoundTerms, type ErrorBoundModel } from './errorBound.js';
import type { QualityLevel, Snapshot, SyncStatus, UtcInfo } from './snapshot.js';

export interface SynchronizedTime {
  /** gPTP time now, ns; null before the provider has ever reported a mapping. */
  readonly ptpTime: PtpTime | null;
  readonly status: SyncStatus;
  /**
   * |ptpTime − grandmaster time| is within this, ns (see errorBound.ts); in holdover at least the
   * floor plus the daemon's holdover estimate now; Infinity without a mapping.
   */
  readonly errorBoundNs: number;
  /** TAI now (ns since 1970-01-01 TAI): ptpTime when gPTP time is TAI (ptpTimescale), else null. */
  readonly tai: TaiTime | null;
  /** UTC now as POSIX ns (23:59:60 repeats 23:59:59, as CLOCK_REALTIME); null when UTC is unknown. */
  readonly utc: UtcTime | null;
  /** gPTP time − UTC in force now, s (TAI − UTC with the PTP timescale); null when UTC is unknown. */
  readonly utcOffset: number | null;
  /** True during an inserted leap second, 23:59:60 UTC. */
  readonly leapSecond: boolean;
  /** A leap second still ahead: 'insert' (leap61) or 'delete' (leap59); null when none. */
  readonly leapPending: LeapKind | null;
  /** The grandmaster's timePropertiesDS as last reported (currentUtcOffset, its validity, leap59/61, ptpTimescale). */
  readonly timeProperties: UtcInfo | null;
  /** The snapshot's quality level; in holdover judged again on the holdover estimate now. */
  readonly quality: QualityLevel;
  /** In holdover, the daemon's estimated |error| extrapolated to now, ns; null otherwise. */
  readonly holdoverErrorNs: number | null;
}

export class TimeExtrapolator {
  private hasMapping = false;
  /** The mapping's CLOCK_MONOTONIC_RAW instant as a float64 (rounded beyond 2^53 ns, ~104 days). */
  private refMonotonicRawNs = 0;
  /** mapping.ptpTime − mapping.monotonicRaw, exact. */
  private ptpMinusMonotonicRaw = 0n;
  /** rateRatio − 1: ptp = monotonicRaw + (ptpMinusMonotonicRaw) + elapsed × (rateRatio − 1). */
  private rateMinusOne = 0;
  /** The last rate correction (ns) and ptpMinusMonotonicRaw + it, reused while it does not change. */
  private correctionNs = NaN;
  private correctedOffset = 0n;
  /** ns from the last Sync to the mapping's instant: age = elapsed since the mapping + this. */
  private ageOffsetNs = 0;
  /** errorBound = baseNs + age × (linearPpb + halfWanderPpbPerS × age), age in s. */
  private baseNs = Infinity;
  private linearPpb = 0;
  private halfWanderPpbPerS = 0;
  private currentStatus: SyncStatus = 'lost';
  private taiKnown = false;
  private timeProperties: UtcInfo | null = null;
  /** UTC = ptp − utcBeforeNs before leapAt, − utcAfterNs from it on; utcOffsetBefore null: UTC unknown. */
  private utcOffsetBefore: number | null = null;
  private utcOffsetAfter = 0;
  private utcBeforeNs = 0n;
  private utcAfterNs = 0n;
  private leapAt: bigint | undefined;
  private leapInsert = false;
  private currentQuality: QualityLevel = 'critical';
  /** In holdover: its start as a float64 CLOCK_MONOTONIC_RAW ns, and estimate = e0 + t·(σ + ½D·t) (t in s). */
  private inHoldover = false;
  private holdoverSinceNs = 0;
  private holdoverInitialNs = 0;
  private holdoverStabilityPpb = 0;
  private holdoverHalfDriftPpbPerS = 0;
  private thresholds: QualityThresholdsNs | undefined;

  /** Takes a snapshot's mapping, status, quality, holdover and error model. */
  update(snapshot: Snapshot, model: ErrorBoundModel): void {
    this.currentStatus = snapshot.status;
    this.takeTimescale(snapshot);
    this.currentQuality = snapshot.quality.level;
    this.thresholds = snapshot.quality.thresholdsNs;
    const h = snapshot.holdover;
    this.inHoldover = h !== null;
    if (h !== null) {
      this.holdoverSinceNs = Number(h.since);
      this.holdoverInitialNs = h.initialErrorNs;
      this.holdoverStabilityPpb = h.stabilityPpb;
      this.holdoverHalfDriftPpbPerS = 0.5 * h.driftPpbPerS;
    }
    const m = snapshot.mapping;
    this.hasMapping = m !== null;
    if (m === null) return;
    this.refMonotonicRawNs = Number(m.monotonicRaw);
    this.ptpMinusMonotonicRaw = m.ptpTime - m.monotonicRaw;
    this.rateMinusOne = m.rateRatio - 1;
    this.correctionNs = NaN;
    const last = snapshot.lastSync;
    this.ageOffsetNs = last === null ? 0 : Number(m.monotonicRaw - last);
    const terms = errorBoundTerms(snapshot, model);
    this.baseNs = last === null ? Infinity : terms.atSyncNs;
    this.linearPpb = terms.nsPerS;
    this.halfWanderPpbPerS = terms.nsPerS2;
  }

  private takeTimescale(snapshot: Snapshot): void {
    this.timeProperties = snapshot.utc;
    this.taiKnown = snapshot.timescale.tai;
    const c = snapshot.timescale.utc;
    this.utcOffsetBefore = c === null ? null : c.offset;
    if (c === null) return;
    this.utcBeforeNs = BigInt(c.offset) * NS_PER_S;
    this.leapAt = c.leap?.atPtpNs;
    this.leapInsert = c.leap?.kind === 'insert';
    this.utcOffsetAfter = c.leap?.offsetAfter ?? c.offset;
    this.utcAfterNs = BigInt(this.utcOffsetAfter) * NS_PER_S;
  }

  /** Overrides the status (e.g. 'lost' while the provider is unreachable), keeping the mapping. */
  setStatus(status: SyncStatus): void {
    this.currentStatus = status;
  }

  get status(): SyncStatus {
    return this.currentStatus;
  }

  /**
   * ptpTime = mapping.ptpTime + round((m − mapping.monotonicRaw) × rateRatio), computed as
   * m + (ptpTime − monotonicRaw) + round(elapsed × (rateRatio − 1)): the exact part stays bigint, and
   * the float64 elapsed only feeds the small rate correction and the age, where a rounding of a few
   * ns (uptime beyond 2^53 ns) is negligible. One bigint→number conversion and one bigint addition
   * per call; the correction's bigint is rebuilt only when it changes by a nanosecond.
   */
  at(monotonicRaw: MonotonicRawTime): SynchronizedTime {
    if (!this.hasMapping) {
      return {
        ptpTime: null,
        status: this.currentStatus,
        errorBoundNs: Infinity,
        tai: null,
        utc: null,
        utcOffset: null,
        leapSecond: false,
        leapPending: null,
        timeProperties: this.timeProperties,
        quality: this.currentQuality,
        holdoverErrorNs: null,
      };
    }
    const elapsedNs = Number(monotonicRaw) - this.refMonotonicRawNs;
    const correctionNs = Math.round(elapsedNs * this.rateMinusOne);
    if (correctionNs !== this.correctionNs) {
      this.correctionNs = correctionNs;
      this.correctedOffset = this.ptpMinusMonotonicRaw + BigInt(correctionNs);
    }
    const ageS = Math.max(0, (elapsedNs + this.ageOffsetNs) * 1e-9);
    const ptp = monotonicRaw + this.correctedOffset;
    // UTC (src/protocol/timeProperties.ts states the rules; this is their allocation-free form).
    let utc: UtcTime | null = null;
    let utcOffset: number | null = null;
    let leapSecond = false;
    let leapPending: LeapKind | null = null;
    const before = this.utcOffsetBefore;
    if (before !== null) {
      const leapAt = this.leapAt;
      if (leapAt === undefined || ptp < leapAt) {
        utc = (ptp - this.utcBeforeNs) as UtcTime;
        utcOffset = before;
        if (leapAt !== undefined) leapPending = this.leapInsert ? 'insert' : 'delete';
      } else {
        utc = (ptp - this.utcAfterNs) as UtcTime;
        utcOffset = this.utcOffsetAfter;
        leapSecond = this.leapInsert && ptp < leapAt + NS_PER_S;
      }
    }
    // In holdover the terms already hold the daemon's estimate as well (errorBoundTerms).
    const bound = this.baseNs + ageS * (this.linearPpb + this.halfWanderPpbPerS * ageS);
    const t = this.inHoldover ? Math.max(0, (Number(monotonicRaw) - this.holdoverSinceNs) * 1e-9) : 0;
    const estimate = this.inHoldover ? this.holdoverInitialNs + t * (this.holdoverStabilityPpb + this.holdoverHalfDriftPpbPerS * t) : null;
    return {
      ptpTime: ptp as PtpTime,
      status: this.currentStatus,
      errorBoundNs: bound,
      tai: this.taiKnown ? (ptp as TaiTime) : null,
      utc,
      utcOffset,
      leapSecond,
      leapPending,
      timeProperties: this.timeProperties,
      quality: estimate === null ? this.currentQuality : qualityLevel(estimate, this.thresholds),
      holdoverErrorNs: estimate,
    };
  }
}
