/**
 * TLVs (802.1AS-2020 10.6.4, 11.4.4.3; 1588-2019 14.1): the four 802.1AS ones are interpreted,
 * every other TLV is kept as type + raw value so that re-encoding gives the same octets.
 *
 * A TLV is recognised by its exact identity, and only then: Follow_Up information and message
 * interval request under tlvType ORGANIZATION_EXTENSION (0x0003), the gPTP-capable TLVs under
 * ORGANIZATION_EXTENSION_DO_NOT_PROPAGATE (0x8000, 802.1AS-2020 10.6.4.4), all with organizationId
 * 00-80-C2; PATH_TRACE is type 0x0008. Anything else — another OUI, subtype or tlvType — is
 * 'unknown'. A recognised TLV whose lengthField differs from its defined size is an error, not
 * silently reinterpreted.
 */
import { decodeError, type DecodeResult } from './decodeError.js';
import {
  IEEE_802_1_OUI,
  OrgSubType,
  TlvType,
  type ClockIdentity,
  type FollowUpInformationTlv,
  type GptpCapableTlv,
  type MessageIntervalRequestTlv,
  type PathTraceTlv,
  type Tlv,
  type UnknownTlv,
} from './messages.js';
import { readClockIdentity, readScaledNs, writeClockIdentity, writeScaledNs } from './derivedDataTypes.js';
import { readInt32, readInt8, readUint16, readUint24, readUint32, writeUint24, copyOctets } from './octets.js';

export const TLV_HEADER_OCTETS = 4;

/** lengthField of each interpreted TLV (octets after the 4-octet TLV header). */
export const TlvLength = {
  followUpInformation: 28, // 802.1AS-2020 11.4.4.3
  messageIntervalRequest: 12, // 10.6.4.3
  gptpCapable: 12, // 10.6.4.4: interval, flags, 4 reserved octets
  gptpCapableMessageInterval: 10, // 10.6.4.5: interval + 3 reserved octets
} as const;

/** Octets of organizationId + organizationSubType at the start of an organization extension. */
const ORG_HEADER_OCTETS = 6;
const CLOCK_IDENTITY_OCTETS = 8;

export interface TlvList {
  readonly tlvs: readonly Tlv[];
  readonly strayOctets: Uint8Array | undefined;
}

export const EMPTY_TLVS: readonly Tlv[] = Object.freeze([]);
const NO_TLVS: DecodeResult<TlvList> = Object.freeze({ ok: true, value: Object.freeze({ tlvs: EMPTY_TLVS, strayOctets: undefined }) });

/** Decodes the TLVs in b[start, end): end is the message's messageLength boundary. */
export function decodeTlvs(b: Uint8Array, start: number, end: number): DecodeResult<TlvList> {
  if (start >= end) return NO_TLVS;
  const tlvs: Tlv[] = [];
  let o = start;
  while (end - o >= TLV_HEADER_OCTETS) {
    const length = readUint16(b, o + 2);
    if (length > end - o - TLV_HEADER_OCTETS) {
      return decodeError(
        'badTlv',
        `tlvs[${tlvs.length}].lengthField`,
        o + 2,
        `TLV type 0x${hex4(readUint16(b, o))} declares lengthField ${length} but only ${end - o - TLV_HEADER_OCTETS} octets remain within messageLength`,
      );
    }
    const tlv = decodeTlv(b, o, length);
    if (!tlv.ok) return tlv;
    tlvs.push(tlv.value);
    o += TLV_HEADER_OCTETS + length;
  }
  const strayOctets = o < end ? b.slice(o, end) : undefined;
  return { ok: true, value: { tlvs, strayOctets } };
}

/** One TLV at o whose value (length octets) is known to be in bounds. */
function decodeTlv(b: Uint8Array, o: number, length: number): DecodeResult<Tlv> {
  const tlvType = readUint16(b, o);
  const v = o + TLV_HEADER_OCTETS;
  if (tlvType === TlvType.pathTrace) return decodePathTrace(b, o, length);
  if ((tlvType === TlvType.organizationExtension || tlvType === TlvType.organizationExtensionDoNotPropagate) && length >= ORG_HEADER_OCTETS) {
    if (readUint24(b, v) === IEEE_802_1_OUI) {
      const subtype = readUint24(b, v + 3);
      const kind = organizationTlvKind(tlvType, subtype);
      if (kind !== undefined) {
        if (length !== TlvLength[kind]) return wrongLength(kind, o, length);
        return { ok: true, value: decodeOrganizationTlv(kind, b, v + ORG_HEADER_OCTETS) };
      }
    }
  }
  return { ok: true, value: unknownTlv(b, tlvType, v, length) };
}

type OrganizationTlvKind = keyof typeof TlvLength;

function organizationTlvKind(tlvType: number, subtype: number): OrganizationTlvKind | undefined {
  if (tlvType === TlvType.organizationExtension) {
    if (subtype === OrgSubType.followUpInformation) return 'followUpInformation';
    if (subtype === OrgSubType.messageIntervalRequest) return 'messageIntervalRequest';
  } else {
    if (subtype === OrgSubType.gptpCapable) return 'gptpCapable';
    if (subtype === OrgSubType.gptpCapableMessageInterval) return 'gptpCapableMessageInterval';
  }
  return undefined;
}

/** d: offset of the data after organizationId and organizationSubType. */
function decodeOrganizationTlv(kind: OrganizationTlvKind, b: Uint8Array, d: number): Tlv {
  switch (kind) {
    case 'followUpInformation':
      return {
        kind,
        cumulativeScaledRateOffset: readInt32(b, d),
        gmTimeBaseIndicator: readUint16(b, d + 4),
        lastGmPhaseChange: readScaledNs(b, d + 6),
        scaledLastGmFreqChange: readInt32(b, d + 18),
      } satisfies FollowUpInformationTlv;
    case 'messageIntervalRequest':
      return {
        kind,
        linkDelayInterval: readInt8(b, d),
        timeSyncInterval: readInt8(b, d + 1),
        announceInterval: readInt8(b, d + 2),
        flags: b[d + 3],
        reserved: readUint16(b, d + 4),
      } satisfies MessageIntervalRequestTlv;
    case 'gptpCapable':
      return { kind, logInterval: readInt8(b, d), flags: b[d + 1], reserved: readUint32(b, d + 2) } satisfies GptpCapableTlv;
    case 'gptpCapableMessageInterval':
      return { kind, logInterval: readInt8(b, d), flags: 0, reserved: readUint24(b, d + 1) } satisfies GptpCapableTlv;
  }
}

function decodePathTrace(b: Uint8Array, o: number, length: number): DecodeResult<PathTraceTlv> {
  if (length % CLOCK_IDENTITY_OCTETS !== 0) {
    return decodeError('badTlv', 'pathTraceTlv.lengthField', o + 2, `PATH_TRACE lengthField ${length} is not a multiple of 8 (one clockIdentity each)`);
  }
  const pathSequence: ClockIdentity[] = [];
  for (let p = o + TLV_HEADER_OCTETS; p < o + TLV_HEADER_OCTETS + length; p += CLOCK_IDENTITY_OCTETS) pathSequence.push(readClockIdentity(b, p));
  return { ok: true, value: { kind: 'pathTrace', pathSequence } };
}

function unknownTlv(b: Uint8Array, tlvType: number, v: number, length: number): UnknownTlv {
  return { kind: 'unknown', tlvType, value: b.slice(v, v + length) };
}

function wrongLength(kind: OrganizationTlvKind, o: number, length: number): DecodeResult<never> {
  return decodeError('badTlv', `${kind}Tlv.lengthField`, o + 2, `${kind} TLV has lengthField ${length}, expected ${TlvLength[kind]}`);
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Octets the TLV takes on the wire, header included. */
export function tlvOctets(t: Tlv): number {
  switch (t.kind) {
    case 'followUpInformation':
    case 'messageIntervalRequest':
    case 'gptpCapable':
    case 'gptpCapableMessageInterval':
      return TLV_HEADER_OCTETS + TlvLength[t.kind];
    case 'pathTrace':
      return TLV_HEADER_OCTETS + CLOCK_IDENTITY_OCTETS * t.pathSequence.length;
    case 'unknown':
      return TLV_HEADER_OCTETS + t.value.length;
  }
}

export function tlvListOctets(tlvs: readonly Tlv[]): number {
  let n = 0;
  for (let i = 0; i < tlvs.length; i++) n += tlvOctets(tlvs[i]);
  return n;
}

/** Writes t at o; returns the offset after it. */
export function writeTlv(w: DataView, o: number, t: Tlv): number {
  switch (t.kind) {
    case 'followUpInformation': {
      const d = writeOrganizationHeader(w, o, TlvType.organizationExtension, t.kind, OrgSubType.followUpInformation);
      w.setUint32(d, t.cumulativeScaledRateOffset);
      w.setUint16(d + 4, t.gmTimeBaseIndicator);
      writeScaledNs(w, d + 6, t.lastGmPhaseChange);
      w.setUint32(d + 18, t.scaledLastGmFreqChange);
      break;
    }
    case 'messageIntervalRequest': {
      const d = writeOrganizationHeader(w, o, TlvType.organizationExtension, t.kind, OrgSubType.messageIntervalRequest);
      w.setUint8(d, t.linkDelayInterval);
      w.setUint8(d + 1, t.timeSyncInterval);
      w.setUint8(d + 2, t.announceInterval);
      w.setUint8(d + 3, t.flags);
      w.setUint16(d + 4, t.reserved);
      break;
    }
    case 'gptpCapable': {
      const d = writeOrganizationHeader(w, o, TlvType.organizationExtensionDoNotPropagate, t.kind, OrgSubType.gptpCapable);
      w.setUint8(d, t.logInterval);
      w.setUint8(d + 1, t.flags);
      w.setUint32(d + 2, t.reserved);
      break;
    }
    case 'gptpCapableMessageInterval': {
      const d = writeOrganizationHeader(w, o, TlvType.organizationExtensionDoNotPropagate, t.kind, OrgSubType.gptpCapableMessageInterval);
      w.setUint8(d, t.logInterval);
      writeUint24(w, d + 1, t.reserved);
      break;
    }
    case 'pathTrace': {
      w.setUint16(o, TlvType.pathTrace);
      w.setUint16(o + 2, CLOCK_IDENTITY_OCTETS * t.pathSequence.length);
      let p = o + TLV_HEADER_OCTETS;
      for (let i = 0; i < t.pathSequence.length; i++) {
        writeClockIdentity(w, p, t.pathSequence[i]);
        p += CLOCK_IDENTITY_OCTETS;
      }
      break;
    }
    case 'unknown':
      w.setUint16(o, t.tlvType);
      w.setUint16(o + 2, t.value.length);
      copyOctets(w, o + TLV_HEADER_OCTETS, t.value);
      break;
  }
  return o + tlvOctets(t);
}

/** Writes tlvType, lengthField, organizationId and organizationSubType; returns the data offset. */
function writeOrganizationHeader(w: DataView, o: number, tlvType: number, kind: OrganizationTlvKind, subtype: number): number {
  w.setUint16(o, tlvType);
  w.setUint16(o + 2, TlvLength[kind]);
  writeUint24(w, o + 4, IEEE_802_1_OUI);
  writeUint24(w, o + 7, subtype);
  return o + TLV_HEADER_OCTETS + ORG_HEADER_OCTETS;
}

/** The tlvType a TLV is sent with. */
export function tlvTypeOf(t: Tlv): number {
  switch (t.kind) {
    case 'followUpInformation':
    case 'messageIntervalRequest':
      return TlvType.organizationExtension;
    case 'gptpCapable':
    case 'gptpCapableMessageInterval':
      return TlvType.organizationExtensionDoNotPropagate;
    case 'pathTrace':
      return TlvType.pathTrace;
    case 'unknown':
      return t.tlvType;
  }
}
