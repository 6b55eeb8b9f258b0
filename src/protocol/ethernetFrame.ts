/**
 * PTP over Ethernet II (802.1AS-2020 11.3, 1588-2019 Annex E): destination, source, up to two
 * 802.1Q (0x8100) / 802.1ad (0x88A8) tags, ethertype 0x88F7, the PTP message, then whatever follows
 * messageLength (padding to 60 octets, an FCS) kept as `trailer`. Frames shorter than 60 octets
 * are normal (veth does not pad).
 */
import { decodeError, type DecodeResult } from './decodeError.js';
import { PTP_ETHERTYPE, type PtpFrame, type VlanTag } from './messages.js';
import { decodeMessage, messageOctets, writeMessageTo } from './messageCodec.js';
import { copyOctets, output, readUint16, readUint48, writeUint48 } from './octets.js';

export const ETHERTYPE_8021Q = 0x8100;
export const ETHERTYPE_8021AD = 0x88a8;
const MAC_OCTETS = 6;
const ETHERTYPE_OFFSET = 2 * MAC_OCTETS;
const VLAN_TAG_OCTETS = 4;
const MAX_VLAN_TAGS = 2;

const NO_TAGS: readonly VlanTag[] = Object.freeze([]);
const NO_TRAILER = new Uint8Array(0);

function isVlanTpid(t: number): boolean {
  return t === ETHERTYPE_8021Q || t === ETHERTYPE_8021AD;
}

/**
 * Offset of the PTP message in an Ethernet II frame, or -1 when the frame does not carry
 * ethertype 0x88F7 (after at most two VLAN tags). A cheap filter before decodeFrame.
 */
export function ptpPayloadOffset(frame: Uint8Array): number {
  let o = ETHERTYPE_OFFSET;
  for (let tags = 0; ; tags++) {
    if (frame.length < o + 2) return -1;
    const t = readUint16(frame, o);
    if (t === PTP_ETHERTYPE) return o + 2;
    if (tags === MAX_VLAN_TAGS || !isVlanTpid(t)) return -1;
    o += VLAN_TAG_OCTETS;
  }
}

/** Decodes an Ethernet II frame carrying a PTP message; never throws. */
export function decodeFrame(bytes: Uint8Array): DecodeResult<PtpFrame> {
  if (bytes.length < ETHERTYPE_OFFSET + 2) {
    return decodeError('truncated', 'etherType', ETHERTYPE_OFFSET, `frame of ${bytes.length} octets is shorter than an Ethernet II header (14)`);
  }
  let o = ETHERTYPE_OFFSET;
  let vlanTags = NO_TAGS;
  let etherType = readUint16(bytes, o);
  while (isVlanTpid(etherType) && vlanTags.length < MAX_VLAN_TAGS) {
    if (bytes.length < o + VLAN_TAG_OCTETS + 2) {
      return decodeError('truncated', 'vlanTag', o, `frame ends inside the VLAN tag at octet ${o}`);
    }
    vlanTags = [...vlanTags, { tpid: etherType, tci: readUint16(bytes, o + 2) }];
    o += VLAN_TAG_OCTETS;
    etherType = readUint16(bytes, o);
  }
  if (etherType !== PTP_ETHERTYPE) {
    return decodeError('notPtp', 'etherType', o, `etherType 0x${etherType.toString(16).padStart(4, '0')} is not PTP (0x88f7)`);
  }
  const payload = o + 2;
  const decoded = decodeMessage(bytes, payload, bytes.length);
  if (!decoded.ok) return decoded;
  const message = decoded.value;
  const messageEnd = payload + message.header.messageLength;
  const frame: PtpFrame = {
    destination: readUint48(bytes, 0),
    source: readUint48(bytes, MAC_OCTETS),
    vlanTags,
    message,
    trailer: messageEnd < bytes.length ? bytes.slice(messageEnd) : NO_TRAILER,
  };
  return { ok: true, value: frame };
}

/** Octets encodeFrame produces. */
export function frameOctets(frame: PtpFrame): number {
  return ETHERTYPE_OFFSET + VLAN_TAG_OCTETS * frame.vlanTags.length + 2 + messageOctets(frame.message) + frame.trailer.length;
}

/**
 * Encodes a frame; lossless for anything decodeFrame returned (see encodeMessage for what is not
 * checked). The result may be a view into a shared pool: use its byteOffset/byteLength.
 */
export function encodeFrame(frame: PtpFrame): Uint8Array {
  const n = frameOctets(frame);
  output.reserve(n);
  const w = output.view;
  const start = output.offset;
  writeUint48(w, start, frame.destination);
  writeUint48(w, start + MAC_OCTETS, frame.source);
  let o = start + ETHERTYPE_OFFSET;
  const tags = frame.vlanTags;
  for (let i = 0; i < tags.length; i++) {
    w.setUint16(o, tags[i].tpid);
    w.setUint16(o + 2, tags[i].tci);
    o += VLAN_TAG_OCTETS;
  }
  w.setUint16(o, PTP_ETHERTYPE);
  o = writeMessageTo(w, o + 2, frame.message);
  copyOctets(w, o, frame.trailer);
  return output.take(n);
}
