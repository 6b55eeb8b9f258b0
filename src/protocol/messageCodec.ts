/**
 * PTP messages ⇄ octets (802.1AS-2020 10.6 and 11.4; 1588-2019 13 for Delay_Req/Delay_Resp and
 * Management). Lossless: every octet within messageLength lands in a field, a TLV or
 * `strayOctets`, and encodeMessage(decodeMessage(b)) === b.
 *
 * The decoder never throws and never reads outside [offset, end): every problem comes back as a
 * DecodeError naming the field and its octet offset. The encoder does not validate: it writes
 * header.messageLength as given and each field masked to its width, so that broken messages can be
 * built on purpose (test fixtures); use the builders for messages meant to be sent.
 */
import { decodeError, type DecodeResult } from './decodeError.js';
import {
  MessageType,
  type AnnounceMessage,
  type DelayReqMessage,
  type DelayRespMessage,
  type FollowUpMessage,
  type OtherMessage,
  type PdelayReqMessage,
  type PdelayRespFollowUpMessage,
  type PdelayRespMessage,
  type PtpHeader,
  type PtpMessage,
  type SignalingMessage,
  type SyncMessage,
} from './messages.js';
import {
  NS_PER_S,
  PORT_IDENTITY_OCTETS,
  TIMESTAMP_OCTETS,
  readClockIdentity,
  readPortIdentity,
  readTimestamp,
  timestampNanoseconds,
  writeClockIdentity,
  writePortIdentity,
  writeTimestamp,
} from './derivedDataTypes.js';
import { HEADER_OCTETS, readHeader, writeHeader } from './headerCodec.js';
import { EMPTY_TLVS, decodeTlvs, tlvListOctets, writeTlv, type TlvList } from './tlvCodec.js';
import { copyOctets, output, readInt16, readUint16, viewOf } from './octets.js';
import { messageTypeName } from './format.js';

/** Octets between the header and the TLVs, per messageType (0 for Management and unknown types). */
const BODY_OCTETS: readonly number[] = (() => {
  const t = new Array<number>(16).fill(0);
  t[MessageType.Sync] = TIMESTAMP_OCTETS; // 11.4.3: originTimestamp (reserved in two-step)
  t[MessageType.DelayReq] = TIMESTAMP_OCTETS; // 1588-2019 13.6
  t[MessageType.PdelayReq] = 2 * TIMESTAMP_OCTETS; // 11.4.5: 20 reserved octets (1588: ts + 10)
  t[MessageType.PdelayResp] = TIMESTAMP_OCTETS + PORT_IDENTITY_OCTETS; // 11.4.6
  t[MessageType.FollowUp] = TIMESTAMP_OCTETS; // 11.4.4
  t[MessageType.DelayResp] = TIMESTAMP_OCTETS + PORT_IDENTITY_OCTETS; // 1588-2019 13.8
  t[MessageType.PdelayRespFollowUp] = TIMESTAMP_OCTETS + PORT_IDENTITY_OCTETS; // 11.4.7
  t[MessageType.Announce] = 30; // 10.6.3
  t[MessageType.Signaling] = PORT_IDENTITY_OCTETS; // 10.6.4
  return t;
})();

/** The same by message kind: the encoder lays out the body by `type`, whatever header.messageType says. */
const BODY_OCTETS_BY_TYPE: Readonly<Record<PtpMessage['type'], number>> = {
  sync: BODY_OCTETS[MessageType.Sync],
  delayReq: BODY_OCTETS[MessageType.DelayReq],
  pdelayReq: BODY_OCTETS[MessageType.PdelayReq],
  pdelayResp: BODY_OCTETS[MessageType.PdelayResp],
  followUp: BODY_OCTETS[MessageType.FollowUp],
  delayResp: BODY_OCTETS[MessageType.DelayResp],
  pdelayRespFollowUp: BODY_OCTETS[MessageType.PdelayRespFollowUp],
  announce: BODY_OCTETS[MessageType.Announce],
  signaling: BODY_OCTETS[MessageType.Signaling],
  other: 0,
};

/** The octets of the body before any TLV for this messageType. */
export function fixedBodyOctets(messageType: number): number {
  return BODY_OCTETS[messageType & 0x0f];
}

/**
 * Decodes the PTP message in bytes[offset, end) (end defaults to the buffer's end). Octets after
 * messageLength are ignored (the caller's trailer). Offsets in errors count from bytes[0].
 */
export function decodeMessage(bytes: Uint8Array, offset = 0, end: number = bytes.length): DecodeResult<PtpMessage> {
  const stop = Math.min(end, bytes.length);
  if (!Number.isInteger(offset) || !Number.isInteger(stop) || offset < 0) {
    return decodeError('badValue', 'offset', 0, `decode range [${offset}, ${end}) is not a range of octet positions`);
  }
  const available = stop - offset;
  if (available >= 2 && (bytes[offset + 1] & 0x0f) !== 2) {
    return decodeError('unsupportedVersion', 'versionPTP', offset + 1, `versionPTP is ${bytes[offset + 1] & 0x0f}, only 2 is supported`);
  }
  if (available < HEADER_OCTETS) {
    return decodeError('truncated', 'header', offset, `${Math.max(available, 0)} octets left, the common header needs ${HEADER_OCTETS}`);
  }
  const messageLength = readUint16(bytes, offset + 2);
  const messageType = bytes[offset] & 0x0f;
  const required = HEADER_OCTETS + BODY_OCTETS[messageType];
  if (messageLength < required) {
    return decodeError(
      'badMessageLength',
      'messageLength',
      offset + 2,
      `messageLength ${messageLength} is shorter than the ${required} octets of a ${messageTypeName(messageType)}`,
    );
  }
  if (messageLength > available) {
    return decodeError('badMessageLength', 'messageLength', offset + 2, `messageLength ${messageLength} exceeds the ${available} octets available`);
  }
  return decodeBody(bytes, readHeader(bytes, offset), offset + HEADER_OCTETS, offset + messageLength);
}

/** b: body start (after the header), e: end of the message (offset + messageLength). */
function decodeBody(bytes: Uint8Array, header: PtpHeader, b: number, e: number): DecodeResult<PtpMessage> {
  switch (header.messageType) {
    case MessageType.Sync:
      return decodeTimestampOnly('sync', 'originTimestamp', bytes, header, b, e);
    case MessageType.DelayReq:
      return decodeTimestampOnly('delayReq', 'originTimestamp', bytes, header, b, e);
    case MessageType.FollowUp:
      return decodeTimestampOnly('followUp', 'preciseOriginTimestamp', bytes, header, b, e);
    case MessageType.PdelayReq:
      return decodePdelayReq(bytes, header, b, e);
    case MessageType.PdelayResp:
      return decodeTimestampAndPort('pdelayResp', 'requestReceiptTimestamp', bytes, header, b, e);
    case MessageType.PdelayRespFollowUp:
      return decodeTimestampAndPort('pdelayRespFollowUp', 'responseOriginTimestamp', bytes, header, b, e);
    case MessageType.DelayResp:
      return decodeTimestampAndPort('delayResp', 'receiveTimestamp', bytes, header, b, e);
    case MessageType.Announce:
      return decodeAnnounce(bytes, header, b, e);
    case MessageType.Signaling:
      return decodeSignaling(bytes, header, b, e);
    default: {
      const other: OtherMessage = { type: 'other', header, tlvs: EMPTY_TLVS, body: bytes.slice(b, e) };
      return { ok: true, value: other };
    }
  }
}

function badNanoseconds(field: string, o: number, ns: number): DecodeResult<never> {
  return decodeError('badNanoseconds', `${field}.nanoseconds`, o + 6, `${field}.nanoseconds is ${ns}, must be below 10^9`);
}

type TimestampOnly = SyncMessage | DelayReqMessage | FollowUpMessage;

function decodeTimestampOnly(type: TimestampOnly['type'], field: string, bytes: Uint8Array, header: PtpHeader, b: number, e: number): DecodeResult<PtpMessage> {
  const ns = timestampNanoseconds(bytes, b);
  if (ns >= NS_PER_S) return badNanoseconds(field, b, ns);
  const list = decodeTlvs(bytes, b + TIMESTAMP_OCTETS, e);
  if (!list.ok) return list;
  const t = readTimestamp(bytes, b);
  let msg: PtpMessage;
  if (type === 'followUp') msg = { type, header: header as FollowUpMessage['header'], preciseOriginTimestamp: t, tlvs: list.value.tlvs };
  else if (type === 'sync') msg = { type, header: header as SyncMessage['header'], originTimestamp: t, tlvs: list.value.tlvs };
  else msg = { type, header: header as DelayReqMessage['header'], originTimestamp: t, tlvs: list.value.tlvs };
  return ok(msg, list.value);
}

function decodePdelayReq(bytes: Uint8Array, header: PtpHeader, b: number, e: number): DecodeResult<PtpMessage> {
  const ns = timestampNanoseconds(bytes, b);
  if (ns >= NS_PER_S) return badNanoseconds('originTimestamp', b, ns);
  const list = decodeTlvs(bytes, b + 2 * TIMESTAMP_OCTETS, e);
  if (!list.ok) return list;
  const msg: PdelayReqMessage = {
    type: 'pdelayReq',
    header: header as PdelayReqMessage['header'],
    originTimestamp: readTimestamp(bytes, b),
    reserved: bytes.slice(b + TIMESTAMP_OCTETS, b + 2 * TIMESTAMP_OCTETS),
    tlvs: list.value.tlvs,
  };
  return ok(msg, list.value);
}

type TimestampAndPort = PdelayRespMessage | PdelayRespFollowUpMessage | DelayRespMessage;

function decodeTimestampAndPort(
  type: TimestampAndPort['type'],
  field: string,
  bytes: Uint8Array,
  header: PtpHeader,
  b: number,
  e: number,
): DecodeResult<PtpMessage> {
  const ns = timestampNanoseconds(bytes, b);
  if (ns >= NS_PER_S) return badNanoseconds(field, b, ns);
  const list = decodeTlvs(bytes, b + TIMESTAMP_OCTETS + PORT_IDENTITY_OCTETS, e);
  if (!list.ok) return list;
  const t = readTimestamp(bytes, b);
  const requestingPortIdentity = readPortIdentity(bytes, b + TIMESTAMP_OCTETS);
  const tlvs = list.value.tlvs;
  let msg: PtpMessage;
  if (type === 'pdelayResp') msg = { type, header: header as PdelayRespMessage['header'], requestReceiptTimestamp: t, requestingPortIdentity, tlvs };
  else if (type === 'pdelayRespFollowUp')
    msg = { type, header: header as PdelayRespFollowUpMessage['header'], responseOriginTimestamp: t, requestingPortIdentity, tlvs };
  else msg = { type, header: header as DelayRespMessage['header'], receiveTimestamp: t, requestingPortIdentity, tlvs };
  return ok(msg, list.value);
}

/** Octet offsets within the Announce body (802.1AS-2020 10.6.3), from the end of the header. */
const AnnounceOffset = {
  originTimestamp: 0,
  currentUtcOffset: 10,
  reserved: 12,
  grandmasterPriority1: 13,
  clockClass: 14,
  clockAccuracy: 15,
  offsetScaledLogVariance: 16,
  grandmasterPriority2: 18,
  grandmasterIdentity: 19,
  stepsRemoved: 27,
  timeSource: 29,
} as const;

function decodeAnnounce(bytes: Uint8Array, header: PtpHeader, b: number, e: number): DecodeResult<PtpMessage> {
  const ns = timestampNanoseconds(bytes, b);
  if (ns >= NS_PER_S) return badNanoseconds('originTimestamp', b, ns);
  const list = decodeTlvs(bytes, b + BODY_OCTETS[MessageType.Announce], e);
  if (!list.ok) return list;
  const A = AnnounceOffset;
  const msg: AnnounceMessage = {
    type: 'announce',
    header: header as AnnounceMessage['header'],
    originTimestamp: readTimestamp(bytes, b),
    currentUtcOffset: readInt16(bytes, b + A.currentUtcOffset),
    reserved: bytes[b + A.reserved],
    grandmasterPriority1: bytes[b + A.grandmasterPriority1],
    grandmasterClockQuality: {
      clockClass: bytes[b + A.clockClass],
      clockAccuracy: bytes[b + A.clockAccuracy],
      offsetScaledLogVariance: readUint16(bytes, b + A.offsetScaledLogVariance),
    },
    grandmasterPriority2: bytes[b + A.grandmasterPriority2],
    grandmasterIdentity: readClockIdentity(bytes, b + A.grandmasterIdentity),
    stepsRemoved: readUint16(bytes, b + A.stepsRemoved),
    timeSource: bytes[b + A.timeSource],
    tlvs: list.value.tlvs,
  };
  return ok(msg, list.value);
}

function decodeSignaling(bytes: Uint8Array, header: PtpHeader, b: number, e: number): DecodeResult<PtpMessage> {
  const list = decodeTlvs(bytes, b + PORT_IDENTITY_OCTETS, e);
  if (!list.ok) return list;
  const msg: SignalingMessage = {
    type: 'signaling',
    header: header as SignalingMessage['header'],
    targetPortIdentity: readPortIdentity(bytes, b),
    tlvs: list.value.tlvs,
  };
  return ok(msg, list.value);
}

/** Wraps a decoded message, adding strayOctets only when there are some (the rare, slow path). */
function ok(msg: PtpMessage, list: TlvList): DecodeResult<PtpMessage> {
  if (list.strayOctets === undefined) return { ok: true, value: msg };
  return { ok: true, value: { ...msg, strayOctets: list.strayOctets } as PtpMessage };
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Octets encodeMessage produces: header, body, TLVs and stray octets (not header.messageLength). */
export function messageOctets(msg: PtpMessage): number {
  if (msg.type === 'other') return HEADER_OCTETS + msg.body.length;
  const stray = msg.strayOctets;
  return HEADER_OCTETS + BODY_OCTETS_BY_TYPE[msg.type] + tlvListOctets(msg.tlvs) + (stray === undefined ? 0 : stray.length);
}

/**
 * Encodes msg into messageOctets(msg) new octets; header.messageLength is written as given. The
 * result may be a view into a shared pool: use its byteOffset/byteLength, not its whole buffer.
 */
export function encodeMessage(msg: PtpMessage): Uint8Array {
  const n = messageOctets(msg);
  output.reserve(n);
  writeMessageTo(output.view, output.offset, msg);
  return output.take(n);
}

/**
 * Writes msg into b at offset o (b must hold messageOctets(msg) octets from there; throws
 * RangeError otherwise); returns the offset after it.
 */
export function writeMessage(b: Uint8Array, o: number, msg: PtpMessage): number {
  return writeMessageTo(viewOf(b), o, msg);
}

/** writeMessage through a DataView: the body layout follows msg.type, the header is written as given. */
export function writeMessageTo(w: DataView, o: number, msg: PtpMessage): number {
  writeHeader(w, o, msg.header);
  const p = o + HEADER_OCTETS;
  if (msg.type === 'other') {
    copyOctets(w, p, msg.body);
    return p + msg.body.length;
  }
  let q = writeBody(w, p, msg);
  for (let i = 0; i < msg.tlvs.length; i++) q = writeTlv(w, q, msg.tlvs[i]);
  const stray = msg.strayOctets;
  if (stray !== undefined) {
    copyOctets(w, q, stray);
    q += stray.length;
  }
  return q;
}

/** Writes the fixed body of msg at p; returns the offset of its first TLV. */
function writeBody(w: DataView, p: number, msg: Exclude<PtpMessage, OtherMessage>): number {
  switch (msg.type) {
    case 'sync':
    case 'delayReq':
      writeTimestamp(w, p, msg.originTimestamp);
      break;
    case 'followUp':
      writeTimestamp(w, p, msg.preciseOriginTimestamp);
      break;
    case 'pdelayReq':
      writeTimestamp(w, p, msg.originTimestamp);
      copyOctets(w, p + TIMESTAMP_OCTETS, msg.reserved, TIMESTAMP_OCTETS);
      break;
    case 'pdelayResp':
      writeTimestamp(w, p, msg.requestReceiptTimestamp);
      writePortIdentity(w, p + TIMESTAMP_OCTETS, msg.requestingPortIdentity);
      break;
    case 'pdelayRespFollowUp':
      writeTimestamp(w, p, msg.responseOriginTimestamp);
      writePortIdentity(w, p + TIMESTAMP_OCTETS, msg.requestingPortIdentity);
      break;
    case 'delayResp':
      writeTimestamp(w, p, msg.receiveTimestamp);
      writePortIdentity(w, p + TIMESTAMP_OCTETS, msg.requestingPortIdentity);
      break;
    case 'announce':
      writeAnnounceBody(w, p, msg);
      break;
    case 'signaling':
      writePortIdentity(w, p, msg.targetPortIdentity);
      break;
  }
  return p + BODY_OCTETS_BY_TYPE[msg.type];
}

function writeAnnounceBody(w: DataView, p: number, msg: AnnounceMessage): void {
  const A = AnnounceOffset;
  const q = msg.grandmasterClockQuality;
  writeTimestamp(w, p, msg.originTimestamp);
  w.setUint16(p + A.currentUtcOffset, msg.currentUtcOffset);
  w.setUint8(p + A.reserved, msg.reserved);
  w.setUint8(p + A.grandmasterPriority1, msg.grandmasterPriority1);
  w.setUint8(p + A.clockClass, q.clockClass);
  w.setUint8(p + A.clockAccuracy, q.clockAccuracy);
  w.setUint16(p + A.offsetScaledLogVariance, q.offsetScaledLogVariance);
  w.setUint8(p + A.grandmasterPriority2, msg.grandmasterPriority2);
  writeClockIdentity(w, p + A.grandmasterIdentity, msg.grandmasterIdentity);
  w.setUint16(p + A.stepsRemoved, msg.stepsRemoved);
  w.setUint8(p + A.timeSource, msg.timeSource);
}
