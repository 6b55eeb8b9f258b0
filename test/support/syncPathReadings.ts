/** Sync receipts on a link whose path and rate ratio a test scripts, for the SyncPathWitness and the link delay filter. */
import { localTime, ptpTime } from '../../src/clock/timePoint.js';
import type { SyncPathWitness } from '../../src/protocol/syncPathWitness.js';
import type { SyncReceipt } from '../../src/protocol/syncReceipt.js';
import { MASTER_CLOCK, MASTER_PORT } from './frames.js';

const L0 = 5_000_000_000_000n; // local time of the first Sync, ns
const G0 = 1_800_000_000_000_000_000n; // grandmaster time then, ns (TAI, 2027)
export const SYNCS_PER_EXCHANGE = 8;
/** The meanLinkDelay the Syncs were corrected with, ns: the witness must read past it. */
const CORRECTED_WITH_NS = 2_000_000;

export interface ScriptedLink {
  /** Grandmaster frequency / local frequency (802.1AS rateRatio). */
  readonly rateRatio: number;
  /** 1 σ of it the engine would report for Sync k (default 50 ppb, a veth's). */
  readonly rateRatioSigma?: number | ((k: number) => number);
  /** The Syncs' path for Sync k, ns of grandmaster time. */
  readonly pathNs: (k: number) => number;
  readonly grandmaster?: bigint;
  readonly gmTimeBaseIndicator?: number;
}

/** Sync k leaves the grandmaster at G0 + k × 125 ms and arrives pathNs(k) later, on a local clock running at 1 / rateRatio. */
export function scriptedSync(k: number, link: ScriptedLink): SyncReceipt {
  const origin = G0 + BigInt(k) * 125_000_000n;
  const arrivalGm = Number(origin - G0) + link.pathNs(k);
  return {
    sequenceId: k & 0xffff,
    sourcePortIdentity: MASTER_PORT,
    grandmasterIdentity: link.grandmaster ?? MASTER_CLOCK,
    ingressTime: localTime(L0 + BigInt(Math.round(arrivalGm / link.rateRatio))),
    gmTime: ptpTime(origin + BigInt(CORRECTED_WITH_NS)),
    gmTimeFractionNs: 0,
    rateRatio: link.rateRatio,
    rateRatioSigma: typeof link.rateRatioSigma === 'function' ? link.rateRatioSigma(k) : (link.rateRatioSigma ?? 50e-9),
    rateRatioSpanS: 8,
    neighborRateRatio: link.rateRatio,
    meanLinkDelay: CORRECTED_WITH_NS,
    logSyncInterval: -3,
    gmTimeBaseIndicator: link.gmTimeBaseIndicator ?? 0,
    lastGmPhaseChange: 0n,
    scaledLastGmFreqChange: 0,
  };
}

/** The eight Syncs of Pdelay exchange `exchange` (Syncs 8x … 8x + 7), then the exchange closed, as the initiator does. */
export function witnessExchange(w: SyncPathWitness, exchange: number, link: ScriptedLink): void {
  for (let i = 0; i < SYNCS_PER_EXCHANGE; i++) w.sync(scriptedSync(exchange * SYNCS_PER_EXCHANGE + i, link));
  w.closeExchange();
}
