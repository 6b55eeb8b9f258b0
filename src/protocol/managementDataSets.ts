/**
 * The data sets a management client reads (IEEE 1588-2019 8.2, 15.5.3; linuxptp's TIME_STATUS_NP,
 * PORT_PROPERTIES_NP, PORT_DATA_SET_NP), as plain values, and their dataFields byte by byte in
 * linuxptp's layout (ds.h, tlv.h). The station fills `ManagementDataSets`; the responder encodes.
 */
import type { ClockIdentity, ClockQuality, PortIdentity } from './messages.js';
import { writeClockIdentity, writePortIdentity } from './derivedDataTypes.js';

/** defaultDS (1588-2019 8.2.1). */
export interface DefaultDataSet {
  readonly twoStepFlag: boolean;
  readonly slaveOnly: boolean;
  readonly numberPorts: number;
  readonly priority1: number;
  readonly clockQuality: ClockQuality;
  readonly priority2: number;
  readonly clockIdentity: ClockIdentity;
  readonly domainNumber: number;
}

/** currentDS (8.2.2); TimeIntervals in scaled ns (ns × 2^16). */
export interface CurrentDataSet {
  readonly stepsRemoved: number;
  readonly offsetFromMaster: bigint;
  readonly meanPathDelay: bigint;
}

/** parentDS (8.2.3). */
export interface ParentDataSet {
  readonly parentPortIdentity: PortIdentity;
  readonly parentStats: boolean;
  readonly observedParentOffsetScaledLogVariance: number;
  readonly observedParentClockPhaseChangeRate: number;
  readonly grandmasterPriority1: number;
  readonly grandmasterClockQuality: ClockQuality;
  readonly grandmasterPriority2: number;
  readonly grandmasterIdentity: ClockIdentity;
}

/** timePropertiesDS (8.2.4); `flags` is the second octet of the Announce flagField (leap61 = bit 0 …). */
export interface TimePropertiesDataSet {
  readonly currentUtcOffset: number;
  readonly flags: number;
  readonly timeSource: number;
}

/** portDS (8.2.15) as linuxptp lays it out; peerMeanPathDelay in scaled ns. */
export interface PortDataSet {
  readonly portIdentity: PortIdentity;
  /** PortStateCode. */
  readonly portState: number;
  readonly logMinDelayReqInterval: number;
  readonly peerMeanPathDelay: bigint;
  readonly logAnnounceInterval: number;
  readonly announceReceiptTimeout: number;
  readonly logSyncInterval: number;
  /** DelayMechanismCode. */
  readonly delayMechanism: number;
  readonly logMinPdelayReqInterval: number;
  readonly versionNumber: number;
}

/** linuxptp's TIME_STATUS_NP. */
export interface TimeStatusNp {
  /** ns. */
  readonly masterOffset: bigint;
  /** ns, the last Sync's ingress time on the timestamping clock. */
  readonly ingressTime: bigint;
  /** (rateRatio − 1) × 2^41. */
  readonly cumulativeScaledRateOffset: number;
  /** The Follow_Up information TLV's scaledLastGmFreqChange (linuxptp names it scaledLastGmPhaseChange). */
  readonly scaledLastGmFreqChange: number;
  readonly gmTimeBaseIndicator: number;
  /** ScaledNs (ns × 2^16, 96 bits). */
  readonly lastGmPhaseChange: bigint;
  readonly gmPresent: boolean;
  readonly gmIdentity: ClockIdentity;
}

/** linuxptp's PORT_PROPERTIES_NP. */
export interface PortPropertiesNp {
  readonly portIdentity: PortIdentity;
  readonly portState: number;
  /** TimestampingCode. */
  readonly timestamping: number;
  /** The interface name (a PTPText of at most 255 octets). */
  readonly interfaceName: string;
}

/** linuxptp's PORT_DATA_SET_NP. */
export interface PortDataSetNp {
  /** ns. */
  readonly neighborPropDelayThresh: number;
  readonly asCapable: boolean;
}

export interface ManagementDataSets {
  readonly defaultDS: DefaultDataSet;
  readonly currentDS: CurrentDataSet;
  readonly parentDS: ParentDataSet;
  readonly timePropertiesDS: TimePropertiesDataSet;
  readonly portDS: PortDataSet;
  readonly timeStatusNp: TimeStatusNp;
  readonly portPropertiesNp: PortPropertiesNp;
  readonly portDataSetNp: PortDataSetNp;
}

function field(octets: number, write: (w: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(octets);
  write(new DataView(bytes.buffer));
  return bytes;
}

function writeClockQuality(w: DataView, o: number, q: ClockQuality): void {
  w.setUint8(o, q.clockClass);
  w.setUint8(o + 1, q.clockAccuracy);
  w.setUint16(o + 2, q.offsetScaledLogVariance);
}

/** Integer64 from a bigint, saturated at its range (an absurd value never wraps into a plausible one). */
function saturate64(v: bigint): bigint {
  const max = (1n << 63n) - 1n;
  return v > max ? max : v < -max - 1n ? -max - 1n : v;
}

/** Integer32 from a number, rounded and saturated. */
function saturate32(v: number): number {
  if (!Number.isFinite(v)) return v > 0 ? 0x7fffffff : v < 0 ? -0x80000000 : 0;
  return Math.max(-0x80000000, Math.min(0x7fffffff, Math.round(v)));
}

// Flags octet of defaultDS in linuxptp (ds.h DDS_TWO_STEP_FLAG, DDS_SLAVE_ONLY).
const DDS_TWO_STEP_FLAG = 1 << 0;
const DDS_SLAVE_ONLY = 1 << 1;

export function defaultDataSetField(d: DefaultDataSet): Uint8Array {
  return field(20, (w) => {
    w.setUint8(0, (d.twoStepFlag ? DDS_TWO_STEP_FLAG : 0) | (d.slaveOnly ? DDS_SLAVE_ONLY : 0));
    w.setUint16(2, d.numberPorts);
    w.setUint8(4, d.priority1);
    writeClockQuality(w, 5, d.clockQuality);
    w.setUint8(9, d.priority2);
    writeClockIdentity(w, 10, d.clockIdentity);
    w.setUint8(18, d.domainNumber);
  });
}

export function currentDataSetField(c: CurrentDataSet): Uint8Array {
  return field(18, (w) => {
    w.setUint16(0, c.stepsRemoved);
    w.setBigInt64(2, saturate64(c.offsetFromMaster));
    w.setBigInt64(10, saturate64(c.meanPathDelay));
  });
}

export function parentDataSetField(p: ParentDataSet): Uint8Array {
  return field(32, (w) => {
    writePortIdentity(w, 0, p.parentPortIdentity);
    w.setUint8(10, p.parentStats ? 1 : 0);
    w.setUint16(12, p.observedParentOffsetScaledLogVariance);
    w.setInt32(14, saturate32(p.observedParentClockPhaseChangeRate));
    w.setUint8(18, p.grandmasterPriority1);
    writeClockQuality(w, 19, p.grandmasterClockQuality);
    w.setUint8(23, p.grandmasterPriority2);
    writeClockIdentity(w, 24, p.grandmasterIdentity);
  });
}

export function timePropertiesDataSetField(t: TimePropertiesDataSet): Uint8Array {
  return field(4, (w) => {
    w.setInt16(0, t.currentUtcOffset);
    w.setUint8(2, t.flags);
    w.setUint8(3, t.timeSource);
  });
}

export function portDataSetField(p: PortDataSet): Uint8Array {
  return field(26, (w) => {
    writePortIdentity(w, 0, p.portIdentity);
    w.setUint8(10, p.portState);
    w.setInt8(11, p.logMinDelayReqInterval);
    w.setBigInt64(12, saturate64(p.peerMeanPathDelay));
    w.setInt8(20, p.logAnnounceInterval);
    w.setUint8(21, p.announceReceiptTimeout);
    w.setInt8(22, p.logSyncInterval);
    w.setUint8(23, p.delayMechanism);
    w.setInt8(24, p.logMinPdelayReqInterval);
    w.setUint8(25, p.versionNumber);
  });
}

export function timeStatusNpField(t: TimeStatusNp): Uint8Array {
  return field(50, (w) => {
    w.setBigInt64(0, saturate64(t.masterOffset));
    w.setBigInt64(8, saturate64(t.ingressTime));
    w.setInt32(16, saturate32(t.cumulativeScaledRateOffset));
    w.setInt32(20, saturate32(t.scaledLastGmFreqChange));
    w.setUint16(24, t.gmTimeBaseIndicator);
    // lastGmPhaseChange: ScaledNs as linuxptp lays it out, nanoseconds_msb (16), nanoseconds_lsb (64),
    // fractional_nanoseconds (16): the 96-bit two's complement value, most significant octet first.
    const v = BigInt.asUintN(96, t.lastGmPhaseChange);
    w.setUint16(26, Number(v >> 80n));
    w.setBigUint64(28, BigInt.asUintN(64, v >> 16n));
    w.setUint16(36, Number(v & 0xffffn));
    w.setInt32(38, t.gmPresent ? 1 : 0);
    writeClockIdentity(w, 42, t.gmIdentity);
  });
}

export function portPropertiesNpField(p: PortPropertiesNp): Uint8Array {
  const name = new TextEncoder().encode(p.interfaceName).subarray(0, 255);
  return field(13 + name.length, (w) => {
    writePortIdentity(w, 0, p.portIdentity);
    w.setUint8(10, p.portState);
    w.setUint8(11, p.timestamping);
    // PTPText: lengthField then the octets (1588-2019 5.3.9).
    w.setUint8(12, name.length);
    new Uint8Array(w.buffer).set(name, 13);
  });
}

export function portDataSetNpField(p: PortDataSetNp): Uint8Array {
  return field(8, (w) => {
    w.setUint32(0, Math.max(0, Math.min(0xffffffff, Math.round(p.neighborPropDelayThresh))));
    w.setInt32(4, p.asCapable ? 1 : 0);
  });
}

/** A single-value TLV's dataField: the value and a reserved octet (PRIORITY1, LOG_SYNC_INTERVAL …). */
export function datumField(value: number): Uint8Array {
  return Uint8Array.of(value & 0xff, 0);
}
