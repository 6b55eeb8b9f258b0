/**
 * The messages an end station in the slave role sends (802.1AS-2020 11.4.5–11.4.7 and 10.6.4), for
 * one sender: the codec's builders with this port's identity, domain and SDO filled in.
 */
import { LOG_INTERVAL_NO_CHANGE } from './logInterval.js';
import {
  GPTP_MULTICAST,
  type MacAddress,
  type PdelayReqMessage,
  type PdelayRespFollowUpMessage,
  type PdelayRespMessage,
  type PortIdentity,
  type PtpFrame,
  type PtpMessage,
  type SignalingMessage,
} from './messages.js';
import {
  ALL_PORTS,
  IntervalRequestFlag,
  makePdelayReq,
  makePdelayResp,
  makePdelayRespFollowUp,
  makeSignaling,
  messageIntervalRequestTlv,
} from './messageBuilders.js';
import type { Timestamp } from './timestamp.js';

export interface Sender {
  readonly mac: MacAddress;
  readonly port: PortIdentity;
  readonly domainNumber: number;
  readonly majorSdoId: number;
}

function common(s: Sender, sequenceId: number): { sourcePortIdentity: PortIdentity; sequenceId: number; domainNumber: number; majorSdoId: number } {
  return { sourcePortIdentity: s.port, sequenceId, domainNumber: s.domainNumber, majorSdoId: s.majorSdoId };
}

export function frameOf(s: Sender, message: PtpMessage): PtpFrame {
  return { destination: GPTP_MULTICAST, source: s.mac, vlanTags: [], message, trailer: new Uint8Array(0) };
}

export function pdelayReq(s: Sender, sequenceId: number, logPdelayReqInterval: number): PdelayReqMessage {
  return makePdelayReq({ ...common(s, sequenceId), logMessageInterval: logPdelayReqInterval });
}

/** Two-step responder (802.1AS-2020 11.2.20): requestReceiptTimestamp is t2; t3 follows in the Follow_Up. */
export function pdelayResp(s: Sender, req: PortIdentity, sequenceId: number, t2: Timestamp): PdelayRespMessage {
  return makePdelayResp({ ...common(s, sequenceId), requestReceiptTimestamp: t2, requestingPortIdentity: req });
}

/**
 * One-step responder (1588-2019 11.4.2; 802.1AS-2020 11.4.2.4: twoStepFlag clear): no t2 in the
 * message and the request's correctionField, to which the NIC adds t3 − t2 on its way out.
 */
/**
 * A one-step Pdelay_Resp: twoStepFlag clear, the request's correctionField carried over for the NIC to
 * add the turnaround t3 − t2 to. requestReceiptTimestamp carries t2 all the same: a 1588 requester
 * uses the correctionField alone, while an 802.1AS requester reads requestReceiptTimestamp +
 * correctionField = t3 (the correctedResponderEventTimestamp of 11.2.19.3.3) and so measures
 * neighborRateRatio over successive responses.
 */
export function pdelayRespOneStep(s: Sender, req: PortIdentity, sequenceId: number, requestCorrection: bigint, t2: Timestamp): PdelayRespMessage {
  return makePdelayResp({ ...common(s, sequenceId), flags: 0, correctionField: requestCorrection, requestReceiptTimestamp: t2, requestingPortIdentity: req });
}

export function pdelayRespFollowUp(s: Sender, req: PortIdentity, sequenceId: number, t3: Timestamp): PdelayRespFollowUpMessage {
  return makePdelayRespFollowUp({ ...common(s, sequenceId), responseOriginTimestamp: t3, requestingPortIdentity: req });
}

/** Ask the master for a Sync interval (802.1AS-2020 10.6.4.3; the automotive profile's operational rates). */
export function messageIntervalRequest(s: Sender, sequenceId: number, timeSyncInterval: number): SignalingMessage {
  return makeSignaling({
    ...common(s, sequenceId),
    tlvs: [
      messageIntervalRequestTlv({
        linkDelayInterval: LOG_INTERVAL_NO_CHANGE,
        timeSyncInterval,
        announceInterval: LOG_INTERVAL_NO_CHANGE,
        flags: IntervalRequestFlag.computeNeighborRateRatio | IntervalRequestFlag.computeMeanLinkDelay,
      }),
    ],
  });
}

export function isAllPorts(p: PortIdentity): boolean {
  return p.clockIdentity === ALL_PORTS.clockIdentity && p.portNumber === ALL_PORTS.portNumber;
}
