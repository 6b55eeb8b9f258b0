/**
 * Text forms as linuxptp and Wireshark users know them, the JSON record of a frame, and the
 * builders the port engine uses to make the messages it sends.
 */
import { describe, expect, it } from 'vitest';
import {
  ALL_PORTS,
  buildHeader,
  decodeMessage,
  encodeMessage,
  gptpCapableTlv,
  makePdelayReq,
  makePdelayResp,
  makePdelayRespFollowUp,
  makeSignaling,
  messageIntervalRequestTlv,
  withMessageLength,
} from '../../../src/protocol/codec.js';
import {
  flagNames,
  formatClockIdentity,
  formatMac,
  formatPortIdentity,
  formatScaledNs,
  formatSigned,
  formatTimestamp,
  messageSummary,
  messageToRecord,
  parseClockIdentity,
  parseMac,
  parsePortIdentity,
} from '../../../src/protocol/format.js';
import { Flag, GPTP_MULTICAST, MessageType, type FollowUpMessage, type PtpFrame } from '../../../src/protocol/messages.js';
import { hex, toHexString } from '../../support/codecFixtures.js';

describe('identities and addresses', () => {
  it('prints a clock identity as linuxptp does and parses it back, also in colon and plain forms', () => {
    expect(formatClockIdentity(0x001122fffe334455n)).toBe('001122.fffe.334455');
    expect(formatClockIdentity(0n)).toBe('000000.0000.000000');
    expect(parseClockIdentity('001122.fffe.334455')).toBe(0x001122fffe334455n);
    expect(parseClockIdentity('00:11:22:FF:FE:33:44:55')).toBe(0x001122fffe334455n);
    expect(parseClockIdentity('001122fffe334455')).toBe(0x001122fffe334455n);
    expect(parseClockIdentity('001122.fffe.3344')).toBeUndefined();
    expect(parseClockIdentity('00112g.fffe.334455')).toBeUndefined();
  });

  it('prints and parses port identities as clockIdentity-portNumber', () => {
    expect(formatPortIdentity({ clockIdentity: 0x001122fffe334455n, portNumber: 1 })).toBe('001122.fffe.334455-1');
    expect(parsePortIdentity('001122.fffe.334455-65535')).toEqual({ clockIdentity: 0x001122fffe334455n, portNumber: 65535 });
    expect(parsePortIdentity('001122.fffe.334455-65536')).toBeUndefined();
    expect(parsePortIdentity('001122.fffe.334455')).toBeUndefined();
  });

  it('prints MAC addresses in lowercase with colons and parses both separators', () => {
    expect(formatMac(GPTP_MULTICAST)).toBe('01:80:c2:00:00:0e');
    expect(formatMac(0xffffffffffff)).toBe('ff:ff:ff:ff:ff:ff');
    expect(parseMac('01-80-C2-00-00-0E')).toBe(0x0180c200000e);
    expect(parseMac('01:80:c2:00:00')).toBeUndefined();
  });
});

describe('flags, scaled ns, timestamps', () => {
  it('names the set flagField bits', () => {
    expect(flagNames(0x0208)).toEqual(['twoStepFlag', 'ptpTimescale']);
    expect(flagNames(0x003c)).toEqual(['currentUtcOffsetValid', 'ptpTimescale', 'timeTraceable', 'frequencyTraceable']);
    expect(flagNames(0)).toEqual([]);
  });

  it('prints scaled ns as an exact decimal number of ns', () => {
    expect(formatScaledNs(6_884_229_120n)).toBe('105045'); // 105045 × 2^16
    expect(formatScaledNs(-32_768n)).toBe('-0.5');
    expect(formatScaledNs(1n)).toBe('0.0000152587890625'); // 2^-16 exactly
    expect(formatScaledNs(-(2n ** 63n))).toBe('-140737488355328'); // −2^63 / 2^16 = −2^47
  });

  it('prints a timestamp as seconds and nine digits of nanoseconds', () => {
    expect(formatTimestamp({ seconds: 1_188_290n, nanoseconds: 123 })).toBe('1188290.000000123');
  });

  it('prints a signed figure for a log line with its sign always written', () => {
    expect(formatSigned(12.34, 1)).toBe('+12.3');
    expect(formatSigned(-4, 1)).toBe('-4.0');
    expect(formatSigned(0, 0)).toBe('+0');
  });
});

describe('messageToRecord and messageSummary', () => {
  const followUp: FollowUpMessage = withMessageLength({
    type: 'followUp',
    header: buildHeader({
      messageType: MessageType.FollowUp,
      sourcePortIdentity: { clockIdentity: 0x112233fffe445566n, portNumber: 6 },
      sequenceId: 34,
      flags: Flag.ptpTimescale,
      logMessageInterval: -3,
      correctionField: 6_884_229_120n,
    }) as FollowUpMessage['header'],
    preciseOriginTimestamp: { seconds: 1_188_290n, nanoseconds: 927_222_883 },
    tlvs: [
      { kind: 'followUpInformation', cumulativeScaledRateOffset: -1234, gmTimeBaseIndicator: 1, lastGmPhaseChange: -(2n ** 70n), scaledLastGmFreqChange: 5 },
    ],
  });
  const frame: PtpFrame = {
    destination: GPTP_MULTICAST,
    source: 0x112233445566,
    vlanTags: [{ tpid: 0x8100, tci: 0x8064 }],
    message: followUp,
    trailer: Uint8Array.of(0xab),
  };

  it('gives every field under its 802.1AS name, JSON-able and exact', () => {
    const record = messageToRecord(frame);
    expect(JSON.parse(JSON.stringify(record))).toEqual({
      destination: '01:80:c2:00:00:0e',
      source: '11:22:33:44:55:66',
      vlanTags: [{ tpid: 0x8100, pcp: 4, dei: 0, vid: 100 }],
      messageType: 'Follow_Up',
      majorSdoId: 1,
      minorVersionPtp: 1,
      versionPtp: 2,
      messageLength: 76,
      domainNumber: 0,
      minorSdoId: 0,
      flags: { raw: '0x0008', names: ['ptpTimescale'] },
      correctionField: '6884229120',
      correctionNs: '105045',
      messageTypeSpecific: 0,
      sourcePortIdentity: '112233.fffe.445566-6',
      sequenceId: 34,
      controlField: 2,
      logMessageInterval: -3,
      preciseOriginTimestamp: { seconds: 1_188_290, nanoseconds: 927_222_883 },
      tlvs: [
        {
          tlvType: 3,
          lengthField: 28,
          kind: 'followUpInformation',
          organizationId: '0080c2',
          organizationSubType: 1,
          cumulativeScaledRateOffset: -1234,
          gmTimeBaseIndicator: 1,
          lastGmPhaseChange: '-1180591620717411303424',
          scaledLastGmFreqChange: 5,
        },
      ],
      trailer: 'ab',
    });
  });

  it('summarises a message on one line', () => {
    expect(messageSummary(followUp)).toBe(
      'Follow_Up seq=34 112233.fffe.445566-6 preciseOriginTimestamp=1188290.927222883 correction=105045ns csro=-1234 gmTimeBaseIndicator=1',
    );
  });
});

describe('builders for the messages an end station sends', () => {
  const me = { clockIdentity: 0x020000fffe000001n, portNumber: 1 };
  const peer = { clockIdentity: 0x020000fffe000002n, portNumber: 1 };

  it('Pdelay_Req: gPTP header defaults, 20 reserved body octets, messageLength 54', () => {
    const m = makePdelayReq({ sourcePortIdentity: me, sequenceId: 0x1234, logMessageInterval: 0 });
    expect(toHexString(encodeMessage(m))).toBe(
      toHexString(hex('12|12|0036|00|00|0000|0000000000000000|00000000|020000fffe000001|0001|1234|05|00|' + '00'.repeat(20))),
    );
  });

  it('Pdelay_Resp and Pdelay_Resp_Follow_Up: two-step, logMessageInterval 0x7f, 54 octets', () => {
    const resp = makePdelayResp({
      sourcePortIdentity: peer,
      sequenceId: 7,
      requestReceiptTimestamp: { seconds: 1n, nanoseconds: 2 },
      requestingPortIdentity: me,
    });
    expect(toHexString(encodeMessage(resp))).toBe(
      toHexString(hex('13|12|0036|00|00|0200|0000000000000000|00000000|020000fffe000002|0001|0007|05|7f|000000000001|00000002|020000fffe000001|0001')),
    );
    const fu = makePdelayRespFollowUp({
      sourcePortIdentity: peer,
      sequenceId: 7,
      responseOriginTimestamp: { seconds: 1n, nanoseconds: 3 },
      requestingPortIdentity: me,
      correctionField: 65_536n,
    });
    expect(fu.header).toMatchObject({ messageLength: 54, flags: 0, correctionField: 65_536n, logMessageInterval: 127, controlField: 5 });
    expect(decodeMessage(encodeMessage(fu))).toEqual({ ok: true, value: fu });
  });

  it('Signaling: to all ports by default, messageLength counting its TLVs', () => {
    const m = makeSignaling({
      sourcePortIdentity: me,
      sequenceId: 1,
      tlvs: [messageIntervalRequestTlv({ linkDelayInterval: -128, timeSyncInterval: 126, announceInterval: 127, flags: 3 }), gptpCapableTlv(3)],
    });
    expect(m.targetPortIdentity).toEqual(ALL_PORTS);
    expect(m.header.messageLength).toBe(34 + 10 + 16 + 16);
    expect(toHexString(encodeMessage(m))).toBe(
      toHexString(
        hex(
          '1c|12|004c|00|00|0000|0000000000000000|00000000|020000fffe000001|0001|0001|05|7f|ffffffffffffffff|ffff|' +
            '0003|000c|0080c2|000002|80|7e|7f|03|0000|8000|000c|0080c2|000004|03|00|00000000',
        ),
      ),
    );
  });
});
