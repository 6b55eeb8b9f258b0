/**
 * The data sets pmc reads, filled from what the daemon already gathers for `syntonic status` (the
 * provider Snapshot) plus the engine's few values the Snapshot does not carry (parent port, Follow_Up
 * TLV fields, ingress time, intervals). Field by field, what each means here: docs/management.md.
 */
import { DelayMechanismCode, PortStateCode, TimestampingCode } from '../../protocol/management.js';
import type { ManagementDataSets } from '../../protocol/managementDataSets.js';
import type { ClockQuality } from '../../protocol/messages.js';
import type { PortConfig } from '../../protocol/portConfig.js';
import type { PortEngine } from '../../protocol/portEngine.js';
import type { Snapshot } from '../../provider/snapshot.js';

/**
 * A slave-only time-aware system's own attributes (802.1AS-2020 8.6.2): never grandmaster-capable,
 * so priority1 255 and clockClass 255; clockAccuracy unknown; the default variance of 8.6.2.4.
 */
const OWN_CLOCK_QUALITY: ClockQuality = { clockClass: 255, clockAccuracy: 0xfe, offsetScaledLogVariance: 0x436a };
const OWN_PRIORITY1 = 255;
const OWN_PRIORITY2 = 248;
/** 1588-2019 Table 6: INTERNAL_OSCILLATOR, what ptp4l reports when it follows no master. */
const INTERNAL_OSCILLATOR = 0xa0;
/** parentStats false: the observed values are 1588-2019 8.2.3.5/6's "not computed". */
const NO_OBSERVED_VARIANCE = 0xffff;
const NO_OBSERVED_PHASE_CHANGE_RATE = 0x7fffffff;
const TWO_POW_41 = 2 ** 41;

export interface ManagementInputs {
  readonly snapshot: Snapshot;
  readonly engine: PortEngine;
  readonly port: PortConfig;
  readonly interfaceName: string;
  readonly oneStepP2p: boolean;
}

/** ns (number) to TimeInterval (scaled ns, bigint). */
function scaled(ns: number): bigint {
  return Number.isFinite(ns) ? BigInt(Math.round(ns * 65536)) : 0n;
}

export function managementDataSets(inputs: ManagementInputs): ManagementDataSets {
  const { snapshot: s, engine, port } = inputs;
  const own = engine.port.clockIdentity;
  const gm = s.grandmaster;
  const master = engine.masterInfo;
  const receipt = engine.lastSyncReceipt;
  const portState = engine.portState === 'SLAVE' ? PortStateCode.SLAVE : PortStateCode.LISTENING;
  const utcFlags = (s.utc.leap61 ? 0x01 : 0) | (s.utc.leap59 ? 0x02 : 0) | (s.utc.currentUtcOffsetValid ? 0x04 : 0) | (s.utc.ptpTimescale ? 0x08 : 0);
  // timeTraceable and frequencyTraceable come from the master's Announce as they are.
  const traceability = gm === null ? 0 : (master?.flags ?? 0) & 0x30;
  return {
    defaultDS: {
      twoStepFlag: true,
      slaveOnly: true,
      numberPorts: 1,
      priority1: OWN_PRIORITY1,
      clockQuality: OWN_CLOCK_QUALITY,
      priority2: OWN_PRIORITY2,
      clockIdentity: own,
      domainNumber: port.domainNumber,
    },
    currentDS: {
      // 1588-2019 8.2.2.2: steps to the grandmaster, the Announce's stepsRemoved + 1 (as ptp4l).
      stepsRemoved: gm === null ? 0 : gm.stepsRemoved + 1,
      offsetFromMaster: scaled(s.offsetFromMaster),
      meanPathDelay: scaled(s.meanLinkDelay),
    },
    parentDS: {
      parentPortIdentity: gm === null || master === undefined ? { clockIdentity: own, portNumber: 0 } : master.port,
      parentStats: false,
      observedParentOffsetScaledLogVariance: NO_OBSERVED_VARIANCE,
      observedParentClockPhaseChangeRate: NO_OBSERVED_PHASE_CHANGE_RATE,
      grandmasterPriority1: gm?.priority1 ?? OWN_PRIORITY1,
      grandmasterClockQuality: gm?.clockQuality ?? OWN_CLOCK_QUALITY,
      grandmasterPriority2: gm?.priority2 ?? OWN_PRIORITY2,
      grandmasterIdentity: gm?.identity ?? own,
    },
    timePropertiesDS: {
      currentUtcOffset: s.utc.currentUtcOffset,
      flags: utcFlags | traceability,
      timeSource: gm === null ? INTERNAL_OSCILLATOR : (master?.timeSource ?? INTERNAL_OSCILLATOR),
    },
    portDS: {
      portIdentity: s.port.portIdentity,
      portState,
      logMinDelayReqInterval: 0,
      peerMeanPathDelay: scaled(s.meanLinkDelay),
      logAnnounceInterval: port.initialLogAnnounceInterval,
      announceReceiptTimeout: port.announceReceiptTimeout,
      logSyncInterval: engine.currentLogSyncInterval,
      delayMechanism: DelayMechanismCode.P2P,
      logMinPdelayReqInterval: engine.currentLogPdelayReqInterval,
      versionNumber: 2,
    },
    timeStatusNp: {
      masterOffset: BigInt(Math.round(Number.isFinite(s.offsetFromMaster) ? s.offsetFromMaster : 0)),
      ingressTime: receipt === undefined ? 0n : BigInt(receipt.ingressTime),
      cumulativeScaledRateOffset: (s.rateRatio - 1) * TWO_POW_41,
      scaledLastGmFreqChange: receipt?.scaledLastGmFreqChange ?? 0,
      gmTimeBaseIndicator: gm?.gmTimeBaseIndicator ?? 0,
      lastGmPhaseChange: receipt?.lastGmPhaseChange ?? 0n,
      gmPresent: gm !== null && gm.identity !== own,
      gmIdentity: gm?.identity ?? own,
    },
    portPropertiesNp: {
      portIdentity: s.port.portIdentity,
      portState,
      timestamping: inputs.oneStepP2p ? TimestampingCode.P2P1STEP : s.timestamping === 'hardware' ? TimestampingCode.HARDWARE : TimestampingCode.SOFTWARE,
      interfaceName: inputs.interfaceName,
    },
    portDataSetNp: { neighborPropDelayThresh: port.neighborPropDelayThresh, asCapable: s.port.asCapable },
  };
}
