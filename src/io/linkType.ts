/**
 * Link-layer headers of captured frames (tcpdump.org LINKTYPE_* values), and turning Linux "cooked"
 * captures (tcpdump -i any) into the Ethernet II frames the gPTP codec expects.
 */
import type { CapturedFrame } from './capturedFrame.js';

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;

/** sll_pkttype / SLL2 packet type values (linux/if_packet.h). */
export const SllPacketType = {
  host: 0,
  broadcast: 1,
  multicast: 2,
  otherHost: 3,
  outgoing: 4,
} as const;

const PTP_ETHERTYPE = 0x88f7;
/** 01:80:C2:00:00:0E, the 802.1AS destination (802.1AS-2020 11.3.4, Table 11-3). */
const GPTP_DESTINATION = Uint8Array.of(0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e);
/** Ethertypes start at 0x0600; smaller SLL protocol values are Linux pseudo-protocols (802.2 LLC, CAN…). */
const MIN_ETHERTYPE = 0x0600;
const ETHERNET_HEADER_BYTES = 14;
const SLL_HEADER_BYTES = 16;
const SLL2_HEADER_BYTES = 20;

/**
 * The frame as Ethernet II bytes, or undefined when it cannot be one.
 *
 * - LINKTYPE_ETHERNET: the captured bytes as they are (same view, no copy).
 * - LINKTYPE_LINUX_SLL / SLL2: a new frame, 14-byte header + the payload after the cooked header.
 *   The cooked header does not keep the destination address, so it is synthesized:
 *   01:80:c2:00:00:0e when the packet type is multicast (2) and the protocol is 0x88F7 (a gPTP
 *   frame to the 802.1AS address, the only multicast address gPTP uses), otherwise
 *   00:00:00:00:00:00. The source is the link-layer address when its length is 6, otherwise zeros.
 *   The ethertype is the protocol field; protocol values below 0x0600 (not an ethertype) and frames
 *   shorter than the cooked header give undefined.
 * - Any other link type: undefined.
 */
export function toEthernet(frame: CapturedFrame): Uint8Array | undefined {
  const d = frame.data;
  switch (frame.linkType) {
    case LINKTYPE_ETHERNET:
      return d;
    case LINKTYPE_LINUX_SLL:
      if (d.length < SLL_HEADER_BYTES) return undefined;
      return synthesize(d, {
        packetType: u16(d, 0),
        addressLength: u16(d, 4),
        addressAt: 6,
        protocol: u16(d, 14),
        payloadAt: SLL_HEADER_BYTES,
      });
    case LINKTYPE_LINUX_SLL2:
      if (d.length < SLL2_HEADER_BYTES) return undefined;
      return synthesize(d, {
        packetType: d[10] ?? 0,
        addressLength: d[11] ?? 0,
        addressAt: 12,
        protocol: u16(d, 0),
        payloadAt: SLL2_HEADER_BYTES,
      });
    default:
      return undefined;
  }
}

interface CookedHeader {
  readonly packetType: number;
  readonly addressLength: number;
  /** Offset of the 8-byte link-layer address field. */
  readonly addressAt: number;
  readonly protocol: number;
  readonly payloadAt: number;
}

function synthesize(d: Uint8Array, h: CookedHeader): Uint8Array | undefined {
  if (h.protocol < MIN_ETHERTYPE) return undefined;
  const payload = d.subarray(h.payloadAt);
  const out = new Uint8Array(ETHERNET_HEADER_BYTES + payload.length);
  if (h.packetType === SllPacketType.multicast && h.protocol === PTP_ETHERTYPE) out.set(GPTP_DESTINATION, 0);
  if (h.addressLength === 6) out.set(d.subarray(h.addressAt, h.addressAt + 6), 6);
  out[12] = h.protocol >>> 8;
  out[13] = h.protocol & 0xff;
  out.set(payload, ETHERNET_HEADER_BYTES);
  return out;
}

function u16(d: Uint8Array, at: number): number {
  return ((d[at] ?? 0) << 8) | (d[at + 1] ?? 0);
}
