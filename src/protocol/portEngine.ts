/**
 * The time-aware end station's port, in the slave role, as a sans-IO state machine: it is fed frames
 * with their timestamps and timer ticks (all in the local timestamping clock, LocalTime) and answers
 * with frames to transmit and events. Live ports, replay and the simulator all drive this same object.
 *
 * It composes 802.1AS-2020's state machines, each in its own file:
 *   MDPdelayReq (11.2.19)             peerDelayInitiator.ts — neighborRateRatio, meanLinkDelay, asCapable
 *   MDPdelayResp (11.2.20)            here — answers every Pdelay_Req (two-step, or one-step by the NIC)
 *   MDSyncReceive (11.2.14) and
 *   PortSyncSyncReceive (10.2.8)      syncReceiver.ts, with ClockSlaveSync (10.2.13) in clockSlaveSync.ts
 *   PortAnnounceInformation (10.3.11) portAnnounceInformation.ts, behind the master selection:
 *                                     bestMasterSelection.ts (10.3) or externalPortConfiguration.ts (10.3.1)
 *   LinkDelayIntervalSetting (11.2.21) linkDelayIntervalSetting.ts — Signaling from the neighbour
 * The engine owns the timers (Pdelay_Req, syncReceiptTimeout, Follow_Up receipt) and the asCapable gate.
 *
 * Outputs are queued during a call and delivered to the sink when the call is done: a sink that calls
 * the engine again (ClockSlave's setServoStable while a Sync is delivered) makes an ordinary later
 * call, which sees the state the first call left and whose outputs follow the first call's.
 */
import type { LocalTime } from '../clock/timePoint.js';
import { AcceptableMasterFilter, type AcceptableMasterLists, type Refusal } from './acceptableMasters.js';
import type { EngineEvent, EngineSink, PortState, Transmission } from './engineEvents.js';
import { formatPortIdentity } from './format.js';
import { LinkDelayIntervalSetting, type IntervalChange } from './linkDelayIntervalSetting.js';
import { createMasterSelection, type MasterSelection, type SelectionPort } from './masterSelection.js';
import { MessageCounters } from './messageCounters.js';
import { logIntervalToNsBig } from './logInterval.js';
import {
  MessageType,
  type MacAddress,
  type ClockIdentity,
  type PdelayReqMessage,
  type PortIdentity,
  type PtpFrame,
  type PtpMessage,
  type SignalingMessage,
} from './messages.js';
import { frameOf, isAllPorts, messageIntervalRequest, pdelayReq, pdelayResp, pdelayRespFollowUp, pdelayRespOneStep, type Sender } from './outgoingMessages.js';
import type { MasterInfo } from './portAnnounceInformation.js';
import { MULTIPLE_RESPONSE_PAUSE_NS, PeerDelayInitiator, type AsCapableCause, type PdelayOutcome } from './peerDelayInitiator.js';
import type { PortConfig, TimestampingMode } from './portConfig.js';
import { clockIdentityFromMac, portIdentityEquals } from './portIdentity.js';
import { RejectionCounters, type RejectionReason } from './rejection.js';
import type { SyncReceipt } from './syncReceipt.js';
import { SyncReceiptTimer } from './syncReceiptTimeout.js';
import { SyncReceiver, type LinkState, type SyncOutcome } from './syncReceiver.js';
import { nsToTimestamp } from './timestamp.js';

export type { MasterInfo } from './portAnnounceInformation.js';

export interface PortEngineOptions {
  readonly config: PortConfig;
  readonly macAddress: MacAddress;
  /** Defaults to the EUI-64 made from the MAC address. */
  readonly clockIdentity?: ClockIdentity;
  readonly portNumber?: number;
  /**
   * true: the engine sends Pdelay_Req on its timer and answers Pdelay_Req (live, simulation).
   * false: it sends nothing; a replay feeds the captured station's own frames through ownFrame().
   */
  readonly transmit: boolean;
  /**
   * Answer Pdelay_Req one-step (1588-2019 11.4.2; linuxptp time_stamping p2p1step): the port's NIC
   * adds the turnaround t3 − t2 to the Pdelay_Resp's correctionField as it leaves, so no
   * Pdelay_Resp_Follow_Up is sent. Only for a port whose NIC does that (HWTSTAMP_TX_ONESTEP_P2P).
   */
  readonly oneStepResponder?: boolean;
  /** Whose timestamps the port gets: the defaults that follow their noise (the link-delay filter's window). Default hardware. */
  readonly timestamping?: TimestampingMode;
}

export interface EngineStatistics {
  readonly received: Record<string, number>;
  readonly sent: Record<string, number>;
  readonly rejected: Record<string, number>;
  readonly syncsAccepted: number;
  readonly followUpsLost: number;
  readonly pdelayExchanges: number;
  /** Of them, those whose answer came late: no end of any neighborRateRatio (neighborRateRatioWindow.ts). */
  readonly pdelayLateAnswers: number;
}

type PendingTx =
  { readonly kind: 'pdelayReq'; readonly sequenceId: number } | { readonly kind: 'pdelayResp'; readonly requester: PortIdentity; readonly sequenceId: number };

/** What a call produced, in order: frames to send and events. */
type Output = Transmission | EngineEvent;

export class PortEngine {
  readonly port: PortIdentity;
  private readonly sender: Sender;
  private readonly initiator: PeerDelayInitiator;
  private readonly syncReceiver: SyncReceiver;
  private readonly selection: MasterSelection;
  private readonly linkDelayInterval: LinkDelayIntervalSetting;
  private readonly rejections = new RejectionCounters();
  private readonly acceptable: AcceptableMasterFilter;
  private lastRefusalSeen: { readonly refusal: Refusal; readonly at: LocalTime } | undefined;
  private readonly received = new MessageCounters();
  private readonly sent = new MessageCounters();
  private readonly pendingTx = new Map<number, PendingTx>();
  private readonly outbox: Output[] = [];
  private delivering = false;
  private nextTxHandle = 1;
  private pdelaySequenceId = 0;
  private signalingSequenceId = 0;

  private state: PortState = 'LISTENING';
  private asCapableNow: boolean;
  private asCapableCause: AsCapableCause;
  private logSyncInterval: number;
  private nextPdelayAt: LocalTime | undefined;
  private readonly syncReceiptTimer: SyncReceiptTimer;
  private lastReceipt: SyncReceipt | undefined;
  private syncsAccepted = 0;
  private operational = false;
  private readonly link: {
    meanLinkDelay: number;
    neighborRateRatio: number;
    neighborRateRatioSigma: number | undefined;
    neighborRateRatioSpanS: number | undefined;
    propTimeSigmaNs: number | undefined;
    readonly delayAsymmetry: number;
  };

  constructor(
    private readonly options: PortEngineOptions,
    private readonly sink: EngineSink,
  ) {
    const config = options.config;
    this.port = { clockIdentity: options.clockIdentity ?? clockIdentityFromMac(options.macAddress), portNumber: options.portNumber ?? 1 };
    this.sender = { mac: options.macAddress, port: this.port, domainNumber: config.domainNumber, majorSdoId: config.majorSdoId };
    this.initiator = new PeerDelayInitiator(config, this.port, options.timestamping);
    this.syncReceiver = new SyncReceiver(config.initialLogSyncInterval);
    this.syncReceiptTimer = new SyncReceiptTimer(config.syncReceiptTimeout);
    this.acceptable = new AcceptableMasterFilter(config);
    this.selection = createMasterSelection(config, this.selectionPort());
    this.linkDelayInterval = new LinkDelayIntervalSetting(config.initialLogPdelayReqInterval);
    this.asCapableNow = this.initiator.asCapable.asCapable;
    this.asCapableCause = this.initiator.asCapable.cause;
    this.logSyncInterval = config.initialLogSyncInterval;
    this.link = {
      meanLinkDelay: 0,
      neighborRateRatio: 1,
      neighborRateRatioSigma: undefined,
      neighborRateRatioSpanS: undefined,
      propTimeSigmaNs: undefined,
      delayAsymmetry: config.delayAsymmetry,
    };
  }

  private get config(): PortConfig {
    return this.options.config;
  }

  // ------------------------------------------------------------------------------------------
  // Inputs. Each delivers its outputs when it is done (see flush).

  /** Begin operation at `now`: schedule the first Pdelay_Req; the master selection takes its initial role. */
  start(now: LocalTime): void {
    if (this.options.transmit) this.nextPdelayAt = now;
    this.selection.start(now);
    this.flush();
  }

  /** A frame from the link, with its ingress timestamp. */
  receive(frame: PtpFrame, rx: LocalTime): void {
    this.dispatch(frame.message, rx);
    if (this.outbox.length !== 0) this.flush();
  }

  /**
   * Replay: a frame the captured station sent itself, stamped with its egress time. Its Pdelay_Req
   * starts an exchange exactly as our own would (t1 = tx).
   */
  ownFrame(frame: PtpFrame, tx: LocalTime): void {
    const msg = frame.message;
    this.sent.count(msg.header.messageType);
    if (msg.type === 'pdelayReq') {
      this.beginPdelayRequest(msg.header.sequenceId, tx);
      this.onPdelayOutcome(this.initiator.requestTimestamp(msg.header.sequenceId, tx), tx);
    }
    if (this.outbox.length !== 0) this.flush();
  }

  /** The egress timestamp of a frame sent with txHandle. */
  txTimestamp(txHandle: number, tx: LocalTime): void {
    const pending = this.pendingTx.get(txHandle);
    if (pending === undefined) return;
    this.pendingTx.delete(txHandle);
    if (pending.kind === 'pdelayReq') {
      this.onPdelayOutcome(this.initiator.requestTimestamp(pending.sequenceId, tx), tx);
    } else {
      // 802.1AS-2020 11.2.20: responseOriginTimestamp is the Pdelay_Resp's egress time t3.
      this.send(frameOf(this.sender, pdelayRespFollowUp(this.sender, pending.requester, pending.sequenceId, nsToTimestamp(tx))), undefined);
    }
    this.flush();
  }

  /** The driver gave up waiting for the egress timestamp of txHandle. */
  txTimestampMissing(txHandle: number, now: LocalTime): void {
    const pending = this.pendingTx.get(txHandle);
    if (pending === undefined) return;
    this.pendingTx.delete(txHandle);
    if (pending.kind === 'pdelayReq') {
      this.initiator.requestTimestampMissing(pending.sequenceId);
      this.updateAsCapable(now);
    }
    // A Pdelay_Resp without t3 gets no Follow_Up; the requester counts it as a lost response.
    this.flush();
  }

  /** Run every timer due at or before `now`. */
  tick(now: LocalTime): void {
    const lateSeq = this.syncReceiver.expireFollowUp(now);
    if (lateSeq !== undefined) this.emit({ type: 'followUpTimeout', at: now, sequenceId: lateSeq });
    this.selection.tick(now);
    if (this.syncReceiptTimer.expire(now)) this.onSyncReceiptTimeout(now);
    if (this.nextPdelayAt !== undefined && now >= this.nextPdelayAt) this.sendPdelayReq(now);
    this.flush();
  }

  /** The earliest time tick() has work to do, for the driver's timer. */
  nextTimerAt(): LocalTime | undefined {
    // Asked before every frame in a replay: no allocation here.
    return earliest(earliest(this.nextPdelayAt, this.syncReceiptTimer.deadline), earliest(this.selection.nextTimerAt(), this.syncReceiver.followUpDeadline()));
  }

  /**
   * The servo tells whether the clock is stable. With msg_interval_request (the automotive profile) a
   * stable clock moves the port to its operational intervals: a message interval request asks the
   * master for operLogSyncInterval and our Pdelay_Req slows to operLogPdelayReqInterval (as linuxptp's
   * msg_interval_request / servo_offset_threshold logic).
   */
  setServoStable(stable: boolean, now: LocalTime): void {
    this.changeOperational(stable, now);
    this.flush();
  }

  // ------------------------------------------------------------------------------------------
  // Read-out

  get portState(): PortState {
    return this.state;
  }

  get asCapable(): { readonly asCapable: boolean; readonly cause: AsCapableCause; readonly reason: string } {
    return this.initiator.asCapable;
  }

  get meanLinkDelay(): number | undefined {
    return this.initiator.meanLinkDelay;
  }

  get neighborRateRatio(): number {
    return this.initiator.neighborRateRatio;
  }

  /** 1 σ of neighborRateRatio, undefined until measured. */
  get neighborRateRatioSigma(): number | undefined {
    return this.initiator.neighborRateRatioSigma;
  }

  get neighborPortIdentity(): PortIdentity | undefined {
    return this.initiator.neighborPortIdentity;
  }

  get masterInfo(): MasterInfo | undefined {
    return this.selection.master;
  }

  get lastSyncReceipt(): SyncReceipt | undefined {
    return this.lastReceipt;
  }

  /** Ingress time of the last accepted Sync. */
  get lastSyncTime(): LocalTime | undefined {
    return this.lastReceipt?.ingressTime;
  }

  get currentLogSyncInterval(): number {
    return this.logSyncInterval;
  }

  get currentLogPdelayReqInterval(): number {
    return this.linkDelayInterval.logInterval;
  }

  /** The last Announce or Sync refused by acceptable_grandmasters / acceptable_masters, and when. */
  get lastRefusal(): { readonly refusal: Refusal; readonly at: LocalTime } | undefined {
    return this.lastRefusalSeen;
  }

  /**
   * New acceptable lists (a configuration reload). A master that is no longer acceptable is dropped
   * now; the next Announce of every neighbour is judged by the new lists.
   */
  setAcceptableMasters(lists: AcceptableMasterLists, now: LocalTime): void {
    this.acceptable.update(lists);
    this.lastRefusalSeen = undefined;
    const master = this.selection.master;
    if (master !== undefined) {
      const grandmasters = lists.acceptableGrandmasters ?? [];
      const gmOk = master.grandmasterIdentity === undefined || grandmasters.length === 0 || grandmasters.includes(master.grandmasterIdentity);
      const portOk = this.acceptable.checkSync(master.port) === undefined;
      if (!gmOk || !portOk) this.selection.dropMaster(now, `master ${formatPortIdentity(master.port)} is not acceptable after the configuration was reloaded`);
    }
    this.flush();
  }

  statistics(): EngineStatistics {
    return {
      received: this.received.toRecord(),
      sent: this.sent.toRecord(),
      rejected: this.rejections.toRecord(),
      syncsAccepted: this.syncsAccepted,
      followUpsLost: this.syncReceiver.followUpsLost,
      pdelayExchanges: this.initiator.completedExchanges,
      pdelayLateAnswers: this.initiator.lateAnswers,
    };
  }

  // ------------------------------------------------------------------------------------------
  // Receipt

  private dispatch(msg: PtpMessage, rx: LocalTime): void {
    const h = msg.header;
    this.received.count(h.messageType);
    if (h.majorSdoId !== this.config.majorSdoId) return this.reject(msg, 'wrongMajorSdoId');
    if (h.domainNumber !== this.config.domainNumber) return this.reject(msg, 'wrongDomain');
    if (h.sourcePortIdentity.clockIdentity === this.port.clockIdentity) return this.reject(msg, 'ownFrame');
    switch (msg.type) {
      case 'pdelayReq':
        return this.onPdelayReq(msg, rx);
      case 'pdelayResp':
        return this.onPdelayOutcome(this.initiator.onPdelayResp(msg, rx), rx, msg);
      case 'pdelayRespFollowUp':
        return this.onPdelayOutcome(this.initiator.onPdelayRespFollowUp(msg), rx, msg);
      case 'sync':
        if (!this.admitsSync(msg, rx)) return;
        return this.settleSync(msg, this.syncReceiver.onSync(msg, rx, this.linkState(), this.selection.master?.grandmasterIdentity), rx);
      case 'followUp':
        if (!this.admitsSync(msg, rx)) return;
        return this.settleSync(msg, this.syncReceiver.onFollowUp(msg, rx, this.linkState(), this.selection.master?.grandmasterIdentity), rx);
      case 'announce':
        return this.selection.onAnnounce(msg, rx, this.asCapableNow);
      case 'signaling':
        return this.onSignaling(msg, rx);
      default:
        return this.reject(msg, 'unsupportedMessage');
    }
  }

  // ------------------------------------------------------------------------------------------
  // Peer delay

  private sendPdelayReq(now: LocalTime): void {
    const logInterval = this.linkDelayInterval.logInterval;
    if (this.initiator.shouldPause()) {
      // Several responders to three successive requests (see MULTIPLE_RESPONSE_PAUSE_NS): stay silent 5 minutes.
      this.initiator.resetPause();
      this.nextPdelayAt = (now + MULTIPLE_RESPONSE_PAUSE_NS) as LocalTime;
      this.emit({ type: 'pdelayIntervalChanged', at: now, logInterval, reason: 'several responders to 3 successive Pdelay_Req: paused for 300 s' });
      return;
    }
    const seq = this.pdelaySequenceId;
    this.pdelaySequenceId = (seq + 1) & 0xffff;
    this.beginPdelayRequest(seq, now);
    const handle = this.allocateTxHandle({ kind: 'pdelayReq', sequenceId: seq });
    this.send(frameOf(this.sender, pdelayReq(this.sender, seq, logInterval)), handle);
    this.nextPdelayAt = this.linkDelayInterval.isStopped ? undefined : ((now + logIntervalToNsBig(logInterval)) as LocalTime);
  }

  /** A new exchange starts, sent live or replayed: starting it may count the previous one as lost (11.2.19). */
  private beginPdelayRequest(sequenceId: number, now: LocalTime): void {
    this.initiator.beginRequest(sequenceId);
    this.updateAsCapable(now);
  }

  /** 802.1AS-2020 11.2.20 (MDPdelayResp): answer every peer's Pdelay_Req; t3 goes out in the Follow_Up. */
  private onPdelayReq(msg: PdelayReqMessage, rx: LocalTime): void {
    if (!this.options.transmit) return;
    const requester = msg.header.sourcePortIdentity;
    if (this.options.oneStepResponder === true) {
      // One-step: twoStepFlag clear, the request's correctionField carried over; the NIC subtracts t2
      // on receipt and adds t3 on transmission (as linuxptp's p2p1step).
      const response = pdelayRespOneStep(this.sender, requester, msg.header.sequenceId, msg.header.correctionField, nsToTimestamp(rx));
      this.send(frameOf(this.sender, response), undefined, true);
      return;
    }
    const handle = this.allocateTxHandle({ kind: 'pdelayResp', requester, sequenceId: msg.header.sequenceId });
    this.send(frameOf(this.sender, pdelayResp(this.sender, requester, msg.header.sequenceId, nsToTimestamp(rx))), handle);
  }

  /**
   * What an exchange step came to. `msg` is the frame that completed it; without one (the TX timestamp
   * of our own Pdelay_Req completed it) a rejection is counted against our request.
   */
  private onPdelayOutcome(outcome: PdelayOutcome, now: LocalTime, msg?: PtpMessage): void {
    if (outcome.kind === 'rejected') {
      if (msg !== undefined) this.reject(msg, outcome.reason);
      else this.rejectOwn(outcome.reason, MessageType.PdelayReq, outcome.sequenceId ?? 0);
      this.updateAsCapable(now);
      return;
    }
    if (outcome.kind === 'measured') {
      this.emit({ type: 'pdelayMeasured', measurement: outcome.measurement });
      this.updateAsCapable(now);
    }
  }

  /** Reported when asCapable changes, and when it stays false for a new cause (the user must learn why). */
  private updateAsCapable(now: LocalTime): void {
    const state = this.initiator.asCapable;
    const { asCapable, cause } = state;
    if (asCapable === this.asCapableNow && cause === this.asCapableCause) return;
    const reason = state.reason;
    const changed = asCapable !== this.asCapableNow;
    this.asCapableNow = asCapable;
    this.asCapableCause = cause;
    if (!changed && (cause === 'noExchange' || cause === 'rateRatioPending')) return;
    this.emit({ type: 'asCapableChanged', at: now, asCapable, reason });
    if (changed && !asCapable) this.selection.onAsCapableLost(now, reason);
  }

  private applyIntervalChange(change: IntervalChange | undefined, now: LocalTime): void {
    if (change === undefined) return;
    if (change.stopped) this.nextPdelayAt = undefined;
    else if (this.options.transmit) this.nextPdelayAt = (now + logIntervalToNsBig(change.logInterval)) as LocalTime;
    this.emit({ type: 'pdelayIntervalChanged', at: now, logInterval: change.logInterval, reason: change.reason });
  }

  /** The initiator's current figures, in one object reused for every Sync (the receiver reads it at once). */
  private linkState(): LinkState {
    const link = this.link;
    link.meanLinkDelay = this.initiator.meanLinkDelay ?? 0;
    link.neighborRateRatio = this.initiator.neighborRateRatio;
    link.neighborRateRatioSigma = this.initiator.neighborRateRatioSigma;
    link.neighborRateRatioSpanS = this.initiator.neighborRateRatioSpanS;
    link.propTimeSigmaNs = this.initiator.propTimeSigmaNs;
    return link;
  }

  // ------------------------------------------------------------------------------------------
  // Sync

  /** Whether a Sync or Follow_Up may be taken at all (the one asCapable gate, 10.2.4); if not, it is rejected here. */
  private admitsSync(msg: PtpMessage, rx: LocalTime): boolean {
    const refusal = this.acceptable.checkSync(msg.header.sourcePortIdentity);
    if (refusal !== undefined) {
      this.refuse(msg, refusal, rx);
      return false;
    }
    if (!this.asCapableNow) {
      this.reject(msg, 'notAsCapable');
      return false;
    }
    if (!this.selection.admitsSyncFrom(msg.header.sourcePortIdentity)) {
      this.reject(msg, 'syncNotFromMaster');
      return false;
    }
    return true;
  }

  private settleSync(msg: PtpMessage, outcome: SyncOutcome, rx: LocalTime): void {
    if (outcome.kind === 'rejected') return this.reject(msg, outcome.reason);
    if (outcome.kind === 'pending') return;
    this.acceptReceipt(outcome.receipt, rx);
  }

  private acceptReceipt(receipt: SyncReceipt, now: LocalTime): void {
    const previous = this.lastReceipt;
    if (
      previous !== undefined &&
      (previous.gmTimeBaseIndicator !== receipt.gmTimeBaseIndicator ||
        previous.lastGmPhaseChange !== receipt.lastGmPhaseChange ||
        previous.scaledLastGmFreqChange !== receipt.scaledLastGmFreqChange)
    ) {
      this.emit({
        type: 'gmTimeBaseChanged',
        at: now,
        gmTimeBaseIndicator: receipt.gmTimeBaseIndicator,
        lastGmPhaseChange: receipt.lastGmPhaseChange,
        scaledLastGmFreqChange: receipt.scaledLastGmFreqChange,
      });
    }
    this.lastReceipt = receipt;
    this.syncsAccepted += 1;
    this.initiator.witnessSync(receipt);
    this.logSyncInterval = receipt.logSyncInterval;
    this.armSyncReceiptTimeout(receipt.ingressTime);
    this.emit({ type: 'syncReceipt', receipt });
  }

  private armSyncReceiptTimeout(from: LocalTime): void {
    this.syncReceiptTimer.arm(from, this.logSyncInterval);
  }

  private onSyncReceiptTimeout(now: LocalTime): void {
    const timeout = this.syncReceiptTimer.intervals;
    this.emit({ type: 'syncReceiptTimeout', at: now, syncReceiptTimeout: timeout, logSyncInterval: this.logSyncInterval });
    // 802.1AS-2020 10.3.11.2.1: sync receipt timeout ages the master's information like an Announce timeout.
    this.selection.onSyncReceiptTimeout(now, `no Sync for ${timeout} sync intervals (syncReceiptTimeout)`);
  }

  /** Operational intervals while the servo is stable (msg_interval_request), the initial ones otherwise. */
  private changeOperational(stable: boolean, now: LocalTime): void {
    if (!this.config.messageIntervalRequest || stable === this.operational) return;
    this.operational = stable;
    const syncInterval = stable ? this.config.operLogSyncInterval : this.config.initialLogSyncInterval;
    if (this.options.transmit) {
      this.send(frameOf(this.sender, messageIntervalRequest(this.sender, this.signalingSequenceId, syncInterval)), undefined);
      this.signalingSequenceId = (this.signalingSequenceId + 1) & 0xffff;
    }
    const pdelayInterval = stable ? this.config.operLogPdelayReqInterval : this.config.initialLogPdelayReqInterval;
    this.applyIntervalChange(
      this.linkDelayInterval.set(pdelayInterval, stable ? 'servo stable: operational interval' : 'servo unstable: initial interval'),
      now,
    );
  }

  // ------------------------------------------------------------------------------------------
  // Signaling

  /** 802.1AS-2020 10.6.4.3 / 11.2.21: a neighbour asks us to change our Pdelay_Req interval. */
  private onSignaling(msg: SignalingMessage, rx: LocalTime): void {
    if (!isAllPorts(msg.targetPortIdentity) && !portIdentityEquals(msg.targetPortIdentity, this.port)) return this.reject(msg, 'signalingNotForUs');
    for (const tlv of msg.tlvs) {
      if (tlv.kind !== 'messageIntervalRequest') continue;
      this.applyIntervalChange(this.linkDelayInterval.onRequest(tlv.linkDelayInterval, formatPortIdentity(msg.header.sourcePortIdentity)), rx);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Plumbing

  /** The engine as the master selection sees it. */
  private selectionPort(): SelectionPort {
    const engine = this;
    return {
      get clockIdentity(): ClockIdentity {
        return engine.port.clockIdentity;
      },
      get state(): PortState {
        return engine.state;
      },
      setState: (to, at, reason) => this.setState(to, at, reason),
      emit: (e) => this.emit(e),
      reject: (msg, reason) => this.reject(msg, reason),
      acceptable: this.acceptable,
      refuse: (msg, refusal, at) => this.refuse(msg, refusal, at),
      resetSyncReception: () => this.syncReceiver.reset(),
      armSyncReceiptTimeout: (from) => this.armSyncReceiptTimeout(from),
      cancelSyncReceiptTimeout: () => this.syncReceiptTimer.cancel(),
      leaveOperational: (now) => this.changeOperational(false, now),
    };
  }

  private setState(to: PortState, at: LocalTime, reason: string): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.emit({ type: 'portStateChanged', at, from, to, reason });
  }

  private allocateTxHandle(p: PendingTx): number {
    const handle = this.nextTxHandle;
    this.nextTxHandle += 1;
    this.pendingTx.set(handle, p);
    // Keep the table bounded even if a driver never reports some timestamps.
    if (this.pendingTx.size > 64) {
      const oldest = this.pendingTx.keys().next().value;
      if (oldest !== undefined) this.pendingTx.delete(oldest);
    }
    return handle;
  }

  private send(frame: PtpFrame, txHandle: number | undefined, oneStep = false): void {
    this.sent.count(frame.message.header.messageType);
    this.outbox.push(oneStep ? { frame, txHandle, oneStep } : { frame, txHandle });
  }

  /** Counted under its reason like any rejection, and told with the identity (for logs and status). */
  private refuse(msg: PtpMessage, refusal: Refusal, at: LocalTime): void {
    this.lastRefusalSeen = { refusal, at };
    this.reject(msg, refusal.reason);
    this.emit({ type: 'notAcceptable', at, messageType: msg.header.messageType, refusal });
  }

  private reject(msg: PtpMessage, reason: RejectionReason): void {
    this.rejections.count(reason);
    const h = msg.header;
    this.emit({ type: 'rejected', reason, messageType: h.messageType, sequenceId: h.sequenceId, source: h.sourcePortIdentity });
  }

  /** A rejection of something of our own (a TX timestamp that makes our request's exchange unusable). */
  private rejectOwn(reason: RejectionReason, messageType: number, sequenceId: number): void {
    this.rejections.count(reason);
    this.emit({ type: 'rejected', reason, messageType, sequenceId, source: this.port });
  }

  private emit(e: EngineEvent): void {
    this.outbox.push(e);
  }

  /**
   * Delivers the queued outputs in order, once the call that made them is done. A call the sink makes
   * meanwhile queues behind them and is delivered by this same loop, never in the middle of it.
   */
  private flush(): void {
    if (this.delivering) return;
    this.delivering = true;
    const box = this.outbox;
    try {
      for (let i = 0; i < box.length; i++) {
        const o = box[i] as Output;
        if ('frame' in o) this.sink.transmit(o);
        else this.sink.event(o);
      }
    } finally {
      box.length = 0;
      this.delivering = false;
    }
  }
}

function earliest(a: LocalTime | undefined, b: LocalTime | undefined): LocalTime | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}
