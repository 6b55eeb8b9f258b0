/**
 * Best master selection for a one-port time-aware end station that is not grandmaster-capable
 * (802.1AS-2020 10.3: systemIdentity and priority vector comparison, Announce qualification).
 * With one port there is only one candidate at a time: the best Announce heard on the link, which
 * beats this station's own system identity whenever its grandmaster is grandmaster-capable.
 */
import type { AnnounceMessage, ClockIdentity, ClockQuality, PortIdentity } from './messages.js';
import { comparePortIdentity } from './portIdentity.js';
import type { RejectionReason } from './rejection.js';

/** 802.1AS-2020 10.3.2 systemIdentity, in comparison order. */
export interface SystemIdentity {
  readonly priority1: number;
  readonly clockQuality: ClockQuality;
  readonly priority2: number;
  readonly clockIdentity: ClockIdentity;
}

/** 802.1AS-2020 10.3.4 time-synchronization spanning tree priority vector (one port: no portNumber). */
export interface PriorityVector {
  readonly rootSystemIdentity: SystemIdentity;
  readonly stepsRemoved: number;
  readonly sourcePortIdentity: PortIdentity;
}

/** priority1 255 marks a system that can never be grandmaster (802.1AS-2020 8.6.2.1). */
export const NOT_GRANDMASTER_CAPABLE = 255;

export function priorityVectorOf(a: AnnounceMessage): PriorityVector {
  return {
    rootSystemIdentity: {
      priority1: a.grandmasterPriority1,
      clockQuality: a.grandmasterClockQuality,
      priority2: a.grandmasterPriority2,
      clockIdentity: a.grandmasterIdentity,
    },
    stepsRemoved: a.stepsRemoved,
    sourcePortIdentity: a.header.sourcePortIdentity,
  };
}

/** Negative when a is better (802.1AS-2020 10.3.2: smaller is better, field by field). */
export function compareSystemIdentity(a: SystemIdentity, b: SystemIdentity): number {
  return (
    a.priority1 - b.priority1 ||
    a.clockQuality.clockClass - b.clockQuality.clockClass ||
    a.clockQuality.clockAccuracy - b.clockQuality.clockAccuracy ||
    a.clockQuality.offsetScaledLogVariance - b.clockQuality.offsetScaledLogVariance ||
    a.priority2 - b.priority2 ||
    (a.clockIdentity === b.clockIdentity ? 0 : a.clockIdentity < b.clockIdentity ? -1 : 1)
  );
}

/** Negative when a is better (802.1AS-2020 10.3.4, 10.3.5). */
export function comparePriorityVector(a: PriorityVector, b: PriorityVector): number {
  return (
    compareSystemIdentity(a.rootSystemIdentity, b.rootSystemIdentity) ||
    a.stepsRemoved - b.stepsRemoved ||
    comparePortIdentity(a.sourcePortIdentity, b.sourcePortIdentity)
  );
}

export type AnnounceQualification = { readonly ok: true } | { readonly ok: false; readonly reason: RejectionReason; readonly why: string };

/**
 * 802.1AS-2020 10.3.11.2.1 qualifyAnnounce: an Announce sent by this system, one that has travelled
 * 255 hops, or one whose PATH_TRACE already contains this system (a loop) is discarded.
 */
export function qualifyAnnounce(a: AnnounceMessage, thisClock: ClockIdentity): AnnounceQualification {
  if (a.header.sourcePortIdentity.clockIdentity === thisClock) return { ok: false, reason: 'ownFrame', why: 'sent by this station' };
  if (a.stepsRemoved >= 255) return { ok: false, reason: 'announceStepsRemoved', why: `stepsRemoved ${a.stepsRemoved} ≥ 255` };
  for (const tlv of a.tlvs) {
    if (tlv.kind === 'pathTrace' && tlv.pathSequence.includes(thisClock))
      return { ok: false, reason: 'announceLoop', why: 'PATH_TRACE contains this clock (loop)' };
  }
  return { ok: true };
}
