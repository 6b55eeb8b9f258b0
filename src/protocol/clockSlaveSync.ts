/**
 * ClockSlaveSync (802.1AS-2020 10.2.13): the grandmaster time at a Sync's ingress, from what
 * MDSyncReceive and PortSyncSyncReceive took from the Sync/Follow_Up pair:
 *
 *   syncReceiptTime = preciseOriginTimestamp + correctionField
 *                     + (meanLinkDelay + delayAsymmetry) × rateRatio / neighborRateRatio
 *
 * The link delay is measured in the neighbour's time base; rateRatio / neighborRateRatio (the upstream
 * part of the cumulative rate ratio, 10.2.8.1.4) converts it to the grandmaster's (11.2.14.2.1).
 */
import { nsToScaledNs, SCALED_NS_PER_NS, scaledNsToNs, secondsToNs, timestampToNs, type Timestamp } from './timestamp.js';

/** The link figures ClockSlaveSync needs from the peer-delay initiator. */
export interface LinkState {
  /** ns, responder (master) time base. */
  readonly meanLinkDelay: number;
  readonly neighborRateRatio: number;
  /** 1 σ of neighborRateRatio, undefined until measured (peerDelayInitiator.ts). */
  readonly neighborRateRatioSigma?: number | undefined;
  /** The local time neighborRateRatio spans, s, undefined until measured (peerDelayInitiator.ts). */
  readonly neighborRateRatioSpanS?: number | undefined;
  /** 1 σ of the Pdelay exchanges' propTime, ns, undefined until measured (peerDelayInitiator.ts). */
  readonly propTimeSigmaNs?: number | undefined;
  /** ns, positive when master→slave is the longer direction (802.1AS-2020 8.3). */
  readonly delayAsymmetry: number;
}

/** 10.2.13 for one Sync: whole ns (floor) and the fraction of a ns left. upstreamRateRatio = rateRatio / neighborRateRatio. */
export function syncReceiptTime(origin: Timestamp, correction: bigint, link: LinkState, upstreamRateRatio: number): { ns: bigint; fractionNs: number } {
  return grandmasterTime(origin, correction, (link.meanLinkDelay + link.delayAsymmetry) * upstreamRateRatio);
}

/** Scaled ns (2^-16 ns) below this magnitude are exact integers as a float64. */
const EXACT_SCALED = 2 ** 53;
/** Scaled ns: the sum of a correction and a link delay each below a quarter of 2^53 stays exact. */
const MAX_EXACT_CORRECTION = BigInt(EXACT_SCALED / 4);

/**
 * originNs + correction (scaled ns) + linkDelayNs, as whole ns (floor) and the fraction of a ns left:
 * the same value as the exact bigint sum. correctionField and link delay together are far below 2^53
 * scaled ns (a plausible correction is under 1 s = 2^45.9), so they are summed as exact integers in a
 * float64 and only the whole ns are added to the bigint origin: one bigint addition per Sync instead
 * of eight. Anything larger takes the bigint path.
 */
export function grandmasterTime(origin: Timestamp, correction: bigint, linkDelayNs: number): { ns: bigint; fractionNs: number } {
  const linkScaled = Math.round(linkDelayNs * 65_536);
  if (correction > -MAX_EXACT_CORRECTION && correction < MAX_EXACT_CORRECTION && Math.abs(linkScaled) < EXACT_SCALED / 4) {
    const extraScaled = Number(correction) + linkScaled;
    const wholeNs = Math.floor(extraScaled / 65_536);
    // origin's ns field and the whole ns added stay far below 2^53: one conversion, one addition.
    return { ns: secondsToNs(origin.seconds) + BigInt(origin.nanoseconds + wholeNs), fractionNs: (extraScaled - wholeNs * 65_536) / 65_536 };
  }
  const gmScaled = timestampToNs(origin) * SCALED_NS_PER_NS + correction + nsToScaledNs(linkDelayNs);
  const ns = floorDiv(gmScaled, SCALED_NS_PER_NS);
  return { ns, fractionNs: scaledNsToNs(gmScaled - ns * SCALED_NS_PER_NS) };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
