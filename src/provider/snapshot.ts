/**
 * What the time-base provider tells applications: one Snapshot of the station's synchronization
 * state. The daemon builds it from the engine and the servo; the provider server only serializes it,
 * so this type is the whole contract between them.
 */
import type { ClockKind } from '../clock/clock.js';
import type { MonotonicRawTime, PtpTime } from '../clock/timePoint.js';
import type { ClockIdentity, ClockQuality, PortIdentity } from '../protocol/messages.js';
import type { UtcConversion } from '../protocol/timeProperties.js';

/**
 * synchronized: the servo is locked to a grandmaster; unstable: it follows one but is not (yet, or
 * no longer) within its lock limits; lost: no usable grandmaster (time is free-running holdover).
 */
import type { SyncStatus } from '../servo/syncStatus.js';
import type { TimestampingMode } from '../io/packetSocket.js';
import type { QualityLevel, QualityThresholdsNs } from '../servo/quality.js';

export type { QualityLevel, QualityThresholdsNs, SyncStatus, TimestampingMode };
export const SYNC_STATUSES: readonly SyncStatus[] = ['synchronized', 'unstable', 'lost'];
export const QUALITY_LEVELS: readonly QualityLevel[] = ['excellent', 'good', 'fair', 'poor', 'critical'];

export const TIMESTAMPING_MODES: readonly TimestampingMode[] = ['hardware', 'software'];
export const CLOCK_KINDS: readonly ClockKind[] = ['phc', 'virtual', 'simulated'];

/**
 * The four port roles 802.1AS uses (802.1AS-2020 10.3, BMCA; portDS.portState 14.8.3), in camelCase.
 * linuxptp prints them as DISABLED, MASTER, PASSIVE, SLAVE.
 */
export type PortRole = 'disabledPort' | 'masterPort' | 'passivePort' | 'slavePort';
export const PORT_ROLES: readonly PortRole[] = ['disabledPort', 'masterPort', 'passivePort', 'slavePort'];

/**
 * One instant read on two clocks, plus the rate between them: gPTP time at any CLOCK_MONOTONIC_RAW
 * instant m is ptpTime + (m − monotonicRaw) × rateRatio. A client extrapolates locally with it.
 */
export interface TimeMapping {
  readonly monotonicRaw: MonotonicRawTime;
  readonly ptpTime: PtpTime;
  /** ptp ns per CLOCK_MONOTONIC_RAW ns (float64: ~2.2e-16 resolution near 1). */
  readonly rateRatio: number;
}

/** The grandmaster as the parentDS and timePropertiesDS describe it (802.1AS-2020 14.4, 14.5). */
export interface GrandmasterInfo {
  /** parentDS.grandmasterIdentity. */
  readonly identity: ClockIdentity;
  /** parentDS.grandmasterPriority1. */
  readonly priority1: number;
  /** parentDS.grandmasterPriority2. */
  readonly priority2: number;
  /** parentDS.grandmasterClockQuality. */
  readonly clockQuality: ClockQuality;
  /** stepsRemoved of the master's Announce (802.1AS 10.6.3.2.6); currentDS.stepsRemoved is one more (pmc shows that). */
  readonly stepsRemoved: number;
  /** The Follow_Up information TLV's gmTimeBaseIndicator (802.1AS-2020 11.4.4.3.5). */
  readonly gmTimeBaseIndicator: number;
}

/**
 * How far the time a client extrapolates may be from the grandmaster's, as the daemon's servo bounds
 * it (src/servo/servoErrorBound.ts): at an age of a s since lastSync,
 * errorBoundNs = atLastSyncNs + a·(growthPpb + halfWanderPpbPerS·a).
 */
export interface ErrorBoundInfo {
  /** Bound at lastSync, ns. */
  readonly atLastSyncNs: number;
  /** ns per s of age (a frequency uncertainty, ppb). */
  readonly growthPpb: number;
  /** ns per s² of age: half the oscillator's assumed frequency wander, ppb/s. */
  readonly halfWanderPpbPerS: number;
}

/**
 * The port's completed Pdelay exchanges (802.1AS-2020 11.2.19), by whether the answer came in time or
 * late: a late one still joins meanLinkDelay's median but is no end of any neighborRateRatio
 * (src/protocol/neighborRateRatioWindow.ts).
 */
export interface PdelayExchangeCounts {
  readonly inTime: number;
  readonly late: number;
}

/** The gPTP port the station synchronizes through (802.1AS-2020 14.8 portDS). */
export interface PortInfo {
  readonly portIdentity: PortIdentity;
  readonly portState: PortRole;
  readonly asCapable: boolean;
}

/** timePropertiesDS fields a client needs to turn gPTP time into UTC (802.1AS-2020 14.5). */
export interface UtcInfo {
  /** TAI − UTC in s. */
  readonly currentUtcOffset: number;
  readonly currentUtcOffsetValid: boolean;
  readonly leap59: boolean;
  readonly leap61: boolean;
  /** True when gPTP time is TAI (the PTP timescale); false for an arbitrary timescale. */
  readonly ptpTimescale: boolean;
}

/**
 * What gPTP time means as TAI and UTC, derived from timePropertiesDS and the configuration by
 * src/protocol/timeProperties.ts (the rules are stated there and in docs/provider-protocol.md).
 */
export interface Timescale {
  /** gPTP time is TAI (ptpTimescale): TAI = gPTP time. False: TAI is unknown. */
  readonly tai: boolean;
  /** UTC = gPTP time − utc.offset s (utc.leap.offsetAfter from the leap instant on); null: unknown. */
  readonly utc: UtcConversion | null;
  /** Why UTC is unknown (one sentence), null when it is known. */
  readonly utcUnknownReason: string | null;
}

/**
 * A coarse quality level (src/servo/quality.ts) and what it was judged by: the level is the first whose
 * threshold |error| stays below (excellent < thresholdsNs.excellent, … , poor < thresholdsNs.poor,
 * critical otherwise or when the error is unknown).
 */
export interface QualityInfo {
  readonly level: QualityLevel;
  /** |error| judged, ns: the last offset from master while Syncs arrive, the holdover estimate in holdover; null when unknown. */
  readonly errorNs: number | null;
  readonly thresholdsNs: QualityThresholdsNs;
}

/**
 * Holdover (lost after having been synchronized): the clock runs on the held frequency, and its
 * |error| after t s is estimated as initialErrorNs + stabilityPpb·t + ½·driftPpbPerS·t² (ppb × s = ns;
 * src/servo/holdover.ts). An estimate of the typical error, not a bound.
 */
export interface HoldoverInfo {
  /** CLOCK_MONOTONIC_RAW instant holdover began. */
  readonly since: MonotonicRawTime;
  /** The estimated |error| when the snapshot was built, ns. */
  readonly estimatedErrorNs: number;
  /** Offset RMS when holdover began, ns. */
  readonly initialErrorNs: number;
  /** Scatter of the held frequency, ppb: the error's linear growth, ns/s. */
  readonly stabilityPpb: number;
  /** |Trend| of the needed frequency before holdover, ppb/s: the error's quadratic growth (½ of it, ns/s²). */
  readonly driftPpbPerS: number;
  /** The frequency adjustment held, ppb. */
  readonly frequencyPpb: number;
}

/** The estimated holdover |error| t seconds after it began, ns. */
export function holdoverEstimateNs(h: Pick<HoldoverInfo, 'initialErrorNs' | 'stabilityPpb' | 'driftPpbPerS'>, t: number): number {
  const s = Math.max(0, t);
  return h.initialErrorNs + s * (h.stabilityPpb + 0.5 * h.driftPpbPerS * s);
}

export interface Snapshot {
  readonly status: SyncStatus;
  /** Why the status last changed, in words (e.g. "announceReceiptTimeout: no Announce for 3 s"). */
  readonly statusReason: string;
  /** When the status last changed. */
  readonly statusSince: MonotonicRawTime;
  /** Null until the first synchronization. */
  readonly mapping: TimeMapping | null;
  readonly utc: UtcInfo;
  readonly timescale: Timescale;
  /** The CLOCK_MONOTONIC_RAW instant of the last Sync the servo used; null before the first. */
  readonly lastSync: MonotonicRawTime | null;
  /** Last offset from master, ns (linuxptp `master offset`). */
  readonly offsetFromMaster: number;
  /** RMS of the recent offsets from master the status judges, each less the Syncs' latency the servo reads in it, ns. */
  readonly offsetFromMasterRmsNs: number;
  /**
   * The part of offsetFromMaster the servo reads as the Syncs' latency and does not steer by (the
   * Kalman servo on software timestamps), ns. Absent for servos without it and from providers that
   * predate it.
   */
  readonly syncLatencyNs?: number;
  /** ns. */
  readonly meanLinkDelay: number;
  readonly neighborRateRatio: number;
  /** Cumulative rateRatio: grandmaster frequency / local timestamp clock frequency. */
  readonly rateRatio: number;
  /** The servo's frequency adjustment applied to the disciplined clock, ppb. */
  readonly frequencyAdjustmentPpb: number;
  /** Null when no grandmaster is known. */
  readonly grandmaster: GrandmasterInfo | null;
  readonly port: PortInfo;
  readonly timestamping: TimestampingMode;
  readonly clockKind: ClockKind;
  /** Frames the engine refused, by reason (see src/protocol/rejection.ts). */
  readonly rejectedFrames: Readonly<Record<string, number>>;
  /** Completed Pdelay exchanges, in time or late. Absent from providers that predate it. */
  readonly pdelayExchanges?: PdelayExchangeCounts;
  /** The quality level and its thresholds (protocol 2). */
  readonly quality: QualityInfo;
  /** Null unless in holdover (protocol 2). */
  readonly holdover: HoldoverInfo | null;
  /**
   * The servo's error bound and its growth with age; null before the first Sync. Absent from
   * providers that predate it: clients then use their own model (errorBound.ts).
   */
  readonly errorBound?: ErrorBoundInfo | null;
  /**
   * The oscillator's walk the servo learned from the Syncs, and the walk it tracks with (the Kalman
   * servo when kalman_frequency_wander is not set). Absent before it has learned anything, for the
   * other servos, and from providers that predate it.
   */
  readonly oscillatorWander?: OscillatorWanderInfo;
}

/** The oscillator's random walk against the grandmaster as the servo learned it (docs/servo.md). */
export interface OscillatorWanderInfo {
  /** Its estimate, ppb/√s. */
  readonly ppbPerSqrtS: number;
  /** Its upper bound at 90 %, ppb/√s. */
  readonly upperPpbPerSqrtS: number;
  /** Independent Allan intervals (256 s each) the estimate rests on, a kept one included. */
  readonly evidence: number;
  /** The walk the servo's filter tracks with, ppb/√s: from the learned one once in use, the configured one until then. */
  readonly trackingPpbPerSqrtS: number;
  /** Whether the filter uses the learned walk yet (enough evidence). */
  readonly inUse: boolean;
}

/** A snapshot as a client receives it: with its age as of when the server sent it. */
export interface ReceivedSnapshot extends Snapshot {
  /** ns from lastSync to the moment the server sent this snapshot; null before the first Sync. */
  readonly timeSinceLastSyncNs: number | null;
  /** errorBound at the moment the server sent this snapshot, ns; null without a bound. */
  readonly errorBoundNs?: number | null;
}

/** errorBound at `ageNs` after lastSync, ns; null without a bound or age. */
export function errorBoundAtAge(bound: ErrorBoundInfo | null | undefined, ageNs: number | null): number | null {
  if (bound === null || bound === undefined || ageNs === null) return null;
  const a = Math.max(0, ageNs * 1e-9);
  return bound.atLastSyncNs + a * (bound.growthPpb + bound.halfWanderPpbPerS * a);
}

/** True when subscribers must hear about the change from `a` to `b` (status, grandmaster, mapping, UTC or quality level). */
export function isNotableChange(a: Snapshot, b: Snapshot): boolean {
  return (
    a.status !== b.status ||
    a.quality.level !== b.quality.level ||
    a.statusReason !== b.statusReason ||
    !sameMapping(a.mapping, b.mapping) ||
    !sameGrandmaster(a.grandmaster, b.grandmaster) ||
    !sameUtc(a.utc, b.utc) ||
    !sameTimescale(a.timescale, b.timescale)
  );
}

function sameMapping(a: TimeMapping | null, b: TimeMapping | null): boolean {
  if (a === null || b === null) return a === b;
  return a.monotonicRaw === b.monotonicRaw && a.ptpTime === b.ptpTime && a.rateRatio === b.rateRatio;
}

function sameGrandmaster(a: GrandmasterInfo | null, b: GrandmasterInfo | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.identity === b.identity &&
    a.priority1 === b.priority1 &&
    a.priority2 === b.priority2 &&
    a.clockQuality.clockClass === b.clockQuality.clockClass &&
    a.clockQuality.clockAccuracy === b.clockQuality.clockAccuracy &&
    a.clockQuality.offsetScaledLogVariance === b.clockQuality.offsetScaledLogVariance &&
    a.stepsRemoved === b.stepsRemoved &&
    a.gmTimeBaseIndicator === b.gmTimeBaseIndicator
  );
}

function sameUtc(a: UtcInfo, b: UtcInfo): boolean {
  return (
    a.currentUtcOffset === b.currentUtcOffset &&
    a.currentUtcOffsetValid === b.currentUtcOffsetValid &&
    a.leap59 === b.leap59 &&
    a.leap61 === b.leap61 &&
    a.ptpTimescale === b.ptpTimescale
  );
}

function sameTimescale(a: Timescale, b: Timescale): boolean {
  if (a.tai !== b.tai || a.utcUnknownReason !== b.utcUnknownReason) return false;
  if (a.utc === null || b.utc === null) return a.utc === b.utc;
  const [x, y] = [a.utc.leap, b.utc.leap];
  const sameLeap = x === null || y === null ? x === y : x.kind === y.kind && x.atPtpNs === y.atPtpNs && x.offsetAfter === y.offsetAfter;
  return a.utc.offset === b.utc.offset && a.utc.source === b.utc.source && sameLeap;
}
