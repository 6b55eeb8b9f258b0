/**
 * Codec throughput on one core for the traffic a gPTP slave port sees in one direction and
 * sends in the other, over 8 s at logSyncInterval −3: per second 8 Sync + 8 Follow_Up (with the
 * Follow_Up information TLV), a Pdelay_Req/Resp/Resp_Follow_Up trio each way, and an Announce
 * with a 2-hop PATH_TRACE. Times advance, sequenceIds count and Follow_Up correctionFields vary as
 * on a real link (a bridge's residence time), so the codec's small caches see realistic reuse.
 */
import type { Report } from './run.js';
import { buildHeader, decodeFrame, encodeFrame, makePdelayReq, makePdelayResp, makePdelayRespFollowUp, withMessageLength } from '../src/protocol/codec.js';
import {
  GPTP_MULTICAST,
  MessageType,
  Flag,
  type PtpFrame,
  type PtpMessage,
  type PortIdentity,
  type AnnounceMessage,
  type FollowUpMessage,
  type SyncMessage,
} from '../src/protocol/messages.js';
import { nsToTimestamp } from '../src/protocol/timestamp.js';

const MASTER: PortIdentity = { clockIdentity: 0x001b21fffe0a0b0cn, portNumber: 1 };
const SLAVE: PortIdentity = { clockIdentity: 0x8c1645fffe9b9e11n, portNumber: 1 };
const GM = 0x00a0c9fffe123456n;
const START_NS = 1_732_000_000_000_000_000n;
const SECONDS = 8;
const SYNC_PER_S = 8;

function frame(source: number, message: PtpMessage): PtpFrame {
  return { destination: GPTP_MULTICAST, source, vlanTags: [], message, trailer: new Uint8Array(0) };
}

function syncPair(seq: number, t: bigint): PtpFrame[] {
  const sync: SyncMessage = {
    type: 'sync',
    header: buildHeader({
      messageType: MessageType.Sync,
      sourcePortIdentity: MASTER,
      sequenceId: seq,
      flags: Flag.twoStepFlag | Flag.ptpTimescale,
      logMessageInterval: -3,
    }) as SyncMessage['header'],
    originTimestamp: nsToTimestamp(0n),
    tlvs: [],
  };
  const followUp: FollowUpMessage = withMessageLength({
    type: 'followUp',
    header: buildHeader({
      messageType: MessageType.FollowUp,
      sourcePortIdentity: MASTER,
      sequenceId: seq,
      flags: Flag.ptpTimescale,
      logMessageInterval: -3,
      correctionField: BigInt(20_000 + ((seq * 7919) % 5_000)) << 16n,
    }) as FollowUpMessage['header'],
    preciseOriginTimestamp: nsToTimestamp(t),
    tlvs: [{ kind: 'followUpInformation', cumulativeScaledRateOffset: -1234, gmTimeBaseIndicator: 1, lastGmPhaseChange: 0n, scaledLastGmFreqChange: 0 }],
  });
  return [frame(0x001b210a0b0c, sync), frame(0x001b210a0b0c, followUp)];
}

function pdelayTrio(requester: PortIdentity, responder: PortIdentity, seq: number, t: bigint): PtpFrame[] {
  const req = makePdelayReq({ sourcePortIdentity: requester, sequenceId: seq, logMessageInterval: 0 });
  const resp = makePdelayResp({
    sourcePortIdentity: responder,
    sequenceId: seq,
    requestReceiptTimestamp: nsToTimestamp(t + 1_350n),
    requestingPortIdentity: requester,
  });
  const fu = makePdelayRespFollowUp({
    sourcePortIdentity: responder,
    sequenceId: seq,
    responseOriginTimestamp: nsToTimestamp(t + 21_000n),
    requestingPortIdentity: requester,
  });
  return [frame(0x8c16459b9e11, req), frame(0x001b210a0b0c, resp), frame(0x001b210a0b0c, fu)];
}

function announce(seq: number): PtpFrame {
  const msg: AnnounceMessage = withMessageLength({
    type: 'announce',
    header: buildHeader({
      messageType: MessageType.Announce,
      sourcePortIdentity: MASTER,
      sequenceId: seq,
      flags: Flag.ptpTimescale,
      logMessageInterval: 0,
    }) as AnnounceMessage['header'],
    originTimestamp: nsToTimestamp(0n),
    currentUtcOffset: 37,
    reserved: 0,
    grandmasterPriority1: 246,
    grandmasterClockQuality: { clockClass: 248, clockAccuracy: 0xfe, offsetScaledLogVariance: 0x4e5d },
    grandmasterPriority2: 248,
    grandmasterIdentity: GM,
    stepsRemoved: 1,
    timeSource: 0xa0,
    tlvs: [{ kind: 'pathTrace', pathSequence: [GM, MASTER.clockIdentity] }],
  });
  return frame(0x001b210a0b0c, msg);
}

/** The frames of SECONDS seconds of one link, in time order. */
function realisticMix(): PtpFrame[] {
  const frames: PtpFrame[] = [];
  for (let s = 0; s < SECONDS; s++) {
    const second = START_NS + BigInt(s) * 1_000_000_000n;
    for (let i = 0; i < SYNC_PER_S; i++) frames.push(...syncPair(s * SYNC_PER_S + i, second + BigInt(i) * 125_000_000n));
    frames.push(...pdelayTrio(SLAVE, MASTER, s, second + 7_000_000n));
    frames.push(...pdelayTrio(MASTER, SLAVE, s, second + 9_000_000n));
    frames.push(announce(s));
  }
  return frames;
}

/** Best of `rounds` timed runs of about `ms` each, in operations per second. */
function measure(ms: number, rounds: number, op: (i: number) => void): number {
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const start = process.hrtime.bigint();
    const stop = start + BigInt(ms) * 1_000_000n;
    let now = start;
    while (now < stop) {
      for (let k = 0; k < 10_000; k++) op(n++);
      now = process.hrtime.bigint();
    }
    best = Math.max(best, n / (Number(now - start) / 1e9));
  }
  return best;
}

export async function run(report: Report): Promise<void> {
  const frames = realisticMix();
  const wire = frames.map(encodeFrame);
  let sink = 0;
  const decodeRate = measure(1000, 3, (i) => {
    const r = decodeFrame(wire[i % wire.length]);
    if (r.ok) sink += r.value.message.header.sequenceId;
  });
  const encodeRate = measure(1000, 3, (i) => {
    sink += encodeFrame(frames[i % frames.length]).length;
  });
  report('codec.mix.messages', frames.length, 'messages');
  report('codec.decode', Math.round(decodeRate), 'msg/s');
  report('codec.encode', Math.round(encodeRate), 'msg/s');
  if (sink === -1) report('codec.sink', sink, '');
  await Promise.resolve();
}
