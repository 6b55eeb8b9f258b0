/**
 * Peer delay as seen from beside the link (a tap, or a capture of both directions): every port that
 * sends Pdelay_Req gets its exchanges matched and computed as if the capture times were its own
 * timestamps (802.1AS-2020 11.2.19.3). With a tap next to the requester this is its link delay, give
 * or take the tap's own timestamping.
 */
import type { LocalTime } from '../../clock/timePoint.js';
import type { PortIdentity, PtpFrame } from '../../protocol/messages.js';
import { PeerDelayInitiator } from '../../protocol/peerDelayInitiator.js';
import { GPTP_DEFAULTS } from '../../protocol/portConfig.js';
import { portIdentityEquals, portIdentityKey } from '../../protocol/portIdentity.js';

export interface PassiveLinkDelay {
  readonly requester: PortIdentity;
  readonly responder: PortIdentity | undefined;
  readonly exchanges: number;
  /** Exchanges whose answer came late: in the link delay, but no end of a neighborRateRatio (neighborRateRatioWindow.ts). */
  readonly lateAnswers: number;
  readonly meanLinkDelay: number | undefined;
  readonly neighborRateRatio: number;
}

interface Tracked {
  readonly requester: PortIdentity;
  readonly initiator: PeerDelayInitiator;
}

/** More requesters than a point-to-point link has; beyond it, new ones are not tracked (bounded memory). */
const MAX_REQUESTERS = 16;

export class PassivePeerDelays {
  private readonly byRequester = new Map<string, Tracked>();

  observe(frame: PtpFrame, at: LocalTime): void {
    const m = frame.message;
    if (m.type !== 'pdelayReq' && m.type !== 'pdelayResp' && m.type !== 'pdelayRespFollowUp') return;
    if (m.type === 'pdelayReq') {
      const t = this.tracked(m.header.sourcePortIdentity);
      t?.initiator.beginRequest(m.header.sequenceId);
      t?.initiator.requestTimestamp(m.header.sequenceId, at);
    } else if (m.type === 'pdelayResp') this.find(m.requestingPortIdentity)?.initiator.onPdelayResp(m, at);
    else this.find(m.requestingPortIdentity)?.initiator.onPdelayRespFollowUp(m);
  }

  results(): PassiveLinkDelay[] {
    return [...this.byRequester.values()].map((t) => ({
      requester: t.requester,
      responder: t.initiator.neighborPortIdentity,
      exchanges: t.initiator.completedExchanges,
      lateAnswers: t.initiator.lateAnswers,
      meanLinkDelay: t.initiator.meanLinkDelay,
      neighborRateRatio: t.initiator.neighborRateRatio,
    }));
  }

  /** A linear search: a link has one or two requesters, and no string key is built per frame. */
  private find(requester: PortIdentity): Tracked | undefined {
    for (const t of this.byRequester.values()) if (portIdentityEquals(t.requester, requester)) return t;
    return undefined;
  }

  private tracked(requester: PortIdentity): Tracked | undefined {
    let t = this.find(requester);
    if (t === undefined && this.byRequester.size < MAX_REQUESTERS) {
      t = { requester, initiator: new PeerDelayInitiator({ ...GPTP_DEFAULTS, neighborPropDelayThresh: Number.MAX_SAFE_INTEGER }, requester) };
      this.byRequester.set(portIdentityKey(requester), t);
    }
    return t;
  }
}
