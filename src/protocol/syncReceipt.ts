import type { LocalTime, PtpTime } from '../clock/timePoint.js';
import type { ClockIdentity, PortIdentity } from './messages.js';

/**
 * What the port engine hands to the servo for every Sync it accepts (802.1AS-2020 10.2.4
 * PortSyncSync / 11.2.14 MDSyncReceive): one instant seen on two clocks, plus syntonization data.
 */
export interface SyncReceipt {
  readonly sequenceId: number;
  readonly sourcePortIdentity: PortIdentity;
  readonly grandmasterIdentity: ClockIdentity | undefined;
  /** Local timestamp of the Sync's ingress. */
  readonly ingressTime: LocalTime;
  /**
   * Grandmaster time at that same instant (integer part): preciseOriginTimestamp + Sync and
   * Follow_Up correctionFields + meanLinkDelay × rateRatio (802.1AS-2020 11.2.14.2.1, 10.2.8.1.2).
   */
  readonly gmTime: PtpTime;
  /** Sub-nanosecond remainder of gmTime, in ns, 0 ≤ f < 1. */
  readonly gmTimeFractionNs: number;
  /** Cumulative rate ratio, grandmaster frequency / local timestamp clock frequency. */
  readonly rateRatio: number;
  /**
   * 1 σ of rateRatio (dimensionless) as far as this port measures it: its neighborRateRatio part
   * (802.1AS-2020 10.2.8.1.4: rateRatio = upstream ratio × neighborRateRatio; the upstream cumulative
   * ratio is taken as exact), absent until known.
   */
  readonly rateRatioSigma?: number;
  /** The local time rateRatio's neighborRateRatio part was measured over, s (peerDelayInitiator.ts), absent until known. */
  readonly rateRatioSpanS?: number;
  /** 1 σ of the Pdelay exchanges' propTime on this port, ns (about one timestamp's jitter), absent until known. */
  readonly propTimeSigmaNs?: number;
  /** neighborRateRatio used for this Sync. */
  readonly neighborRateRatio: number;
  /** meanLinkDelay in ns (responder time base) used for this Sync. */
  readonly meanLinkDelay: number;
  /** log2 s of the Sync interval announced by the master. */
  readonly logSyncInterval: number;
  readonly gmTimeBaseIndicator: number;
  /** ScaledNs (ns × 2^16). */
  readonly lastGmPhaseChange: bigint;
  /** Fractional frequency × 2^41. */
  readonly scaledLastGmFreqChange: number;
}
