/**
 * The codec reads every field of the 802.1AS messages at the octet the standard puts it, and turns
 * every malformed input into the DecodeError that names the field. Expected values are worked out
 * by hand from the octets shown (field boundaries marked with '|').
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeMessage, encodeFrame, encodeMessage, peekHeader, ptpPayloadOffset } from '../../../src/protocol/codec.js';
import type { AnnounceMessage, FollowUpMessage, PdelayRespMessage, PtpMessage, SignalingMessage } from '../../../src/protocol/messages.js';
import { hex, toHexString } from '../../support/codecFixtures.js';

// Follow_Up from the gPTP bridge capture (weinshec/scapy-gptp, frame 2), Ethernet header included.
const BRIDGE_FOLLOW_UP =
  '0180c200000e|112233445566|88f7|' + // destination, source, ethertype
  '18|02|004c|00|00|0008|0000000000000000|00000000|112233fffe445566|0006|0022|02|fd|' + // header
  '0000001221c2|37444c63|' + // preciseOriginTimestamp: seconds 0x1221c2, ns 0x37444c63
  '0003|001c|0080c2|000001|00000000|0000|000000000000000000000000|00000000'; // Follow_Up information TLV

function ok<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(`expected a decoded value, got ${JSON.stringify(r.error)}`);
  return r.value;
}

describe('decoding a gPTP Follow_Up from a real bridge', () => {
  const frame = ok(decodeFrame(hex(BRIDGE_FOLLOW_UP)));
  const msg = frame.message as FollowUpMessage;

  it('reads the Ethernet addresses', () => {
    expect(frame.destination).toBe(0x0180c200000e);
    expect(frame.source).toBe(0x112233445566);
    expect(frame.vlanTags).toEqual([]);
    expect(frame.trailer.length).toBe(0);
  });

  it('reads every header field', () => {
    expect(msg.type).toBe('followUp');
    expect(msg.header).toEqual({
      majorSdoId: 1,
      messageType: 8,
      minorVersionPtp: 0,
      versionPtp: 2,
      messageLength: 76,
      domainNumber: 0,
      minorSdoId: 0,
      flags: 0x0008,
      correctionField: 0n,
      messageTypeSpecific: 0,
      sourcePortIdentity: { clockIdentity: 0x112233fffe445566n, portNumber: 6 },
      sequenceId: 34,
      controlField: 2,
      logMessageInterval: -3,
    });
  });

  it('reads preciseOriginTimestamp as 48-bit seconds and 32-bit nanoseconds', () => {
    // 0x1221c2 = 1·16^5 + 2·16^4 + 2·16^3 + 1·16^2 + 12·16 + 2 = 1188290;
    // 0x37444c63 = 55·2^24 + 68·2^16 + 76·2^8 + 99 = 927222883
    expect(msg.preciseOriginTimestamp).toEqual({ seconds: 1_188_290n, nanoseconds: 927_222_883 });
  });

  it('interprets the 802.1AS Follow_Up information TLV', () => {
    expect(msg.tlvs).toEqual([
      { kind: 'followUpInformation', cumulativeScaledRateOffset: 0, gmTimeBaseIndicator: 0, lastGmPhaseChange: 0n, scaledLastGmFreqChange: 0 },
    ]);
  });

  it('encodes back to the same octets', () => {
    expect(toHexString(encodeFrame(frame))).toBe(BRIDGE_FOLLOW_UP.replace(/\|/g, ''));
  });
});

describe('signed and wide fields', () => {
  const followUp =
    '18|02|004c|00|00|0008|ffffffffffff8000|00000000|020000fffe000001|0001|0007|02|fd|' +
    '000065920080|3b9ac9ff|' + // seconds 0x65920080 = 1704067200, ns 999999999
    '0003|001c|0080c2|000001|fffffb2e|0007|ffffffc00000000000000005|ffffffd6';

  it('reads correctionField as signed Int64 scaled ns, exactly', () => {
    const m = ok(decodeMessage(hex(followUp))) as FollowUpMessage;
    // 0xffffffffffff8000 = −0x8000 = −32768 scaled ns = −0.5 ns
    expect(m.header.correctionField).toBe(-32_768n);
    expect(m.preciseOriginTimestamp).toEqual({ seconds: 1_704_067_200n, nanoseconds: 999_999_999 });
  });

  it('reads the TLV fields signed: cumulativeScaledRateOffset, 96-bit lastGmPhaseChange, scaledLastGmFreqChange', () => {
    const m = ok(decodeMessage(hex(followUp))) as FollowUpMessage;
    expect(m.tlvs[0]).toEqual({
      kind: 'followUpInformation',
      cumulativeScaledRateOffset: -1234, // 0xfffffb2e = 2^32 − 1234
      gmTimeBaseIndicator: 7,
      lastGmPhaseChange: -(2n ** 70n) + 5n, // 0xffffffc0 00000000 00000005 as Integer96
      scaledLastGmFreqChange: -42, // 0xffffffd6
    });
    expect(toHexString(encodeMessage(m))).toBe(followUp.replace(/\|/g, ''));
  });

  it('keeps correctionField exact beyond 2^53 scaled ns', () => {
    const m = ok(decodeMessage(hex('10|02|002c|00|00|0000|7fffffffffffffff|00000000|0000000000000001|0001|0001|00|00|00000000000000000000')));
    expect(m.header.correctionField).toBe(2n ** 63n - 1n);
    expect(toHexString(encodeMessage(m))).toBe('1002002c000000007fffffffffffffff000000000000000000000001000100010000' + '00'.repeat(10));
  });
});

describe('the other message bodies', () => {
  it('Pdelay_Resp: requestReceiptTimestamp and requestingPortIdentity (ptp4l, software timestamps)', () => {
    const bytes = hex('13|02|0036|00|00|0200|0000000000000000|00000000|f2d186fffebd9ad8|0001|0000|05|7f|' + '00006b0415f5|04761365|aad010fffe8a05a1|0001');
    const m = ok(decodeMessage(bytes)) as PdelayRespMessage;
    expect(m.type).toBe('pdelayResp');
    // 0x6b0415f5 = 1795429877; 0x04761365 = 74847077
    expect(m.requestReceiptTimestamp).toEqual({ seconds: 1_795_429_877n, nanoseconds: 74_847_077 });
    expect(m.requestingPortIdentity).toEqual({ clockIdentity: 0xaad010fffe8a05a1n, portNumber: 1 });
    expect(m.header.logMessageInterval).toBe(127);
  });

  it('Announce: priority vector, time properties, the reserved octet and PATH_TRACE', () => {
    const bytes = hex(
      '1b|02|004c|00|00|0008|0000000000000000|00000000|aad010fffe8a05a1|0001|0000|05|00|' +
        '00000000000000000000|0025|ac|f6|f8|fe|ffff|f8|aad010fffe8a05a1|0000|a0|' +
        '0008|0008|aad010fffe8a05a1',
    );
    const m = ok(decodeMessage(bytes)) as AnnounceMessage;
    expect(m).toMatchObject({
      type: 'announce',
      currentUtcOffset: 37,
      reserved: 0xac,
      grandmasterPriority1: 246,
      grandmasterClockQuality: { clockClass: 248, clockAccuracy: 0xfe, offsetScaledLogVariance: 0xffff },
      grandmasterPriority2: 248,
      grandmasterIdentity: 0xaad010fffe8a05a1n,
      stepsRemoved: 0,
      timeSource: 0xa0,
      tlvs: [{ kind: 'pathTrace', pathSequence: [0xaad010fffe8a05a1n] }],
    });
  });

  it('Signaling: targetPortIdentity, message interval request and gPTP-capable TLVs', () => {
    const bytes = hex(
      '1c|12|005a|00|00|0000|0000000000000000|00000000|020000fffe000001|0001|0001|05|7f|ffffffffffffffff|ffff|' +
        '0003|000c|0080c2|000002|7f|fd|80|03|0000|' + // message interval request: 127, −3, −128, flags 3
        '8000|000c|0080c2|000004|03|00|00000000|' + // gPTP-capable, logGptpCapableMessageInterval 3
        '8000|000a|0080c2|000005|02|000000', // gPTP-capable message interval request: 2
    );
    const m = ok(decodeMessage(bytes)) as SignalingMessage;
    expect(m.targetPortIdentity).toEqual({ clockIdentity: 0xffff_ffff_ffff_ffffn, portNumber: 0xffff });
    expect(m.tlvs).toEqual([
      { kind: 'messageIntervalRequest', linkDelayInterval: 127, timeSyncInterval: -3, announceInterval: -128, flags: 3, reserved: 0 },
      { kind: 'gptpCapable', logInterval: 3, flags: 0, reserved: 0 },
      { kind: 'gptpCapableMessageInterval', logInterval: 2, flags: 0, reserved: 0 },
    ]);
    expect(encodeMessage(m)).toEqual(bytes);
  });

  it('keeps an organization extension of another OUI, and a gPTP subtype under the wrong tlvType, as unknown TLVs', () => {
    const bytes = hex(
      '1c|02|0046|00|00|0000|0000000000000000|00000000|020000fffe000001|0001|0001|05|7f|ffffffffffffffff|ffff|' +
        '0003|0006|1c129d|000001|' + // C37.238 (OUI 1C-12-9D)
        '4000|000c|0080c2|000004|03|00|00000000', // subtype 4 under ORGANIZATION_EXTENSION_PROPAGATE
    );
    const m = ok(decodeMessage(bytes));
    expect(m.tlvs).toEqual([
      { kind: 'unknown', tlvType: 0x0003, value: hex('1c129d000001') },
      { kind: 'unknown', tlvType: 0x4000, value: hex('0080c2000004030000000000') },
    ]);
    expect(encodeMessage(m)).toEqual(bytes);
  });

  it('Management and unknown messageTypes keep the body raw', () => {
    const bytes = hex('0d|02|0026|00|00|0000|0000000000000000|00000000|000000fffe000011|0001|0005|04|7f|01020304');
    const m = ok(decodeMessage(bytes)) as PtpMessage & { type: 'other' };
    expect(m.type).toBe('other');
    expect(m.body).toEqual(hex('01020304'));
    expect(encodeMessage(m)).toEqual(bytes);
  });

  it('keeps 1–3 octets after the last TLV as strayOctets (a non-conformant Announce of messageLength 78)', () => {
    const bytes = hex(
      '1b|02|004e|00|00|0000|0000000000000000|00000000|000000fffe000000|0001|0019|05|01|' +
        '00000000000000000000|0000|00|fa|f8|fe|4100|fa|000000fffe000000|0001|00|' +
        '00a0|0008|0008000000fffe00|0000',
    );
    const m = ok(decodeMessage(bytes)) as AnnounceMessage;
    expect(m.tlvs).toEqual([{ kind: 'unknown', tlvType: 0x00a0, value: hex('0008000000fffe00') }]);
    expect(m.strayOctets).toEqual(hex('0000'));
    expect(encodeMessage(m)).toEqual(bytes);
  });
});

describe('Ethernet framing', () => {
  const sync = '10|02|002c|00|00|0208|0000000000000000|00000000|020000fffe000001|0001|0001|00|fd|00000000000000000000';

  it('reads one 802.1Q tag and two stacked tags (802.1ad outer)', () => {
    const one = ok(decodeFrame(hex(`0180c200000e|020000000001|8100|8064|88f7|${sync}`)));
    expect(one.vlanTags).toEqual([{ tpid: 0x8100, tci: 0x8064 }]); // PCP 4, VID 100
    const two = ok(decodeFrame(hex(`0180c200000e|020000000001|88a8|000a|8100|e014|88f7|${sync}`)));
    expect(two.vlanTags).toEqual([
      { tpid: 0x88a8, tci: 0x000a },
      { tpid: 0x8100, tci: 0xe014 },
    ]);
    expect(ptpPayloadOffset(hex(`0180c200000e|020000000001|88a8|000a|8100|e014|88f7|${sync}`))).toBe(22);
  });

  it('accepts any destination and keeps octets after messageLength as the trailer', () => {
    const f = ok(decodeFrame(hex(`020000000002|020000000001|88f7|${sync}|0000|cafebabe`)));
    expect(f.destination).toBe(0x020000000002);
    expect(f.trailer).toEqual(hex('0000cafebabe'));
  });

  it('reports other ethertypes as notPtp, also behind a third tag', () => {
    const arp = decodeFrame(hex('ffffffffffff|020000000001|0806|0001080006040001'));
    expect(arp).toEqual({ ok: false, error: expect.objectContaining({ kind: 'notPtp', field: 'etherType', offset: 12 }) });
    const threeTags = decodeFrame(hex(`0180c200000e|020000000001|8100|0001|8100|0002|8100|0003|88f7|${sync}`));
    expect(threeTags.ok ? 'ok' : threeTags.error.kind).toBe('notPtp');
    expect(ptpPayloadOffset(hex('ffffffffffff|020000000001|0806'))).toBe(-1);
  });
});

describe('malformed input: one typed error naming the field and its offset', () => {
  const followUpHeader = (messageLength: string): string => `18|02|${messageLength}|00|00|0008|0000000000000000|00000000|112233fffe445566|0006|0022|02|fd`;
  const fuTlv = '0003|001c|0080c2|000001|00000000|0000|000000000000000000000000|00000000';

  it.each([
    ['nanoseconds = 10^9', `${followUpHeader('004c')}|00000000000a|3b9aca00|${fuTlv}`, 'badNanoseconds', 'preciseOriginTimestamp.nanoseconds', 40],
    ['versionPTP 1', '11|01|002c|00', 'unsupportedVersion', 'versionPTP', 1],
    ['a 20-octet header', '10|02|002c|00|00|0000|0000000000000000|00000000|0000', 'truncated', 'header', 0],
    ['messageLength beyond the buffer', `${followUpHeader('004e')}|00000000000a|00000000|${fuTlv}`, 'badMessageLength', 'messageLength', 2],
    ['messageLength shorter than the body', `${followUpHeader('0028')}|00000000000a|00000000`, 'badMessageLength', 'messageLength', 2],
    ['a TLV cut by messageLength', `${followUpHeader('0044')}|00000000000a|00000000|${fuTlv}`, 'badTlv', 'tlvs[0].lengthField', 46],
    ['a TLV longer than what remains of messageLength', `${followUpHeader('0032')}|00000000000a|00000000|0003|0010|0000`, 'badTlv', 'tlvs[0].lengthField', 46],
    [
      'a Follow_Up information TLV of the wrong length',
      `${followUpHeader('0048')}|00000000000a|00000000|0003|0018|0080c2|000001|${'00'.repeat(18)}`,
      'badTlv',
      'followUpInformationTlv.lengthField',
      46,
    ],
    [
      'a PATH_TRACE of 12 octets',
      `1b|02|0050|00|00|0000|${'00'.repeat(24)}|05|00|${'00'.repeat(30)}|0008|000c|${'00'.repeat(12)}`,
      'badTlv',
      'pathTraceTlv.lengthField',
      66,
    ],
  ])('%s', (_name, bytes, kind, field, offset) => {
    const r = decodeMessage(hex(bytes));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatchObject({ kind, field, offset });
      expect(r.error.message.length).toBeGreaterThan(10);
    }
  });

  it('counts offsets from the start of the buffer when decoding inside it', () => {
    const r = decodeMessage(hex(`ffff|${followUpHeader('004c')}|00000000000a|3b9aca00|${fuTlv}`), 2);
    expect(r.ok ? undefined : r.error).toMatchObject({ kind: 'badNanoseconds', offset: 42 });
  });

  it('never reads past `end`', () => {
    const bytes = hex(`${followUpHeader('004c')}|00000000000a|00000000|${fuTlv}`);
    const r = decodeMessage(bytes, 0, 75);
    expect(r.ok ? undefined : r.error).toMatchObject({ kind: 'badMessageLength', field: 'messageLength' });
  });

  it('an Ethernet frame shorter than its header is truncated at the ethertype', () => {
    expect(decodeFrame(hex('0180c200000e0200')).ok ? undefined : 'truncated').toBe('truncated');
  });
});

describe('peekHeader', () => {
  it('reads the filtering fields without a full decode, and refuses fewer than 34 octets', () => {
    const bytes = hex('18|02|004c|05|00|0008|0000000000000000|00000000|112233fffe445566|0006|0022|02|fd');
    expect(peekHeader(bytes)).toEqual({ majorSdoId: 1, messageType: 8, versionPtp: 2, messageLength: 76, domainNumber: 5, flags: 8, sequenceId: 34 });
    expect(peekHeader(bytes.subarray(0, 33))).toBeUndefined();
  });
});
