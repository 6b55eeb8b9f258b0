/**
 * Answers linuxptp's management protocol (what `pmc -u` sends to ptp4l's uds_address) for one
 * slave-only, one-port station. Sans-IO: a datagram and its sender's address in, datagrams out; the
 * data sets come from a callback, time (for subscriptions) from the caller.
 *
 * What is answered and how follows ptp4l 3.1.1 (clock.c clock_manage, port.c port_manage):
 *  - requests for another domain or majorSdoId (pmc -d, -t), for another clock, without exactly one
 *    TLV, or that are not GET/SET/COMMAND get no answer, as from ptp4l (counted);
 *  - clock-level ids are answered by the clock (sourcePortIdentity portNumber 0), port-level ids by
 *    port 1; an id neither knows gets NO_SUCH_ID, a known one Syntonic does not serve NOT_SUPPORTED, a
 *    port-level id for a port that does not exist WRONG_VALUE (1588 Interpretation #21, as ptp4l);
 *  - SET of anything but SUBSCRIBE_EVENTS_NP is NOT_SUPPORTED (Syntonic's data sets are not set from
 *    outside); a SET without data, or a dataField of the wrong size, gets WRONG_LENGTH (ptp4l drops the
 *    latter silently; 1588-2019 15.5.4.1.4 asks for the error);
 *  - SUBSCRIBE_EVENTS_NP: per client (its sourcePortIdentity), for `duration` seconds, pushes
 *    PORT_DATA_SET on port state changes (NOTIFY_PORT_STATE, linuxptp 3.1.1), TIME_STATUS_NP on every
 *    servo update (NOTIFY_TIME_SYNC, 4.0) and PARENT_DATA_SET when it changes (NOTIFY_PARENT_DATA_SET, 4.2).
 * Malformed datagrams never throw: they are counted under their reason and dropped.
 */
import {
  CLOCK_MANAGEMENT_IDS,
  DATA_FIELD_OCTETS,
  EVENT_BITMASK_OCTETS,
  ManagementAction,
  ManagementErrorId,
  ManagementId,
  ManagementTlvType,
  NotifyEvent,
  PORT_MANAGEMENT_IDS,
  type ManagementErrorName,
} from './management.js';
import {
  decodeManagementMessage,
  encodeManagementMessage,
  managementErrorValue,
  managementTlvOf,
  managementTlvValue,
  replyAction,
  type ManagementMessage,
} from './managementCodec.js';
import {
  currentDataSetField,
  datumField,
  defaultDataSetField,
  parentDataSetField,
  portDataSetField,
  portDataSetNpField,
  portPropertiesNpField,
  timePropertiesDataSetField,
  timeStatusNpField,
  type ManagementDataSets,
} from './managementDataSets.js';
import type { DecodeErrorKind } from './decodeError.js';
import type { ClockIdentity, PortIdentity } from './messages.js';
import { Flag } from './messages.js';
import { portIdentityEquals } from './portIdentity.js';

/** Why a datagram got no answer. */
export type ManagementRejection =
  | 'truncated' // shorter than a common header
  | 'unsupportedVersion' // versionPTP is not 2
  | 'notManagement' // messageType is not Management
  | 'badMessageLength' // messageLength shorter than a management message or past the datagram
  | 'badTlv' // a TLV runs past messageLength, has an odd length, or octets are left over
  | 'wrongMajorSdoId' // majorSdoId (pmc -t) is not the configured transportSpecific
  | 'wrongDomain' // domainNumber (pmc -d) is not the configured one
  | 'notARequest' // actionField RESPONSE, ACKNOWLEDGE or reserved
  | 'notThisClock' // targetPortIdentity names another clock
  | 'notOneTlv' // not exactly one TLV (ptp4l answers only single-TLV requests)
  | 'notManagementTlv' // the TLV is not a MANAGEMENT TLV holding a managementId
  | 'unboundSender'; // the sender's socket has no address: there is nowhere to answer

export interface ManagementResponderOptions {
  readonly clockIdentity: ClockIdentity;
  /** The station's port (1). */
  readonly portNumber: number;
  /** transportSpecific (majorSdoId): 1 for gPTP; requests must carry the same (pmc -t 1). */
  readonly majorSdoId: number;
  readonly domainNumber: number;
  readonly dataSets: () => ManagementDataSets;
  /** Subscribers kept at most; a new one beyond gets GENERAL_ERROR. */
  readonly maxSubscribers?: number;
}

/** A datagram to send, and the address (a socket path) to send it to. */
export interface ManagementDatagram {
  readonly to: string;
  readonly bytes: Uint8Array;
}

interface Subscriber {
  readonly client: PortIdentity;
  address: string;
  events: Uint8Array;
  /** Seconds on the caller's clock after which the subscription has lapsed. */
  expiresAtS: number;
  sequenceId: number;
}

const WILDCARD_CLOCK: ClockIdentity = 0xffff_ffff_ffff_ffffn;
const ALL_PORTS = 0xffff;
const DEFAULT_MAX_SUBSCRIBERS = 128;

type DataFieldOf = (d: ManagementDataSets) => Uint8Array;

/** GETs the clock answers. */
const CLOCK_GETS: ReadonlyMap<number, DataFieldOf> = new Map<number, DataFieldOf>([
  [ManagementId.DEFAULT_DATA_SET, (d) => defaultDataSetField(d.defaultDS)],
  [ManagementId.CURRENT_DATA_SET, (d) => currentDataSetField(d.currentDS)],
  [ManagementId.PARENT_DATA_SET, (d) => parentDataSetField(d.parentDS)],
  [ManagementId.TIME_PROPERTIES_DATA_SET, (d) => timePropertiesDataSetField(d.timePropertiesDS)],
  [ManagementId.TIME_STATUS_NP, (d) => timeStatusNpField(d.timeStatusNp)],
  [ManagementId.PRIORITY1, (d) => datumField(d.defaultDS.priority1)],
  [ManagementId.PRIORITY2, (d) => datumField(d.defaultDS.priority2)],
  [ManagementId.DOMAIN, (d) => datumField(d.defaultDS.domainNumber)],
  // linuxptp answers the DDS_SLAVE_ONLY bit (2) of its flags octet, and pmc tests that bit.
  [ManagementId.SLAVE_ONLY, (d) => datumField(d.defaultDS.slaveOnly ? 2 : 0)],
  [ManagementId.CLOCK_ACCURACY, (d) => datumField(d.defaultDS.clockQuality.clockAccuracy)],
  [ManagementId.TRACEABILITY_PROPERTIES, (d) => datumField(d.timePropertiesDS.flags & (Flag.timeTraceable | Flag.frequencyTraceable))],
  [ManagementId.TIMESCALE_PROPERTIES, (d) => datumField(d.timePropertiesDS.flags & Flag.ptpTimescale)],
]);

/** GETs port 1 answers. */
const PORT_GETS: ReadonlyMap<number, DataFieldOf> = new Map<number, DataFieldOf>([
  [ManagementId.NULL_MANAGEMENT, () => new Uint8Array(0)],
  [ManagementId.PORT_DATA_SET, (d) => portDataSetField(d.portDS)],
  [ManagementId.LOG_ANNOUNCE_INTERVAL, (d) => datumField(d.portDS.logAnnounceInterval)],
  [ManagementId.ANNOUNCE_RECEIPT_TIMEOUT, (d) => datumField(d.portDS.announceReceiptTimeout)],
  [ManagementId.LOG_SYNC_INTERVAL, (d) => datumField(d.portDS.logSyncInterval)],
  [ManagementId.VERSION_NUMBER, (d) => datumField(d.portDS.versionNumber)],
  [ManagementId.DELAY_MECHANISM, (d) => datumField(d.portDS.delayMechanism)],
  [ManagementId.LOG_MIN_PDELAY_REQ_INTERVAL, (d) => datumField(d.portDS.logMinPdelayReqInterval)],
  [ManagementId.PORT_DATA_SET_NP, (d) => portDataSetNpField(d.portDataSetNp)],
  [ManagementId.PORT_PROPERTIES_NP, (d) => portPropertiesNpField(d.portPropertiesNp)],
]);

/** What each notification carries and who sends it. */
const NOTIFICATIONS: ReadonlyMap<NotifyEvent, { readonly id: number; readonly byPort: boolean }> = new Map([
  [NotifyEvent.PORT_STATE, { id: ManagementId.PORT_DATA_SET, byPort: true }],
  [NotifyEvent.TIME_SYNC, { id: ManagementId.TIME_STATUS_NP, byPort: false }],
  [NotifyEvent.PARENT_DATA_SET, { id: ManagementId.PARENT_DATA_SET, byPort: false }],
]);

export class ManagementResponder {
  private readonly rejections = new Map<ManagementRejection, number>();
  private readonly errorsSent = new Map<ManagementErrorName, number>();
  private responses = 0;
  private readonly subscribers: Subscriber[] = [];
  private readonly clockPort: PortIdentity;
  private readonly stationPort: PortIdentity;

  constructor(private readonly options: ManagementResponderOptions) {
    this.clockPort = { clockIdentity: options.clockIdentity, portNumber: 0 };
    this.stationPort = { clockIdentity: options.clockIdentity, portNumber: options.portNumber };
  }

  /** One datagram from `peer` (its bound path, '' if none) at `nowS` seconds: the datagrams to send back. */
  handle(bytes: Uint8Array, peer: string, nowS: number): ManagementDatagram[] {
    this.prune(nowS);
    const decoded = decodeManagementMessage(bytes);
    if (!decoded.ok) {
      this.reject(rejectionOf(decoded.error.kind));
      return [];
    }
    const request = decoded.value;
    const reason = this.ignoreReason(request, peer);
    if (reason !== undefined) {
      this.reject(reason);
      return [];
    }
    const [only, ...more] = request.tlvs;
    if (only === undefined || more.length > 0) {
      this.reject('notOneTlv');
      return [];
    }
    const tlv = managementTlvOf(only);
    if (tlv === undefined) {
      this.reject('notManagementTlv');
      return [];
    }
    return [{ to: peer, bytes: this.answer(request, tlv.managementId, tlv.dataField, peer, nowS) }];
  }

  /** The notifications for `event` to every subscriber who asked for it. */
  notify(event: NotifyEvent, nowS: number): ManagementDatagram[] {
    this.prune(nowS);
    const what = NOTIFICATIONS.get(event);
    if (what === undefined) return [];
    const listeners = this.subscribers.filter((s) => hasEvent(s.events, event));
    if (listeners.length === 0) return [];
    const dataField = (what.byPort ? PORT_GETS : CLOCK_GETS).get(what.id)?.(this.options.dataSets()) ?? new Uint8Array(0);
    const value = managementTlvValue(what.id, dataField);
    return listeners.map((s) => {
      const bytes = encodeManagementMessage({
        majorSdoId: this.options.majorSdoId,
        domainNumber: this.options.domainNumber,
        sourcePortIdentity: what.byPort ? this.stationPort : this.clockPort,
        sequenceId: s.sequenceId,
        targetPortIdentity: s.client,
        startingBoundaryHops: 1,
        boundaryHops: 1,
        action: ManagementAction.RESPONSE,
        tlv: { tlvType: ManagementTlvType.MANAGEMENT, value },
      });
      s.sequenceId = (s.sequenceId + 1) & 0xffff;
      return { to: s.address, bytes };
    });
  }

  /** Forgets the subscriber at `address` (its socket is gone: ECONNREFUSED, ENOENT). */
  dropSubscriber(address: string): void {
    for (let i = this.subscribers.length - 1; i >= 0; i--) if (this.subscribers[i]?.address === address) this.subscribers.splice(i, 1);
  }

  /** Removes subscriptions whose duration has run out. */
  prune(nowS: number): void {
    for (let i = this.subscribers.length - 1; i >= 0; i--) if ((this.subscribers[i]?.expiresAtS ?? 0) <= nowS) this.subscribers.splice(i, 1);
  }

  get subscriberCount(): number {
    return this.subscribers.length;
  }

  /** reason → count of datagrams not answered, only the non-zero ones, sorted. */
  rejected(): Record<string, number> {
    return sortedRecord(this.rejections);
  }

  /** MANAGEMENT_ERROR_STATUS answers sent, by error. */
  errors(): Record<string, number> {
    return sortedRecord(this.errorsSent);
  }

  /** Requests answered with their data (not with an error). */
  get responsesSent(): number {
    return this.responses;
  }

  // ------------------------------------------------------------------------------------------

  private ignoreReason(m: ManagementMessage, peer: string): ManagementRejection | undefined {
    if (m.header.majorSdoId !== this.options.majorSdoId) return 'wrongMajorSdoId';
    if (m.header.domainNumber !== this.options.domainNumber) return 'wrongDomain';
    if (m.action !== ManagementAction.GET && m.action !== ManagementAction.SET && m.action !== ManagementAction.COMMAND) return 'notARequest';
    const target = m.targetPortIdentity.clockIdentity;
    if (target !== WILDCARD_CLOCK && target !== this.options.clockIdentity) return 'notThisClock';
    if (peer === '') return 'unboundSender';
    return undefined;
  }

  private answer(request: ManagementMessage, id: number, data: Uint8Array, peer: string, nowS: number): Uint8Array {
    const action = request.action;
    if (action === ManagementAction.SET && data.length === 0 && id !== ManagementId.NULL_MANAGEMENT) {
      return this.error(request, this.clockPort, ManagementErrorId.WRONG_LENGTH, 'WRONG_LENGTH', id);
    }
    if (CLOCK_MANAGEMENT_IDS.has(id)) return this.answerClock(request, id, data, peer, nowS);
    const port = request.targetPortIdentity.portNumber;
    if (port !== this.options.portNumber && port !== ALL_PORTS) {
      return this.error(request, this.clockPort, ManagementErrorId.WRONG_VALUE, 'WRONG_VALUE', id);
    }
    if (!PORT_MANAGEMENT_IDS.has(id)) return this.error(request, this.stationPort, ManagementErrorId.NO_SUCH_ID, 'NO_SUCH_ID', id);
    const get = PORT_GETS.get(id);
    if (action !== ManagementAction.GET || get === undefined) {
      return this.error(request, this.stationPort, ManagementErrorId.NOT_SUPPORTED, 'NOT_SUPPORTED', id);
    }
    if (!lengthFits(id, data.length)) return this.error(request, this.stationPort, ManagementErrorId.WRONG_LENGTH, 'WRONG_LENGTH', id);
    return this.response(request, this.stationPort, id, get(this.options.dataSets()));
  }

  private answerClock(request: ManagementMessage, id: number, data: Uint8Array, peer: string, nowS: number): Uint8Array {
    const subscribe = id === ManagementId.SUBSCRIBE_EVENTS_NP;
    const get = CLOCK_GETS.get(id);
    const served = request.action === ManagementAction.GET ? get !== undefined || subscribe : request.action === ManagementAction.SET && subscribe;
    if (!served) return this.error(request, this.clockPort, ManagementErrorId.NOT_SUPPORTED, 'NOT_SUPPORTED', id);
    const setting = request.action === ManagementAction.SET;
    if (setting ? data.length !== DATA_FIELD_OCTETS.get(id) : !lengthFits(id, data.length)) {
      return this.error(request, this.clockPort, ManagementErrorId.WRONG_LENGTH, 'WRONG_LENGTH', id);
    }
    if (subscribe) {
      const client = request.header.sourcePortIdentity;
      if (setting && !this.subscribe(client, peer, data, nowS)) {
        return this.error(request, this.clockPort, ManagementErrorId.GENERAL_ERROR, 'GENERAL_ERROR', id);
      }
      return this.response(request, this.clockPort, id, this.subscription(client, nowS));
    }
    return this.response(request, this.clockPort, id, (get as DataFieldOf)(this.options.dataSets()));
  }

  /** Adds, renews or (all-zero bitmask) removes the client's subscription; false when the table is full. */
  private subscribe(client: PortIdentity, peer: string, data: Uint8Array, nowS: number): boolean {
    const duration = (data[0] as number) * 256 + (data[1] as number);
    const events = data.slice(2, 2 + EVENT_BITMASK_OCTETS);
    const existing = this.subscribers.findIndex((s) => portIdentityEquals(s.client, client));
    if (events.every((b) => b === 0)) {
      if (existing >= 0) this.subscribers.splice(existing, 1);
      return true;
    }
    const found = this.subscribers[existing];
    if (found !== undefined) {
      found.address = peer;
      found.events = events;
      found.expiresAtS = nowS + duration;
      return true;
    }
    if (this.subscribers.length >= (this.options.maxSubscribers ?? DEFAULT_MAX_SUBSCRIBERS)) return false;
    this.subscribers.push({ client, address: peer, events, expiresAtS: nowS + duration, sequenceId: 0 });
    return true;
  }

  /** SUBSCRIBE_EVENTS_NP's dataField for a client: seconds left and its bitmask (zeros when none). */
  private subscription(client: PortIdentity, nowS: number): Uint8Array {
    const s = this.subscribers.find((x) => portIdentityEquals(x.client, client));
    const field = new Uint8Array(2 + EVENT_BITMASK_OCTETS);
    if (s === undefined) return field;
    const left = Math.max(0, Math.min(0xffff, Math.floor(s.expiresAtS - nowS)));
    field[0] = left >>> 8;
    field[1] = left & 0xff;
    field.set(s.events, 2);
    return field;
  }

  private response(request: ManagementMessage, source: PortIdentity, id: number, dataField: Uint8Array): Uint8Array {
    this.responses++;
    return this.reply(request, source, { tlvType: ManagementTlvType.MANAGEMENT, value: managementTlvValue(id, dataField) });
  }

  private error(request: ManagementMessage, source: PortIdentity, errorId: number, name: ManagementErrorName, id: number): Uint8Array {
    this.errorsSent.set(name, (this.errorsSent.get(name) ?? 0) + 1);
    return this.reply(request, source, { tlvType: ManagementTlvType.MANAGEMENT_ERROR_STATUS, value: managementErrorValue(errorId, id) });
  }

  private reply(request: ManagementMessage, source: PortIdentity, tlv: { tlvType: number; value: Uint8Array }): Uint8Array {
    // 1588-2019 15.3.3: the reply travels back as many hops as the request came.
    const hops = (request.startingBoundaryHops - request.boundaryHops) & 0xff;
    // Spelled out, not spread: an object spread here made each reply ~20× slower (V8 on Node 20).
    return encodeManagementMessage({
      majorSdoId: this.options.majorSdoId,
      domainNumber: this.options.domainNumber,
      sourcePortIdentity: source,
      sequenceId: request.header.sequenceId,
      targetPortIdentity: request.header.sourcePortIdentity,
      startingBoundaryHops: hops,
      boundaryHops: hops,
      action: replyAction(request.action),
      tlv,
    });
  }

  private reject(reason: ManagementRejection): void {
    this.rejections.set(reason, (this.rejections.get(reason) ?? 0) + 1);
  }
}

/** The decoder's error kinds as reasons (decodeManagementMessage gives badValue for another messageType). */
function rejectionOf(kind: DecodeErrorKind): ManagementRejection {
  switch (kind) {
    case 'notPtp':
    case 'badValue':
      return 'notManagement';
    case 'badNanoseconds':
      return 'badTlv';
    default:
      return kind;
  }
}

/** A GET's dataField is empty (pmc -z) or the data set's exact size (pmc's default); any size for variable ones. */
function lengthFits(id: number, octets: number): boolean {
  const expected = DATA_FIELD_OCTETS.get(id);
  return octets === 0 || expected === undefined || octets === expected;
}

function hasEvent(events: Uint8Array, event: number): boolean {
  return ((events[event >> 3] ?? 0) & (1 << (event & 7))) !== 0;
}

function sortedRecord(map: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of [...map.keys()].sort()) out[key] = map.get(key) ?? 0;
  return out;
}
