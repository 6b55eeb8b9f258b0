/**
 * The messages an end station in the slave role sends (802.1AS-2020 11.4.5–11.4.7 and 10.6.4),
 * as data for the codec to encode.
 */
import { LOG_INTERVAL_NOT_APPLICABLE, LOG_INTERVAL_NO_CHANGE } from './logInterval.js';
import {
  Flag,
  GPTP_MULTICAST,
  MessageType,
  type MacAddress,
  type PdelayReqMessage,
  type PdelayRespFollowUpMessage,
  type PdelayRespMessage,
  type PortIdentity,
  type PtpFrame,
  type PtpHeader,
  type PtpMessage,
  type SignalingMessage,
} from './messages.js';
import { ZERO_TIMESTAMP, type Timestamp } from './timestamp.js';

const HEADER_LENGTH = 34;
/** Pdelay_Req/Resp/Resp_Follow_Up bodies are 20 octets (802.1AS-2020 11.4.5.1, 11.4.6.1, 11.4.7.1). */
const PDELAY_LENGTH = HEADER_LENGTH + 20;
/** Signaling: header + targetPortIdentity (10) + message interval request TLV (4 + 12). */
const SIGNALING_INTERVAL_REQUEST_LENGTH = HEADER_LENGTH + 10 + 16;
/** 1588-2019 Table 42 controlField for "all others" (802.1AS-2011 Table 11-6 used the same). */
const CONTROL_OTHER = 5;
/** 802.1AS-2020 10.6.4.2.1: a Signaling message addressed to every port. */
const ALL_PORTS: PortIdentity = { clockIdentity: 0xffffffffffffffffn, portNumber: 0xffff };
/** message interval request flags: computeNeighborRateRatio | computeMeanLinkDelay (10.6.4.3.9). */
const COMPUTE_RATIO_AND_DELAY = 0x03;

export interface Sender {
  readonly mac: MacAddress;
  readonly port: PortIdentity;
  readonly domainNumber: number;
  readonly majorSdoId: number;
}

function header(s: Sender, messageType: number, messageLength: number, sequenceId: number, flags: number, logMessageInterval: number): PtpHeader {
  return {
    majorSdoId: s.majorSdoId,
    messageType,
    minorVersionPtp: 1,
    versionPtp: 2,
    messageLength,
    domainNumber: s.domainNumber,
    minorSdoId: 0,
    flags,
    correctionField: 0n,
    messageTypeSpecific: 0,
    sourcePortIdentity: s.port,
    sequenceId,
    controlField: CONTROL_OTHER,
    logMessageInterval,
  };
}

export function frameOf(s: Sender, message: PtpMessage): PtpFrame {
  return { destination: GPTP_MULTICAST, source: s.mac, vlanTags: [], message, trailer: new Uint8Array(0) };
}

export function pdelayReq(s: Sender, sequenceId: number, logPdelayReqInterval: number): PdelayReqMessage {
  return {
    type: 'pdelayReq',
    header: header(s, MessageType.PdelayReq, PDELAY_LENGTH, sequenceId, 0, logPdelayReqInterval) as PdelayReqMessage['header'],
    originTimestamp: ZERO_TIMESTAMP,
    reserved: new Uint8Array(10),
    tlvs: [],
  };
}

/** Two-step responder (802.1AS-2020 11.2.20): requestReceiptTimestamp is t2; t3 follows in the Follow_Up. */
export function pdelayResp(s: Sender, req: PortIdentity, sequenceId: number, t2: Timestamp): PdelayRespMessage {
  return {
    type: 'pdelayResp',
    header: header(s, MessageType.PdelayResp, PDELAY_LENGTH, sequenceId, Flag.twoStepFlag, LOG_INTERVAL_NOT_APPLICABLE) as PdelayRespMessage['header'],
    requestReceiptTimestamp: t2,
    requestingPortIdentity: req,
    tlvs: [],
  };
}

export function pdelayRespFollowUp(s: Sender, req: PortIdentity, sequenceId: number, t3: Timestamp): PdelayRespFollowUpMessage {
  return {
    type: 'pdelayRespFollowUp',
    header: header(s, MessageType.PdelayRespFollowUp, PDELAY_LENGTH, sequenceId, 0, LOG_INTERVAL_NOT_APPLICABLE) as PdelayRespFollowUpMessage['header'],
    responseOriginTimestamp: t3,
    requestingPortIdentity: req,
    tlvs: [],
  };
}

/** Ask the master for a Sync interval (802.1AS-2020 10.6.4.3; the automotive profile's operational rates). */
export function messageIntervalRequest(s: Sender, sequenceId: number, timeSyncInterval: number): SignalingMessage {
  return {
    type: 'signaling',
    header: header(s, MessageType.Signaling, SIGNALING_INTERVAL_REQUEST_LENGTH, sequenceId, 0, LOG_INTERVAL_NOT_APPLICABLE) as SignalingMessage['header'],
    targetPortIdentity: ALL_PORTS,
    tlvs: [
      {
        kind: 'messageIntervalRequest',
        linkDelayInterval: LOG_INTERVAL_NO_CHANGE,
        timeSyncInterval,
        announceInterval: LOG_INTERVAL_NO_CHANGE,
        flags: COMPUTE_RATIO_AND_DELAY,
        reserved: 0,
      },
    ],
  };
}

export function isAllPorts(p: PortIdentity): boolean {
  return p.clockIdentity === ALL_PORTS.clockIdentity && p.portNumber === ALL_PORTS.portNumber;
}
