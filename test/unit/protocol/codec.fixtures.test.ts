/**
 * The committed captures decode to what their provenance notes (fixtures/pcaps/SOURCES.md) say
 * they contain, and the hand-made edge-case file gives, frame by frame, the result its generator
 * (fixtures/make/make-edge-cases.mjs) documents.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../../src/protocol/codec.js';
import type { DecodeResult } from '../../../src/protocol/decodeError.js';
import type { AnnounceMessage, FollowUpMessage, PtpFrame, SignalingMessage, SyncMessage } from '../../../src/protocol/messages.js';
import { ethernetFrames, fixture } from '../../support/codecFixtures.js';

function decodeAll(name: string): Map<number, DecodeResult<PtpFrame>> {
  return new Map(ethernetFrames(fixture(name)).map((f) => [f.index, decodeFrame(f.bytes)]));
}

function tally(results: Iterable<DecodeResult<PtpFrame>>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) {
    const key = r.ok ? r.value.message.type : r.error.kind;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function value(r: DecodeResult<PtpFrame> | undefined): PtpFrame {
  if (r === undefined || !r.ok) throw new Error(`expected a decoded frame, got ${JSON.stringify(r)}`);
  return r.value;
}

describe('real captures', () => {
  it('gPTP bridge: 55 Sync/Follow_Up pairs and 6 Pdelay exchanges, all decoded', () => {
    const results = decodeAll('gptp__bridge-anon_sync125ms_futlv_pdelay__scapy-gptp.pcapng');
    expect(tally(results.values())).toEqual({ sync: 55, followUp: 55, pdelayReq: 6, pdelayResp: 6, pdelayRespFollowUp: 6 });
    // Frame 1 is a Sync padded to 60 octets: 14 + 44 + 2 trailer octets.
    expect(value(results.get(1)).trailer.length).toBe(2);
  });

  it('non-conformant embedded master: 659 Follow_Ups with nanoseconds ≥ 10^9 rejected, the rest decoded', () => {
    const results = decodeAll('gptp__embedded-buggy_broadcast_le-timestamps__daichenghe-scapy-gptp.pcapng');
    expect(tally(results.values())).toEqual({ announce: 867, sync: 867, followUp: 208, pdelayReq: 109, badNanoseconds: 659, notPtp: 110 });
    // Frame 1: an Announce of messageLength 78 whose 2 extra octets follow a misplaced TLV.
    const announce = value(results.get(1)).message as AnnounceMessage;
    expect(announce.header.messageLength).toBe(78);
    expect(announce.grandmasterPriority1).toBe(250);
    expect(announce.strayOctets).toEqual(Uint8Array.of(0, 0));
    // Frame 2: Sync with LI_61 set and twoStepFlag clear.
    expect(value(results.get(2)).message.header.flags).toBe(0x0001);
  });

  it('AVB lab capture: 111 Pdelay_Req among 6833 frames, sequenceIds 6839…6949', () => {
    const results = decodeAll('gptp__pdelayreq-only_avb-mixed-traffic__zarfld-openavnu.pcapng');
    const counts = tally(results.values());
    expect(counts['pdelayReq']).toBe(111);
    expect(counts['notPtp']).toBe(6833 - 111);
    const seqs = [...results.values()].flatMap((r) => (r.ok ? [r.value.message.header.sequenceId] : []));
    expect([Math.min(...seqs), Math.max(...seqs)]).toEqual([6839, 6949]);
  });

  it('1588 L2 E2E with a grandmaster change: Announce reserved octet 0xac kept, GM becomes priority1 0', () => {
    const results = decodeAll('ptp1588-l2__e2e_bc-gm-change__tcpdump.pcap');
    expect(tally(results.values())).toEqual({ sync: 70, followUp: 70, announce: 35, delayReq: 15, delayResp: 15 });
    const first = value(results.get(3)).message as AnnounceMessage;
    expect(first.reserved).toBe(0xac);
    expect(first.grandmasterIdentity).toBe(0x7483efffff01ac16n);
    const announces = [...results.values()].flatMap((r) => (r.ok && r.value.message.type === 'announce' ? [r.value.message] : []));
    expect(announces.at(-1)?.grandmasterPriority1).toBe(0);
    expect(announces.at(-1)?.grandmasterIdentity).toBe(0x000006ffff010000n);
  });

  it('1588 Management messages keep their body raw', () => {
    expect(tally(decodeAll('ptp1588-l2__management-tlvs__tcpdump.pcap').values())).toEqual({ other: 10 });
  });

  it('pre-standard draft frames behind VLAN 150: the L2 ones decode with their tag, the UDP ones are not PTP over Ethernet', () => {
    const results = decodeAll('ptp2draft__hirschmann-2007_vlan150-retimed__tsnzeek.pcap');
    expect(tally(results.values())).toEqual({ pdelayReq: 6, sync: 5, announce: 3, notPtp: 25 });
    for (const r of results.values()) if (r.ok) expect(r.value.vlanTags).toEqual([{ tpid: 0x8100, tci: 150 }]);
  });

  it('ptp4l grandmaster and free-running slave: every message type in both directions', () => {
    const results = decodeAll('gptp__ptp4l-gm-free-running-slave_veth-swts__syntonic.pcap');
    const counts = tally(results.values());
    for (const type of ['sync', 'followUp', 'pdelayReq', 'pdelayResp', 'pdelayRespFollowUp', 'announce']) expect(counts[type]).toBeGreaterThan(0);
    expect(Object.keys(counts).sort()).toEqual(['announce', 'followUp', 'pdelayReq', 'pdelayResp', 'pdelayRespFollowUp', 'sync']);
    for (const r of results.values()) {
      const m = value(r).message;
      expect(m.header.majorSdoId).toBe(1);
      if (m.type === 'followUp') expect(m.tlvs.map((t) => t.kind)).toEqual(['followUpInformation']);
      if (m.type === 'announce') expect(m.tlvs.map((t) => t.kind)).toEqual(['pathTrace']);
    }
  });
});

describe('hand-made edge cases (codec-edge-cases__syntonic.pcap)', () => {
  const results = decodeAll('codec-edge-cases__syntonic.pcap');

  it('frame 1: one-step Sync with its timestamp, correction and Follow_Up information TLV', () => {
    const sync = value(results.get(1)).message as SyncMessage;
    expect(sync.header.flags & 0x0200).toBe(0);
    expect(sync.originTimestamp).toEqual({ seconds: 1_704_067_200n, nanoseconds: 123_456_789 });
    expect(sync.header.correctionField).toBe(105_045n * 65_536n);
    expect(sync.tlvs[0]?.kind).toBe('followUpInformation');
  });

  it('frame 2: negative correction and TLV fields', () => {
    const fu = value(results.get(2)).message as FollowUpMessage;
    expect(fu.header.correctionField).toBe(-1n);
    expect(fu.tlvs[0]).toMatchObject({ cumulativeScaledRateOffset: -1234, lastGmPhaseChange: -(2n ** 70n) + 5n, scaledLastGmFreqChange: -42 });
  });

  it('frames 3 and 4: one 802.1Q tag, then 802.1ad + 802.1Q', () => {
    expect(value(results.get(3)).vlanTags).toEqual([{ tpid: 0x8100, tci: (4 << 13) | 100 }]);
    expect(value(results.get(4)).vlanTags).toEqual([
      { tpid: 0x88a8, tci: 10 },
      { tpid: 0x8100, tci: (7 << 13) | 20 },
    ]);
  });

  it('frames 5–7: PATH_TRACE, gPTP TLVs, unknown TLVs and stray octets', () => {
    const announce = value(results.get(5)).message as AnnounceMessage;
    expect(announce.tlvs.map((t) => t.kind)).toEqual(['pathTrace', 'unknown']);
    const signaling = value(results.get(6));
    expect(signaling.destination).toBe(0x020000000002);
    expect((signaling.message as SignalingMessage).tlvs.map((t) => t.kind)).toEqual(['messageIntervalRequest', 'gptpCapable', 'gptpCapableMessageInterval']);
    const odd = value(results.get(7)).message as SignalingMessage;
    expect(odd.tlvs).toEqual([{ kind: 'unknown', tlvType: 0x7ff0, value: Uint8Array.of(1, 2, 3) }]);
    expect(odd.strayOctets).toEqual(Uint8Array.of(0xde, 0xad));
  });

  it('frames 8–11: trailer, Management, reserved messageType, ARP', () => {
    expect(value(results.get(8)).trailer).toEqual(Uint8Array.of(0, 0, 0xca, 0xfe, 0xba, 0xbe));
    expect(value(results.get(9)).message.type).toBe('other');
    expect(value(results.get(10)).message.header.messageType).toBe(5);
    expect(results.get(11)).toMatchObject({ ok: false, error: { kind: 'notPtp', offset: 12 } });
  });

  it.each([
    [12, 'badNanoseconds', 'preciseOriginTimestamp.nanoseconds', 54],
    [13, 'unsupportedVersion', 'versionPTP', 15],
    [14, 'badMessageLength', 'messageLength', 16],
    [15, 'badMessageLength', 'messageLength', 16],
    [16, 'badTlv', 'tlvs[0].lengthField', 60],
    [17, 'badTlv', 'followUpInformationTlv.lengthField', 60],
    [18, 'badTlv', 'pathTraceTlv.lengthField', 80],
    [19, 'truncated', 'header', 14],
    [20, 'truncated', 'etherType', 12],
  ])('frame %i is rejected as %s at %s (offset %i)', (index, kind, field, offset) => {
    expect(results.get(index)).toMatchObject({ ok: false, error: { kind, field, offset } });
  });
});
