/**
 * The peer-delay initiator (802.1AS-2020 11.2.19, MDPdelayReq state machine): matches each
 * Pdelay_Req with its Pdelay_Resp and Pdelay_Resp_Follow_Up, computes neighborRateRatio
 * (11.2.19.3.3 computePdelayRateRatio) and the propagation delay (11.2.19.3.4 computePropTime),
 * and decides asCapable (11.2.2) with a reason a person can act on.
 *
 * Times of this station are LocalTime; the responder's timestamps (t2, t3) are in the responder's
 * time base and kept as scaled ns (ns × 2^16) bigints so that correctionField fractions survive.
 */
import type { LocalTime } from '../clock/timePoint.js';
import type { PdelayRespFollowUpMessage, PdelayRespMessage, PortIdentity } from './messages.js';
import { formatDelayNs, formatPortIdentity } from './format.js';
import type { PortConfig, TimestampingMode } from './portConfig.js';
import { portIdentityEquals } from './portIdentity.js';
import type { RejectionReason } from './rejection.js';
import { SCALED_NS_PER_NS, scaledNsToNs, timestampToNs } from './timestamp.js';
import { DEFAULT_LINK_DELAY_FILTER_LENGTH, PropagationDelayFilter, witnessHistory, type PropagationDelayHold } from './propagationDelayFilter.js';
import { SyncPathWitness } from './syncPathWitness.js';
import type { SyncReceipt } from './syncReceipt.js';
import { MAD_TO_SIGMA } from './windowedMedian.js';
import {
  canJudgeAnswer,
  isLateAnswer,
  isLateStart,
  NeighborRateRatioWindow,
  type LateRateStart,
  type PropTimeWindow,
  type RateRatioEnd,
} from './neighborRateRatioWindow.js';

/**
 * Several responders to one Pdelay_Req mean the link is not point-to-point (802.1AS-2020 11.2.19 clears
 * asCapable). After 3 successive such exchanges the port stops sending Pdelay_Req for 5 minutes, as
 * linuxptp and OpenAvnu do.
 */
const MULTIPLE_RESPONSE_LIMIT = 3;
export const MULTIPLE_RESPONSE_PAUSE_NS = 300_000_000_000n;

/** One Pdelay_Req and what came back for it. */
interface Exchange {
  readonly sequenceId: number;
  t1: LocalTime | undefined;
  t4: LocalTime | undefined;
  responder: PortIdentity | undefined;
  /** requestReceiptTimestamp in scaled ns (ns × 2^16), responder time base. */
  t2Scaled: bigint | undefined;
  respCorrection: bigint;
  t3Scaled: bigint | undefined;
  fuCorrection: bigint;
  /** A one-step Pdelay_Resp with requestReceiptTimestamp 0 (1588-2019 11.4.2 c): only the turnaround, no responder time. */
  turnaroundOnly: boolean;
  responses: number;
  done: boolean;
}

/** A completed exchange's figures (ns), for logs, replay output and tests. */
export interface PdelayMeasurement {
  readonly sequenceId: number;
  readonly responder: PortIdentity;
  /** This exchange's propagation delay in the responder's time base, before filtering. */
  readonly propTime: number;
  /** The filtered meanLinkDelay after this exchange. */
  readonly meanLinkDelay: number;
  /** Present while meanLinkDelay holds its last value against a jump of the median (propagationDelayFilter.ts). */
  readonly meanLinkDelayHold?: PropagationDelayHold;
  readonly neighborRateRatio: number;
  readonly neighborRateRatioValid: boolean;
  /** Its answer came late (neighborRateRatioWindow.ts): it is no end of any neighborRateRatio. */
  readonly lateAnswer: boolean;
  /** Present when this exchange let the window judge earlier ends it had taken unjudged, and some came late. */
  readonly lateRateStart?: LateRateStart;
  /**
   * Present when the neighbour's time moved against this station's since the previous end by this
   * much, ns (neighborRateRatioWindow.ts, TIMESCALE_JUMP_FLOOR_NS): the ratio starts again from this exchange.
   */
  readonly neighborTimeJumpNs?: number;
  /** Egress of our Pdelay_Req and ingress of the Pdelay_Resp (local timestamps). */
  readonly t1: LocalTime;
  readonly t4: LocalTime;
  /** The responder's t3 − t2 plus both correctionFields, ns (its time base). */
  readonly turnaround: number;
  /**
   * The responder's t3 plus both correctionFields, scaled ns (2^-16 ns) of its time base: with t4,
   * the ends a neighborRateRatio is measured between (802.1AS-2020 11.2.19.3.3).
   */
  readonly t3Scaled: bigint;
}

export type PdelayOutcome =
  | { readonly kind: 'pending' }
  | { readonly kind: 'rejected'; readonly reason: RejectionReason; readonly sequenceId?: number }
  | { readonly kind: 'measured'; readonly measurement: PdelayMeasurement };

/** Why asCapable is what it is, as a stable key (the reason sentence carries the measured values). */
export type AsCapableCause =
  | 'noExchange'
  | 'rateRatioPending'
  | 'delayAboveThreshold'
  | 'delayBelowMinimum'
  | 'lostResponses'
  | 'multipleResponders'
  | 'loopback'
  | 'measured'
  | 'configured';

export interface AsCapableState {
  readonly asCapable: boolean;
  readonly cause: AsCapableCause;
  readonly reason: string;
}

/**
 * The sentence is built when someone reads it: it names measured values, and a state is made on every
 * Pdelay exchange while its reason is read only when the state changes or a person asks.
 */
class LazyAsCapableState implements AsCapableState {
  private text: string | undefined;

  constructor(
    readonly asCapable: boolean,
    readonly cause: AsCapableCause,
    private readonly describe: string | (() => string),
  ) {}

  get reason(): string {
    if (this.text === undefined) this.text = typeof this.describe === 'string' ? this.describe : this.describe();
    return this.text;
  }
}

const PENDING: PdelayOutcome = { kind: 'pending' };

export class PeerDelayInitiator {
  private current: Exchange | undefined;
  /** Exchanges completed into a measurement (802.1AS-2020 11.2.19.3), whatever the responder. */
  private completed = 0;
  /** Of them, those whose answer came late: no end of any neighborRateRatio (neighborRateRatioWindow.ts). */
  private late = 0;
  /** The exchanges with the same responder that the ratio is measured over. */
  private readonly rateWindow: NeighborRateRatioWindow;
  private readonly delayFilter: PropagationDelayFilter;
  /** The Syncs crossing this link, by which a jump of the link delay is judged. */
  private readonly syncPath: SyncPathWitness;
  private neighbor: PortIdentity | undefined;
  private lostResponses = 0;
  private faults = 0;
  private multipleResponseStreak = 0;
  /** The neighbour answers one-step without a timestamp: neighborRateRatio cannot be measured and is taken as 1. */
  private rateRatioUnmeasurable = false;

  meanLinkDelay: number | undefined;
  neighborRateRatio = 1;
  neighborRateRatioValid = false;
  /**
   * 1 σ of neighborRateRatio (dimensionless; the ratio of 802.1AS-2020 11.2.19.3.3), undefined until
   * two exchanges span it: the timestamps'
   * jitter, as the spread of the exchanges' propTime shows it, at both ends of the ratio's span. A
   * software-timestamped relay jitters by ±35 µs, and a ratio from two exchanges 1 s apart was 34 ppm
   * off (lab); the servo weighs the feed-forward by it.
   */
  neighborRateRatioSigma: number | undefined;
  /**
   * 1 σ of the exchanges' propTime (802.1AS-2020 11.2.19.3.4) around their median (MAD × 1.4826), ns:
   * about one timestamp's jitter on this link. Undefined before two exchanges.
   */
  propTimeSigmaNs: number | undefined;
  /**
   * The local time the current neighborRateRatio spans, s: from the first to the last Pdelay_Resp of
   * its window (802.1AS-2020 11.2.19.3.3), undefined until two exchanges span it. A step of the
   * neighbor's time moves every ratio whose span holds it, for one span; a frequency change stays.
   */
  get neighborRateRatioSpanS(): number | undefined {
    return this.neighborRateRatioValid && this.rateSpanNs > 0 ? this.rateSpanNs / 1e9 : undefined;
  }
  /** Local span of the exchanges the current neighborRateRatio was measured over, ns. */
  private rateSpanNs = 0;
  private capable: AsCapableState = new LazyAsCapableState(false, 'noExchange', 'no peer delay exchange completed yet');

  constructor(
    private readonly config: PortConfig,
    private readonly ownPort: PortIdentity,
    timestamping: TimestampingMode = 'hardware',
  ) {
    this.rateWindow = new NeighborRateRatioWindow(config.neighborRateRatioWindow);
    const length = config.linkDelayFilterLength ?? DEFAULT_LINK_DELAY_FILTER_LENGTH[timestamping];
    this.syncPath = new SyncPathWitness(witnessHistory(length));
    this.delayFilter = new PropagationDelayFilter({ length, witness: this.syncPath });
    if (config.asCapableAlways) this.capable = new LazyAsCapableState(true, 'configured', 'asCapable is configured true (asCapableAlways)');
  }

  get asCapable(): AsCapableState {
    return this.capable;
  }

  /** A Sync accepted on this port: its reading of the path witnesses the link delay. */
  witnessSync(receipt: SyncReceipt): void {
    this.syncPath.sync(receipt);
  }

  /** Exchanges completed into a measurement so far. */
  get completedExchanges(): number {
    return this.completed;
  }

  /** Of the completed exchanges, those whose answer came late. */
  get lateAnswers(): number {
    return this.late;
  }

  get neighborPortIdentity(): PortIdentity | undefined {
    return this.neighbor;
  }

  /**
   * A new Pdelay_Req goes out. An exchange still incomplete when the next request is due counts as a
   * lost response (802.1AS-2020 11.2.19, MDPdelayReq: lostResponses increments when the next request
   * is due before the exchange completed).
   */
  beginRequest(sequenceId: number): void {
    const previous = this.current;
    if (previous !== undefined && !previous.done) this.onLostResponse(previous);
    this.current = {
      sequenceId,
      t1: undefined,
      t4: undefined,
      responder: undefined,
      t2Scaled: undefined,
      respCorrection: 0n,
      t3Scaled: undefined,
      fuCorrection: 0n,
      turnaroundOnly: false,
      responses: 0,
      done: false,
    };
  }

  /** The egress timestamp t1 of our Pdelay_Req (from the TX timestamp, or the capture in replay). */
  requestTimestamp(sequenceId: number, t1: LocalTime): PdelayOutcome {
    const ex = this.current;
    if (ex === undefined || ex.sequenceId !== sequenceId) return PENDING;
    ex.t1 = t1;
    return this.tryComplete(ex);
  }

  /** No TX timestamp came for our request: the exchange cannot be computed. */
  requestTimestampMissing(sequenceId: number): void {
    const ex = this.current;
    if (ex !== undefined && ex.sequenceId === sequenceId && !ex.done) {
      ex.done = true;
      this.onLostResponse(ex);
    }
  }

  onPdelayResp(msg: PdelayRespMessage, t4: LocalTime): PdelayOutcome {
    const ex = this.current;
    if (!portIdentityEquals(msg.requestingPortIdentity, this.ownPort)) return { kind: 'rejected', reason: 'pdelayRespNotForUs' };
    if (ex === undefined || ex.sequenceId !== msg.header.sequenceId) return { kind: 'rejected', reason: 'pdelayRespUnknownRequest' };
    ex.responses += 1;
    if (ex.responses > 1) return this.onMultipleResponses(ex, msg.header.sourcePortIdentity);
    ex.responder = msg.header.sourcePortIdentity;
    ex.t4 = t4;
    ex.t2Scaled = timestampToNs(msg.requestReceiptTimestamp) * SCALED_NS_PER_NS;
    ex.respCorrection = msg.header.correctionField;
    // 802.1AS-2020 11.4.2.4: the twoStepFlag of Pdelay_Resp says whether a Follow_Up comes; a one-step
    // responder's NIC adds the turnaround t3 − t2 to correctionField and no follow-up comes. Then
    // requestReceiptTimestamp + correctionField is the correctedResponderEventTimestamp t3 (11.2.19.3.3)
    // when the responder wrote t2 (Syntonic does); a 1588 one-step responder writes 0 (1588-2019
    // 11.4.2 c), and only the turnaround is known.
    const twoStep = (msg.header.flags & 0x0200) !== 0;
    if (!twoStep) {
      ex.t3Scaled = ex.t2Scaled;
      ex.turnaroundOnly = ex.t2Scaled === 0n;
    }
    return this.tryComplete(ex);
  }

  onPdelayRespFollowUp(msg: PdelayRespFollowUpMessage): PdelayOutcome {
    const ex = this.current;
    if (!portIdentityEquals(msg.requestingPortIdentity, this.ownPort)) return { kind: 'rejected', reason: 'pdelayRespNotForUs' };
    if (ex === undefined || ex.sequenceId !== msg.header.sequenceId) return { kind: 'rejected', reason: 'pdelayRespUnknownRequest' };
    if (ex.responder === undefined) return { kind: 'rejected', reason: 'pdelayRespUnknownRequest' };
    if (!portIdentityEquals(ex.responder, msg.header.sourcePortIdentity)) return { kind: 'rejected', reason: 'pdelayRespFollowUpMismatch' };
    if (ex.t3Scaled !== undefined) return { kind: 'rejected', reason: 'duplicateSequence' };
    ex.t3Scaled = timestampToNs(msg.responseOriginTimestamp) * SCALED_NS_PER_NS;
    ex.fuCorrection = msg.header.correctionField;
    return this.tryComplete(ex);
  }

  private tryComplete(ex: Exchange): PdelayOutcome {
    if (ex.done || ex.t1 === undefined || ex.t4 === undefined || ex.t2Scaled === undefined || ex.t3Scaled === undefined || ex.responder === undefined) {
      return PENDING;
    }
    ex.done = true;
    const measurement = this.compute(ex, ex.t1, ex.t4, ex.t2Scaled, ex.t3Scaled, ex.responder);
    if (measurement === undefined) return { kind: 'rejected', reason: 'badTimestamp', sequenceId: ex.sequenceId };
    this.completed += 1;
    if (measurement.lateAnswer) this.late += 1;
    return { kind: 'measured', measurement };
  }

  private compute(ex: Exchange, t1: LocalTime, t4: LocalTime, t2: bigint, t3: bigint, responder: PortIdentity): PdelayMeasurement | undefined {
    // 1588-2019 11.4.2 / 802.1AS-2020 11.2.19.3.4: the responder's turnaround is
    // t3 − t2 plus both correctionFields (two-step) or the Pdelay_Resp correctionField alone (one-step).
    const t3c = t3 + ex.respCorrection + ex.fuCorrection;
    const turnaround = scaledNsToNs(t3c - t2);
    const localRoundTrip = Number(t4 - t1);
    if (localRoundTrip < 0 || turnaround < 0) return undefined;

    this.lostResponses = 0;
    this.multipleResponseStreak = 0;
    this.updateNeighbor(responder);
    this.rateRatioUnmeasurable = ex.turnaroundOnly;
    // meanLinkDelay is expressed in the responder's time base: the local interval is scaled by r.
    const propTimeAt = (r: number): number => (localRoundTrip * r - turnaround) / 2;
    // Judged with the ratio before this exchange: r − 1 < 1e-3 moves propTime by < 0.1 % of the round trip.
    const judgedAs = this.propTimeWindow();
    const propTimeBefore = propTimeAt(this.neighborRateRatio);
    const answeredLate = isLateAnswer(propTimeBefore, judgedAs);
    const isEnd = !ex.turnaroundOnly && !answeredLate;
    // A move of either time between two ends is no rate (neighborRateRatioWindow.ts, TIMESCALE_JUMP_FLOOR_NS):
    // the ratio starts again from this end, the last one kept meanwhile.
    const neighborTimeJumpNs = isEnd ? this.rateWindow.timescaleJumpNs(t3c, t4) : undefined;
    if (neighborTimeJumpNs !== undefined) this.rateWindow.clear();
    if (isEnd) this.updateRateRatio(t3c, t4, { propTimeNs: propTimeBefore, judged: canJudgeAnswer(judgedAs) });
    const propTime = propTimeAt(this.neighborRateRatio);
    this.syncPath.closeExchange();
    this.meanLinkDelay = this.delayFilter.push(propTime);
    this.propTimeSigmaNs = this.delayFilter.size >= 2 ? MAD_TO_SIGMA * this.delayFilter.spreadNs : undefined;
    const lateRateStart = this.dropLateRateStart();
    this.neighborRateRatioSigma = this.rateRatioSigma();
    const hold = this.delayFilter.hold;
    this.evaluateAsCapable(responder);
    return {
      sequenceId: ex.sequenceId,
      responder,
      propTime,
      meanLinkDelay: this.meanLinkDelay,
      ...(hold === undefined ? {} : { meanLinkDelayHold: hold }),
      neighborRateRatio: this.neighborRateRatio,
      neighborRateRatioValid: this.neighborRateRatioValid,
      lateAnswer: answeredLate,
      ...(lateRateStart === undefined ? {} : { lateRateStart }),
      ...(neighborTimeJumpNs === undefined ? {} : { neighborTimeJumpNs }),
      t1,
      t4,
      turnaround,
      t3Scaled: t3c,
    };
  }

  private updateNeighbor(responder: PortIdentity): void {
    if (this.neighbor !== undefined && portIdentityEquals(this.neighbor, responder)) return;
    // A new neighbour: ratios and delays measured against the old one mean nothing now.
    this.neighbor = responder;
    this.rateWindow.clear();
    this.delayFilter.clear();
    this.syncPath.clear();
    this.neighborRateRatio = 1;
    this.neighborRateRatioValid = false;
    this.neighborRateRatioSigma = undefined;
    this.propTimeSigmaNs = undefined;
  }

  /**
   * Each propTime is half of two intervals of two timestamps each, so its jitter is about one
   * timestamp's (σt); the ratio's two ends carry 2 σt over its span. Undefined before a span exists.
   */
  private rateRatioSigma(): number | undefined {
    if (!this.neighborRateRatioValid || !(this.rateSpanNs > 0) || this.propTimeSigmaNs === undefined) return undefined;
    return (2 * this.propTimeSigmaNs) / this.rateSpanNs;
  }

  /** 802.1AS-2020 11.2.19.3.3, over the window of exchanges (neighborRateRatioWindow.ts); a broken pair keeps the last ratio. */
  private updateRateRatio(t3c: bigint, t4: LocalTime, end: RateRatioEnd): void {
    const measured = this.rateWindow.push(t3c, t4, end);
    if (measured === undefined) return;
    this.neighborRateRatio = measured.ratio;
    this.neighborRateRatioValid = true;
    this.rateSpanNs = measured.spanNs;
  }

  /**
   * The ratio's oldest ends that joined before the window could judge them, judged now that it holds
   * them and later exchanges (neighborRateRatioWindow.ts, LATE_START_MIN_EXCHANGES): a late one leaves,
   * and the ratio is measured over the ends left, or is unmeasured again when one end is left. What
   * left, for the measurement; undefined when nothing did.
   */
  private dropLateRateStart(): LateRateStart | undefined {
    const window = this.propTimeWindow();
    const { droppedPropTimesNs, measured } = this.rateWindow.dropLateStart((propTimeNs) => isLateStart(propTimeNs, window));
    if (droppedPropTimesNs.length === 0) return undefined;
    this.neighborRateRatio = measured?.ratio ?? 1;
    this.neighborRateRatioValid = measured !== undefined;
    this.rateSpanNs = measured?.spanNs ?? 0;
    return { propTimesNs: droppedPropTimesNs, medianNs: window.medianNs, exchanges: window.size };
  }

  /** The propTime window lateness is judged by (neighborRateRatioWindow.ts): its median, and the σ the last exchange left (propTimeSigmaNs). */
  private propTimeWindow(): PropTimeWindow {
    const f = this.delayFilter;
    return { size: f.size, medianNs: f.windowMedianNs, sigmaNs: this.propTimeSigmaNs ?? NaN };
  }

  /** 802.1AS-2020 11.2.2 and 11.5.4: the conditions for asCapable on a full-duplex point-to-point link. */
  private evaluateAsCapable(responder: PortIdentity): void {
    if (this.config.asCapableAlways) return;
    const delay = this.meanLinkDelay ?? 0;
    if (responder.clockIdentity === this.ownPort.clockIdentity) {
      this.setCapable(false, 'loopback', `Pdelay_Resp comes from this station's own clock ${formatPortIdentity(responder)}: the port is looped back`);
      return;
    }
    const fault = this.delayFault(delay);
    if (fault !== undefined) {
      // 802.1AS-2020 11.5.4 allowedFaults: a capable link survives a few bad measurements.
      this.faults += 1;
      if (!this.capable.asCapable || this.faults > this.config.allowedFaults) this.setCapable(false, fault.cause, fault.reason);
      return;
    }
    this.faults = 0;
    if (this.rateRatioUnmeasurable) {
      // No responder time on the wire: the ratio cannot be measured; 1 costs |r − 1| × turnaround in
      // meanLinkDelay (< 2 ns for 10 µs at 200 ppm), and the servo's integral takes up the rest.
      this.setCapable(
        true,
        'measured',
        () =>
          `peer ${formatPortIdentity(responder)} answers one-step without a timestamp (neighborRateRatio taken as 1), meanLinkDelay ${formatDelayNs(delay)}`,
      );
      return;
    }
    if (!this.neighborRateRatioValid) {
      this.setCapable(false, 'rateRatioPending', 'neighborRateRatio not yet measured (needs two Pdelay exchanges)');
      return;
    }
    this.setCapable(true, 'measured', () => `peer ${formatPortIdentity(responder)} answers, meanLinkDelay ${formatDelayNs(delay)}`);
  }

  private delayFault(delay: number): { cause: AsCapableCause; reason: () => string } | undefined {
    const c = this.config;
    if (delay > c.neighborPropDelayThresh) {
      return {
        cause: 'delayAboveThreshold',
        reason: () =>
          `meanLinkDelay ${formatDelayNs(delay)} exceeds neighborPropDelayThresh ${formatDelayNs(c.neighborPropDelayThresh)}; ` +
          'with software timestamps raise neighborPropDelayThresh (e.g. 10000000)',
      };
    }
    if (delay < c.minNeighborPropDelay) {
      return {
        cause: 'delayBelowMinimum',
        reason: () =>
          `meanLinkDelay ${formatDelayNs(delay)} is below min_neighbor_prop_delay ${formatDelayNs(c.minNeighborPropDelay)}: timestamps are inconsistent`,
      };
    }
    return undefined;
  }

  private onLostResponse(ex: Exchange): void {
    this.lostResponses += 1;
    if (this.config.asCapableAlways) return;
    if (this.lostResponses > this.config.allowedLostResponses) {
      const what = ex.t1 === undefined && ex.t4 !== undefined ? 'no TX timestamp for our Pdelay_Req' : 'no complete Pdelay_Resp/Pdelay_Resp_Follow_Up';
      this.setCapable(
        false,
        'lostResponses',
        `${what} for ${this.lostResponses} consecutive Pdelay_Req (allowedLostResponses ${this.config.allowedLostResponses}); is a gPTP peer running on the link?`,
      );
      this.neighborRateRatioValid = false;
      this.neighborRateRatioSigma = undefined;
      this.rateWindow.clear();
    }
  }

  private onMultipleResponses(ex: Exchange, second: PortIdentity): PdelayOutcome {
    ex.done = true;
    if (ex.responses === 2) this.multipleResponseStreak += 1;
    const first = ex.responder === undefined ? 'another port' : formatPortIdentity(ex.responder);
    if (!this.config.asCapableAlways) {
      this.setCapable(
        false,
        'multipleResponders',
        `several ports answered Pdelay_Req ${ex.sequenceId} (${first} and ${formatPortIdentity(second)}): the link is not point-to-point (a plain bridge or hub?)`,
      );
    }
    return { kind: 'rejected', reason: 'pdelayMultipleResponses' };
  }

  /** True when the multiple-response rule says: stop sending Pdelay_Req for a while. */
  shouldPause(): boolean {
    return this.multipleResponseStreak >= MULTIPLE_RESPONSE_LIMIT;
  }

  resetPause(): void {
    this.multipleResponseStreak = 0;
  }

  private setCapable(asCapable: boolean, cause: AsCapableCause, reason: string | (() => string)): void {
    this.capable = new LazyAsCapableState(asCapable, cause, reason);
  }
}
