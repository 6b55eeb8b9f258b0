/**
 * The management responder as ptp4l 3.1.1 answers (clock.c clock_manage, port.c port_manage): which
 * requests get data, which get which MANAGEMENT_ERROR_STATUS, which get nothing (counted), and the
 * SUBSCRIBE_EVENTS_NP subscriptions with their pushed notifications.
 */
import { describe, expect, it } from 'vitest';
import { ManagementAction, ManagementErrorId, ManagementId, ManagementTlvType, NotifyEvent } from '../../../src/protocol/management.js';
import { ManagementResponder } from '../../../src/protocol/managementResponder.js';
import { timeStatusNpField, portDataSetField, parentDataSetField } from '../../../src/protocol/managementDataSets.js';
import type { ManagementDataSets } from '../../../src/protocol/managementDataSets.js';
import { GRANDMASTER, PMC_PORT, STATION, parseReply, request, sampleDataSets, view, type RequestFields } from '../../support/management.js';

const PEER = '/tmp/pmc.4242';

function responder(dataSets: () => ManagementDataSets = () => sampleDataSets(), maxSubscribers?: number): ManagementResponder {
  return new ManagementResponder({
    clockIdentity: STATION,
    portNumber: 1,
    majorSdoId: 1,
    domainNumber: 0,
    dataSets,
    ...(maxSubscribers === undefined ? {} : { maxSubscribers }),
  });
}

function ask(r: ManagementResponder, f: RequestFields, nowS = 100, peer = PEER): ReturnType<typeof parseReply> {
  const out = r.handle(request(f), peer, nowS);
  expect(out).toHaveLength(1);
  expect(out[0]?.to).toBe(peer);
  return parseReply((out[0] as (typeof out)[0]).bytes);
}

function subscribeData(durationS: number, ...events: number[]): Uint8Array {
  const d = new Uint8Array(66);
  view(d).setUint16(0, durationS);
  for (const e of events) d[2 + (e >> 3)] = (d[2 + (e >> 3)] as number) | (1 << (e & 7));
  return d;
}

describe('GET of the data sets pmc asks for', () => {
  const cases: Array<[string, number, number, (d: ManagementDataSets) => Uint8Array | undefined]> = [
    ['TIME_STATUS_NP by the clock', ManagementId.TIME_STATUS_NP, 0, (d) => timeStatusNpField(d.timeStatusNp)],
    ['PARENT_DATA_SET by the clock', ManagementId.PARENT_DATA_SET, 0, (d) => parentDataSetField(d.parentDS)],
    ['PORT_DATA_SET by port 1', ManagementId.PORT_DATA_SET, 1, (d) => portDataSetField(d.portDS)],
    ['CURRENT_DATA_SET by the clock', ManagementId.CURRENT_DATA_SET, 0, () => undefined],
    ['DEFAULT_DATA_SET by the clock', ManagementId.DEFAULT_DATA_SET, 0, () => undefined],
    ['TIME_PROPERTIES_DATA_SET by the clock', ManagementId.TIME_PROPERTIES_DATA_SET, 0, () => undefined],
    ['PORT_PROPERTIES_NP by port 1', ManagementId.PORT_PROPERTIES_NP, 1, () => undefined],
    ['PORT_DATA_SET_NP by port 1', ManagementId.PORT_DATA_SET_NP, 1, () => undefined],
    ['LOG_SYNC_INTERVAL by port 1', ManagementId.LOG_SYNC_INTERVAL, 1, (d) => Uint8Array.of(d.portDS.logSyncInterval & 0xff, 0)],
    ['PRIORITY1 by the clock', ManagementId.PRIORITY1, 0, () => Uint8Array.of(255, 0)],
    ['NULL_MANAGEMENT by port 1', ManagementId.NULL_MANAGEMENT, 1, () => new Uint8Array(0)],
  ];
  it.each(cases)('%s: a RESPONSE to the asker, same sequenceId, its data set', (_what, id, portNumber, expected) => {
    const r = responder();
    const reply = ask(r, { id, sequenceId: 901 });
    expect(reply.tlvType).toBe(ManagementTlvType.MANAGEMENT);
    expect(reply.managementId).toBe(id);
    expect(reply.message.action).toBe(ManagementAction.RESPONSE);
    expect(reply.message.header.sequenceId).toBe(901);
    expect(reply.message.header.majorSdoId).toBe(1);
    expect(reply.message.header.sourcePortIdentity).toEqual({ clockIdentity: STATION, portNumber });
    expect(reply.message.targetPortIdentity).toEqual(PMC_PORT);
    const want = expected(sampleDataSets());
    if (want !== undefined) expect([...reply.dataField]).toEqual([...want]);
    expect(r.responsesSent).toBe(1);
  });

  it('answers a GET carrying an all-zero data set of the right size (pmc) as one without data (pmc -z)', () => {
    const r = responder();
    const withData = ask(r, { id: ManagementId.TIME_STATUS_NP, data: new Uint8Array(50) });
    const without = ask(r, { id: ManagementId.TIME_STATUS_NP });
    expect([...withData.dataField]).toEqual([...without.dataField]);
  });

  it('reads the data sets at the time of each request', () => {
    let offset = -123n;
    const r = responder(() => sampleDataSets({ timeStatusNp: { ...sampleDataSets().timeStatusNp, masterOffset: offset } }));
    expect(view(ask(r, { id: ManagementId.TIME_STATUS_NP }).dataField).getBigInt64(0)).toBe(-123n);
    offset = 456n;
    expect(view(ask(r, { id: ManagementId.TIME_STATUS_NP }).dataField).getBigInt64(0)).toBe(456n);
  });

  it('answers a request addressed to this clock and port as to all', () => {
    const reply = ask(responder(), { id: ManagementId.PORT_DATA_SET, target: { clockIdentity: STATION, portNumber: 1 } });
    expect(reply.tlvType).toBe(ManagementTlvType.MANAGEMENT);
  });

  it('sends the reply back as many boundary hops as the request travelled', () => {
    const reply = ask(responder(), { id: ManagementId.PORT_DATA_SET, startingBoundaryHops: 3, boundaryHops: 1 });
    expect([reply.message.startingBoundaryHops, reply.message.boundaryHops]).toEqual([2, 2]);
  });
});

describe('MANAGEMENT_ERROR_STATUS, as ptp4l answers', () => {
  const cases: Array<[string, RequestFields, number, number]> = [
    [
      'GET of a clock id Syntonic does not serve (USER_DESCRIPTION): NOT_SUPPORTED from the clock',
      { id: ManagementId.USER_DESCRIPTION },
      ManagementErrorId.NOT_SUPPORTED,
      0,
    ],
    ['GET GRANDMASTER_SETTINGS_NP: NOT_SUPPORTED (never grandmaster)', { id: ManagementId.GRANDMASTER_SETTINGS_NP }, ManagementErrorId.NOT_SUPPORTED, 0],
    [
      'GET of a port id not served (CLOCK_DESCRIPTION): NOT_SUPPORTED from the port',
      { id: ManagementId.CLOCK_DESCRIPTION },
      ManagementErrorId.NOT_SUPPORTED,
      1,
    ],
    ['GET PORT_STATS_NP: NOT_SUPPORTED from the port', { id: ManagementId.PORT_STATS_NP }, ManagementErrorId.NOT_SUPPORTED, 1],
    ['an id nobody defines: NO_SUCH_ID from the port', { id: 0x7777 }, ManagementErrorId.NO_SUCH_ID, 1],
    [
      'a port-level id for port 2: WRONG_VALUE from the clock',
      { id: ManagementId.PORT_DATA_SET, target: { clockIdentity: STATION, portNumber: 2 } },
      ManagementErrorId.WRONG_VALUE,
      0,
    ],
    [
      'SET PRIORITY1: NOT_SUPPORTED (nothing is set from outside)',
      { action: ManagementAction.SET, id: ManagementId.PRIORITY1, data: Uint8Array.of(3, 0) },
      ManagementErrorId.NOT_SUPPORTED,
      0,
    ],
    [
      'SET PORT_DATA_SET_NP: NOT_SUPPORTED from the port',
      { action: ManagementAction.SET, id: ManagementId.PORT_DATA_SET_NP, data: new Uint8Array(8) },
      ManagementErrorId.NOT_SUPPORTED,
      1,
    ],
    ['SET without data: WRONG_LENGTH', { action: ManagementAction.SET, id: ManagementId.SUBSCRIBE_EVENTS_NP }, ManagementErrorId.WRONG_LENGTH, 0],
    [
      'SET SUBSCRIBE_EVENTS_NP with 10 octets: WRONG_LENGTH',
      { action: ManagementAction.SET, id: ManagementId.SUBSCRIBE_EVENTS_NP, data: new Uint8Array(10) },
      ManagementErrorId.WRONG_LENGTH,
      0,
    ],
    ['GET TIME_STATUS_NP with 6 octets of data: WRONG_LENGTH', { id: ManagementId.TIME_STATUS_NP, data: new Uint8Array(6) }, ManagementErrorId.WRONG_LENGTH, 0],
    [
      'GET PORT_DATA_SET with 2 octets of data: WRONG_LENGTH from the port',
      { id: ManagementId.PORT_DATA_SET, data: new Uint8Array(2) },
      ManagementErrorId.WRONG_LENGTH,
      1,
    ],
    ['COMMAND INITIALIZE: NOT_SUPPORTED', { action: ManagementAction.COMMAND, id: ManagementId.INITIALIZE }, ManagementErrorId.NOT_SUPPORTED, 0],
    [
      'COMMAND ENABLE_PORT: NOT_SUPPORTED from the port',
      { action: ManagementAction.COMMAND, id: ManagementId.ENABLE_PORT },
      ManagementErrorId.NOT_SUPPORTED,
      1,
    ],
  ];
  it.each(cases)('%s', (_what, f, errorId, portNumber) => {
    const r = responder();
    const reply = ask(r, { ...f, sequenceId: 33 });
    expect(reply.tlvType).toBe(ManagementTlvType.MANAGEMENT_ERROR_STATUS);
    expect(reply.errorId).toBe(errorId);
    expect(reply.managementId).toBe(f.id);
    expect(reply.message.header.sequenceId).toBe(33);
    expect(reply.message.header.sourcePortIdentity).toEqual({ clockIdentity: STATION, portNumber });
    expect(reply.message.action).toBe(f.action === ManagementAction.COMMAND ? ManagementAction.ACKNOWLEDGE : ManagementAction.RESPONSE);
    // 1588-2019 15.5.4: managementErrorId, managementId, 4 reserved octets; ptp4l sends no displayData.
    expect(view(reply.message.tlvs[0]?.value as Uint8Array).byteLength).toBe(8);
    expect(Object.values(r.errors()).reduce((a, b) => a + b, 0)).toBe(1);
  });
});

describe('requests that get no answer are counted under their reason', () => {
  const cases: Array<[string, Uint8Array, string, string?]> = [
    ['pmc without -t 1 (majorSdoId 0)', request({ id: ManagementId.TIME_STATUS_NP, majorSdoId: 0 }), 'wrongMajorSdoId'],
    ['another domain (pmc -d 1)', request({ id: ManagementId.TIME_STATUS_NP, domainNumber: 1 }), 'wrongDomain'],
    ['a RESPONSE', request({ id: ManagementId.TIME_STATUS_NP, action: ManagementAction.RESPONSE }), 'notARequest'],
    ['an ACKNOWLEDGE', request({ id: ManagementId.TIME_STATUS_NP, action: ManagementAction.ACKNOWLEDGE }), 'notARequest'],
    ['a reserved action (7)', request({ id: ManagementId.TIME_STATUS_NP, action: 7 }), 'notARequest'],
    ['another clock', request({ id: ManagementId.TIME_STATUS_NP, target: { clockIdentity: GRANDMASTER, portNumber: 0xffff } }), 'notThisClock'],
    ['a sender without an address', request({ id: ManagementId.TIME_STATUS_NP }), 'unboundSender', ''],
    ['a Sync', Uint8Array.from(request({ id: 0 }), (b, i) => (i === 0 ? 0x10 : b)), 'notManagement'],
    ['the first seven octets of a request', request({ id: ManagementId.TIME_STATUS_NP }).slice(0, 7), 'truncated'],
  ];
  it.each(cases)('%s', (_what, bytes, reason, peer) => {
    const r = responder();
    expect(r.handle(bytes, peer ?? PEER, 1)).toEqual([]);
    expect(r.rejected()).toEqual({ [reason]: 1 });
  });

  it('a management message without a TLV, or with two: notOneTlv; with an error-status TLV: notManagementTlv', () => {
    const r = responder();
    const bare = request({ id: 0 }).slice(0, 48);
    view(bare).setUint16(2, 48);
    expect(r.handle(bare, PEER, 1)).toEqual([]);
    const one = request({ id: ManagementId.PRIORITY1 });
    const two = new Uint8Array(one.length + 6);
    two.set(one);
    two.set(one.subarray(48), one.length);
    view(two).setUint16(2, two.length);
    expect(r.handle(two, PEER, 1)).toEqual([]);
    const status = one.slice();
    view(status).setUint16(48, ManagementTlvType.MANAGEMENT_ERROR_STATUS);
    expect(r.handle(status, PEER, 1)).toEqual([]);
    expect(r.rejected()).toEqual({ notManagementTlv: 1, notOneTlv: 2 });
  });
});

describe('SUBSCRIBE_EVENTS_NP', () => {
  const set = (r: ManagementResponder, nowS: number, durationS: number, ...events: number[]): ReturnType<typeof parseReply> =>
    ask(r, { action: ManagementAction.SET, id: ManagementId.SUBSCRIBE_EVENTS_NP, data: subscribeData(durationS, ...events) }, nowS);

  it('SET answers with the subscription as GET shows it: duration left and the bitmask', () => {
    const r = responder();
    const reply = set(r, 100, 60, NotifyEvent.PORT_STATE);
    expect(view(reply.dataField).getUint16(0)).toBe(60);
    expect(reply.dataField[2]).toBe(1);
    const later = ask(r, { id: ManagementId.SUBSCRIBE_EVENTS_NP, data: new Uint8Array(66) }, 125);
    expect(view(later.dataField).getUint16(0)).toBe(35);
    expect(later.dataField[2]).toBe(1);
    expect(r.subscriberCount).toBe(1);
  });

  it('GET without a subscription shows duration 0 and no events', () => {
    const reply = ask(responder(), { id: ManagementId.SUBSCRIBE_EVENTS_NP });
    expect([...reply.dataField]).toEqual(new Array(66).fill(0));
  });

  it('pushes PORT_DATA_SET from port 1 on NOTIFY_PORT_STATE, numbered per subscriber from 0', () => {
    const r = responder();
    set(r, 100, 60, NotifyEvent.PORT_STATE);
    const first = r.notify(NotifyEvent.PORT_STATE, 101);
    const second = r.notify(NotifyEvent.PORT_STATE, 102);
    expect(first.map((d) => d.to)).toEqual([PEER]);
    const a = parseReply((first[0] as (typeof first)[0]).bytes);
    const b = parseReply((second[0] as (typeof second)[0]).bytes);
    expect(a.managementId).toBe(ManagementId.PORT_DATA_SET);
    expect(a.message.action).toBe(ManagementAction.RESPONSE);
    expect(a.message.header.sourcePortIdentity).toEqual({ clockIdentity: STATION, portNumber: 1 });
    expect(a.message.targetPortIdentity).toEqual(PMC_PORT);
    expect([a.message.header.sequenceId, b.message.header.sequenceId]).toEqual([0, 1]);
    expect([...a.dataField]).toEqual([...portDataSetField(sampleDataSets().portDS)]);
  });

  it('pushes TIME_STATUS_NP (NOTIFY_TIME_SYNC, bit 1) and PARENT_DATA_SET (bit 2) only to who asked', () => {
    const r = responder();
    set(r, 100, 60, NotifyEvent.TIME_SYNC);
    ask(
      r,
      {
        action: ManagementAction.SET,
        id: ManagementId.SUBSCRIBE_EVENTS_NP,
        data: subscribeData(60, NotifyEvent.PARENT_DATA_SET),
        source: { clockIdentity: 0n, portNumber: 99 },
      },
      100,
      '/tmp/other',
    );
    const sync = r.notify(NotifyEvent.TIME_SYNC, 101);
    const parent = r.notify(NotifyEvent.PARENT_DATA_SET, 101);
    expect(sync.map((d) => [d.to, parseReply(d.bytes).managementId])).toEqual([[PEER, ManagementId.TIME_STATUS_NP]]);
    expect(parent.map((d) => [d.to, parseReply(d.bytes).managementId])).toEqual([['/tmp/other', ManagementId.PARENT_DATA_SET]]);
    expect(r.notify(NotifyEvent.PORT_STATE, 101)).toEqual([]);
    expect(r.notify(NotifyEvent.CMLDS, 101)).toEqual([]);
  });

  it("a subscription lapses after its duration; renewing moves it to the sender's new address", () => {
    const r = responder();
    set(r, 100, 10, NotifyEvent.PORT_STATE);
    ask(r, { action: ManagementAction.SET, id: ManagementId.SUBSCRIBE_EVENTS_NP, data: subscribeData(10, NotifyEvent.PORT_STATE) }, 105, '/tmp/pmc.new');
    expect(r.notify(NotifyEvent.PORT_STATE, 114).map((d) => d.to)).toEqual(['/tmp/pmc.new']);
    expect(r.notify(NotifyEvent.PORT_STATE, 115)).toEqual([]);
    expect(r.subscriberCount).toBe(0);
  });

  it('an all-zero bitmask unsubscribes; a departed client is dropped', () => {
    const r = responder();
    set(r, 100, 60, NotifyEvent.PORT_STATE);
    set(r, 101, 60);
    expect(r.subscriberCount).toBe(0);
    set(r, 102, 60, NotifyEvent.PORT_STATE);
    r.dropSubscriber(PEER);
    expect(r.notify(NotifyEvent.PORT_STATE, 103)).toEqual([]);
  });

  it('refuses subscribers beyond its table with GENERAL_ERROR', () => {
    const r = responder(() => sampleDataSets(), 2);
    for (const port of [1, 2])
      ask(r, {
        action: ManagementAction.SET,
        id: ManagementId.SUBSCRIBE_EVENTS_NP,
        data: subscribeData(60, 0),
        source: { clockIdentity: 0n, portNumber: port },
      });
    const third = ask(r, {
      action: ManagementAction.SET,
      id: ManagementId.SUBSCRIBE_EVENTS_NP,
      data: subscribeData(60, 0),
      source: { clockIdentity: 0n, portNumber: 3 },
    });
    expect(third.errorId).toBe(ManagementErrorId.GENERAL_ERROR);
    expect(r.subscriberCount).toBe(2);
  });
});
