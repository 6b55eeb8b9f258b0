/**
 * Robustness of the management responder: 10^5 random and mutated datagrams (valid pmc requests of
 * every id and action with bit flips, cuts, rewritten length fields, random TLVs; pure noise) go
 * through ManagementResponder.handle. It never throws; every datagram is either answered with one
 * well-formed reply (one TLV, the request's sequenceId, back to its sender) or counted under a
 * named reason, so answers + rejections always equal the datagrams handed in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManagementAction, ManagementId, ManagementTlvType } from '../../../src/protocol/management.js';
import { ManagementResponder } from '../../../src/protocol/managementResponder.js';
import { PMC_PORT, STATION, parseReply, request, sampleDataSets } from '../../support/management.js';

const RUNS = 100_000;
const SEED = 0x5eed_0d15;
const PEER = '/tmp/pmc.fuzz';
const IDS = Object.values(ManagementId);
const REASONS = new Set([
  'truncated',
  'unsupportedVersion',
  'notManagement',
  'badMessageLength',
  'badTlv',
  'wrongMajorSdoId',
  'wrongDomain',
  'notARequest',
  'notThisClock',
  'notOneTlv',
  'notManagementTlv',
  'unboundSender',
]);

const validRequest = fc
  .record({
    action: fc.constantFrom(ManagementAction.GET, ManagementAction.GET, ManagementAction.SET, ManagementAction.COMMAND, ManagementAction.RESPONSE),
    id: fc.oneof(fc.constantFrom(...IDS), fc.integer({ min: 0, max: 0xffff })),
    dataLength: fc.constantFrom(0, 0, 0, 0, 2, 4, 8, 18, 20, 26, 32, 50, 66, 100),
    sequenceId: fc.integer({ min: 0, max: 0xffff }),
    port: fc.constantFrom(1, 0xffff, 0xffff, 2),
  })
  .map((f) =>
    request({
      action: f.action,
      id: f.id,
      data: new Uint8Array(f.dataLength).fill(f.sequenceId & 0xff),
      sequenceId: f.sequenceId,
      target: { clockIdentity: 0xffff_ffff_ffff_ffffn, portNumber: f.port },
    }),
  );

const mutated = fc
  .tuple(
    validRequest,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { maxLength: 8 }),
    fc.option(fc.nat(), { nil: undefined }),
    fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
    fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
  )
  .map(([bytes, flips, cut, messageLength, tlvLength]) => {
    let b = bytes.slice();
    for (const [at, bit] of flips) b[at % b.length] = (b[at % b.length] as number) ^ (1 << bit);
    if (messageLength !== undefined) new DataView(b.buffer).setUint16(2, messageLength);
    if (tlvLength !== undefined && b.length >= 52) new DataView(b.buffer).setUint16(50, tlvLength);
    if (cut !== undefined) b = b.slice(0, cut % (b.length + 1));
    return b;
  });

const noise = fc.uint8Array({ maxLength: 200 });
const datagram = fc.oneof({ arbitrary: validRequest, weight: 2 }, { arbitrary: mutated, weight: 6 }, { arbitrary: noise, weight: 2 });

describe(`${RUNS} random and mutated management datagrams`, () => {
  it('never throw; each is answered once, well-formed, or counted under a named reason', () => {
    const r = new ManagementResponder({
      clockIdentity: STATION,
      portNumber: 1,
      majorSdoId: 1,
      domainNumber: 0,
      dataSets: () => sampleDataSets(),
      maxSubscribers: 8,
    });
    let handled = 0;
    let answered = 0;
    fc.assert(
      fc.property(datagram, fc.constantFrom(PEER, PEER, ''), (bytes, peer) => {
        const out = r.handle(bytes, peer, handled / 100);
        handled++;
        expect(out.length).toBeLessThanOrEqual(1);
        for (const d of out) {
          answered++;
          expect(d.to).toBe(peer);
          const reply = parseReply(d.bytes);
          expect([ManagementTlvType.MANAGEMENT, ManagementTlvType.MANAGEMENT_ERROR_STATUS]).toContain(reply.tlvType);
          expect(reply.message.header.sequenceId).toBe((bytes[30] as number) * 256 + (bytes[31] as number));
          expect([ManagementAction.RESPONSE, ManagementAction.ACKNOWLEDGE]).toContain(reply.message.action);
          expect(reply.message.header.sourcePortIdentity.clockIdentity).toBe(STATION);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    const rejected = r.rejected();
    for (const reason of Object.keys(rejected)) expect(REASONS).toContain(reason);
    const rejectedTotal = Object.values(rejected).reduce((a, b) => a + b, 0);
    const errorsTotal = Object.values(r.errors()).reduce((a, b) => a + b, 0);
    expect(handled).toBe(RUNS);
    expect(answered).toBe(r.responsesSent + errorsTotal);
    expect(answered + rejectedTotal).toBe(RUNS);
    // The mix reaches every outcome: data, errors, and most reasons to stay silent.
    expect(r.responsesSent).toBeGreaterThan(100);
    expect(Object.keys(r.errors()).length).toBeGreaterThanOrEqual(4);
    expect(Object.keys(rejected).length).toBeGreaterThanOrEqual(10);
    // Still answers a plain GET afterwards.
    const after = r.handle(request({ id: ManagementId.TIME_STATUS_NP, source: PMC_PORT }), PEER, RUNS);
    expect(parseReply((after[0] as (typeof after)[0]).bytes).managementId).toBe(ManagementId.TIME_STATUS_NP);
  }, 120_000);
});
