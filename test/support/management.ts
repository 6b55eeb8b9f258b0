/**
 * Management messages for tests: requests as pmc builds them (linuxptp pmc_common.c: source port
 * identity clock 0 / port = pid, target all ports, boundary hops as -b says), the replies taken apart,
 * and a station's data sets with every field set to something recognisable.
 */
import { ManagementAction, ManagementTlvType } from '../../src/protocol/management.js';
import { decodeManagementMessage, encodeManagementMessage, managementTlvValue, type ManagementMessage } from '../../src/protocol/managementCodec.js';
import type { ManagementDataSets } from '../../src/protocol/managementDataSets.js';
import type { PortIdentity } from '../../src/protocol/messages.js';

export const STATION = 0x0200aafffe000001n;
export const GRANDMASTER = 0x0200bbfffe000002n;
export const PMC_PORT: PortIdentity = { clockIdentity: 0n, portNumber: 4242 };
export const ALL: PortIdentity = { clockIdentity: 0xffff_ffff_ffff_ffffn, portNumber: 0xffff };

export interface RequestFields {
  readonly action?: number;
  readonly id: number;
  readonly data?: Uint8Array;
  readonly majorSdoId?: number;
  readonly domainNumber?: number;
  readonly target?: PortIdentity;
  readonly source?: PortIdentity;
  readonly sequenceId?: number;
  readonly startingBoundaryHops?: number;
  readonly boundaryHops?: number;
}

export function request(f: RequestFields): Uint8Array {
  return encodeManagementMessage({
    majorSdoId: f.majorSdoId ?? 1,
    domainNumber: f.domainNumber ?? 0,
    sourcePortIdentity: f.source ?? PMC_PORT,
    sequenceId: f.sequenceId ?? 7,
    targetPortIdentity: f.target ?? ALL,
    startingBoundaryHops: f.startingBoundaryHops ?? 0,
    boundaryHops: f.boundaryHops ?? 0,
    action: f.action ?? ManagementAction.GET,
    tlv: { tlvType: ManagementTlvType.MANAGEMENT, value: managementTlvValue(f.id, f.data ?? new Uint8Array(0)) },
  });
}

export interface Reply {
  readonly message: ManagementMessage;
  readonly tlvType: number;
  /** MANAGEMENT: the managementId; MANAGEMENT_ERROR_STATUS: the id the error is about. */
  readonly managementId: number;
  readonly dataField: Uint8Array;
  /** MANAGEMENT_ERROR_STATUS only. */
  readonly errorId?: number;
}

export function parseReply(bytes: Uint8Array): Reply {
  const decoded = decodeManagementMessage(bytes);
  if (!decoded.ok) throw new Error(`reply does not decode: ${decoded.error.message}`);
  const m = decoded.value;
  if (m.tlvs.length !== 1) throw new Error(`reply has ${m.tlvs.length} TLVs`);
  const tlv = m.tlvs[0] as (typeof m.tlvs)[0];
  const v = new DataView(tlv.value.buffer, tlv.value.byteOffset, tlv.value.byteLength);
  if (tlv.tlvType === ManagementTlvType.MANAGEMENT_ERROR_STATUS) {
    return { message: m, tlvType: tlv.tlvType, errorId: v.getUint16(0), managementId: v.getUint16(2), dataField: tlv.value.subarray(4) };
  }
  return { message: m, tlvType: tlv.tlvType, managementId: v.getUint16(0), dataField: tlv.value.subarray(2) };
}

export function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

export function sampleDataSets(overrides: Partial<ManagementDataSets> = {}): ManagementDataSets {
  const quality = { clockClass: 6, clockAccuracy: 0x21, offsetScaledLogVariance: 0x4e5d };
  return {
    defaultDS: {
      twoStepFlag: true,
      slaveOnly: true,
      numberPorts: 1,
      priority1: 255,
      clockQuality: { clockClass: 255, clockAccuracy: 0xfe, offsetScaledLogVariance: 0x436a },
      priority2: 248,
      clockIdentity: STATION,
      domainNumber: 0,
    },
    currentDS: { stepsRemoved: 1, offsetFromMaster: -123n * 65536n - 32768n, meanPathDelay: 1500n * 65536n + 16384n },
    parentDS: {
      parentPortIdentity: { clockIdentity: GRANDMASTER, portNumber: 3 },
      parentStats: false,
      observedParentOffsetScaledLogVariance: 0xffff,
      observedParentClockPhaseChangeRate: 0x7fffffff,
      grandmasterPriority1: 246,
      grandmasterClockQuality: quality,
      grandmasterPriority2: 247,
      grandmasterIdentity: GRANDMASTER,
    },
    timePropertiesDS: { currentUtcOffset: 37, flags: 0x0c | 0x10, timeSource: 0x20 },
    portDS: {
      portIdentity: { clockIdentity: STATION, portNumber: 1 },
      portState: 9,
      logMinDelayReqInterval: 0,
      peerMeanPathDelay: 1500n * 65536n + 16384n,
      logAnnounceInterval: 0,
      announceReceiptTimeout: 3,
      logSyncInterval: -3,
      delayMechanism: 2,
      logMinPdelayReqInterval: 1,
      versionNumber: 2,
    },
    timeStatusNp: {
      masterOffset: -123n,
      ingressTime: 1_700_000_000_123_456_789n,
      cumulativeScaledRateOffset: 2_199_023,
      scaledLastGmFreqChange: -5,
      gmTimeBaseIndicator: 3,
      lastGmPhaseChange: 0x0001_0203_0405_0607_0809_0a0bn,
      gmPresent: true,
      gmIdentity: GRANDMASTER,
    },
    portPropertiesNp: { portIdentity: { clockIdentity: STATION, portNumber: 1 }, portState: 9, timestamping: 0, interfaceName: 'veth-syn0' },
    portDataSetNp: { neighborPropDelayThresh: 800, asCapable: true },
    ...overrides,
  };
}
