/**
 * Management messages on the wire (IEEE 1588-2019 15.4, 15.5): the 48-octet message (common header,
 * targetPortIdentity, startingBoundaryHops, boundaryHops, actionField) followed by TLVs. Decoding is as
 * strict as linuxptp's msg_post_recv: whole TLVs of even length that exactly fill messageLength.
 */
import { decodeError, type DecodeResult } from './decodeError.js';
import { PORT_IDENTITY_OCTETS, readPortIdentity, writePortIdentity } from './derivedDataTypes.js';
import { HEADER_OCTETS, readHeader, writeHeader } from './headerCodec.js';
import { ManagementAction, ManagementTlvType } from './management.js';
import { MessageType, type PortIdentity, type PtpHeader } from './messages.js';
import { copyOctets, output, readUint16 } from './octets.js';

/** Header, targetPortIdentity (10), startingBoundaryHops, boundaryHops, actionField, reserved. */
export const MANAGEMENT_MESSAGE_OCTETS = HEADER_OCTETS + PORT_IDENTITY_OCTETS + 4;
/** tlvType and lengthField. */
export const TLV_HEADER_OCTETS = 4;
/** The largest message Syntonic builds or takes (linuxptp's message buffer). */
export const MAX_MANAGEMENT_MESSAGE_OCTETS = 1500;
/** 1588-2019 13.3.2.10 controlField of a management message. */
const CONTROL_MANAGEMENT = 4;
/** logMessageInterval of a management message (1588-2019 Table 42). */
const LOG_INTERVAL_NONE = 0x7f;

export interface RawTlv {
  readonly tlvType: number;
  /** The valueField (lengthField octets). */
  readonly value: Uint8Array;
}

export interface ManagementMessage {
  readonly header: PtpHeader;
  readonly targetPortIdentity: PortIdentity;
  readonly startingBoundaryHops: number;
  readonly boundaryHops: number;
  /** The low 4 bits of the action octet (1588-2019 15.4.1.6); the high 4 are reserved. */
  readonly action: number;
  readonly tlvs: readonly RawTlv[];
}

/** A MANAGEMENT TLV's content (1588-2019 15.5.2). */
export interface ManagementTlv {
  readonly managementId: number;
  readonly dataField: Uint8Array;
}

/** Decodes one management message from a datagram; octets after messageLength are ignored. */
export function decodeManagementMessage(bytes: Uint8Array): DecodeResult<ManagementMessage> {
  if (bytes.length >= 2 && (bytes[1] & 0x0f) !== 2) {
    return decodeError('unsupportedVersion', 'versionPTP', 1, `versionPTP is ${bytes[1] & 0x0f}, only 2 is supported`);
  }
  if (bytes.length < HEADER_OCTETS) return decodeError('truncated', 'header', 0, `${bytes.length} octets, the common header needs ${HEADER_OCTETS}`);
  if ((bytes[0] & 0x0f) !== MessageType.Management) {
    return decodeError('badValue', 'messageType', 0, `messageType is ${bytes[0] & 0x0f}, not Management (13)`);
  }
  const messageLength = readUint16(bytes, 2);
  if (messageLength < MANAGEMENT_MESSAGE_OCTETS) {
    return decodeError(
      'badMessageLength',
      'messageLength',
      2,
      `messageLength ${messageLength} is shorter than the ${MANAGEMENT_MESSAGE_OCTETS} octets of a Management message`,
    );
  }
  if (messageLength > bytes.length) {
    return decodeError('badMessageLength', 'messageLength', 2, `messageLength ${messageLength} exceeds the ${bytes.length} octets received`);
  }
  const tlvs: RawTlv[] = [];
  let o = MANAGEMENT_MESSAGE_OCTETS;
  while (o < messageLength) {
    if (messageLength - o < TLV_HEADER_OCTETS) {
      return decodeError('badTlv', `tlvs[${tlvs.length}]`, o, `${messageLength - o} octets left at the end of the message, too few for a TLV`);
    }
    const length = readUint16(bytes, o + 2);
    if (length % 2 !== 0)
      return decodeError(
        'badTlv',
        `tlvs[${tlvs.length}].lengthField`,
        o + 2,
        `lengthField ${length} is odd (TLVs have an even length, 1588-2019 14.1.1; linuxptp refuses odd ones)`,
      );
    if (o + TLV_HEADER_OCTETS + length > messageLength) {
      return decodeError('badTlv', `tlvs[${tlvs.length}].lengthField`, o + 2, `lengthField ${length} runs past messageLength ${messageLength}`);
    }
    tlvs.push({ tlvType: readUint16(bytes, o), value: bytes.slice(o + TLV_HEADER_OCTETS, o + TLV_HEADER_OCTETS + length) });
    o += TLV_HEADER_OCTETS + length;
  }
  return {
    ok: true,
    value: {
      header: readHeader(bytes, 0),
      targetPortIdentity: readPortIdentity(bytes, HEADER_OCTETS),
      startingBoundaryHops: bytes[HEADER_OCTETS + 10],
      boundaryHops: bytes[HEADER_OCTETS + 11],
      action: bytes[HEADER_OCTETS + 12] & 0x0f,
      tlvs,
    },
  };
}

/** The MANAGEMENT TLV in a TLV, or undefined when it is another kind or too short to hold a managementId. */
export function managementTlvOf(tlv: RawTlv): ManagementTlv | undefined {
  if (tlv.tlvType !== ManagementTlvType.MANAGEMENT || tlv.value.length < 2) return undefined;
  return { managementId: readUint16(tlv.value, 0), dataField: tlv.value.subarray(2) };
}

export interface OutgoingManagement {
  readonly majorSdoId: number;
  readonly domainNumber: number;
  readonly sourcePortIdentity: PortIdentity;
  readonly sequenceId: number;
  readonly targetPortIdentity: PortIdentity;
  readonly startingBoundaryHops: number;
  readonly boundaryHops: number;
  readonly action: number;
  readonly tlv: RawTlv;
}

/**
 * Builds a management message with one TLV (the TLV's value is padded to an even length). Like the
 * message codec's results, it is a view into a shared output slab (byteOffset may be non-zero).
 */
export function encodeManagementMessage(m: OutgoingManagement): Uint8Array {
  const valueOctets = m.tlv.value.length + (m.tlv.value.length % 2);
  const length = MANAGEMENT_MESSAGE_OCTETS + TLV_HEADER_OCTETS + valueOctets;
  output.reserve(length);
  const w = output.view;
  const o = output.offset;
  const header: PtpHeader = {
    majorSdoId: m.majorSdoId,
    messageType: MessageType.Management,
    minorVersionPtp: 0,
    versionPtp: 2,
    messageLength: length,
    domainNumber: m.domainNumber,
    minorSdoId: 0,
    flags: 0,
    correctionField: 0n,
    messageTypeSpecific: 0,
    sourcePortIdentity: m.sourcePortIdentity,
    sequenceId: m.sequenceId,
    controlField: CONTROL_MANAGEMENT,
    logMessageInterval: LOG_INTERVAL_NONE,
  };
  writeHeader(w, o, header);
  writePortIdentity(w, o + HEADER_OCTETS, m.targetPortIdentity);
  w.setUint8(o + HEADER_OCTETS + 10, m.startingBoundaryHops);
  w.setUint8(o + HEADER_OCTETS + 11, m.boundaryHops);
  w.setUint8(o + HEADER_OCTETS + 12, m.action & 0x0f);
  w.setUint16(o + MANAGEMENT_MESSAGE_OCTETS, m.tlv.tlvType);
  w.setUint16(o + MANAGEMENT_MESSAGE_OCTETS + 2, valueOctets);
  copyOctets(w, o + MANAGEMENT_MESSAGE_OCTETS + TLV_HEADER_OCTETS, m.tlv.value);
  return output.take(length);
}

/** A MANAGEMENT TLV's value: managementId then dataField. */
export function managementTlvValue(managementId: number, dataField: Uint8Array): Uint8Array {
  const value = new Uint8Array(2 + dataField.length);
  value[0] = managementId >>> 8;
  value[1] = managementId & 0xff;
  value.set(dataField, 2);
  return value;
}

/** MANAGEMENT_ERROR_STATUS value (1588-2019 15.5.4): managementErrorId, managementId, 4 reserved octets. */
export function managementErrorValue(errorId: number, managementId: number): Uint8Array {
  const value = new Uint8Array(8);
  const w = new DataView(value.buffer);
  w.setUint16(0, errorId);
  w.setUint16(2, managementId);
  return value;
}

/** The reply's action for a request's (1588-2019 15.4.1.6): RESPONSE to GET and SET, ACKNOWLEDGE to COMMAND. */
export function replyAction(action: number): number {
  return action === ManagementAction.COMMAND ? ManagementAction.ACKNOWLEDGE : ManagementAction.RESPONSE;
}
