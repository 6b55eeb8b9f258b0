/**
 * Builds the provider's Snapshot from the running station: the engine's port and master data, the
 * servo's report, and the time mapping between the disciplined clock and CLOCK_MONOTONIC_RAW that
 * clients extrapolate with.
 */
import type { DisciplinedClock } from '../../clock/clock.js';
import { monotonicRawTime, type LocalTime, type MonotonicRawTime, type PtpTime } from '../../clock/timePoint.js';
import type { PortEngine } from '../../protocol/portEngine.js';
import { continueLeap, deriveUtc, timePropertiesOf, type TimeProperties, type UtcConversion } from '../../protocol/timeProperties.js';
import type { ErrorBoundInfo, GrandmasterInfo, HoldoverInfo, PortRole, Snapshot, TimeMapping, Timescale, TimestampingMode } from '../../provider/snapshot.js';
import type { ClockDiscipline, ClockServoReport } from '../../servo/clockDiscipline.js';
import type { StatusEvent } from '../../servo/syncStatus.js';

/** One instant on the timestamping clock and on CLOCK_MONOTONIC_RAW. */
export interface ClockPair {
  readonly timestampClock: LocalTime;
  readonly monotonicRaw: MonotonicRawTime;
}

export interface SnapshotSources {
  readonly engine: PortEngine;
  /** The servo's figures and the time base's status (TimeBaseStatus) are read here. */
  readonly discipline: ClockDiscipline;
  readonly clock: DisciplinedClock;
  readonly timestamping: TimestampingMode;
  /** Reads the timestamping clock and CLOCK_MONOTONIC_RAW at (nearly) one instant. */
  readonly samplePair: () => ClockPair;
  /** Refusals counted outside the engine (e.g. `management.badTlv`), shown beside its own. */
  readonly moreRejections?: () => Readonly<Record<string, number>>;
  /** assume_utc_offset: gPTP time − UTC, s, when the grandmaster does not announce a valid one. */
  readonly assumedUtcOffset?: number;
}

/** Pairs this far apart give the rate between the disciplined clock and CLOCK_MONOTONIC_RAW. */
const RATE_WINDOW_NS = 8_000_000_000n;
/** A refusal by the acceptable lists this recent explains why there is no master, ns. */
const REFUSAL_RECENT_NS = 10_000_000_000n;

export class SnapshotBuilder {
  private statusReason = 'starting: no Sync received yet';
  private statusSince: MonotonicRawTime;
  /** (monotonicRaw, ptp) pairs of recent snapshots, oldest first, spanning about RATE_WINDOW_NS. */
  private readonly history: { mono: bigint; ptp: bigint; local: bigint }[] = [];
  /** The mapping last given, the Sync it was taken for and the clock's frequency it carries. */
  private cached: { sync: LocalTime; frequencyPpb: number; mapping: TimeMapping } | undefined;
  /** The last UTC conversion, so that a leap the grandmaster settles early still happens on time. */
  private lastUtc: UtcConversion | null = null;

  constructor(private readonly sources: SnapshotSources) {
    this.statusSince = sources.samplePair().monotonicRaw;
  }

  /** Remember why and when the status last changed. */
  onStatusEvent(e: StatusEvent): void {
    this.statusReason = e.reason;
    this.statusSince = this.toMonotonicRaw(e.atLocal, this.sources.samplePair());
  }

  build(): Snapshot {
    const { engine, discipline, clock } = this.sources;
    const pair = this.sources.samplePair();
    const report = discipline.report(pair.timestampClock);
    const lastSync = engine.lastSyncTime;
    const master = engine.masterInfo;
    const timeProperties = timePropertiesOf(master?.currentUtcOffset ?? 0, master?.flags ?? 0);
    const mapping = lastSync === undefined ? null : this.mappingAt(lastSync, pair);
    const statistics = engine.statistics();
    return {
      status: report.status,
      statusReason: this.reasonNow(pair.timestampClock),
      statusSince: this.statusSince,
      mapping,
      utc: {
        currentUtcOffset: timeProperties.currentUtcOffset,
        currentUtcOffsetValid: timeProperties.currentUtcOffsetValid,
        leap59: timeProperties.leap59,
        leap61: timeProperties.leap61,
        ptpTimescale: timeProperties.ptpTimescale,
      },
      timescale: this.timescale(master === undefined ? undefined : timeProperties, mapping),
      lastSync: lastSync === undefined ? null : this.toMonotonicRaw(lastSync, pair),
      offsetFromMaster: report.lastOffsetNs ?? 0,
      offsetFromMasterRmsNs: report.offsetRmsNs ?? 0,
      ...(report.latencyEstimateNs === undefined ? {} : { syncLatencyNs: report.latencyEstimateNs }),
      meanLinkDelay: engine.meanLinkDelay ?? 0,
      neighborRateRatio: engine.neighborRateRatio,
      rateRatio: report.rateRatio ?? 1,
      frequencyAdjustmentPpb: report.frequencyPpb,
      grandmaster: this.grandmaster(),
      port: { portIdentity: engine.port, portState: portRole(engine), asCapable: engine.asCapable.asCapable },
      timestamping: this.sources.timestamping,
      clockKind: clock.kind,
      rejectedFrames: { ...statistics.rejected, ...this.sources.moreRejections?.() },
      pdelayExchanges: { inTime: statistics.pdelayExchanges - statistics.pdelayLateAnswers, late: statistics.pdelayLateAnswers },
      quality: {
        level: report.quality,
        errorNs: report.qualityErrorNs === undefined ? null : Math.abs(report.qualityErrorNs),
        thresholdsNs: report.qualityThresholdsNs,
      },
      holdover: holdoverInfo(report, pair),
      errorBound: this.errorBound(lastSync),
      ...(report.oscillatorWander === undefined ? {} : { oscillatorWander: { ...report.oscillatorWander } }),
    };
  }

  /**
   * Without a master, a grandmaster refused by the acceptable lists in the last seconds is the news:
   * the station hears a grandmaster but may not follow it.
   */
  private reasonNow(now: LocalTime): string {
    const { engine } = this.sources;
    const refused = engine.lastRefusal;
    if (engine.masterInfo !== undefined || refused === undefined || now - refused.at > REFUSAL_RECENT_NS) return this.statusReason;
    return `${this.statusReason}; no acceptable master heard: ${refused.refusal.why}`;
  }

  /**
   * The mapping is taken at the last Sync's ingress, so that it changes only when the servo had news
   * (subscribers are told of mapping changes) and not on every publish. The clock's frequency can also
   * change without a Sync: holdover sets the frequency it holds, and moves it along a ramp once a
   * second (src/servo/holdover.ts). The mapping is then taken anew at the pair's instant, on the
   * frequency in force; kept at the last Sync, it went on at the servo's last output, which also held
   * its phase correction (lab, 30 s of holdover, 22 runs: applications drifted at exactly that
   * output, 6–83 ns/s; taken anew, at the held frequency, 0.1–17.4 ns/s in 10 runs).
   */
  private mappingAt(lastSync: LocalTime, pair: ClockPair): TimeMapping {
    const frequencyPpb = this.sources.clock.frequencyPpb();
    const cached = this.cached;
    if (cached !== undefined && cached.sync === lastSync && cached.frequencyPpb === frequencyPpb) return cached.mapping;
    const anchor = cached !== undefined && cached.sync === lastSync ? pair : { timestampClock: lastSync, monotonicRaw: this.toMonotonicRaw(lastSync, pair) };
    const mapping = this.mapping(anchor, this.sources.clock.fromTimestamp(anchor.timestampClock));
    this.cached = { sync: lastSync, frequencyPpb, mapping };
    return mapping;
  }

  /**
   * gPTP time at the pair's CLOCK_MONOTONIC_RAW instant, and the rate measured over the last seconds
   * (the timestamping clock — CLOCK_REALTIME under NTP, or a PHC — need not run at CLOCK_MONOTONIC_RAW's
   * rate, so the rate is measured, not assumed).
   */
  private mapping(pair: ClockPair, ptp: PtpTime): TimeMapping {
    const mono = BigInt(pair.monotonicRaw);
    this.history.push({ mono, ptp: BigInt(ptp), local: BigInt(pair.timestampClock) });
    while (this.history.length > 2 && mono - (this.history[1]?.mono ?? mono) >= RATE_WINDOW_NS) this.history.shift();
    const first = this.history[0];
    const span = first === undefined ? 0n : mono - first.mono;
    const clock = this.sources.clock;
    const adjustment = 1 + clock.frequencyPpb() * 1e-9;
    let rateRatio = adjustment;
    if (first !== undefined && span > 1_000_000_000n) {
      // A virtual clock is its free-running base × the adjustment in force: measure only the base
      // against CLOCK_MONOTONIC_RAW, so that a window spanning a frequency change (the servo's first
      // seconds remove e.g. 100 ppm) does not extrapolate with a stale rate. A PHC's timestamps follow
      // its adjustment: its time is measured as it is.
      rateRatio = clock.timestampsFollowAdjustment
        ? Number(BigInt(ptp) - first.ptp) / Number(span)
        : (Number(BigInt(pair.timestampClock) - first.local) / Number(span)) * adjustment;
    }
    return { monotonicRaw: pair.monotonicRaw, ptpTime: ptp, rateRatio };
  }

  /** The servo's bound, expressed from the snapshot's lastSync (which may be a Sync the servo did not use). */
  private errorBound(lastSync: LocalTime | undefined): ErrorBoundInfo | null {
    const b = lastSync === undefined ? undefined : this.sources.discipline.errorBoundAt(lastSync);
    if (b === undefined) return null;
    return { atLastSyncNs: b.atNs, growthPpb: b.growthPpb, halfWanderPpbPerS: b.halfWanderPpbPerS };
  }

  /** TAI and UTC at the mapping's instant (which picks the midnight a leap flag refers to). */
  private timescale(tp: TimeProperties | undefined, mapping: TimeMapping | null): Timescale {
    if (tp === undefined) {
      this.lastUtc = null;
      return { tai: false, utc: null, utcUnknownReason: 'UTC unknown: no Announce from a grandmaster yet' };
    }
    const at = mapping === null ? 0n : BigInt(mapping.ptpTime);
    const derived = deriveUtc(tp, at, this.sources.assumedUtcOffset);
    if (!derived.known) {
      this.lastUtc = null;
      return { tai: tp.ptpTimescale, utc: null, utcUnknownReason: derived.reason };
    }
    this.lastUtc = continueLeap(this.lastUtc, derived.conversion, at);
    return { tai: tp.ptpTimescale, utc: this.lastUtc, utcUnknownReason: null };
  }

  private grandmaster(): GrandmasterInfo | null {
    const { engine } = this.sources;
    const v = engine.masterInfo?.priorityVector;
    const receipt = engine.lastSyncReceipt;
    if (v === undefined) return null;
    return {
      identity: v.rootSystemIdentity.clockIdentity,
      priority1: v.rootSystemIdentity.priority1,
      priority2: v.rootSystemIdentity.priority2,
      clockQuality: v.rootSystemIdentity.clockQuality,
      stepsRemoved: v.stepsRemoved,
      gmTimeBaseIndicator: receipt?.gmTimeBaseIndicator ?? 0,
    };
  }

  private toMonotonicRaw(t: LocalTime, pair: ClockPair): MonotonicRawTime {
    return monotonicRawTime(BigInt(pair.monotonicRaw) + (BigInt(t) - BigInt(pair.timestampClock)));
  }
}

/** The servo's holdover estimate with the CLOCK_MONOTONIC_RAW instant it began; null when not in holdover. */
function holdoverInfo(report: ClockServoReport, pair: ClockPair): HoldoverInfo | null {
  const model = report.holdoverModel;
  if (model === undefined || report.holdoverErrorNs === undefined) return null;
  return {
    since: monotonicRawTime(BigInt(pair.monotonicRaw) - BigInt(Math.round(report.holdoverS * 1e9))),
    estimatedErrorNs: report.holdoverErrorNs,
    initialErrorNs: model.initialErrorNs,
    stabilityPpb: model.stabilityPpb,
    driftPpbPerS: model.driftPpbPerS,
    frequencyPpb: model.frequencyPpb,
  };
}

/** 802.1AS-2020 10.3 roles: a slave-only end station that hears no master is, by the BMCA, masterPort. */
function portRole(engine: PortEngine): PortRole {
  if (engine.portState === 'SLAVE') return 'slavePort';
  return engine.asCapable.asCapable ? 'masterPort' : 'disabledPort';
}
