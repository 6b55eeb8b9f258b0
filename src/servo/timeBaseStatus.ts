/**
 * TimeBaseStatus: the one owner of what the synchronized time base is worth — its status
 * (synchronized / unstable / lost, syncStatus.ts), the holdover estimate (holdover.ts), the quality
 * level (quality.ts) and the error bound (servoErrorBound.ts). It is fed by ClockServo's per-Sync
 * output and by the port engine's verdicts that end synchronization (syncReceiptTimeout,
 * 802.1AS-2020 10.7.3.1; asCapable false, 10.2.4; master lost, 10.3.11), handed over by ClockSlave.
 * It keeps no timer and adjusts no clock: in holdover it names the course to hold (holdoverCourse), and
 * ClockDiscipline applies it through ClockServo.
 */
import { addNs, type LocalTime } from '../clock/timePoint.js';
import { formatSigned } from '../protocol/format.js';
import type { TimestampingMode } from '../protocol/portConfig.js';
import type { SyncReceipt } from '../protocol/syncReceipt.js';
import { courseFrequencyPpb, HoldoverEstimator, holdoverDriftTermPpbPerS, holdoverErrorNs, type HoldoverModel, type HoldoverOptions } from './holdover.js';
import { DEFAULT_QUALITY_THRESHOLDS_NS, qualityLevel, type QualityLevel, type QualityThresholdsNs } from './quality.js';
import type { JudgedRun, ServoUncertainty } from './servo.js';
import { servoErrorBound, type ErrorBound, type ErrorBoundOptions } from './servoErrorBound.js';
import { SyncWindowMaximum } from './syncWindowMaximum.js';
import { ServoState } from './servoState.js';
import type { ServoSyncOutput } from './clockServo.js';
import {
  SYNC_STATUS_DEFAULTS,
  SyncStatusClassifier,
  type StatusEvent,
  type SyncReceiptTimeout,
  type SyncStatus,
  type SyncStatusOptions,
} from './syncStatus.js';

export interface TimeBaseStatusOptions {
  /** Software timestamps widen the error bound (servoErrorBound.ts). Default 'hardware'. */
  readonly timestamping?: TimestampingMode;
  /** How errorBoundNs is made (servoErrorBound.ts). */
  readonly errorBound?: ErrorBoundOptions;
  readonly status?: SyncStatusOptions;
  readonly holdover?: HoldoverOptions;
  readonly quality?: QualityThresholdsNs;
}

/** What the status reads from the servo: its own uncertainty, where it keeps one. */
export interface ServoUncertaintySource {
  uncertainty(): ServoUncertainty | undefined;
}

/** The holdover estimate's terms (holdover.ts), for applications that extrapolate it themselves. */
export interface HoldoverErrorModel {
  /** Offset RMS when holdover began, ns. */
  readonly initialErrorNs: number;
  /** Scatter of the held frequency, ppb: the error's linear growth, ns/s. */
  readonly stabilityPpb: number;
  /**
   * The estimate's quadratic term at the report's age, ppb/s (the error's growth is half of it, ns/s²):
   * |trend of the needed frequency| while a constant frequency is held, the uncertainty of the ramp the
   * frequency follows along it (holdover.ts, holdoverDriftTermPpbPerS).
   */
  readonly driftPpbPerS: number;
  /** The held course's frequency now, ppb: along a ramp the clock runs on its mean over each second. */
  readonly frequencyPpb: number;
}

export interface TimeBaseStatusReport {
  readonly status: SyncStatus;
  readonly lastOffsetNs: number | undefined;
  /** RMS of the recent offsets the status judges, each less latencyEstimateNs at its Sync (syncStatus.ts), ns. */
  readonly offsetRmsNs: number | undefined;
  /**
   * The part of the last offset the servo reads as the Syncs' latency and does not steer by (the
   * Kalman servo's L̂, software timestamps), ns; undefined for servos that keep no such state.
   */
  readonly latencyEstimateNs: number | undefined;
  readonly sinceLastSyncS: number | undefined;
  readonly holdoverS: number;
  /** Estimated |error| in holdover, ns (undefined when not in holdover). */
  readonly holdoverErrorNs: number | undefined;
  /** In holdover, what that estimate is made of (holdover.ts): |error|(t) = initial + stability·t + ½|drift|·t². */
  readonly holdoverModel: HoldoverErrorModel | undefined;
  readonly quality: QualityLevel;
  /**
   * The |error| the quality level was judged on, ns: the last offset less the Syncs' latency the servo
   * read in it (as the status judges it), or the holdover estimate.
   */
  readonly qualityErrorNs: number | undefined;
  readonly qualityThresholdsNs: QualityThresholdsNs;
  /**
   * |clock − grandmaster time| is within errorBound.atNs at `now` and grows by growthPpb per second
   * of age and halfWanderPpbPerS per second² (servoErrorBound.ts); undefined before the first Sync.
   */
  readonly errorBound: ErrorBound | undefined;
}

export class TimeBaseStatus {
  private readonly classifier: SyncStatusClassifier;
  /**
   * UNWITNESSED_RUN_LIMIT_NS in the same ratio to the status's threshold as by default, ns: who accepts
   * offsets five times as scattered (synchronized_offset_rms, a hub's jitter) accepts single offsets as
   * far off (lab, shared-port at 5 µs: 31 departures in four runs, 29 of them for one offset 10–23 µs early).
   */
  private readonly unwitnessedRunLimitNs: number;
  private readonly holdover: HoldoverEstimator;
  private readonly software: boolean;
  private readonly qualityThresholds: QualityThresholdsNs | undefined;
  private readonly errorBoundOptions: ErrorBoundOptions;
  /** Ingress of the last Sync the servo used, in the timestamp clock's current time. */
  private lastUsedLocal: LocalTime | undefined;
  private lastUsedOffsetNs = 0;
  private lastPathDelayNs: number | undefined;
  /** The largest filtered meanLinkDelay of the last minutes of Syncs used, for the error bound. */
  private readonly pathDelays = new SyncWindowMaximum();
  /**
   * The largest |change of phase| the servo believed in the last minutes of Syncs, since the last
   * step, grandmaster or time-base change: for the error bound, a possible change of asymmetry.
   */
  private readonly phaseChanges = new SyncWindowMaximum();
  private holdoverStartErrorNs = 0;

  constructor(
    private readonly servo: ServoUncertaintySource,
    options: TimeBaseStatusOptions = {},
  ) {
    this.classifier = new SyncStatusClassifier(options.status);
    this.unwitnessedRunLimitNs = (UNWITNESSED_RUN_LIMIT_NS * this.classifier.offsetRmsThresholdNs) / SYNC_STATUS_DEFAULTS.offsetRmsThresholdNs;
    this.holdover = new HoldoverEstimator(options.holdover);
    this.software = options.timestamping === 'software';
    this.qualityThresholds = options.quality;
    this.errorBoundOptions = options.errorBound ?? {};
  }

  /** The synchronization status now (cheap; report() gives everything). */
  status(): SyncStatus {
    return this.classifier.status();
  }

  /** True while lost after having been synchronized at least once. */
  inHoldover(): boolean {
    return this.classifier.inHoldover();
  }

  /**
   * A note for the first Sync received in a holdover (undefined otherwise), taken before it is fed.
   * Once per holdover: the status stays lost while the servo leaves the Syncs back out (a grandmaster
   * whose time moved: 17 Syncs in the lab), and the log said it again for each of them.
   */
  returnNote(local: LocalTime): string | undefined {
    if (!this.classifier.awaitingSync()) return undefined;
    return `Sync is back after ${this.classifier.snapshot(local).holdoverS.toFixed(3)} s of holdover.`;
  }

  /** What ClockServo made of one Sync: holdover history, error-bound inputs, status. */
  onServoOutput(receipt: SyncReceipt, out: ServoSyncOutput): readonly StatusEvent[] {
    if (!out.received) return NO_EVENTS;
    if (out.sample !== undefined) {
      // The servo sampled the offset: only a locked servo's estimate is worth holding (holdover.ts), with
      // the phase correction the clock ran on beside it (its frequency now less the estimate).
      const { state, frequencyEstimatePpb } = out.sample;
      if (state === ServoState.locked) this.holdover.record(receipt.ingressTime, frequencyEstimatePpb, out.frequencyPpb - frequencyEstimatePpb);
      else this.holdover.clear();
    }
    if (out.localShiftNs !== undefined) {
      // The timestamp clock itself was stepped: what is remembered in its time moves with it.
      this.classifier.shiftLocalTime(out.localShiftNs);
      this.holdover.shiftLocalTime(out.localShiftNs);
    }
    if (out.pathDelayNs !== undefined) this.lastPathDelayNs = out.pathDelayNs;
    if (!out.accepted) {
      // A Sync whose offset was not used: the master is there (syncStatus.ts). A run the servo holds
      // as the Syncs' path reports its change here, and the bound keeps it as one that was followed.
      if (out.phaseChangeNs !== undefined) this.phaseChanges.push(Math.abs(out.phaseChangeNs));
      return this.classifier.onSyncReceived(receipt.ingressTime, this.judgedRunProblem(this.servo.uncertainty()?.judgedRun));
    }
    const local = out.localShiftNs === undefined ? receipt.ingressTime : addNs(receipt.ingressTime, out.localShiftNs);
    this.lastUsedLocal = local;
    this.lastUsedOffsetNs = out.offsetNs;
    if (this.lastPathDelayNs !== undefined) this.pathDelays.push(this.lastPathDelayNs);
    const uncertainty = this.servo.uncertainty();
    const unstableReason = this.boundProblem(uncertainty);
    const events = this.classifier.onSync({
      local,
      offsetNs: out.offsetNs,
      ...(uncertainty?.latencyEstimateNs === undefined ? {} : { latencyEstimateNs: uncertainty.latencyEstimateNs }),
      servoState: out.servoState,
      logSyncInterval: receipt.logSyncInterval,
      grandmasterIdentity: receipt.grandmasterIdentity,
      gmTimeBaseIndicator: receipt.gmTimeBaseIndicator,
      lastGmPhaseChange: receipt.lastGmPhaseChange,
      ...(unstableReason === undefined ? {} : { unstableReason }),
    });
    // After a step the offset history says nothing about the offsets to come.
    if (out.stepNs !== undefined) this.classifier.restartWindow();
    this.recordPhaseChange(out);
    return events;
  }

  /**
   * The offsets moved to a new level and the servo followed, without a step: either the grandmaster's
   * time moved, or the Sync path's latency did while the Pdelay paths stayed (a software-timestamped
   * veth switches between such states by 1.6–2.5 µs, and the simulator's software-path-shift scenario
   * read 82–86 % coverage without this term). No slave can tell the two apart (802.1AS-2020 8.3), so
   * the bound keeps the change as asymmetry it may carry. A step, or a new grandmaster or time base,
   * is the grandmaster's own doing: what came before is forgotten.
   */
  private recordPhaseChange(out: ServoSyncOutput): void {
    if (out.stepNs !== undefined || this.classifier.changedTimeBase()) this.phaseChanges.clear();
    else this.phaseChanges.push(Math.abs(out.phaseChangeNs ?? 0));
  }

  /** The port engine's syncReceiptTimeout expired (802.1AS-2020 10.7.3.1). */
  onSyncReceiptTimeout(e: SyncReceiptTimeout): readonly StatusEvent[] {
    return this.holdIfLost(this.classifier.onSyncReceiptTimeout(e), e.at);
  }

  /** The slave port stopped being asCapable (802.1AS-2020 10.2.4). */
  onNotAsCapable(at: LocalTime): readonly StatusEvent[] {
    return this.holdIfLost(this.classifier.onNotAsCapable(at), at);
  }

  /** The port lost its master (aged by announceReceiptTimeout, no longer grandmaster-capable…). */
  onMasterLost(at: LocalTime, reason: string): readonly StatusEvent[] {
    return this.holdIfLost(this.classifier.onMasterLost(at, reason), at);
  }

  /**
   * In holdover, the course the clock's frequency should follow (holdover.ts, heldFrequencyPpb);
   * undefined when not in holdover or with no estimate to hold (keep the clock as it is).
   */
  holdoverCourse(): HoldoverModel | undefined {
    return this.classifier.inHoldover() ? this.holdover.model() : undefined;
  }

  report(now: LocalTime): TimeBaseStatusReport {
    const snap = this.classifier.snapshot(now);
    // The holdover model is a regression over the recorded estimates: only worth it in holdover.
    const model = this.classifier.inHoldover() ? this.holdover.model() : undefined;
    const holdoverError = model !== undefined ? holdoverErrorNs(model, this.holdoverStartErrorNs, snap.holdoverS) : undefined;
    const errorForQuality = snap.status === 'lost' ? holdoverError : snap.lastClockOffsetNs;
    const uncertainty = this.servo.uncertainty();
    return {
      status: snap.status,
      lastOffsetNs: snap.lastOffsetNs,
      offsetRmsNs: snap.offsetRmsNs,
      latencyEstimateNs: uncertainty?.latencyEstimateNs,
      sinceLastSyncS: snap.sinceLastSyncS,
      holdoverS: snap.holdoverS,
      holdoverErrorNs: holdoverError,
      holdoverModel:
        model === undefined
          ? undefined
          : {
              initialErrorNs: Math.abs(this.holdoverStartErrorNs),
              stabilityPpb: model.stabilityPpb,
              driftPpbPerS: holdoverDriftTermPpbPerS(model, snap.holdoverS),
              frequencyPpb: courseFrequencyPpb(model, now),
            },
      quality: qualityLevel(errorForQuality, this.qualityThresholds),
      qualityErrorNs: errorForQuality,
      qualityThresholdsNs: this.qualityThresholds ?? DEFAULT_QUALITY_THRESHOLDS_NS,
      errorBound: this.boundAt(now, uncertainty),
    };
  }

  /**
   * The error bound at local time `at` (servoErrorBound.ts): from the servo's own uncertainty where it
   * keeps one, else from the offsets. Undefined before the first Sync the servo used.
   */
  errorBoundAt(at: LocalTime): ErrorBound | undefined {
    return this.boundAt(at, this.servo.uncertainty());
  }

  /** errorBoundAt with the servo's uncertainty already read (report() reads it once for all it gives). */
  private boundAt(at: LocalTime, uncertainty: ServoUncertainty | undefined): ErrorBound | undefined {
    if (this.lastUsedLocal === undefined) return undefined;
    const offsetRmsNs = this.classifier.snapshot(at).offsetRmsNs;
    return servoErrorBound(
      {
        software: this.software,
        pathDelayNs: Math.max(this.lastPathDelayNs ?? 0, this.pathDelays.max() ?? 0),
        phaseChangeNs: this.phaseChanges.max() ?? 0,
        offsetRmsNs: offsetRmsNs ?? Math.abs(this.lastUsedOffsetNs),
        uncertainty,
        ageS: Number(at - this.lastUsedLocal) / 1e9,
      },
      this.errorBoundOptions,
    );
  }

  /** Sync lost after having been synchronized: the holdover estimate starts from the offset RMS. */
  private holdIfLost(events: readonly StatusEvent[], now: LocalTime): readonly StatusEvent[] {
    if (events.length > 0 && this.classifier.inHoldover()) this.holdoverStartErrorNs = this.classifier.snapshot(now).offsetRmsNs ?? 0;
    return events;
  }

  /**
   * An agreeing run of offsets the servo has not used yet, beyond the limit the offsets' RMS is held
   * to, that the grandmaster's own rate ratios show as a move of its time (or where they cannot
   * witness it; the offsets alone cannot tell it from the Syncs' path, 802.1AS-2020 8.3): the clock
   * is that far off the grandmaster now, and synchronized would say otherwise
   * for as long as the run is judged (2 s on software timestamps; lab, grandmaster-phase-step: 2.0–2.2
   * s per edge while 20 µs off). Judged as the offsets' RMS rule would judge its offsets had they
   * been used: a run 20 µs off leaves at its second offset, one 2.1 µs off only if it lasts most of
   * the RMS window. Not before a ratio has shown the move, up to unwitnessedRunLimitNs (10 µs by default): the Syncs' own path on veth
   * moves by 2–2.4 µs for a second or two (judged on the level alone, 7 of 210 recorded lab runs
   * without a step of the grandmaster's clock left synchronized for about a second; with the ratios'
   * word, none).
   */
  private judgedRunProblem(run: JudgedRun | undefined): string | undefined {
    if (run === undefined) return undefined;
    const levelNs = `${formatSigned(run.levelNs, 0)} ns from the servo's phase estimate`;
    // One offset is judged only when it reads early, which no late frame does (OutlierRun.judgeShortRun).
    const level = run.offsets === 1 ? `One offset ${levelNs}, early (no late frame reads so)` : `${run.offsets} offsets in a row agree ${levelNs}`;
    if (Math.abs(run.levelNs) > this.unwitnessedRunLimitNs)
      return `${level}, beyond ${this.unwitnessedRunLimitNs} ns: the clock may be that far off the grandmaster while the run is judged.`;
    if (run.ratiosSeeMove === false) return undefined;
    const limit = this.classifier.limitNs();
    const rms = this.classifier.offsetRmsWith(run.levelNs, run.offsets);
    if (rms <= limit) return undefined;
    const witness = run.ratiosSeeMove === true ? " and the grandmaster's rate ratios show its time moving" : '';
    return `${level}${witness}: with them the offset RMS would be ${rms.toFixed(0)} ns, beyond ${limit} ns, while the run is judged.`;
  }

  /**
   * Why the error bound cannot be vouched for now, for servos that keep an uncertainty: the servo
   * does not know its phase to within the status threshold, or so many recent offsets were outliers
   * that the learned noise model does not describe the link.
   *
   * How far the clock is from the master is the offsets' rule (syncStatus.ts, their RMS), not this
   * one's: the phase the servo is still steering out (θ̂) is in the bound, but judged here as well it
   * made an instant's estimate overrule the RMS window, and a believed change of a software Sync path
   * beyond ~1.3 µs (lab: 1.6–2.5 µs, a few times an hour) left synchronized for 1–1.5 s while the
   * bound, which keeps that change (recordPhaseChange), held.
   */
  private boundProblem(u: ServoUncertainty | undefined): string | undefined {
    if (u === undefined) return undefined;
    if (u.recentOutliers > u.recentWindow * MAX_OUTLIER_SHARE) {
      return `${u.recentOutliers} of the last ${u.recentWindow} offsets were outliers: the noise model does not hold, the error bound cannot be kept.`;
    }
    // The servo's phase known within the status threshold with 95 % confidence (the bound itself takes
    // 4 σ), with the offset RMS's hysteresis: the threshold to enter, exitFactor × it to stay.
    const phaseNs = STATUS_SIGMAS * u.phaseNs;
    const limit = this.classifier.limitNs();
    if (phaseNs > limit) return `Servo phase uncertainty ${phaseNs.toFixed(0)} ns (${STATUS_SIGMAS} σ) exceeds ${limit} ns.`;
    return undefined;
  }
}

/**
 * A run no rate ratio has witnessed yet leaves synchronized only beyond this, ns, at the default
 * threshold (scaled with a configured one: unwitnessedRunLimitNs): no latency of the Syncs' path on
 * veth agrees on one line so far off (late frames of 30–120 µs scatter), and issue 14 wants no
 * instant beyond 10 µs while synchronized.
 */
const UNWITNESSED_RUN_LIMIT_NS = 10_000;
/** σ of the servo's phase uncertainty that must fit within the status threshold. */
const STATUS_SIGMAS = 2;
/**
 * More outliers than this share of the recent window: the servo's noise model does not hold. The
 * learned noise is a median absolute deviation, which describes the link until half of the offsets are
 * something else (its breakdown point); software timestamps on a quiet veth have a narrow core and a
 * one-sided tail, and a quarter of them beyond the gate was seen in steady state (17 of 64 in one lab
 * run, 1.4 s `unstable` for nothing the clock did).
 */
const MAX_OUTLIER_SHARE = 0.5;
const NO_EVENTS: readonly StatusEvent[] = Object.freeze([]);
