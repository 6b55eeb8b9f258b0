/**
 * What the port engine tells its driver. The engine is sans-IO: it never sends or logs anything
 * itself, it hands frames to transmit and these events to an EngineSink.
 */
import type { LocalTime } from '../clock/timePoint.js';
import type { ClockIdentity, PortIdentity, PtpFrame } from './messages.js';
import type { Refusal } from './acceptableMasters.js';
import type { PdelayMeasurement } from './peerDelayInitiator.js';
import type { RejectionReason } from './rejection.js';
import type { SyncReceipt } from './syncReceipt.js';

/** Port states with linuxptp's names, as users grep them in logs. */
export type PortState = 'LISTENING' | 'SLAVE';

export type EngineEvent =
  | { readonly type: 'syncReceipt'; readonly receipt: SyncReceipt }
  | { readonly type: 'pdelayMeasured'; readonly measurement: PdelayMeasurement }
  | { readonly type: 'asCapableChanged'; readonly at: LocalTime; readonly asCapable: boolean; readonly reason: string }
  | { readonly type: 'portStateChanged'; readonly at: LocalTime; readonly from: PortState; readonly to: PortState; readonly reason: string }
  | {
      readonly type: 'grandmasterChanged';
      readonly at: LocalTime;
      readonly previous: ClockIdentity | undefined;
      readonly current: ClockIdentity | undefined;
      readonly masterPort: PortIdentity | undefined;
    }
  | {
      /** The grandmaster's Follow_Up information changed (802.1AS-2020 11.4.4.3: a phase or frequency change). */
      readonly type: 'gmTimeBaseChanged';
      readonly at: LocalTime;
      readonly gmTimeBaseIndicator: number;
      readonly lastGmPhaseChange: bigint;
      readonly scaledLastGmFreqChange: number;
    }
  | { readonly type: 'followUpTimeout'; readonly at: LocalTime; readonly sequenceId: number }
  | {
      /** 802.1AS-2020 10.7.3.1: no Sync for syncReceiptTimeout intervals of logSyncInterval (the status classifier's only timer). */
      readonly type: 'syncReceiptTimeout';
      readonly at: LocalTime;
      readonly syncReceiptTimeout: number;
      readonly logSyncInterval: number;
    }
  | { readonly type: 'announceReceiptTimeout'; readonly at: LocalTime }
  | { readonly type: 'pdelayIntervalChanged'; readonly at: LocalTime; readonly logInterval: number; readonly reason: string }
  | { readonly type: 'rejected'; readonly reason: RejectionReason; readonly messageType: number; readonly sequenceId: number; readonly source: PortIdentity }
  /** An Announce or Sync from outside acceptable_grandmasters / acceptable_masters (also counted as 'rejected'). */
  | { readonly type: 'notAcceptable'; readonly at: LocalTime; readonly messageType: number; readonly refusal: Refusal };

/** A frame to send. Event messages need their egress timestamp back through engine.txTimestamp(txHandle, t). */
export interface Transmission {
  readonly frame: PtpFrame;
  readonly txHandle: number | undefined;
  /** The NIC inserts this event message's time as it leaves (a one-step Pdelay_Resp): no TX timestamp comes back. */
  readonly oneStep?: boolean;
}

export interface EngineSink {
  transmit(t: Transmission): void;
  event(e: EngineEvent): void;
}
