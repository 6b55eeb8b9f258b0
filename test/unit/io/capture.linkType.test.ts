import { describe, expect, it } from 'vitest';
import type { CapturedFrame } from '../../../src/io/captureFile.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, toEthernet } from '../../../src/io/linkType.js';

const PTP_PAYLOAD = Uint8Array.of(0x10, 0x02, 0x00, 0x2c); // start of a gPTP Sync header
const MAC = [0x8c, 0x16, 0x45, 0x9b, 0x9e, 0x11];

function frame(linkType: number, data: number[]): CapturedFrame {
  return { index: 1, timestampNs: 0n, linkType, interfaceId: 0, data: Uint8Array.from(data), originalLength: data.length };
}

/** Linux cooked v1 header (16 bytes, big-endian): packet type, ARPHRD, address length, 8-byte address, protocol. */
function sll(packetType: number, addressLength: number, address: number[], protocol: number): number[] {
  const addr = [...address, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8);
  return [0, packetType, 0x00, 0x01, 0, addressLength, ...addr, protocol >> 8, protocol & 0xff, ...PTP_PAYLOAD];
}

/** Linux cooked v2 header (20 bytes): protocol, reserved, ifindex, ARPHRD, packet type, address length, address. */
function sll2(packetType: number, addressLength: number, address: number[], protocol: number): number[] {
  const addr = [...address, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8);
  return [protocol >> 8, protocol & 0xff, 0, 0, 0, 0, 0, 3, 0x00, 0x01, packetType, addressLength, ...addr, ...PTP_PAYLOAD];
}

describe('toEthernet', () => {
  it('returns Ethernet frames as they are', () => {
    const f = frame(LINKTYPE_ETHERNET, [1, 2, 3]);
    expect(toEthernet(f)).toBe(f.data);
  });

  it('SLL multicast gPTP: destination 01:80:c2:00:00:0e, source from the address, ethertype 0x88f7', () => {
    const eth = toEthernet(frame(LINKTYPE_LINUX_SLL, sll(2, 6, MAC, 0x88f7)));
    expect(eth).toEqual(Uint8Array.of(0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, ...MAC, 0x88, 0xf7, ...PTP_PAYLOAD));
  });

  it('SLL2 multicast gPTP: the same frame', () => {
    const eth = toEthernet(frame(LINKTYPE_LINUX_SLL2, sll2(2, 6, MAC, 0x88f7)));
    expect(eth).toEqual(Uint8Array.of(0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, ...MAC, 0x88, 0xf7, ...PTP_PAYLOAD));
  });

  it('outgoing (4) or unicast-to-us (0) gPTP, and multicast of another protocol, get destination 00:00:00:00:00:00', () => {
    const zeros = [0, 0, 0, 0, 0, 0];
    expect(toEthernet(frame(LINKTYPE_LINUX_SLL, sll(4, 6, MAC, 0x88f7)))).toEqual(Uint8Array.of(...zeros, ...MAC, 0x88, 0xf7, ...PTP_PAYLOAD));
    expect(toEthernet(frame(LINKTYPE_LINUX_SLL2, sll2(0, 6, MAC, 0x88f7)))).toEqual(Uint8Array.of(...zeros, ...MAC, 0x88, 0xf7, ...PTP_PAYLOAD));
    expect(toEthernet(frame(LINKTYPE_LINUX_SLL, sll(2, 6, MAC, 0x0800)))).toEqual(Uint8Array.of(...zeros, ...MAC, 0x08, 0x00, ...PTP_PAYLOAD));
  });

  it('a link-layer address that is not 6 bytes gives source 00:00:00:00:00:00', () => {
    const eth = toEthernet(frame(LINKTYPE_LINUX_SLL, sll(2, 0, [], 0x88f7)));
    expect(Array.from(eth!.subarray(6, 12))).toEqual([0, 0, 0, 0, 0, 0]);
    const infiniband = toEthernet(frame(LINKTYPE_LINUX_SLL2, sll2(2, 8, [1, 2, 3, 4, 5, 6, 7, 8], 0x88f7)));
    expect(Array.from(infiniband!.subarray(6, 12))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('undefined for protocol values that are not ethertypes, short cooked headers and other link types', () => {
    expect(toEthernet(frame(LINKTYPE_LINUX_SLL, sll(0, 6, MAC, 0x0004)))).toBeUndefined(); // 802.2 LLC
    expect(toEthernet(frame(LINKTYPE_LINUX_SLL, sll(2, 6, MAC, 0x88f7).slice(0, 15)))).toBeUndefined();
    expect(toEthernet(frame(LINKTYPE_LINUX_SLL2, sll2(2, 6, MAC, 0x88f7).slice(0, 19)))).toBeUndefined();
    expect(toEthernet(frame(101, [0x45, 0, 0, 20]))).toBeUndefined(); // LINKTYPE_RAW
  });
});
