/**
 * Why the engine refused a frame. Every refusal is counted under its reason and visible in
 * statistics: foreign or forged frames must never change state silently (nor crash anything).
 */
export type RejectionReason =
  | 'decodeError' // the frame did not decode (counted by the driver)
  | 'wrongDomain' // domainNumber is not the configured one (802.1AS-2020 8.1)
  | 'wrongMajorSdoId' // majorSdoId is not 1: not gPTP (802.1AS-2020 10.6.2.2.1)
  | 'ownFrame' // sourcePortIdentity is this station's own (a loop, or our own frame echoed)
  | 'notAsCapable' // Sync/Announce on a port that is not asCapable (802.1AS-2020 10.2.4, 11.2.14)
  | 'unsupportedMessage' // 1588 messages that 802.1AS does not use (Delay_Req, Management…)
  | 'syncNotFromMaster' // Sync/Follow_Up whose source is not the selected master port
  | 'followUpWithoutSync' // Follow_Up whose sequenceId/source matches no pending Sync
  | 'lateFollowUp' // Follow_Up after followUpReceiptTimeout (one sync interval)
  | 'duplicateSequence' // a sequenceId replayed or gone backwards
  | 'timestampBackwards' // an origin timestamp older than the previous one
  | 'absurdCorrection' // correctionField negative or beyond a second
  | 'pdelayRespUnknownRequest' // Pdelay_Resp/Resp_Follow_Up for a request never sent
  | 'pdelayRespNotForUs' // requestingPortIdentity is another port (shared segment)
  | 'pdelayRespFollowUpMismatch' // Resp_Follow_Up whose source differs from the Resp's
  | 'pdelayMultipleResponses' // a second Pdelay_Resp for one request: not a point-to-point link
  | 'announceLoop' // PATH_TRACE contains this clock (802.1AS-2020 10.3.11.2.1)
  | 'announceStepsRemoved' // stepsRemoved ≥ 255: the Announce has travelled too far (802.1AS-2020 10.3.11.2.1)
  | 'announceNotBetter' // an Announce that loses to the current master
  | 'grandmasterNotAcceptable' // Announce naming (or Sync from a port serving) a grandmaster outside acceptable_grandmasters (1588-2019 17.6 in spirit)
  | 'masterNotAcceptable' // Announce/Sync/Follow_Up from a port outside acceptable_masters (1588-2019 17.6 in spirit)
  | 'signalingNotForUs' // targetPortIdentity is neither us nor all ports
  | 'badTimestamp'; // a timestamp the computation cannot use (e.g. t4 before t1)

export class RejectionCounters {
  private readonly counts = new Map<RejectionReason, number>();

  count(reason: RejectionReason): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  get(reason: RejectionReason): number {
    return this.counts.get(reason) ?? 0;
  }

  /** reason → count, only the non-zero ones, sorted by reason for stable output. */
  toRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const key of [...this.counts.keys()].sort()) out[key] = this.counts.get(key) ?? 0;
    return out;
  }

  total(): number {
    let sum = 0;
    for (const v of this.counts.values()) sum += v;
    return sum;
  }
}
