/**
 * Lossless both ways: decode(encode(m)) equals m for generated messages of every type with every
 * field at any value its width allows, and encode(decode(bytes)) gives back the octets of every
 * frame of the committed captures that decodes.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeFrame, decodeMessage, encodeFrame, encodeMessage, withMessageLength } from '../../../src/protocol/codec.js';
import { MessageType, type PtpFrame, type PtpHeader, type PtpMessage, type Tlv } from '../../../src/protocol/messages.js';
import { ethernetFrames, fixtureCaptures, toHexString } from '../../support/codecFixtures.js';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u24 = fc.integer({ min: 0, max: 0xffffff });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const i8 = fc.integer({ min: -128, max: 127 });
const i16 = fc.integer({ min: -32768, max: 32767 });
const i32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const clockIdentity = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const portIdentity = fc.record({ clockIdentity, portNumber: u16 });
const timestamp = fc.record({ seconds: fc.bigInt({ min: 0n, max: 2n ** 48n - 1n }), nanoseconds: fc.integer({ min: 0, max: 999_999_999 }) });
const bytes = (max: number) => fc.uint8Array({ maxLength: max });

function header(messageType: number): fc.Arbitrary<PtpHeader> {
  return fc.record({
    majorSdoId: fc.integer({ min: 0, max: 15 }),
    messageType: fc.constant(messageType),
    minorVersionPtp: fc.integer({ min: 0, max: 15 }),
    versionPtp: fc.constant(2),
    messageLength: fc.constant(0), // set by withMessageLength
    domainNumber: u8,
    minorSdoId: u8,
    flags: u16,
    correctionField: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    messageTypeSpecific: u32,
    sourcePortIdentity: portIdentity,
    sequenceId: u16,
    controlField: u8,
    logMessageInterval: i8,
  });
}

/** tlvTypes the decoder interprets (with the right OUI/subtype); unknown TLVs avoid them. */
const INTERPRETED_TLV_TYPES = new Set([0x0003, 0x0008, 0x8000]);

const tlv: fc.Arbitrary<Tlv> = fc.oneof(
  fc.record({
    kind: fc.constant('followUpInformation' as const),
    cumulativeScaledRateOffset: i32,
    gmTimeBaseIndicator: u16,
    lastGmPhaseChange: fc.bigInt({ min: -(2n ** 95n), max: 2n ** 95n - 1n }),
    scaledLastGmFreqChange: i32,
  }),
  fc.record({
    kind: fc.constant('messageIntervalRequest' as const),
    linkDelayInterval: i8,
    timeSyncInterval: i8,
    announceInterval: i8,
    flags: u8,
    reserved: u16,
  }),
  fc.record({ kind: fc.constant('gptpCapable' as const), logInterval: i8, flags: u8, reserved: u32 }),
  // Subtype 5 has no flags octet and 3 reserved octets.
  fc.record({ kind: fc.constant('gptpCapableMessageInterval' as const), logInterval: i8, flags: fc.constant(0), reserved: u24 }),
  fc.record({ kind: fc.constant('pathTrace' as const), pathSequence: fc.array(clockIdentity, { maxLength: 5 }) }),
  fc.record({
    kind: fc.constant('unknown' as const),
    tlvType: u16.filter((t) => !INTERPRETED_TLV_TYPES.has(t)),
    value: bytes(24),
  }),
  // An organization extension of another organization stays unknown.
  fc.record({
    kind: fc.constant('unknown' as const),
    tlvType: fc.constant(0x0003),
    value: fc
      .tuple(
        u24.filter((oui) => oui !== 0x0080c2),
        bytes(20),
      )
      .map(([oui, rest]) => Uint8Array.of(oui >> 16, (oui >> 8) & 0xff, oui & 0xff, ...rest)),
  }),
);
const tlvs = fc.array(tlv, { maxLength: 4 });
/** Absent, or 1–3 octets (too few for a TLV header). */
const stray = fc.option(fc.uint8Array({ minLength: 1, maxLength: 3 }), { nil: undefined });

function withStray<M extends PtpMessage>(m: M, s: Uint8Array | undefined): M {
  return s === undefined || m.type === 'other' ? m : { ...m, strayOctets: s };
}

const message: fc.Arbitrary<PtpMessage> = fc
  .oneof(
    fc.record({ type: fc.constant('sync' as const), header: header(MessageType.Sync), originTimestamp: timestamp, tlvs }),
    fc.record({ type: fc.constant('delayReq' as const), header: header(MessageType.DelayReq), originTimestamp: timestamp, tlvs }),
    fc.record({ type: fc.constant('followUp' as const), header: header(MessageType.FollowUp), preciseOriginTimestamp: timestamp, tlvs }),
    fc.record({
      type: fc.constant('pdelayReq' as const),
      header: header(MessageType.PdelayReq),
      originTimestamp: timestamp,
      reserved: fc.uint8Array({ minLength: 10, maxLength: 10 }),
      tlvs,
    }),
    fc.record({
      type: fc.constant('pdelayResp' as const),
      header: header(MessageType.PdelayResp),
      requestReceiptTimestamp: timestamp,
      requestingPortIdentity: portIdentity,
      tlvs,
    }),
    fc.record({
      type: fc.constant('pdelayRespFollowUp' as const),
      header: header(MessageType.PdelayRespFollowUp),
      responseOriginTimestamp: timestamp,
      requestingPortIdentity: portIdentity,
      tlvs,
    }),
    fc.record({
      type: fc.constant('delayResp' as const),
      header: header(MessageType.DelayResp),
      receiveTimestamp: timestamp,
      requestingPortIdentity: portIdentity,
      tlvs,
    }),
    fc.record({
      type: fc.constant('announce' as const),
      header: header(MessageType.Announce),
      originTimestamp: timestamp,
      currentUtcOffset: i16,
      reserved: u8,
      grandmasterPriority1: u8,
      grandmasterClockQuality: fc.record({ clockClass: u8, clockAccuracy: u8, offsetScaledLogVariance: u16 }),
      grandmasterPriority2: u8,
      grandmasterIdentity: clockIdentity,
      stepsRemoved: u16,
      timeSource: u8,
      tlvs,
    }),
    fc.record({ type: fc.constant('signaling' as const), header: header(MessageType.Signaling), targetPortIdentity: portIdentity, tlvs }),
    fc
      .constantFrom(0x4, 0x5, 0x6, 0x7, MessageType.Management, 0xe, 0xf)
      .chain((t) => fc.record({ type: fc.constant('other' as const), header: header(t), tlvs: fc.constant([]), body: bytes(40) })),
  )
  .chain((m) => stray.map((s) => withMessageLength(withStray(m as PtpMessage, s))));

const frame: fc.Arbitrary<PtpFrame> = fc.record({
  destination: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
  source: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
  vlanTags: fc.array(fc.record({ tpid: fc.constantFrom(0x8100, 0x88a8), tci: u16 }), { maxLength: 2 }),
  message,
  trailer: bytes(12),
});

describe('decode(encode(m)) = m', () => {
  it('for messages of every type, every field at any value, any TLVs and stray octets', () => {
    fc.assert(
      fc.property(message, (m) => {
        const encoded = encodeMessage(m);
        expect(encoded.length).toBe(m.header.messageLength);
        expect(decodeMessage(encoded)).toEqual({ ok: true, value: m });
      }),
      { numRuns: 5000 },
    );
  });

  it('for Ethernet frames with up to two VLAN tags and a trailer', () => {
    fc.assert(
      fc.property(frame, (f) => {
        expect(decodeFrame(encodeFrame(f))).toEqual({ ok: true, value: f });
      }),
      { numRuns: 3000 },
    );
  });
});

describe('encode(decode(bytes)) = bytes for every committed capture', () => {
  for (const path of fixtureCaptures()) {
    const name = path.split('/').pop() ?? path;
    it(name, () => {
      let decoded = 0;
      for (const f of ethernetFrames(path)) {
        const r = decodeFrame(f.bytes);
        if (!r.ok) continue;
        decoded++;
        expect(toHexString(encodeFrame(r.value)), `frame ${f.index}`).toBe(toHexString(f.bytes));
      }
      expect(decoded).toBeGreaterThan(0);
    });
  }
});
