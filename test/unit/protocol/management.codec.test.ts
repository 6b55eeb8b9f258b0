/**
 * The management message and its data sets on the wire, octet by octet, in linuxptp's layout (ds.h,
 * tlv.h): what pmc reads back. Offsets below are counted by hand from those structures.
 */
import { describe, expect, it } from 'vitest';
import { ManagementAction, ManagementId, ManagementTlvType } from '../../../src/protocol/management.js';
import { MANAGEMENT_MESSAGE_OCTETS, decodeManagementMessage, encodeManagementMessage, managementTlvOf } from '../../../src/protocol/managementCodec.js';
import {
  currentDataSetField,
  defaultDataSetField,
  parentDataSetField,
  portDataSetField,
  portPropertiesNpField,
  timePropertiesDataSetField,
  timeStatusNpField,
} from '../../../src/protocol/managementDataSets.js';
import { GRANDMASTER, STATION, request, sampleDataSets, view } from '../../support/management.js';

const ds = sampleDataSets();

describe('a management message as pmc sends it (GET TIME_STATUS_NP, pmc -u -b 0 -t 1)', () => {
  const bytes = request({ id: ManagementId.TIME_STATUS_NP, data: new Uint8Array(50), sequenceId: 513 });

  it('is 48 octets of message, a 4-octet TLV header, the managementId and 50 octets of data', () => {
    expect(MANAGEMENT_MESSAGE_OCTETS).toBe(48);
    expect(bytes.length).toBe(48 + 4 + 2 + 50);
    const v = view(bytes);
    expect(bytes[0]).toBe(0x1d); // majorSdoId 1, messageType Management
    expect(v.getUint16(2)).toBe(bytes.length);
    expect(v.getUint16(30)).toBe(513);
    expect(bytes[32]).toBe(4); // controlField: management
    expect(bytes[33]).toBe(0x7f);
    expect(v.getBigUint64(34)).toBe(0xffff_ffff_ffff_ffffn); // targetPortIdentity: all
    expect(v.getUint16(42)).toBe(0xffff);
    expect(v.getUint16(48)).toBe(ManagementTlvType.MANAGEMENT);
    expect(v.getUint16(50)).toBe(52);
    expect(v.getUint16(52)).toBe(0xc000);
  });

  it('decodes back to its fields and its one MANAGEMENT TLV', () => {
    const r = decodeManagementMessage(bytes);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.header.sequenceId).toBe(513);
    expect(r.value.action).toBe(ManagementAction.GET);
    expect(r.value.tlvs).toHaveLength(1);
    const tlv = managementTlvOf(r.value.tlvs[0] as (typeof r.value.tlvs)[0]);
    expect(tlv?.managementId).toBe(ManagementId.TIME_STATUS_NP);
    expect(tlv?.dataField.length).toBe(50);
  });

  it('pads an odd dataField to an even TLV length', () => {
    const odd = encodeManagementMessage({
      majorSdoId: 1,
      domainNumber: 0,
      sourcePortIdentity: { clockIdentity: STATION, portNumber: 1 },
      sequenceId: 0,
      targetPortIdentity: { clockIdentity: 0n, portNumber: 1 },
      startingBoundaryHops: 0,
      boundaryHops: 0,
      action: ManagementAction.RESPONSE,
      tlv: { tlvType: 1, value: new Uint8Array(15) },
    });
    expect(view(odd).getUint16(50)).toBe(16);
    expect(odd.length).toBe(48 + 4 + 16);
  });
});

describe('malformed management messages are typed decode errors', () => {
  const good = request({ id: ManagementId.PORT_DATA_SET });
  const cases: Array<[string, Uint8Array, string, string]> = [
    ['10 octets', good.slice(0, 10), 'truncated', 'header'],
    ['PTPv1', Uint8Array.from(good, (b, i) => (i === 1 ? 1 : b)), 'unsupportedVersion', 'versionPTP'],
    ['a Sync', Uint8Array.from(good, (b, i) => (i === 0 ? 0x10 : b)), 'badValue', 'messageType'],
    ['messageLength past the datagram', withLength(good, good.length + 2), 'badMessageLength', 'messageLength'],
    ['messageLength shorter than a management message', withLength(good, 40), 'badMessageLength', 'messageLength'],
    ['a TLV that runs past messageLength', withTlvLength(good, 10), 'badTlv', 'tlvs[0].lengthField'],
    ['an odd TLV length', withTlvLength(good, 1), 'badTlv', 'tlvs[0].lengthField'],
    ['two octets after the last TLV', withLength(concat(good, new Uint8Array(2)), good.length + 2), 'badTlv', 'tlvs[1]'],
  ];
  it.each(cases)('%s', (_what, bytes, kind, field) => {
    const r = decodeManagementMessage(bytes);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe(kind);
    expect(r.error.field).toBe(field);
  });
});

describe('data sets in linuxptp layout', () => {
  it('DEFAULT_DATA_SET: flags (twoStep|slaveOnly), numberPorts, priority1, clockQuality, priority2, clockIdentity, domain', () => {
    const f = defaultDataSetField(ds.defaultDS);
    const v = view(f);
    expect(f.length).toBe(20);
    expect(f[0]).toBe(0b11);
    expect(v.getUint16(2)).toBe(1);
    expect([f[4], f[5], f[6], v.getUint16(7), f[9]]).toEqual([255, 255, 0xfe, 0x436a, 248]);
    expect(v.getBigUint64(10)).toBe(STATION);
    expect(f[18]).toBe(0);
  });

  it('CURRENT_DATA_SET: stepsRemoved, offsetFromMaster and meanPathDelay as scaled ns', () => {
    const v = view(currentDataSetField(ds.currentDS));
    expect(v.byteLength).toBe(18);
    expect(v.getUint16(0)).toBe(1);
    expect(v.getBigInt64(2)).toBe(-123n * 65536n - 32768n);
    expect(v.getBigInt64(10)).toBe(1500n * 65536n + 16384n);
  });

  it('PARENT_DATA_SET: parent port, stats, observed values, grandmaster', () => {
    const f = parentDataSetField(ds.parentDS);
    const v = view(f);
    expect(f.length).toBe(32);
    expect(v.getBigUint64(0)).toBe(GRANDMASTER);
    expect(v.getUint16(8)).toBe(3);
    expect(f[10]).toBe(0);
    expect(v.getUint16(12)).toBe(0xffff);
    expect(v.getInt32(14)).toBe(0x7fffffff);
    expect([f[18], f[19], f[20], v.getUint16(21), f[23]]).toEqual([246, 6, 0x21, 0x4e5d, 247]);
    expect(v.getBigUint64(24)).toBe(GRANDMASTER);
  });

  it('TIME_PROPERTIES_DATA_SET: currentUtcOffset, flags, timeSource', () => {
    expect([...timePropertiesDataSetField(ds.timePropertiesDS)]).toEqual([0, 37, 0x1c, 0x20]);
  });

  it('PORT_DATA_SET: identity, state, intervals, peerMeanPathDelay, P2P, version 2', () => {
    const f = portDataSetField(ds.portDS);
    const v = view(f);
    expect(f.length).toBe(26);
    expect(v.getBigUint64(0)).toBe(STATION);
    expect(v.getUint16(8)).toBe(1);
    expect(f[10]).toBe(9);
    expect(v.getInt8(11)).toBe(0);
    expect(v.getBigInt64(12)).toBe(1500n * 65536n + 16384n);
    expect([v.getInt8(20), f[21], v.getInt8(22), f[23], v.getInt8(24), f[25]]).toEqual([0, 3, -3, 2, 1, 2]);
  });

  it('TIME_STATUS_NP: offsets in ns, csro, the Follow_Up TLV fields, gmPresent, gmIdentity', () => {
    const f = timeStatusNpField(ds.timeStatusNp);
    const v = view(f);
    expect(f.length).toBe(50);
    expect(v.getBigInt64(0)).toBe(-123n);
    expect(v.getBigInt64(8)).toBe(1_700_000_000_123_456_789n);
    expect(v.getInt32(16)).toBe(2_199_023);
    expect(v.getInt32(20)).toBe(-5);
    expect(v.getUint16(24)).toBe(3);
    // lastGmPhaseChange 0x0001'0203040506070809.0a0b: msb, lsb, fractional.
    expect([...f.subarray(26, 38)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(v.getInt32(38)).toBe(1);
    expect(v.getBigUint64(42)).toBe(GRANDMASTER);
  });

  it('TIME_STATUS_NP saturates what an Integer32/64 cannot hold instead of wrapping', () => {
    const v = view(timeStatusNpField({ ...ds.timeStatusNp, cumulativeScaledRateOffset: 1e12, masterOffset: 1n << 70n }));
    expect(v.getInt32(16)).toBe(0x7fffffff);
    expect(v.getBigInt64(0)).toBe((1n << 63n) - 1n);
  });

  it('PORT_PROPERTIES_NP: identity, state, timestamping, the interface as a PTPText', () => {
    const f = portPropertiesNpField(ds.portPropertiesNp);
    expect(f.length).toBe(13 + 9);
    expect([f[10], f[11], f[12]]).toEqual([9, 0, 9]);
    expect(new TextDecoder().decode(f.subarray(13))).toBe('veth-syn0');
  });
});

function withLength(b: Uint8Array, length: number): Uint8Array {
  const c = b.slice();
  view(c).setUint16(2, length);
  return c;
}

function withTlvLength(b: Uint8Array, length: number): Uint8Array {
  const c = b.slice();
  view(c).setUint16(50, length);
  return c;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a);
  c.set(b, a.length);
  return c;
}
