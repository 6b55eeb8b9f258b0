/**
 * Builders for the messages a time-aware end station sends, with gPTP defaults and messageLength
 * computed from the content (the encoder itself writes messageLength as given).
 */
import {
  MessageType,
  Flag,
  type GptpCapableTlv,
  type MessageIntervalRequestTlv,
  type PdelayReqMessage,
  type PdelayRespFollowUpMessage,
  type PdelayRespMessage,
  type PortIdentity,
  type PtpHeader,
  type PtpMessage,
  type SignalingMessage,
  type Tlv,
} from './messages.js';
import { ZERO_TIMESTAMP, type Timestamp } from './timestamp.js';
import { fixedBodyOctets, messageOctets } from './messageCodec.js';
import { HEADER_OCTETS } from './headerCodec.js';
import { EMPTY_TLVS } from './tlvCodec.js';

/** logMessageInterval value meaning "not applicable" (802.1AS-2020 10.6.2.2: Pdelay_Resp, Pdelay_Resp_Follow_Up, Signaling). */
const LOG_INTERVAL_NOT_APPLICABLE = 0x7f;

/** targetPortIdentity of a Signaling message to the neighbor, whoever it is (802.1AS-2020 10.6.4.2.1). */
export const ALL_PORTS: PortIdentity = Object.freeze({ clockIdentity: 0xffff_ffff_ffff_ffffn, portNumber: 0xffff });

/** 1588-2008 controlField values (Table 23), still sent for compatibility; 802.1AS receivers ignore it. */
function defaultControlField(messageType: number): number {
  switch (messageType) {
    case MessageType.Sync:
      return 0;
    case MessageType.DelayReq:
      return 1;
    case MessageType.FollowUp:
      return 2;
    case MessageType.DelayResp:
      return 3;
    case MessageType.Management:
      return 4;
    default:
      return 5;
  }
}

export interface HeaderFields {
  readonly messageType: number;
  readonly sourcePortIdentity: PortIdentity;
  readonly sequenceId: number;
  /** log2 s; default 0x7f ("not applicable"). */
  readonly logMessageInterval?: number;
  /** The flagField (Flag masks); default 0. */
  readonly flags?: number;
  /** Default 0, the gPTP domain every time-aware system takes part in. */
  readonly domainNumber?: number;
  /** Scaled ns; default 0n. */
  readonly correctionField?: bigint;
  /** Default 1 (gPTP; 802.1AS-2020 10.6.2.2). */
  readonly majorSdoId?: number;
  /** Default 0 (802.1AS-2020 10.6.2.2). */
  readonly minorSdoId?: number;
  /** Default 1 (802.1AS-2020 10.6.2.2). */
  readonly minorVersionPtp?: number;
  /** Default: the 1588-2008 value for the messageType. */
  readonly controlField?: number;
  /** Default 0. */
  readonly messageTypeSpecific?: number;
}

/** A header with gPTP defaults; messageLength is the header plus the fixed body of the messageType. */
export function buildHeader(f: HeaderFields): PtpHeader {
  return {
    majorSdoId: f.majorSdoId ?? 1,
    messageType: f.messageType,
    minorVersionPtp: f.minorVersionPtp ?? 1,
    versionPtp: 2,
    messageLength: HEADER_OCTETS + fixedBodyOctets(f.messageType),
    domainNumber: f.domainNumber ?? 0,
    minorSdoId: f.minorSdoId ?? 0,
    flags: f.flags ?? 0,
    correctionField: f.correctionField ?? 0n,
    messageTypeSpecific: f.messageTypeSpecific ?? 0,
    sourcePortIdentity: f.sourcePortIdentity,
    sequenceId: f.sequenceId,
    controlField: f.controlField ?? defaultControlField(f.messageType),
    logMessageInterval: f.logMessageInterval ?? LOG_INTERVAL_NOT_APPLICABLE,
  };
}

/** msg with header.messageLength set to the octets it encodes to. */
export function withMessageLength<M extends PtpMessage>(msg: M): M {
  const messageLength = messageOctets(msg);
  if (messageLength === msg.header.messageLength) return msg;
  return { ...msg, header: headerWithLength(msg.header, messageLength) };
}

/**
 * A copy of h with another messageLength, built as a literal in readHeader's field order: a spread
 * copy gets another hidden class in V8, and the encoder slows down when headers come in several.
 */
function headerWithLength(h: PtpHeader, messageLength: number): PtpHeader {
  return {
    majorSdoId: h.majorSdoId,
    messageType: h.messageType,
    minorVersionPtp: h.minorVersionPtp,
    versionPtp: h.versionPtp,
    messageLength,
    domainNumber: h.domainNumber,
    minorSdoId: h.minorSdoId,
    flags: h.flags,
    correctionField: h.correctionField,
    messageTypeSpecific: h.messageTypeSpecific,
    sourcePortIdentity: h.sourcePortIdentity,
    sequenceId: h.sequenceId,
    controlField: h.controlField,
    logMessageInterval: h.logMessageInterval,
  };
}

type Common = Omit<HeaderFields, 'messageType'>;

/** 802.1AS-2020 11.4.5: the 20 body octets are reserved (zero). */
export function makePdelayReq(f: Common & { readonly logMessageInterval: number }): PdelayReqMessage {
  const header = buildHeader({ ...f, messageType: MessageType.PdelayReq }) as PdelayReqMessage['header'];
  return { type: 'pdelayReq', header, originTimestamp: ZERO_TIMESTAMP, reserved: new Uint8Array(10), tlvs: EMPTY_TLVS };
}

/** 802.1AS-2020 11.4.6: t2 of the request; two-step unless `flags` says otherwise (twoStepFlag set by default). */
export function makePdelayResp(f: Common & { readonly requestReceiptTimestamp: Timestamp; readonly requestingPortIdentity: PortIdentity }): PdelayRespMessage {
  const header = buildHeader({ ...f, flags: f.flags ?? Flag.twoStepFlag, messageType: MessageType.PdelayResp }) as PdelayRespMessage['header'];
  return {
    type: 'pdelayResp',
    header,
    requestReceiptTimestamp: f.requestReceiptTimestamp,
    requestingPortIdentity: f.requestingPortIdentity,
    tlvs: EMPTY_TLVS,
  };
}

/** 802.1AS-2020 11.4.7: t3 of the response. */
export function makePdelayRespFollowUp(
  f: Common & { readonly responseOriginTimestamp: Timestamp; readonly requestingPortIdentity: PortIdentity },
): PdelayRespFollowUpMessage {
  const header = buildHeader({ ...f, messageType: MessageType.PdelayRespFollowUp }) as PdelayRespFollowUpMessage['header'];
  return {
    type: 'pdelayRespFollowUp',
    header,
    responseOriginTimestamp: f.responseOriginTimestamp,
    requestingPortIdentity: f.requestingPortIdentity,
    tlvs: EMPTY_TLVS,
  };
}

/** 802.1AS-2020 10.6.4: targetPortIdentity defaults to all ones; messageLength counts the TLVs. */
export function makeSignaling(f: Common & { readonly tlvs: readonly Tlv[]; readonly targetPortIdentity?: PortIdentity }): SignalingMessage {
  const header = buildHeader({ ...f, messageType: MessageType.Signaling }) as SignalingMessage['header'];
  return withMessageLength({ type: 'signaling', header, targetPortIdentity: f.targetPortIdentity ?? ALL_PORTS, tlvs: f.tlvs });
}

/** Message interval request TLV flags (802.1AS-2020 10.6.4.3.9), as the contract numbers them (bit 0 first). */
export const IntervalRequestFlag = {
  computeNeighborRateRatio: 0x01,
  computeMeanLinkDelay: 0x02,
  oneStepReceiveCapable: 0x04,
} as const;

export function messageIntervalRequestTlv(f: Omit<MessageIntervalRequestTlv, 'kind' | 'reserved'>): MessageIntervalRequestTlv {
  return { kind: 'messageIntervalRequest', ...f, reserved: 0 };
}

export function gptpCapableTlv(logInterval: number, flags = 0): GptpCapableTlv {
  return { kind: 'gptpCapable', logInterval, flags, reserved: 0 };
}
