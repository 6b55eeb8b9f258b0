/**
 * Text forms a linuxptp/Wireshark user recognises: clock identities as 001122.fffe.334455 (ptp4l,
 * pmc), port identities as 001122.fffe.334455-1, MAC addresses as 01:80:c2:00:00:0e, flags by their
 * 802.1AS names, and a JSON-able record of a whole frame for `syntonic decode`.
 */
import {
  Flag,
  IEEE_802_1_OUI,
  OrgSubType,
  type ClockIdentity,
  type FlagName,
  type MacAddress,
  type PortIdentity,
  type PtpFrame,
  type PtpMessage,
  type Tlv,
} from './messages.js';
import type { Timestamp } from './timestamp.js';
import { tlvOctets, tlvTypeOf, TLV_HEADER_OCTETS } from './tlvCodec.js';
import { toHex } from './octets.js';

// ---------------------------------------------------------------------------------------------
// Identities and addresses

/** 001122.fffe.334455 (linuxptp's form). */
export function formatClockIdentity(id: ClockIdentity): string {
  const h = BigInt.asUintN(64, id).toString(16).padStart(16, '0');
  return `${h.slice(0, 6)}.${h.slice(6, 10)}.${h.slice(10)}`;
}

/** Parses 001122.fffe.334455 (also 00:11:22:ff:fe:33:44:55 and plain 16 hex digits); undefined otherwise. */
export function parseClockIdentity(text: string): ClockIdentity | undefined {
  const hex = text.replace(/[.:-]/g, '');
  if (!/^[0-9a-fA-F]{16}$/.test(hex)) return undefined;
  return BigInt(`0x${hex}`);
}

/** 001122.fffe.334455-1 (linuxptp's form). */
export function formatPortIdentity(p: PortIdentity): string {
  return `${formatClockIdentity(p.clockIdentity)}-${p.portNumber}`;
}

/** Parses 001122.fffe.334455-1 (any clock identity form parseClockIdentity takes, then -port). */
export function parsePortIdentity(text: string): PortIdentity | undefined {
  const s = text.trim();
  const dash = s.lastIndexOf('-');
  if (dash < 0 || !/^[0-9]{1,5}$/.test(s.slice(dash + 1))) return undefined;
  const clockIdentity = parseClockIdentity(s.slice(0, dash));
  const portNumber = Number(s.slice(dash + 1));
  if (clockIdentity === undefined || portNumber > 0xffff) return undefined;
  return { clockIdentity, portNumber };
}

/** 01:80:c2:00:00:0e */
export function formatMac(mac: MacAddress): string {
  const h = mac.toString(16).padStart(12, '0');
  return `${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}:${h.slice(6, 8)}:${h.slice(8, 10)}:${h.slice(10, 12)}`;
}

/** Parses 01:80:c2:00:00:0e or 01-80-C2-00-00-0E; undefined for anything else. */
export function parseMac(text: string): MacAddress | undefined {
  const s = text.trim();
  if (!/^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(s)) return undefined;
  return Number.parseInt(s.replace(/[:-]/g, ''), 16);
}

// ---------------------------------------------------------------------------------------------
// Flags, numbers, times

const FLAG_ENTRIES = Object.entries(Flag) as [FlagName, number][];

/** Names of the set flagField bits, in Flag's order (octet 0 first). */
export function flagNames(flags: number): FlagName[] {
  const names: FlagName[] = [];
  for (const [name, mask] of FLAG_ENTRIES) if ((flags & mask) !== 0) names.push(name);
  return names;
}

/** 0x0208 */
export function formatFlags(flags: number): string {
  return `0x${flags.toString(16).padStart(4, '0')}`;
}

/** 10^16 / 2^16: turns a 16-bit binary fraction into 16 decimal digits exactly. */
const FIVE_POW_16 = 152_587_890_625n;

/** A scaled-ns value (ns × 2^16, e.g. correctionField) as an exact decimal number of ns: "105045", "-0.5". */
export function formatScaledNs(scaled: bigint): string {
  const negative = scaled < 0n;
  const abs = negative ? -scaled : scaled;
  const whole = (abs >> 16n).toString();
  const fraction = abs & 0xffffn;
  const sign = negative ? '-' : '';
  if (fraction === 0n) return `${sign}${whole}`;
  const digits = (fraction * FIVE_POW_16).toString().padStart(16, '0').replace(/0+$/, '');
  return `${sign}${whole}.${digits}`;
}

/** seconds.nanoseconds with 9 digits: "1188290.000123456". */
export function formatTimestamp(t: Timestamp): string {
  return `${t.seconds}.${String(t.nanoseconds).padStart(9, '0')}`;
}

/** A signed figure for a log line, its sign always written: "+12.3", "-4.0". */
export function formatSigned(value: number, digits: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

/** A delay or offset in ns for a sentence: "800 ns", "1.35 µs", "2.1 ms". */
export function formatDelayNs(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1e3) return `${Math.round(ns)} ns`;
  if (a < 1e6) return `${(ns / 1e3).toPrecision(3)} µs`;
  if (a < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(4)} s`;
}

const MESSAGE_TYPE_NAMES: Readonly<Record<number, string>> = {
  0x0: 'Sync',
  0x1: 'Delay_Req',
  0x2: 'Pdelay_Req',
  0x3: 'Pdelay_Resp',
  0x8: 'Follow_Up',
  0x9: 'Delay_Resp',
  0xa: 'Pdelay_Resp_Follow_Up',
  0xb: 'Announce',
  0xc: 'Signaling',
  0xd: 'Management',
};

/** The 802.1AS / 1588 name of a messageType ("Pdelay_Resp_Follow_Up"), or "messageType 0x4". */
export function messageTypeName(messageType: number): string {
  return MESSAGE_TYPE_NAMES[messageType] ?? `messageType 0x${messageType.toString(16)}`;
}

// ---------------------------------------------------------------------------------------------
// JSON-able record of a frame

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonRecord = { [key: string]: JsonValue };

function timestampRecord(t: Timestamp): JsonRecord {
  // seconds < 2^48 is exact as a number.
  return { seconds: Number(t.seconds), nanoseconds: t.nanoseconds };
}

/** A TLV with its 802.1AS field names; bigints as decimal strings, raw octets as hex. */
export function tlvToRecord(t: Tlv): JsonRecord {
  const head: JsonRecord = { tlvType: tlvTypeOf(t), lengthField: tlvOctets(t) - TLV_HEADER_OCTETS, kind: t.kind };
  const org = (subtype: number): JsonRecord => ({ ...head, organizationId: IEEE_802_1_OUI.toString(16).padStart(6, '0'), organizationSubType: subtype });
  switch (t.kind) {
    case 'followUpInformation':
      return {
        ...org(OrgSubType.followUpInformation),
        cumulativeScaledRateOffset: t.cumulativeScaledRateOffset,
        gmTimeBaseIndicator: t.gmTimeBaseIndicator,
        lastGmPhaseChange: t.lastGmPhaseChange.toString(),
        scaledLastGmFreqChange: t.scaledLastGmFreqChange,
      };
    case 'messageIntervalRequest':
      return {
        ...org(OrgSubType.messageIntervalRequest),
        linkDelayInterval: t.linkDelayInterval,
        timeSyncInterval: t.timeSyncInterval,
        announceInterval: t.announceInterval,
        flags: t.flags,
        reserved: t.reserved,
      };
    case 'gptpCapable':
      return { ...org(OrgSubType.gptpCapable), logGptpCapableMessageInterval: t.logInterval, flags: t.flags, reserved: t.reserved };
    case 'gptpCapableMessageInterval':
      return { ...org(OrgSubType.gptpCapableMessageInterval), gptpCapableMessageInterval: t.logInterval, reserved: t.reserved };
    case 'pathTrace':
      return { ...head, pathSequence: t.pathSequence.map(formatClockIdentity) };
    case 'unknown':
      return { ...head, value: toHex(t.value) };
  }
}

function bodyRecord(m: PtpMessage): JsonRecord {
  switch (m.type) {
    case 'sync':
    case 'delayReq':
      return { originTimestamp: timestampRecord(m.originTimestamp) };
    case 'followUp':
      return { preciseOriginTimestamp: timestampRecord(m.preciseOriginTimestamp) };
    case 'pdelayReq':
      return { originTimestamp: timestampRecord(m.originTimestamp), reserved: toHex(m.reserved) };
    case 'pdelayResp':
      return { requestReceiptTimestamp: timestampRecord(m.requestReceiptTimestamp), requestingPortIdentity: formatPortIdentity(m.requestingPortIdentity) };
    case 'pdelayRespFollowUp':
      return { responseOriginTimestamp: timestampRecord(m.responseOriginTimestamp), requestingPortIdentity: formatPortIdentity(m.requestingPortIdentity) };
    case 'delayResp':
      return { receiveTimestamp: timestampRecord(m.receiveTimestamp), requestingPortIdentity: formatPortIdentity(m.requestingPortIdentity) };
    case 'announce':
      return {
        originTimestamp: timestampRecord(m.originTimestamp),
        currentUtcOffset: m.currentUtcOffset,
        reserved: m.reserved,
        grandmasterPriority1: m.grandmasterPriority1,
        grandmasterClockQuality: { ...m.grandmasterClockQuality },
        grandmasterPriority2: m.grandmasterPriority2,
        grandmasterIdentity: formatClockIdentity(m.grandmasterIdentity),
        stepsRemoved: m.stepsRemoved,
        timeSource: m.timeSource,
      };
    case 'signaling':
      return { targetPortIdentity: formatPortIdentity(m.targetPortIdentity) };
    case 'other':
      return { body: toHex(m.body) };
  }
}

/**
 * Every field of a decoded frame under its 802.1AS name, ready for JSON.stringify: the header
 * flattened, correctionField as an exact decimal string of scaled ns (correctionNs: the same in ns),
 * timestamps as {seconds, nanoseconds}, flags as {raw, names}, identities in linuxptp form, TLVs
 * with their fields, raw octets (reserved, trailer, unknown TLV values) as hex.
 */
export function messageToRecord(frame: PtpFrame): JsonRecord {
  const m = frame.message;
  const h = m.header;
  const record: JsonRecord = {
    destination: formatMac(frame.destination),
    source: formatMac(frame.source),
    vlanTags: frame.vlanTags.map((t) => ({ tpid: t.tpid, pcp: t.tci >>> 13, dei: (t.tci >>> 12) & 1, vid: t.tci & 0x0fff })),
    messageType: messageTypeName(h.messageType),
    majorSdoId: h.majorSdoId,
    minorVersionPtp: h.minorVersionPtp,
    versionPtp: h.versionPtp,
    messageLength: h.messageLength,
    domainNumber: h.domainNumber,
    minorSdoId: h.minorSdoId,
    flags: { raw: formatFlags(h.flags), names: flagNames(h.flags) },
    correctionField: h.correctionField.toString(),
    correctionNs: formatScaledNs(h.correctionField),
    messageTypeSpecific: h.messageTypeSpecific,
    sourcePortIdentity: formatPortIdentity(h.sourcePortIdentity),
    sequenceId: h.sequenceId,
    controlField: h.controlField,
    logMessageInterval: h.logMessageInterval,
    ...bodyRecord(m),
    tlvs: m.tlvs.map(tlvToRecord),
  };
  if (m.type !== 'other' && m.strayOctets !== undefined) record['strayOctets'] = toHex(m.strayOctets);
  record['trailer'] = toHex(frame.trailer);
  return record;
}

// ---------------------------------------------------------------------------------------------
// One-line summary (like tshark's Info column, with the values a timing engineer checks first)

function correctionText(correctionField: bigint): string {
  return correctionField === 0n ? '' : ` correction=${formatScaledNs(correctionField)}ns`;
}

function tlvSummary(t: Tlv): string {
  switch (t.kind) {
    case 'followUpInformation':
      return `csro=${t.cumulativeScaledRateOffset} gmTimeBaseIndicator=${t.gmTimeBaseIndicator}`;
    case 'messageIntervalRequest':
      return `intervalRequest(linkDelay=${t.linkDelayInterval} timeSync=${t.timeSyncInterval} announce=${t.announceInterval} flags=0x${t.flags.toString(16)})`;
    case 'gptpCapable':
      return `gptpCapable(logInterval=${t.logInterval})`;
    case 'gptpCapableMessageInterval':
      return `gptpCapableMessageInterval(${t.logInterval})`;
    case 'pathTrace':
      return `pathTrace=[${t.pathSequence.map(formatClockIdentity).join(',')}]`;
    case 'unknown':
      return `tlv(0x${t.tlvType.toString(16).padStart(4, '0')},${t.value.length})`;
  }
}

function bodySummary(m: PtpMessage): string {
  switch (m.type) {
    case 'sync':
      return (m.header.flags & Flag.twoStepFlag) !== 0 ? ' twoStep' : ` originTimestamp=${formatTimestamp(m.originTimestamp)}`;
    case 'delayReq':
      return ` originTimestamp=${formatTimestamp(m.originTimestamp)}`;
    case 'followUp':
      return ` preciseOriginTimestamp=${formatTimestamp(m.preciseOriginTimestamp)}`;
    case 'pdelayReq':
      return '';
    case 'pdelayResp':
      return ` requestReceiptTimestamp=${formatTimestamp(m.requestReceiptTimestamp)} requesting=${formatPortIdentity(m.requestingPortIdentity)}`;
    case 'pdelayRespFollowUp':
      return ` responseOriginTimestamp=${formatTimestamp(m.responseOriginTimestamp)} requesting=${formatPortIdentity(m.requestingPortIdentity)}`;
    case 'delayResp':
      return ` receiveTimestamp=${formatTimestamp(m.receiveTimestamp)} requesting=${formatPortIdentity(m.requestingPortIdentity)}`;
    case 'announce': {
      const q = m.grandmasterClockQuality;
      return (
        ` gm=${formatClockIdentity(m.grandmasterIdentity)} priority1=${m.grandmasterPriority1} class=${q.clockClass}` +
        ` accuracy=0x${q.clockAccuracy.toString(16)} variance=0x${q.offsetScaledLogVariance.toString(16)} priority2=${m.grandmasterPriority2}` +
        ` stepsRemoved=${m.stepsRemoved} utcOffset=${m.currentUtcOffset}`
      );
    }
    case 'signaling':
      return ` target=${formatPortIdentity(m.targetPortIdentity)}`;
    case 'other':
      return ` messageLength=${m.header.messageLength}`;
  }
}

/**
 * "Follow_Up seq=34 8c1645.fffe.9b9e11-1 preciseOriginTimestamp=1188290.123456789 csro=0 …": the
 * message type, sequenceId, sourcePortIdentity and the fields that matter for that type.
 */
export function messageSummary(m: PtpMessage): string {
  const h = m.header;
  const domain = h.domainNumber === 0 ? '' : ` domain=${h.domainNumber}`;
  const tlvs = m.tlvs.length === 0 ? '' : ` ${m.tlvs.map(tlvSummary).join(' ')}`;
  return `${messageTypeName(h.messageType)} seq=${h.sequenceId} ${formatPortIdentity(h.sourcePortIdentity)}${domain}${bodySummary(m)}${correctionText(h.correctionField)}${tlvs}`;
}
