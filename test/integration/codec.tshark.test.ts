/**
 * An independent dissector agrees: for every PTP frame of every committed capture that our codec
 * decodes, each field Wireshark's tshark (4.0 field names: ptp.v2.*, ptp.as.*) reports equals ours —
 * header, body, Follow_Up information TLV, PATH_TRACE, the first Signaling TLV, VLAN tags.
 *
 * Needs tshark (CI installs it): without it the suite is skipped with one line saying so, unless
 * SYNTONIC_REQUIRE_PEERS=1 (test/support/peers.ts).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeFrame, tlvTypeOf } from '../../src/protocol/codec.js';
import { formatMac } from '../../src/protocol/format.js';
import type { PtpFrame, PtpMessage } from '../../src/protocol/messages.js';
import type { Timestamp } from '../../src/protocol/timestamp.js';
import { ethernetFrames, fixtureCaptures } from '../support/codecFixtures.js';
import { needs } from '../support/peers.js';

const gate = needs('codec cross-check against tshark', 'tshark');

/** Our value(s) for a tshark field, or undefined when the field does not apply to this frame. */
type Value = bigint | number | string;
type FieldOf = (f: PtpFrame) => Value | Value[] | undefined;

const ts =
  (pick: (m: PtpMessage) => Timestamp | undefined, part: 'seconds' | 'nanoseconds'): FieldOf =>
  (f) =>
    pick(f.message)?.[part];
const when =
  <K extends PtpMessage['type']>(type: K, get: (m: Extract<PtpMessage, { type: K }>) => Value | Value[]): FieldOf =>
  (f) =>
    f.message.type === type ? get(f.message as Extract<PtpMessage, { type: K }>) : undefined;
const firstTlv = (f: PtpFrame) => (f.message.type === 'signaling' ? f.message.tlvs[0] : undefined);
const fuTlv = (f: PtpFrame) => (f.message.type === 'other' ? undefined : f.message.tlvs.find((t) => t.kind === 'followUpInformation'));
function fuField(get: (t: Extract<PtpMessage['tlvs'][number], { kind: 'followUpInformation' }>) => Value): FieldOf {
  return (f) => {
    const t = fuTlv(f);
    return t?.kind === 'followUpInformation' ? get(t) : undefined;
  };
}

// For gPTP messages (majorSdoId bit 0 set) tshark shows the octets 802.1AS reserves as such: a two-step
// Sync's originTimestamp as ptp.v2.sync.reserved, and nothing for Pdelay_Req's and Announce's.
const isGptp = (m: PtpMessage): boolean => (m.header.majorSdoId & 1) === 1;
const gptpReserved = (m: PtpMessage): boolean => isGptp(m) && (m.header.flags & 0x0200) !== 0;
const timestampOctets = (t: Timestamp): string => t.seconds.toString(16).padStart(12, '0') + t.nanoseconds.toString(16).padStart(8, '0');

const FIELDS: Record<string, FieldOf> = {
  'eth.src': (f) => formatMac(f.source),
  'vlan.id': (f) => f.vlanTags.filter((t) => t.tpid === 0x8100).map((t) => t.tci & 0x0fff),
  'vlan.priority': (f) => f.vlanTags.filter((t) => t.tpid === 0x8100).map((t) => t.tci >>> 13),
  'ieee8021ad.id': (f) => f.vlanTags.filter((t) => t.tpid === 0x88a8).map((t) => t.tci & 0x0fff),
  'ieee8021ad.priority': (f) => f.vlanTags.filter((t) => t.tpid === 0x88a8).map((t) => t.tci >>> 13),
  'ptp.v2.majorsdoid': (f) => f.message.header.majorSdoId,
  'ptp.v2.messagetype': (f) => f.message.header.messageType,
  'ptp.v2.minorversionptp': (f) => f.message.header.minorVersionPtp,
  'ptp.v2.versionptp': (f) => f.message.header.versionPtp,
  'ptp.v2.messagelength': (f) => f.message.header.messageLength,
  'ptp.v2.domainnumber': (f) => f.message.header.domainNumber,
  'ptp.v2.minorsdoid': (f) => f.message.header.minorSdoId,
  'ptp.v2.flags': (f) => f.message.header.flags,
  // tshark splits correctionField into whole ns (shown as UInt64) and the sub-ns fraction.
  'ptp.v2.correction.ns': (f) => BigInt.asUintN(64, f.message.header.correctionField >> 16n),
  'ptp.v2.correction.subns': (f) => (Number(f.message.header.correctionField & 0xffffn) / 65536).toFixed(9),
  'ptp.v2.messagetypespecific': (f) => f.message.header.messageTypeSpecific,
  'ptp.v2.clockidentity': (f) => f.message.header.sourcePortIdentity.clockIdentity,
  'ptp.v2.sourceportid': (f) => f.message.header.sourcePortIdentity.portNumber,
  'ptp.v2.sequenceid': (f) => f.message.header.sequenceId,
  'ptp.v2.controlfield': (f) => f.message.header.controlField,
  'ptp.v2.logmessageperiod': (f) => f.message.header.logMessageInterval,
  'ptp.v2.sdr.origintimestamp.seconds': ts(
    (m) => (m.type === 'delayReq' || (m.type === 'sync' && !gptpReserved(m)) ? m.originTimestamp : undefined),
    'seconds',
  ),
  'ptp.v2.sdr.origintimestamp.nanoseconds': ts(
    (m) => (m.type === 'delayReq' || (m.type === 'sync' && !gptpReserved(m)) ? m.originTimestamp : undefined),
    'nanoseconds',
  ),
  'ptp.v2.sync.reserved': (f) => (f.message.type === 'sync' && gptpReserved(f.message) ? timestampOctets(f.message.originTimestamp) : undefined),
  'ptp.v2.fu.preciseorigintimestamp.seconds': ts((m) => (m.type === 'followUp' ? m.preciseOriginTimestamp : undefined), 'seconds'),
  'ptp.v2.fu.preciseorigintimestamp.nanoseconds': ts((m) => (m.type === 'followUp' ? m.preciseOriginTimestamp : undefined), 'nanoseconds'),
  'ptp.v2.pdrq.origintimestamp.seconds': ts((m) => (m.type === 'pdelayReq' && !isGptp(m) ? m.originTimestamp : undefined), 'seconds'),
  'ptp.v2.pdrq.origintimestamp.nanoseconds': ts((m) => (m.type === 'pdelayReq' && !isGptp(m) ? m.originTimestamp : undefined), 'nanoseconds'),
  'ptp.v2.pdrs.requestreceipttimestamp.seconds': ts((m) => (m.type === 'pdelayResp' ? m.requestReceiptTimestamp : undefined), 'seconds'),
  'ptp.v2.pdrs.requestreceipttimestamp.nanoseconds': ts((m) => (m.type === 'pdelayResp' ? m.requestReceiptTimestamp : undefined), 'nanoseconds'),
  'ptp.v2.pdrs.requestingportidentity': when('pdelayResp', (m) => m.requestingPortIdentity.clockIdentity),
  'ptp.v2.pdrs.requestingsourceportid': when('pdelayResp', (m) => m.requestingPortIdentity.portNumber),
  'ptp.v2.pdfu.responseorigintimestamp.seconds': ts((m) => (m.type === 'pdelayRespFollowUp' ? m.responseOriginTimestamp : undefined), 'seconds'),
  'ptp.v2.pdfu.responseorigintimestamp.nanoseconds': ts((m) => (m.type === 'pdelayRespFollowUp' ? m.responseOriginTimestamp : undefined), 'nanoseconds'),
  'ptp.v2.pdfu.requestingportidentity': when('pdelayRespFollowUp', (m) => m.requestingPortIdentity.clockIdentity),
  'ptp.v2.pdfu.requestingsourceportid': when('pdelayRespFollowUp', (m) => m.requestingPortIdentity.portNumber),
  'ptp.v2.dr.receivetimestamp.seconds': ts((m) => (m.type === 'delayResp' ? m.receiveTimestamp : undefined), 'seconds'),
  'ptp.v2.dr.receivetimestamp.nanoseconds': ts((m) => (m.type === 'delayResp' ? m.receiveTimestamp : undefined), 'nanoseconds'),
  'ptp.v2.dr.requestingsourceportidentity': when('delayResp', (m) => m.requestingPortIdentity.clockIdentity),
  'ptp.v2.dr.requestingsourceportid': when('delayResp', (m) => m.requestingPortIdentity.portNumber),
  'ptp.v2.an.origintimestamp.seconds': ts((m) => (m.type === 'announce' && !isGptp(m) ? m.originTimestamp : undefined), 'seconds'),
  'ptp.v2.an.origintimestamp.nanoseconds': ts((m) => (m.type === 'announce' && !isGptp(m) ? m.originTimestamp : undefined), 'nanoseconds'),
  'ptp.v2.an.origincurrentutcoffset': when('announce', (m) => m.currentUtcOffset),
  'ptp.v2.an.priority1': when('announce', (m) => m.grandmasterPriority1),
  'ptp.v2.an.grandmasterclockclass': when('announce', (m) => m.grandmasterClockQuality.clockClass),
  'ptp.v2.an.grandmasterclockaccuracy': when('announce', (m) => m.grandmasterClockQuality.clockAccuracy),
  'ptp.v2.an.grandmasterclockvariance': when('announce', (m) => m.grandmasterClockQuality.offsetScaledLogVariance),
  'ptp.v2.an.priority2': when('announce', (m) => m.grandmasterPriority2),
  'ptp.v2.an.grandmasterclockidentity': when('announce', (m) => m.grandmasterIdentity),
  'ptp.v2.an.localstepsremoved': when('announce', (m) => m.stepsRemoved),
  'ptp.v2.timesource': when('announce', (m) => m.timeSource),
  'ptp.v2.an.tlvType': when('announce', (m) => m.tlvs.map(tlvTypeOf)),
  'ptp.v2.an.pathsequence': when('announce', (m) => m.tlvs.flatMap((t) => (t.kind === 'pathTrace' ? t.pathSequence : []))),
  'ptp.v2.sig.targetportidentity': when('signaling', (m) => m.targetPortIdentity.clockIdentity),
  'ptp.v2.sig.targetportid': when('signaling', (m) => m.targetPortIdentity.portNumber),
  // tshark 4.0 dissects only the first TLV of a Signaling message.
  'ptp.as.sig.tlv.linkdelayinterval': (f) =>
    firstTlv(f)?.kind === 'messageIntervalRequest' ? (firstTlv(f) as { linkDelayInterval: number }).linkDelayInterval : undefined,
  'ptp.as.sig.tlv.timesyncinterval': (f) =>
    firstTlv(f)?.kind === 'messageIntervalRequest' ? (firstTlv(f) as { timeSyncInterval: number }).timeSyncInterval : undefined,
  'ptp.as.sig.tlv.announceinterval': (f) =>
    firstTlv(f)?.kind === 'messageIntervalRequest' ? (firstTlv(f) as { announceInterval: number }).announceInterval : undefined,
  'ptp.as.sig.tlv.flags': (f) => (firstTlv(f)?.kind === 'messageIntervalRequest' ? (firstTlv(f) as { flags: number }).flags : undefined),
  'ptp.as.sig.tlv.gptpcapablemessageinterval': (f) => {
    const t = firstTlv(f);
    return t?.kind === 'gptpCapable' || t?.kind === 'gptpCapableMessageInterval' ? t.logInterval : undefined;
  },
  // cumulativeScaledRateOffset is an Int32 in 802.1AS; tshark 4.0 shows it as UInt32.
  'ptp.as.fu.cumulativeScaledRateOffset': fuField((t) => t.cumulativeScaledRateOffset >>> 0),
  'ptp.as.fu.gmTimeBaseIndicator': fuField((t) => t.gmTimeBaseIndicator),
  // lastGmPhaseChange: tshark shows the 12 octets as hex.
  'ptp.as.fu.lastGmPhaseChange': fuField((t) => BigInt.asUintN(96, t.lastGmPhaseChange).toString(16).padStart(24, '0')),
  'ptp.as.fu.scaledLastGmFreqChange': fuField((t) => t.scaledLastGmFreqChange),
};

/** One canonical text per value: integers (tshark prints some in hex) as decimal, the rest as is. */
function canonical(v: Value): string {
  if (typeof v === 'bigint' || typeof v === 'number') return BigInt(v).toString();
  if (/^-?(0x[0-9a-f]+|[0-9]+)$/i.test(v)) return (v.startsWith('-') ? -BigInt(v.slice(1)) : BigInt(v)).toString();
  if (/^[0-9a-f]{2}(:[0-9a-f]{2}){6,}$/i.test(v)) return v.replace(/:/g, '').toLowerCase(); // FT_BYTES
  return v.toLowerCase();
}

function tsharkLayers(path: string): Map<number, Record<string, string[]>> {
  const args = ['-r', path, '-Y', 'ptp', '-T', 'json', '-e', 'frame.number', ...Object.keys(FIELDS).flatMap((f) => ['-e', f])];
  const run = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`tshark failed on ${path}: ${run.stderr}`);
  const packets = JSON.parse(run.stdout) as { _source: { layers: Record<string, string[]> } }[];
  return new Map(packets.map((p) => [Number(p._source.layers['frame.number']?.[0]), p._source.layers]));
}

/** Fields where ours and tshark's differ, as readable lines. */
function mismatches(frame: PtpFrame, layers: Record<string, string[]> | undefined): string[] {
  if (layers === undefined) return ['tshark does not dissect this frame as PTP'];
  const out: string[] = [];
  for (const [field, of] of Object.entries(FIELDS)) {
    const ours = of(frame);
    if (ours === undefined) continue;
    let mine = (Array.isArray(ours) ? ours : [ours]).map(canonical);
    let theirs = (layers[field] ?? []).map(canonical);
    if (field === 'ptp.v2.correction.subns') {
      mine = mine.map((s) => Number(s).toFixed(9));
      theirs = theirs.map((s) => Number(s).toFixed(9));
    }
    if (mine.join(',') !== theirs.join(',')) out.push(`${field}: ours ${mine.join(',') || '(none)'}, tshark ${theirs.join(',') || '(none)'}`);
  }
  return out;
}

describe.skipIf(gate.skip)('cross-check against tshark', () => {
  for (const path of fixtureCaptures()) {
    it(`every decoded PTP frame of ${path.split('/').pop()} matches tshark field by field`, () => {
      const layers = tsharkLayers(path);
      const problems: string[] = [];
      let compared = 0;
      for (const f of ethernetFrames(path)) {
        const r = decodeFrame(f.bytes);
        if (!r.ok) continue;
        compared++;
        for (const p of mismatches(r.value, layers.get(f.index))) problems.push(`frame ${f.index}: ${p}`);
      }
      expect(problems.slice(0, 20)).toEqual([]);
      expect(compared).toBeGreaterThan(0);
    }, 120_000);
  }
});
