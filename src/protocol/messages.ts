/**
 * The 802.1AS-2020 message set (clause 10.6 and 11.4) over Ethernet, as plain data.
 *
 * These types are the contract between the codec (decode/encode), the port engine, replay and the
 * `syntonic decode` output. Everything a frame carries is kept, reserved bytes and padding included,
 * so that encode(decode(bytes)) gives back the same bytes.
 */
import type { Timestamp } from './timestamp.js';

/** A 64-bit EUI-64 clockIdentity, as an unsigned bigint (printed as 001122.fffe.334455). */
export type ClockIdentity = bigint;

/** A 48-bit MAC address as a number (exact: 48 bits fit a float64). Printed as 01:80:c2:00:00:0e. */
export type MacAddress = number;

/** 802.1AS-2020 8.5.2 portIdentity. */
export interface PortIdentity {
  readonly clockIdentity: ClockIdentity;
  /** UInteger16; 0 is not a valid portNumber of a port, 0xffff means "all ports". */
  readonly portNumber: number;
}

/** IEEE 1588-2019 Table 36 messageType values. */
export const MessageType = {
  Sync: 0x0,
  DelayReq: 0x1,
  PdelayReq: 0x2,
  PdelayResp: 0x3,
  FollowUp: 0x8,
  DelayResp: 0x9,
  PdelayRespFollowUp: 0xa,
  Announce: 0xb,
  Signaling: 0xc,
  Management: 0xd,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Event messages get timestamped on ingress and egress (1588-2019 7.3.2). */
export function isEventMessage(t: number): boolean {
  return t < 0x8;
}

/**
 * flagField bits (802.1AS-2020 Table 10-8, 1588-2019 Table 37), as masks over the 16-bit field
 * (octet 0 is the high byte).
 */
export const Flag = {
  alternateMaster: 0x0100,
  twoStepFlag: 0x0200,
  unicastFlag: 0x0400,
  profileSpecific1: 0x2000,
  profileSpecific2: 0x4000,
  securityFlag: 0x8000,
  leap61: 0x0001,
  leap59: 0x0002,
  currentUtcOffsetValid: 0x0004,
  ptpTimescale: 0x0008,
  timeTraceable: 0x0010,
  frequencyTraceable: 0x0020,
  synchronizationUncertain: 0x0040,
} as const;
export type FlagName = keyof typeof Flag;

/** The common header, 34 octets (802.1AS-2020 10.6.2, 11.4.2). */
export interface PtpHeader {
  /** 4 bits; 1 for gPTP (formerly transportSpecific). */
  readonly majorSdoId: number;
  readonly messageType: number;
  /** 4 bits; 1 in 802.1AS-2020 (1588-2019 minorVersionPTP). */
  readonly minorVersionPtp: number;
  /** 4 bits; must be 2. */
  readonly versionPtp: number;
  /** Octets of the PTP message, header included. */
  readonly messageLength: number;
  readonly domainNumber: number;
  readonly minorSdoId: number;
  /** The 16-bit flagField; test bits with `Flag`. */
  readonly flags: number;
  /** Int64 scaled nanoseconds (ns × 2^16), exact. */
  readonly correctionField: bigint;
  /** 4 octets (1588-2019 messageTypeSpecific, reserved in 802.1AS). */
  readonly messageTypeSpecific: number;
  readonly sourcePortIdentity: PortIdentity;
  readonly sequenceId: number;
  readonly controlField: number;
  /** Integer8, log2 seconds; 0x7f (127) means "not applicable". */
  readonly logMessageInterval: number;
}

// ---------------------------------------------------------------------------------------------
// TLVs (802.1AS-2020 10.6.4, 11.4.4; 1588-2019 14)

export const TlvType = {
  management: 0x0001,
  managementErrorStatus: 0x0002,
  organizationExtension: 0x0003,
  pathTrace: 0x0008,
  /** 1588-2019 Table 52; 802.1AS-2020 10.6.4.4 sends the gPTP-capable TLVs with this type. */
  organizationExtensionPropagate: 0x4000,
  organizationExtensionDoNotPropagate: 0x8000,
} as const;

/** organizationId 00-80-C2 (IEEE 802.1). */
export const IEEE_802_1_OUI = 0x0080c2;

/** organizationSubType values under 00-80-C2 (802.1AS-2020 Table 10-11 and 10.6.4.4, 11.4.4.3). */
export const OrgSubType = {
  followUpInformation: 1,
  messageIntervalRequest: 2,
  csnInformation: 3,
  gptpCapable: 4,
  gptpCapableMessageInterval: 5,
} as const;

/** 802.1AS-2020 11.4.4.3 Follow_Up information TLV (lengthField 28). */
export interface FollowUpInformationTlv {
  readonly kind: 'followUpInformation';
  /** Int32: (rateRatio − 1) × 2^41. */
  readonly cumulativeScaledRateOffset: number;
  readonly gmTimeBaseIndicator: number;
  /** ScaledNs: a 96-bit signed ns × 2^16 value, exact. */
  readonly lastGmPhaseChange: bigint;
  /** Int32: fractional frequency offset × 2^41. */
  readonly scaledLastGmFreqChange: number;
}

/** 802.1AS-2020 10.6.4.3 message interval request TLV (lengthField 12). */
export interface MessageIntervalRequestTlv {
  readonly kind: 'messageIntervalRequest';
  readonly linkDelayInterval: number;
  readonly timeSyncInterval: number;
  readonly announceInterval: number;
  /** Bit 0 computeNeighborRateRatio, bit 1 computeMeanLinkDelay, bit 2 oneStepReceiveCapable. */
  readonly flags: number;
  /** The 2 reserved octets, kept for lossless re-encoding. */
  readonly reserved: number;
}

/** 802.1AS-2020 10.6.4.4 gPTP capable TLV (subtype 4) and its message interval request (subtype 5). */
export interface GptpCapableTlv {
  readonly kind: 'gptpCapable' | 'gptpCapableMessageInterval';
  /** logGptpCapableMessageInterval (subtype 4) or gptpCapableMessageInterval (subtype 5), Integer8. */
  readonly logInterval: number;
  /** Subtype 4 only; subtype 5 has no flags octet (lengthField 10) and this is 0. */
  readonly flags: number;
  /** The reserved octets as an unsigned number (4 octets for subtype 4, 3 for subtype 5), kept for lossless re-encoding. */
  readonly reserved: number;
}

/** 802.1AS-2020 10.6.3.3.4 PATH_TRACE TLV. */
export interface PathTraceTlv {
  readonly kind: 'pathTrace';
  readonly pathSequence: readonly ClockIdentity[];
}

/** Any TLV we do not interpret, kept byte for byte. */
export interface UnknownTlv {
  readonly kind: 'unknown';
  readonly tlvType: number;
  /** The valueField (lengthField octets). */
  readonly value: Uint8Array;
}

export type Tlv = FollowUpInformationTlv | MessageIntervalRequestTlv | GptpCapableTlv | PathTraceTlv | UnknownTlv;

// ---------------------------------------------------------------------------------------------
// Bodies. Each message is its header plus the fields of its body; `tlvs` holds what follows the
// fixed body within messageLength.

interface MessageBase<K extends string, T extends number> {
  /** Discriminant for narrowing (TypeScript does not narrow on header.messageType). */
  readonly type: K;
  readonly header: PtpHeader & { readonly messageType: T };
  readonly tlvs: readonly Tlv[];
  /**
   * Octets within messageLength after the last TLV that are too few (1–3) to be a TLV header, kept
   * for lossless re-encoding (seen from non-conformant devices). Absent when there are none.
   */
  readonly strayOctets?: Uint8Array;
}

/** 802.1AS-2020 11.4.3 (two-step: originTimestamp reserved) and 1588 one-step Sync. */
export interface SyncMessage extends MessageBase<'sync', typeof MessageType.Sync> {
  readonly originTimestamp: Timestamp;
}

/** 802.1AS-2020 11.4.4. */
export interface FollowUpMessage extends MessageBase<'followUp', typeof MessageType.FollowUp> {
  readonly preciseOriginTimestamp: Timestamp;
}

/** 802.1AS-2020 11.4.5: 20 reserved octets (1588: originTimestamp + 10 reserved). */
export interface PdelayReqMessage extends MessageBase<'pdelayReq', typeof MessageType.PdelayReq> {
  readonly originTimestamp: Timestamp;
  /** The 10 reserved octets after it. */
  readonly reserved: Uint8Array;
}

/** 802.1AS-2020 11.4.6. */
export interface PdelayRespMessage extends MessageBase<'pdelayResp', typeof MessageType.PdelayResp> {
  readonly requestReceiptTimestamp: Timestamp;
  readonly requestingPortIdentity: PortIdentity;
}

/** 802.1AS-2020 11.4.7. */
export interface PdelayRespFollowUpMessage extends MessageBase<'pdelayRespFollowUp', typeof MessageType.PdelayRespFollowUp> {
  readonly responseOriginTimestamp: Timestamp;
  readonly requestingPortIdentity: PortIdentity;
}

/** 802.1AS-2020 6.4.3.8 ClockQuality. */
export interface ClockQuality {
  readonly clockClass: number;
  readonly clockAccuracy: number;
  readonly offsetScaledLogVariance: number;
}

/** 802.1AS-2020 10.6.3. */
export interface AnnounceMessage extends MessageBase<'announce', typeof MessageType.Announce> {
  /** Ignored by 802.1AS receivers; the 10 octets are kept. */
  readonly originTimestamp: Timestamp;
  readonly currentUtcOffset: number;
  /** The reserved octet after currentUtcOffset. */
  readonly reserved: number;
  readonly grandmasterPriority1: number;
  readonly grandmasterClockQuality: ClockQuality;
  readonly grandmasterPriority2: number;
  readonly grandmasterIdentity: ClockIdentity;
  readonly stepsRemoved: number;
  readonly timeSource: number;
}

/** 802.1AS-2020 10.6.4. */
export interface SignalingMessage extends MessageBase<'signaling', typeof MessageType.Signaling> {
  readonly targetPortIdentity: PortIdentity;
}

/** 1588 Delay_Req (not part of 802.1AS; decoded so that a mixed capture keeps decoding). */
export interface DelayReqMessage extends MessageBase<'delayReq', typeof MessageType.DelayReq> {
  readonly originTimestamp: Timestamp;
}

/** 1588 Delay_Resp. */
export interface DelayRespMessage extends MessageBase<'delayResp', typeof MessageType.DelayResp> {
  readonly receiveTimestamp: Timestamp;
  readonly requestingPortIdentity: PortIdentity;
}

/** Management and any messageType we do not interpret: header plus raw body (tlvs is empty). */
export interface OtherMessage {
  readonly type: 'other';
  readonly header: PtpHeader;
  readonly tlvs: readonly Tlv[];
  /** The octets between the header and messageLength, uninterpreted. */
  readonly body: Uint8Array;
}

export type PtpMessage =
  | SyncMessage
  | FollowUpMessage
  | PdelayReqMessage
  | PdelayRespMessage
  | PdelayRespFollowUpMessage
  | AnnounceMessage
  | SignalingMessage
  | DelayReqMessage
  | DelayRespMessage
  | OtherMessage;

// ---------------------------------------------------------------------------------------------
// Ethernet framing

export const PTP_ETHERTYPE = 0x88f7;
/** 01:80:C2:00:00:0E, the gPTP (and LLDP) nearest-bridge group address. */
export const GPTP_MULTICAST: MacAddress = 0x0180c200000e;

/** One 802.1Q (0x8100) or 802.1ad (0x88a8) tag. */
export interface VlanTag {
  readonly tpid: number;
  /** The 16-bit TCI: PCP (3 bits), DEI (1), VID (12). */
  readonly tci: number;
}

/** An Ethernet II frame carrying a PTP message. */
export interface PtpFrame {
  readonly destination: MacAddress;
  readonly source: MacAddress;
  /** Outermost first; at most two. */
  readonly vlanTags: readonly VlanTag[];
  readonly message: PtpMessage;
  /** Octets after messageLength (Ethernet padding, trailers), kept for lossless re-encoding. */
  readonly trailer: Uint8Array;
}
