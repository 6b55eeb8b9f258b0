/**
 * Synchronization status: synchronized / unstable / lost, with hysteresis, as a pure state machine.
 * All time comes from the arguments (local timestamp-clock readings); nothing reads a clock.
 *
 *  lost          no Sync yet; the port stopped being asCapable; the port lost its master; or the
 *                port engine's syncReceiptTimeout expired (802.1AS-2020 10.7.3.1). The classifier
 *                keeps no timer of its own: those are the engine's events, handed over by ClockSlave,
 *                so `lost` and master aging are one rule with one owner. A Sync whose offset the
 *                spike filter rejected still counts as received (the master is there; only that
 *                measurement is doubtful), so a phase jump that takes a few Syncs to be believed
 *                does not read as a loss of sync.
 *  unstable      Syncs arrive, but the servo is not in s2, the offset RMS is above the threshold, or
 *                the grandmaster or its time base just changed.
 *  synchronized  servo in s2 and the RMS of the last rmsWindow offsets below offsetRmsThresholdNs
 *                for enterSamples Syncs in a row. It is left only when the RMS exceeds
 *                exitFactor × the threshold (hysteresis), the servo leaves s2, or a grandmaster or
 *                time-base change happens.
 * The offsets judged are the clock's: what the servo reads as the Syncs' latency (the Kalman servo's
 * latency state, software timestamps) is taken out first, since the servo does not steer by it (no
 * slave can tell that latency from its clock, 802.1AS-2020 8.3; the servo models it, the status follows). When
 * the Syncs on one port came 2 µs later for 30 s (lab, session 29), the true error stayed within
 * 0.53–1.15 µs, but the raw offsets' RMS left synchronized for 24 s.
 * Every transition is an event with a reason in one sentence.
 */
import type { ClockIdentity } from '../protocol/messages.js';
import { formatClockIdentity } from '../protocol/format.js';
import { scaledNsToNs } from '../protocol/timestamp.js';
import { addNs, type LocalTime } from '../clock/timePoint.js';
import { ServoState } from './servoState.js';

export type SyncStatus = 'synchronized' | 'unstable' | 'lost';

export interface SyncStatusOptions {
  /** RMS offset below which the clock counts as synchronized, ns (synchronized_offset_rms). */
  readonly offsetRmsThresholdNs?: number;
  /** Leave synchronized only above exitFactor × the threshold. */
  readonly exitFactor?: number;
  /** Good Syncs in a row needed to enter synchronized. */
  readonly enterSamples?: number;
  /** Offsets in the RMS window. */
  readonly rmsWindow?: number;
}

/** The rule's numbers unless configured; the option's description quotes them from here. */
export const SYNC_STATUS_DEFAULTS: Readonly<Required<SyncStatusOptions>> = Object.freeze({
  offsetRmsThresholdNs: 1000,
  exitFactor: 2,
  enterSamples: 8,
  rmsWindow: 16,
});

/** What the classifier is told about each accepted Sync. */
export interface SyncObservation {
  /** Ingress timestamp of the Sync. */
  readonly local: LocalTime;
  readonly offsetNs: number;
  /** The part of offsetNs the servo reads as the Syncs' latency, not its clock's phase, ns (ServoUncertainty.latencyEstimateNs). */
  readonly latencyEstimateNs?: number;
  readonly servoState: ServoState;
  readonly logSyncInterval: number;
  readonly grandmasterIdentity: ClockIdentity | undefined;
  readonly gmTimeBaseIndicator: number;
  readonly lastGmPhaseChange: bigint;
  /** Why the servo cannot vouch for its error bound now (synchronized is then neither entered nor kept). */
  readonly unstableReason?: string;
}

/** The port engine's syncReceiptTimeout (its event), as the classifier needs it for the reason. */
export interface SyncReceiptTimeout {
  readonly at: LocalTime;
  readonly syncReceiptTimeout: number;
  readonly logSyncInterval: number;
}

export interface StatusEvent {
  readonly from: SyncStatus;
  readonly to: SyncStatus;
  /** One sentence, for logs. */
  readonly reason: string;
  readonly atLocal: LocalTime;
}

export interface StatusSnapshot {
  readonly status: SyncStatus;
  /** Last offset, ns (undefined before the first Sync). */
  readonly lastOffsetNs: number | undefined;
  /** Last offset less the Syncs' latency the servo read in it: the clock's, as the status judges it, ns. */
  readonly lastClockOffsetNs: number | undefined;
  /** RMS of the last rmsWindow offsets since the last disruption, each net of the Syncs' latency, ns. */
  readonly offsetRmsNs: number | undefined;
  /** Seconds since the last Sync received (undefined before the first). */
  readonly sinceLastSyncS: number | undefined;
  /** Seconds spent lost after having been synchronized (holdover), 0 when not lost. */
  readonly holdoverS: number;
}

export class SyncStatusClassifier {
  private readonly thresholdNs: number;
  private readonly exitFactor: number;
  private readonly enterSamples: number;
  private readonly rmsWindow: number;

  private current: SyncStatus = 'lost';
  /** The last rmsWindow offsets, a ring: `offsetCount` of them end before `offsetNext`. */
  private readonly offsets: Float64Array;
  private offsetNext = 0;
  private offsetCount = 0;
  /** Transitions of the call in progress; an array is made only when there is one. */
  private events: StatusEvent[] | undefined;
  private goodInARow = 0;
  private lastSync: LocalTime | undefined;
  private lastOffset: number | undefined;
  private lastClockOffset: number | undefined;
  private grandmaster: ClockIdentity | undefined;
  /** gmTimeBaseIndicator and lastGmPhaseChange of the last Sync (undefined indicator before the first). */
  private timeBaseIndicator: number | undefined;
  private timeBasePhaseChange = 0n;
  private everSynchronized = false;
  /** Whether the last Sync came from another grandmaster or time base than the one before. */
  private lastSyncDisrupted = false;
  private lostSince: LocalTime | undefined;

  constructor(options: SyncStatusOptions = {}) {
    const d = SYNC_STATUS_DEFAULTS;
    this.thresholdNs = options.offsetRmsThresholdNs ?? d.offsetRmsThresholdNs;
    this.exitFactor = options.exitFactor ?? d.exitFactor;
    this.enterSamples = options.enterSamples ?? d.enterSamples;
    this.rmsWindow = options.rmsWindow ?? d.rmsWindow;
    if (!(this.thresholdNs > 0)) throw new RangeError(`offsetRmsThresholdNs must be > 0 ns`);
    if (!(this.exitFactor >= 1)) throw new RangeError(`exitFactor must be ≥ 1`);
    if (!(Number.isInteger(this.enterSamples) && this.enterSamples >= 1)) throw new RangeError(`enterSamples must be an integer ≥ 1`);
    if (!(Number.isInteger(this.rmsWindow) && this.rmsWindow >= 1)) throw new RangeError(`rmsWindow must be an integer ≥ 1`);
    this.offsets = new Float64Array(this.rmsWindow);
  }

  status(): SyncStatus {
    return this.current;
  }

  onSync(o: SyncObservation): readonly StatusEvent[] {
    const disruption = this.disruption(o);
    this.lastSyncDisrupted = disruption !== undefined;
    this.lastSync = o.local;
    this.lastOffset = o.offsetNs;
    this.lastClockOffset = o.offsetNs - (o.latencyEstimateNs ?? 0);
    if (disruption !== undefined) this.restartWindow();
    this.pushOffset(this.lastClockOffset);
    const rms = this.rms() as number;

    if (this.current === 'lost') {
      this.move('unstable', disruption ?? 'Sync messages are received again.', o.local);
    } else if (this.current === 'synchronized') {
      const why = disruption ?? o.unstableReason ?? this.exitReason(o.servoState, rms);
      if (why !== undefined) this.move('unstable', why, o.local);
    }
    const good = o.servoState === ServoState.locked && rms < this.thresholdNs && o.unstableReason === undefined;
    this.goodInARow = good ? this.goodInARow + 1 : 0;
    if (this.current === 'unstable' && this.goodInARow >= this.enterSamples) {
      const reason = `Servo locked (s2) with offset RMS ${rms.toFixed(0)} ns below ${this.thresholdNs} ns for ${this.goodInARow} Syncs.`;
      this.move('synchronized', reason, o.local);
    }
    return this.takeEvents();
  }

  /**
   * The limit, ns, a measure of the offsets must stay below in the current status: the threshold to
   * enter synchronized, exitFactor × it to stay there (hysteresis). TimeBaseStatus holds the servo's
   * phase uncertainty to the same limit.
   */
  limitNs(): number {
    return this.current === 'synchronized' ? this.thresholdNs * this.exitFactor : this.thresholdNs;
  }

  /** The offsets' RMS below which synchronized is entered, ns (synchronized_offset_rms). */
  get offsetRmsThresholdNs(): number {
    return this.thresholdNs;
  }

  /** Whether the last Sync given to onSync came from another grandmaster or time base than the one before. */
  changedTimeBase(): boolean {
    return this.lastSyncDisrupted;
  }

  /**
   * A Sync arrived but its offset was not used (spike, outlier): the master is there. With a reason
   * (the offsets not used may be the grandmaster's time moving: TimeBaseStatus), synchronized is
   * left, and not entered again until enterSamples good Syncs follow.
   */
  onSyncReceived(local: LocalTime, unstableReason?: string): readonly StatusEvent[] {
    this.lastSync = local;
    if (unstableReason === undefined) return NO_EVENTS;
    this.goodInARow = 0;
    if (this.current === 'synchronized') this.move('unstable', unstableReason, local);
    return this.takeEvents();
  }

  /** The port engine's syncReceiptTimeout expired (802.1AS-2020 10.7.3.1): Sync is lost. */
  onSyncReceiptTimeout(e: SyncReceiptTimeout): readonly StatusEvent[] {
    const since = this.lastSync === undefined ? '' : ` for ${(Number(e.at - this.lastSync) / 1e9).toFixed(3)} s`;
    this.move('lost', `No Sync${since} (syncReceiptTimeout ${e.syncReceiptTimeout} × ${formatSeconds(2 ** e.logSyncInterval)}).`, e.at);
    return this.takeEvents();
  }

  /** The slave port stopped being asCapable (802.1AS-2020 10.2.4: it takes no part in synchronization). */
  onNotAsCapable(at: LocalTime): readonly StatusEvent[] {
    this.move('lost', 'asCapable is false on the slave port.', at);
    return this.takeEvents();
  }

  /** The port has no master any more (aged, not grandmaster-capable): `reason` says why. */
  onMasterLost(at: LocalTime, reason: string): readonly StatusEvent[] {
    this.move('lost', `No master: ${reason}.`, at);
    return this.takeEvents();
  }

  snapshot(now: LocalTime): StatusSnapshot {
    const sinceLastSyncS = this.lastSync === undefined ? undefined : Number(now - this.lastSync) / 1e9;
    const holdoverS = this.current === 'lost' && this.lostSince !== undefined ? Number(now - this.lostSince) / 1e9 : 0;
    return {
      status: this.current,
      lastOffsetNs: this.lastOffset,
      lastClockOffsetNs: this.lastClockOffset,
      offsetRmsNs: this.rms(),
      sinceLastSyncS,
      holdoverS,
    };
  }

  /** True while lost after having been synchronized at least once. */
  inHoldover(): boolean {
    return this.current === 'lost' && this.lostSince !== undefined;
  }

  /** In holdover, and no Sync received since it began (the servo may leave the first ones back out). */
  awaitingSync(): boolean {
    return this.lostSince !== undefined && this.current === 'lost' && (this.lastSync === undefined || this.lastSync <= this.lostSince);
  }

  /** Stored local times move with a PHC step. */
  shiftLocalTime(deltaNs: number): void {
    if (this.lastSync !== undefined) this.lastSync = addNs(this.lastSync, deltaNs);
    if (this.lostSince !== undefined) this.lostSince = addNs(this.lostSince, deltaNs);
  }

  /** Forget the offset history (the servo stepped the clock: old offsets say nothing any more). */
  restartWindow(): void {
    this.offsetCount = 0;
    this.goodInARow = 0;
  }

  private pushOffset(offsetNs: number): void {
    this.offsets[this.offsetNext] = offsetNs;
    this.offsetNext = (this.offsetNext + 1) % this.rmsWindow;
    if (this.offsetCount < this.rmsWindow) this.offsetCount += 1;
  }

  /**
   * The offset RMS had the next `count` offsets been `offsetNs` each (offsets not used, which a run
   * still being judged may turn out to be): the window's oldest entries give way to them.
   */
  offsetRmsWith(offsetNs: number, count: number): number {
    const added = Math.min(count, this.rmsWindow);
    const kept = Math.min(this.offsetCount, this.rmsWindow - added);
    const n = kept + added;
    return n === 0 ? 0 : Math.sqrt((this.sumOfSquares(kept) + added * offsetNs * offsetNs) / n);
  }

  private rms(): number | undefined {
    const n = this.offsetCount;
    return n === 0 ? undefined : Math.sqrt(this.sumOfSquares(n) / n);
  }

  /** Σ x² over the newest n offsets of the window. */
  private sumOfSquares(n: number): number {
    let sum = 0;
    // The last n entries before offsetNext, wrapping: their order does not matter to a sum.
    for (let i = 0, at = this.offsetNext; i < n; i++) {
      at = at === 0 ? this.rmsWindow - 1 : at - 1;
      const v = this.offsets[at] as number;
      sum += v * v;
    }
    return sum;
  }

  private exitReason(state: ServoState, rms: number): string | undefined {
    if (state !== ServoState.locked) return `Servo left s2 (now ${state}).`;
    const limit = this.limitNs();
    if (rms > limit) return `Offset RMS ${rms.toFixed(0)} ns exceeds ${limit} ns.`;
    return undefined;
  }

  /** A grandmaster or time-base change, described; updates what is remembered. */
  private disruption(o: SyncObservation): string | undefined {
    let why: string | undefined;
    if (this.lastSync !== undefined && o.grandmasterIdentity !== this.grandmaster) {
      why = `Grandmaster changed from ${formatIdentityOrNone(this.grandmaster)} to ${formatIdentityOrNone(o.grandmasterIdentity)}.`;
    } else if (this.timeBaseIndicator !== undefined && (o.gmTimeBaseIndicator !== this.timeBaseIndicator || o.lastGmPhaseChange !== this.timeBasePhaseChange)) {
      const phaseNs = scaledNsToNs(o.lastGmPhaseChange);
      why = `Grandmaster time base changed (gmTimeBaseIndicator ${this.timeBaseIndicator} → ${o.gmTimeBaseIndicator}, lastGmPhaseChange ${phaseNs} ns).`;
    }
    this.grandmaster = o.grandmasterIdentity;
    this.timeBaseIndicator = o.gmTimeBaseIndicator;
    this.timeBasePhaseChange = o.lastGmPhaseChange;
    return why;
  }

  private takeEvents(): readonly StatusEvent[] {
    const events = this.events ?? NO_EVENTS;
    this.events = undefined;
    return events;
  }

  private move(to: SyncStatus, reason: string, at: LocalTime): void {
    if (to === this.current) return;
    const from = this.current;
    this.current = to;
    if (to === 'synchronized') this.everSynchronized = true;
    if (to === 'lost') this.lostSince = this.everSynchronized ? at : undefined;
    else this.lostSince = undefined;
    if (to !== 'synchronized') this.goodInARow = 0;
    (this.events ??= []).push({ from, to, reason, atLocal: at });
  }
}

const NO_EVENTS: readonly StatusEvent[] = Object.freeze([]);

function formatSeconds(s: number): string {
  return s >= 1 ? `${s} s` : `${s * 1000} ms`;
}

function formatIdentityOrNone(id: ClockIdentity | undefined): string {
  return id === undefined ? 'none' : formatClockIdentity(id);
}
