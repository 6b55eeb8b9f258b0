/**
 * Frames a grandmaster sends (Sync, Follow_Up, Announce, Pdelay responses, Signaling), with every
 * field explicit and overridable: the simulated grandmaster and the engine tests both build from here.
 */
import {
  Flag,
  GPTP_MULTICAST,
  MessageType,
  type AnnounceMessage,
  type ClockIdentity,
  type FollowUpMessage,
  type PdelayReqMessage,
  type PdelayRespFollowUpMessage,
  type PdelayRespMessage,
  type PortIdentity,
  type PtpFrame,
  type PtpHeader,
  type PtpMessage,
  type SignalingMessage,
  type SyncMessage,
  type Tlv,
} from '../../src/protocol/messages.js';
import { LOG_INTERVAL_NO_CHANGE } from '../../src/protocol/logInterval.js';
import { nsToTimestamp, ZERO_TIMESTAMP } from '../../src/protocol/timestamp.js';

export const MASTER_MAC = 0x001122334455;
export const MASTER_CLOCK: ClockIdentity = 0x001122fffe334455n;
export const MASTER_PORT: PortIdentity = { clockIdentity: MASTER_CLOCK, portNumber: 1 };
export const SLAVE_MAC = 0x0a0b0c0d0e0f;

export interface HeaderOptions {
  source?: PortIdentity;
  domainNumber?: number;
  majorSdoId?: number;
  flags?: number;
  correctionField?: bigint;
  logMessageInterval?: number;
}

function header(messageType: number, messageLength: number, sequenceId: number, o: HeaderOptions): PtpHeader {
  return {
    majorSdoId: o.majorSdoId ?? 1,
    messageType,
    minorVersionPtp: 1,
    versionPtp: 2,
    messageLength,
    domainNumber: o.domainNumber ?? 0,
    minorSdoId: 0,
    flags: o.flags ?? 0,
    correctionField: o.correctionField ?? 0n,
    messageTypeSpecific: 0,
    sourcePortIdentity: o.source ?? MASTER_PORT,
    sequenceId,
    controlField: 0,
    logMessageInterval: o.logMessageInterval ?? -3,
  };
}

export function frame(message: PtpMessage, source = MASTER_MAC): PtpFrame {
  return { destination: GPTP_MULTICAST, source, vlanTags: [], message, trailer: new Uint8Array(0) };
}

export function sync(sequenceId: number, o: HeaderOptions & { originNs?: bigint } = {}): PtpFrame {
  const flags = o.flags ?? Flag.twoStepFlag | Flag.ptpTimescale;
  const msg: SyncMessage = {
    type: 'sync',
    header: header(MessageType.Sync, 44, sequenceId, { ...o, flags }) as SyncMessage['header'],
    originTimestamp: o.originNs === undefined ? ZERO_TIMESTAMP : nsToTimestamp(o.originNs),
    tlvs: [],
  };
  return frame(msg);
}

export function followUpInfo(cumulativeScaledRateOffset = 0, gmTimeBaseIndicator = 0, lastGmPhaseChange = 0n, scaledLastGmFreqChange = 0): Tlv {
  return { kind: 'followUpInformation', cumulativeScaledRateOffset, gmTimeBaseIndicator, lastGmPhaseChange, scaledLastGmFreqChange };
}

export function followUp(sequenceId: number, preciseOriginNs: bigint, o: HeaderOptions & { tlvs?: Tlv[] } = {}): PtpFrame {
  const msg: FollowUpMessage = {
    type: 'followUp',
    header: header(MessageType.FollowUp, 76, sequenceId, o) as FollowUpMessage['header'],
    preciseOriginTimestamp: nsToTimestamp(preciseOriginNs),
    tlvs: o.tlvs ?? [followUpInfo()],
  };
  return frame(msg);
}

export function announce(
  sequenceId: number,
  o: HeaderOptions & { grandmaster?: ClockIdentity; priority1?: number; stepsRemoved?: number; pathTrace?: ClockIdentity[]; currentUtcOffset?: number } = {},
): PtpFrame {
  const pathTrace = o.pathTrace ?? [o.grandmaster ?? MASTER_CLOCK];
  const msg: AnnounceMessage = {
    type: 'announce',
    header: header(MessageType.Announce, 64 + 4 + 8 * pathTrace.length, sequenceId, { logMessageInterval: 0, ...o }) as AnnounceMessage['header'],
    originTimestamp: ZERO_TIMESTAMP,
    currentUtcOffset: o.currentUtcOffset ?? 37,
    reserved: 0,
    grandmasterPriority1: o.priority1 ?? 246,
    grandmasterClockQuality: { clockClass: 248, clockAccuracy: 0xfe, offsetScaledLogVariance: 0x436a },
    grandmasterPriority2: 248,
    grandmasterIdentity: o.grandmaster ?? MASTER_CLOCK,
    stepsRemoved: o.stepsRemoved ?? 0,
    timeSource: 0xa0,
    tlvs: [{ kind: 'pathTrace', pathSequence: pathTrace }],
  };
  return frame(msg);
}

export function pdelayResp(sequenceId: number, requester: PortIdentity, t2Ns: bigint, o: HeaderOptions = {}): PtpFrame {
  const msg: PdelayRespMessage = {
    type: 'pdelayResp',
    header: header(MessageType.PdelayResp, 54, sequenceId, { flags: Flag.twoStepFlag, logMessageInterval: 127, ...o }) as PdelayRespMessage['header'],
    requestReceiptTimestamp: nsToTimestamp(t2Ns),
    requestingPortIdentity: requester,
    tlvs: [],
  };
  return frame(msg, o.source === undefined ? MASTER_MAC : Number(o.source.clockIdentity & 0xffffffn));
}

export function pdelayRespFollowUp(sequenceId: number, requester: PortIdentity, t3Ns: bigint, o: HeaderOptions = {}): PtpFrame {
  const msg: PdelayRespFollowUpMessage = {
    type: 'pdelayRespFollowUp',
    header: header(MessageType.PdelayRespFollowUp, 54, sequenceId, { logMessageInterval: 127, ...o }) as PdelayRespFollowUpMessage['header'],
    responseOriginTimestamp: nsToTimestamp(t3Ns),
    requestingPortIdentity: requester,
    tlvs: [],
  };
  return frame(msg);
}

export function pdelayReq(sequenceId: number, o: HeaderOptions = {}): PtpFrame {
  const msg: PdelayReqMessage = {
    type: 'pdelayReq',
    header: header(MessageType.PdelayReq, 54, sequenceId, { logMessageInterval: 0, ...o }) as PdelayReqMessage['header'],
    originTimestamp: ZERO_TIMESTAMP,
    reserved: new Uint8Array(10),
    tlvs: [],
  };
  return frame(msg);
}

export function intervalRequest(sequenceId: number, linkDelayInterval: number, target: PortIdentity): PtpFrame {
  const msg: SignalingMessage = {
    type: 'signaling',
    header: header(MessageType.Signaling, 60, sequenceId, { logMessageInterval: 127 }) as SignalingMessage['header'],
    targetPortIdentity: target,
    tlvs: [
      {
        kind: 'messageIntervalRequest',
        linkDelayInterval,
        timeSyncInterval: LOG_INTERVAL_NO_CHANGE,
        announceInterval: LOG_INTERVAL_NO_CHANGE,
        flags: 3,
        reserved: 0,
      },
    ],
  };
  return frame(msg);
}
