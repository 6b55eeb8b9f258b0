/**
 * Sync reception on a slave port: 802.1AS-2020 11.2.14 (MDSyncReceive: pair a two-step Sync with its
 * Follow_Up, or take a one-step Sync alone) and 10.2.8 (PortSyncSyncReceive: cumulative rateRatio),
 * handing each complete Sync to ClockSlaveSync (clockSlaveSync.ts) for the grandmaster time at its
 * ingress.
 */
import { ptpTime, type LocalTime } from '../clock/timePoint.js';
import { Flag, type FollowUpInformationTlv, type FollowUpMessage, type PortIdentity, type SyncMessage, type Tlv } from './messages.js';
import { logIntervalToNsBig, isUsableLogInterval } from './logInterval.js';
import { portIdentityEquals } from './portIdentity.js';
import type { RejectionReason } from './rejection.js';
import type { SyncReceipt } from './syncReceipt.js';
import { syncReceiptTime, type LinkState } from './clockSlaveSync.js';
import { compareTimestamps, SCALED_NS_PER_NS, type Timestamp } from './timestamp.js';
import type { ClockIdentity } from './messages.js';

/** A correctionField over one second is no residence or link time any bridge chain has (scaled ns). */
const MAX_CORRECTION = 1_000_000_000n * SCALED_NS_PER_NS;
/** 2^-41: the unit of cumulativeScaledRateOffset (802.1AS-2020 11.4.4.3.6). */
const RATE_OFFSET_UNIT = 2 ** -41;
/** Sequence ids (UInteger16, modulo 2^16) within this many before the last accepted one are replays; further back is a restart. */
const REPLAY_WINDOW = 256;
/** sequenceId is a UInteger16 that wraps (802.1AS-2020 10.6.2.2.11). */
const SEQUENCE_ID_MODULUS = 65_536;
/** This many consistent Syncs with an older origin time than before are a real step back of the GM. */
const BACKWARDS_CONFIRMATIONS = 3;

export type { LinkState } from './clockSlaveSync.js';

interface PendingSync {
  readonly sequenceId: number;
  readonly source: PortIdentity;
  readonly ingress: LocalTime;
  readonly correction: bigint;
  readonly logSyncInterval: number;
  readonly deadline: LocalTime;
}

export type SyncOutcome =
  { readonly kind: 'pending' } | { readonly kind: 'rejected'; readonly reason: RejectionReason } | { readonly kind: 'receipt'; readonly receipt: SyncReceipt };

const PENDING: SyncOutcome = { kind: 'pending' };
const ZERO_FOLLOW_UP_INFO: FollowUpInformationTlv = {
  kind: 'followUpInformation',
  cumulativeScaledRateOffset: 0,
  gmTimeBaseIndicator: 0,
  lastGmPhaseChange: 0n,
  scaledLastGmFreqChange: 0,
};

export class SyncReceiver {
  private pending: PendingSync | undefined;
  private lastSequenceId: number | undefined;
  private lastOrigin: Timestamp | undefined;
  private lastTimeBaseIndicator: number | undefined;
  private backwardsStreak = 0;
  /** Follow_Ups that never came (or came too late) for a Sync. */
  followUpsLost = 0;

  constructor(private readonly defaultLogSyncInterval: number) {}

  /** Forget everything about the previous master (a new master or an aged one). */
  reset(): void {
    this.pending = undefined;
    this.lastSequenceId = undefined;
    this.lastOrigin = undefined;
    this.lastTimeBaseIndicator = undefined;
    this.backwardsStreak = 0;
  }

  onSync(msg: SyncMessage, ingress: LocalTime, link: LinkState, grandmaster: ClockIdentity | undefined): SyncOutcome {
    const h = msg.header;
    if (!isPlausibleCorrection(h.correctionField)) return { kind: 'rejected', reason: 'absurdCorrection' };
    if (this.isReplayedSequence(h.sequenceId)) return { kind: 'rejected', reason: 'duplicateSequence' };
    if (this.pending !== undefined) this.followUpsLost += 1;
    this.pending = undefined;
    const logSyncInterval = isUsableLogInterval(h.logMessageInterval) ? h.logMessageInterval : this.defaultLogSyncInterval;

    if ((h.flags & Flag.twoStepFlag) === 0) {
      // One-step (802.1AS-2020 11.1.3, 11.4.3): originTimestamp is precise and the Follow_Up
      // information TLV rides in the Sync. An origin of 0 is no grandmaster's time: it comes from
      // stacks that clear twoStepFlag yet send a Follow_Up, and would read as a 50-year offset.
      if (msg.originTimestamp.seconds === 0n && msg.originTimestamp.nanoseconds === 0) return { kind: 'rejected', reason: 'badTimestamp' };
      return this.complete(h.sequenceId, h.sourcePortIdentity, ingress, msg.originTimestamp, h.correctionField, logSyncInterval, msg.tlvs, link, grandmaster);
    }
    this.pending = {
      sequenceId: h.sequenceId,
      source: h.sourcePortIdentity,
      ingress,
      correction: h.correctionField,
      logSyncInterval,
      // 802.1AS-2020 11.2.14.2.2: the Follow_Up must arrive within one sync interval of the Sync
      // (the deadline itself is too late, so that expiry and lateness agree).
      deadline: (ingress + logIntervalToNsBig(logSyncInterval)) as LocalTime,
    };
    return PENDING;
  }

  onFollowUp(msg: FollowUpMessage, now: LocalTime, link: LinkState, grandmaster: ClockIdentity | undefined): SyncOutcome {
    const h = msg.header;
    const p = this.pending;
    if (p === undefined || p.sequenceId !== h.sequenceId || !portIdentityEquals(p.source, h.sourcePortIdentity)) {
      return { kind: 'rejected', reason: 'followUpWithoutSync' };
    }
    this.pending = undefined;
    if (now >= p.deadline) {
      this.followUpsLost += 1;
      return { kind: 'rejected', reason: 'lateFollowUp' };
    }
    if (!isPlausibleCorrection(h.correctionField)) return { kind: 'rejected', reason: 'absurdCorrection' };
    // 1588-2019 11.3: a two-step origin is preciseOriginTimestamp + both correctionFields (802.1AS
    // bridges leave the Sync's at 0, but a 1588 transparent clock may not).
    // Most Syncs carry a zero correctionField: no bigint addition for them.
    const correction = p.correction === 0n ? h.correctionField : p.correction + h.correctionField;
    return this.complete(p.sequenceId, p.source, p.ingress, msg.preciseOriginTimestamp, correction, p.logSyncInterval, msg.tlvs, link, grandmaster);
  }

  /** The Sync whose Follow_Up is overdue at `now`, if any (it is dropped). */
  expireFollowUp(now: LocalTime): number | undefined {
    const p = this.pending;
    if (p === undefined || now < p.deadline) return undefined;
    this.pending = undefined;
    this.followUpsLost += 1;
    return p.sequenceId;
  }

  /** When the pending Sync's Follow_Up is due, for the driver's timer. */
  followUpDeadline(): LocalTime | undefined {
    return this.pending?.deadline;
  }

  private complete(
    sequenceId: number,
    source: PortIdentity,
    ingress: LocalTime,
    origin: Timestamp,
    correction: bigint,
    logSyncInterval: number,
    tlvs: readonly Tlv[],
    link: LinkState,
    grandmaster: ClockIdentity | undefined,
  ): SyncOutcome {
    const info = followUpInformation(tlvs);
    if (this.isBackwards(origin, info.gmTimeBaseIndicator)) return { kind: 'rejected', reason: 'timestampBackwards' };
    this.lastSequenceId = sequenceId;
    this.lastOrigin = origin;
    this.lastTimeBaseIndicator = info.gmTimeBaseIndicator;

    // 802.1AS-2020 10.2.8.1.4: rateRatio = (cumulativeScaledRateOffset × 2^-41 + 1) × neighborRateRatio.
    const upstreamRateRatio = info.cumulativeScaledRateOffset * RATE_OFFSET_UNIT + 1;
    const rateRatio = upstreamRateRatio * link.neighborRateRatio;
    const at = syncReceiptTime(origin, correction, link, upstreamRateRatio);
    return {
      kind: 'receipt',
      receipt: {
        sequenceId,
        sourcePortIdentity: source,
        grandmasterIdentity: grandmaster,
        ingressTime: ingress,
        gmTime: ptpTime(at.ns),
        gmTimeFractionNs: at.fractionNs,
        rateRatio,
        ...(link.neighborRateRatioSigma === undefined ? {} : { rateRatioSigma: link.neighborRateRatioSigma * upstreamRateRatio }),
        ...(link.neighborRateRatioSpanS === undefined ? {} : { rateRatioSpanS: link.neighborRateRatioSpanS }),
        ...(link.propTimeSigmaNs === undefined ? {} : { propTimeSigmaNs: link.propTimeSigmaNs }),
        neighborRateRatio: link.neighborRateRatio,
        meanLinkDelay: link.meanLinkDelay,
        logSyncInterval,
        gmTimeBaseIndicator: info.gmTimeBaseIndicator,
        lastGmPhaseChange: info.lastGmPhaseChange,
        scaledLastGmFreqChange: info.scaledLastGmFreqChange,
      },
    };
  }

  private isReplayedSequence(sequenceId: number): boolean {
    if (this.lastSequenceId === undefined) return false;
    const behind = (this.lastSequenceId - sequenceId + SEQUENCE_ID_MODULUS) % SEQUENCE_ID_MODULUS;
    return behind < REPLAY_WINDOW;
  }

  /**
   * An origin time older than the last accepted one is a replayed or forged Sync, unless the
   * grandmaster announced a new time base (gmTimeBaseIndicator) or keeps to its new timeline for
   * several Syncs (a grandmaster that stepped back without saying so).
   */
  private isBackwards(origin: Timestamp, timeBaseIndicator: number): boolean {
    if (this.lastOrigin === undefined || compareTimestamps(origin, this.lastOrigin) > 0 || timeBaseIndicator !== this.lastTimeBaseIndicator) {
      this.backwardsStreak = 0;
      return false;
    }
    this.backwardsStreak += 1;
    if (this.backwardsStreak > BACKWARDS_CONFIRMATIONS) {
      this.backwardsStreak = 0;
      return false;
    }
    return true;
  }
}

function followUpInformation(tlvs: readonly Tlv[]): FollowUpInformationTlv {
  for (const t of tlvs) if (t.kind === 'followUpInformation') return t;
  return ZERO_FOLLOW_UP_INFO;
}

function isPlausibleCorrection(c: bigint): boolean {
  return c >= 0n && c <= MAX_CORRECTION;
}
