/**
 * The JSON form of a Snapshot on the provider socket (docs/provider-protocol.md). Absolute times are
 * exact decimal strings of ns (a JSON number is a float64 and would lose nanoseconds of a TAI time);
 * differences and ratios are JSON numbers. Decoding checks every field and names the bad one, so a
 * client of another version gets a clear error rather than NaN time.
 */
import type { ClockKind } from '../clock/clock.js';
import { ptpTime } from '../clock/timePoint.js';
import { formatClockIdentity, formatPortIdentity } from '../protocol/format.js';
import { Fields, WireFieldError } from './jsonFields.js';
import type { ClockQuality } from '../protocol/messages.js';
import type { LeapKind, UtcConversion, UtcOffsetSource } from '../protocol/timeProperties.js';
import {
  CLOCK_KINDS,
  PORT_ROLES,
  QUALITY_LEVELS,
  SYNC_STATUSES,
  TIMESTAMPING_MODES,
  type ErrorBoundInfo,
  type GrandmasterInfo,
  type HoldoverInfo,
  type OscillatorWanderInfo,
  type PdelayExchangeCounts,
  type PortInfo,
  type QualityInfo,
  type ReceivedSnapshot,
  type Snapshot,
  type TimeMapping,
  type Timescale,
  type UtcInfo,
} from './snapshot.js';

export interface WireMapping {
  readonly monotonicRawNs: string;
  readonly ptpTimeNs: string;
  readonly rateRatio: number;
}

export interface WireGrandmaster {
  readonly identity: string;
  readonly priority1: number;
  readonly priority2: number;
  readonly clockQuality: ClockQuality;
  readonly stepsRemoved: number;
  readonly gmTimeBaseIndicator: number;
}

export interface WirePort {
  /** 001122.fffe.334455-1 */
  readonly portIdentity: string;
  readonly portState: string;
  readonly asCapable: boolean;
}

export interface WireLeap {
  readonly kind: LeapKind;
  /** gPTP instant (ns, decimal string) from which utcOffsetAfter applies. */
  readonly atPtpTimeNs: string;
  readonly utcOffsetAfter: number;
}

/** Timescale on the wire: flat, with nulls where UTC is unknown. */
export interface WireTimescale {
  readonly tai: boolean;
  readonly utcOffset: number | null;
  readonly utcOffsetSource: UtcOffsetSource | null;
  readonly leap: WireLeap | null;
  readonly utcUnknownReason: string | null;
}

export interface WireQuality {
  readonly level: string;
  readonly errorNs: number | null;
  readonly thresholdsNs: { readonly excellent: number; readonly good: number; readonly fair: number; readonly poor: number };
}

export interface WireHoldover {
  readonly sinceMonotonicRawNs: string;
  readonly estimatedErrorNs: number;
  readonly initialErrorNs: number;
  readonly stabilityPpb: number;
  readonly driftPpbPerS: number;
  readonly frequencyPpb: number;
}

/** Field order here is the order on the wire; timeSinceLastSyncNs is appended when sent. */
export interface WireSnapshot {
  readonly status: string;
  readonly statusReason: string;
  readonly statusSinceMonotonicRawNs: string;
  readonly mapping: WireMapping | null;
  readonly utc: UtcInfo;
  readonly timescale: WireTimescale;
  readonly lastSyncMonotonicRawNs: string | null;
  readonly offsetFromMaster: number;
  readonly offsetFromMasterRmsNs: number;
  readonly syncLatencyNs?: number;
  readonly meanLinkDelay: number;
  readonly neighborRateRatio: number;
  readonly rateRatio: number;
  readonly frequencyAdjustmentPpb: number;
  readonly grandmaster: WireGrandmaster | null;
  readonly port: WirePort;
  readonly timestamping: string;
  readonly clockKind: string;
  readonly rejectedFrames: Readonly<Record<string, number>>;
  readonly pdelayExchanges?: PdelayExchangeCounts;
  readonly quality: WireQuality;
  readonly holdover: WireHoldover | null;
  readonly errorBound?: ErrorBoundInfo | null;
  readonly oscillatorWander?: OscillatorWanderInfo;
  readonly timeSinceLastSyncNs?: number | null;
  readonly errorBoundNs?: number | null;
}

export function snapshotToWire(s: Snapshot): WireSnapshot {
  return {
    status: s.status,
    statusReason: s.statusReason,
    statusSinceMonotonicRawNs: s.statusSince.toString(),
    mapping: s.mapping === null ? null : mappingToWire(s.mapping),
    utc: { ...s.utc },
    timescale: timescaleToWire(s.timescale),
    lastSyncMonotonicRawNs: s.lastSync === null ? null : s.lastSync.toString(),
    offsetFromMaster: s.offsetFromMaster,
    offsetFromMasterRmsNs: s.offsetFromMasterRmsNs,
    ...(s.syncLatencyNs === undefined ? {} : { syncLatencyNs: s.syncLatencyNs }),
    meanLinkDelay: s.meanLinkDelay,
    neighborRateRatio: s.neighborRateRatio,
    rateRatio: s.rateRatio,
    frequencyAdjustmentPpb: s.frequencyAdjustmentPpb,
    grandmaster: s.grandmaster === null ? null : grandmasterToWire(s.grandmaster),
    port: { portIdentity: formatPortIdentity(s.port.portIdentity), portState: s.port.portState, asCapable: s.port.asCapable },
    timestamping: s.timestamping,
    clockKind: s.clockKind,
    rejectedFrames: { ...s.rejectedFrames },
    ...(s.pdelayExchanges === undefined ? {} : { pdelayExchanges: { ...s.pdelayExchanges } }),
    quality: { level: s.quality.level, errorNs: s.quality.errorNs, thresholdsNs: { ...s.quality.thresholdsNs } },
    holdover: s.holdover === null ? null : holdoverToWire(s.holdover),
    ...(s.errorBound === undefined ? {} : { errorBound: s.errorBound === null ? null : { ...s.errorBound } }),
    ...(s.oscillatorWander === undefined ? {} : { oscillatorWander: { ...s.oscillatorWander } }),
  };
}

function holdoverToWire(h: HoldoverInfo): WireHoldover {
  return {
    sinceMonotonicRawNs: h.since.toString(),
    estimatedErrorNs: h.estimatedErrorNs,
    initialErrorNs: h.initialErrorNs,
    stabilityPpb: h.stabilityPpb,
    driftPpbPerS: h.driftPpbPerS,
    frequencyPpb: h.frequencyPpb,
  };
}

function mappingToWire(m: TimeMapping): WireMapping {
  return { monotonicRawNs: m.monotonicRaw.toString(), ptpTimeNs: m.ptpTime.toString(), rateRatio: m.rateRatio };
}

function timescaleToWire(t: Timescale): WireTimescale {
  const c = t.utc;
  return {
    tai: t.tai,
    utcOffset: c === null ? null : c.offset,
    utcOffsetSource: c === null ? null : c.source,
    leap: c === null || c.leap === null ? null : { kind: c.leap.kind, atPtpTimeNs: c.leap.atPtpNs.toString(), utcOffsetAfter: c.leap.offsetAfter },
    utcUnknownReason: t.utcUnknownReason,
  };
}

function grandmasterToWire(g: GrandmasterInfo): WireGrandmaster {
  return {
    identity: formatClockIdentity(g.identity),
    priority1: g.priority1,
    priority2: g.priority2,
    clockQuality: { ...g.clockQuality },
    stepsRemoved: g.stepsRemoved,
    gmTimeBaseIndicator: g.gmTimeBaseIndicator,
  };
}

// ---------------------------------------------------------------------------------------------
// Decoding

export interface WireFieldProblem {
  /** Dotted path of the offending field, e.g. 'mapping.ptpTimeNs'. */
  readonly field: string;
  readonly message: string;
}

export type WireDecodeResult = { readonly ok: true; readonly value: ReceivedSnapshot } | { readonly ok: false; readonly error: WireFieldProblem };

/** A snapshot object from the wire (already JSON-parsed) to a ReceivedSnapshot, or the first bad field. */
export function snapshotFromWire(value: unknown): WireDecodeResult {
  try {
    return { ok: true, value: readSnapshot(new Fields(value, 'snapshot')) };
  } catch (err) {
    if (err instanceof WireFieldError) return { ok: false, error: { field: err.field, message: err.message } };
    throw err;
  }
}

function readSnapshot(f: Fields): ReceivedSnapshot {
  return {
    status: f.oneOf('status', SYNC_STATUSES),
    statusReason: f.string('statusReason'),
    statusSince: f.monotonicRaw('statusSinceMonotonicRawNs'),
    mapping: f.nullable('mapping', readMapping),
    utc: readUtc(f.object('utc')),
    timescale: readTimescale(f.object('timescale')),
    lastSync: f.isNull('lastSyncMonotonicRawNs') ? null : f.monotonicRaw('lastSyncMonotonicRawNs'),
    offsetFromMaster: f.number('offsetFromMaster'),
    offsetFromMasterRmsNs: f.number('offsetFromMasterRmsNs', 0),
    ...readSyncLatency(f),
    meanLinkDelay: f.number('meanLinkDelay'),
    neighborRateRatio: f.number('neighborRateRatio', Number.MIN_VALUE),
    rateRatio: f.number('rateRatio', Number.MIN_VALUE),
    frequencyAdjustmentPpb: f.number('frequencyAdjustmentPpb'),
    grandmaster: f.nullable('grandmaster', readGrandmaster),
    port: readPort(f.object('port')),
    timestamping: f.oneOf('timestamping', TIMESTAMPING_MODES),
    clockKind: f.oneOf<ClockKind>('clockKind', CLOCK_KINDS),
    rejectedFrames: readCounters(f.object('rejectedFrames')),
    ...readPdelayExchanges(f),
    quality: readQuality(f.object('quality')),
    holdover: f.nullable('holdover', readHoldover),
    timeSinceLastSyncNs: f.isNull('timeSinceLastSyncNs') ? null : f.number('timeSinceLastSyncNs'),
    ...readErrorBound(f),
    ...readOscillatorWander(f),
  };
}

function readQuality(f: Fields): QualityInfo {
  const t = f.object('thresholdsNs');
  return {
    level: f.oneOf('level', QUALITY_LEVELS),
    errorNs: f.isNull('errorNs') ? null : f.number('errorNs', 0),
    thresholdsNs: { excellent: t.number('excellent', 0), good: t.number('good', 0), fair: t.number('fair', 0), poor: t.number('poor', 0) },
  };
}

function readHoldover(f: Fields): HoldoverInfo {
  return {
    since: f.monotonicRaw('sinceMonotonicRawNs'),
    estimatedErrorNs: f.number('estimatedErrorNs', 0),
    initialErrorNs: f.number('initialErrorNs', 0),
    stabilityPpb: f.number('stabilityPpb', 0),
    driftPpbPerS: f.number('driftPpbPerS', 0),
    frequencyPpb: f.number('frequencyPpb'),
  };
}

/** errorBound and errorBoundNs are optional: providers before them do not send them. */
function readErrorBound(f: Fields): { errorBound?: ErrorBoundInfo | null; errorBoundNs?: number | null } {
  const out: { errorBound?: ErrorBoundInfo | null; errorBoundNs?: number | null } = {};
  if (f.has('errorBound')) {
    out.errorBound = f.nullable('errorBound', (b) => ({
      atLastSyncNs: b.number('atLastSyncNs', 0),
      growthPpb: b.number('growthPpb', 0),
      halfWanderPpbPerS: b.number('halfWanderPpbPerS', 0),
    }));
  }
  if (f.has('errorBoundNs')) out.errorBoundNs = f.isNull('errorBoundNs') ? null : f.number('errorBoundNs', 0);
  return out;
}

/** oscillatorWander is optional: servos that learn none and providers before it do not send it. */
function readOscillatorWander(f: Fields): { oscillatorWander?: OscillatorWanderInfo } {
  if (!f.has('oscillatorWander')) return {};
  const w = f.object('oscillatorWander');
  return {
    oscillatorWander: {
      ppbPerSqrtS: w.number('ppbPerSqrtS', 0),
      upperPpbPerSqrtS: w.number('upperPpbPerSqrtS', 0),
      evidence: w.number('evidence', 0),
      trackingPpbPerSqrtS: w.number('trackingPpbPerSqrtS', 0),
      inUse: w.boolean('inUse'),
    },
  };
}

/** syncLatencyNs is optional: servos without a latency state and providers before it do not send it. */
function readSyncLatency(f: Fields): { syncLatencyNs?: number } {
  return f.has('syncLatencyNs') ? { syncLatencyNs: f.number('syncLatencyNs') } : {};
}

/** pdelayExchanges is optional: providers before it do not send it. */
function readPdelayExchanges(f: Fields): { pdelayExchanges?: PdelayExchangeCounts } {
  if (!f.has('pdelayExchanges')) return {};
  const c = f.object('pdelayExchanges');
  return { pdelayExchanges: { inTime: c.integer('inTime', 0, Number.MAX_SAFE_INTEGER), late: c.integer('late', 0, Number.MAX_SAFE_INTEGER) } };
}

function readMapping(f: Fields): TimeMapping {
  return {
    monotonicRaw: f.monotonicRaw('monotonicRawNs'),
    ptpTime: ptpTime(f.decimal('ptpTimeNs')),
    rateRatio: f.number('rateRatio', Number.MIN_VALUE),
  };
}

function readUtc(f: Fields): UtcInfo {
  return {
    currentUtcOffset: f.integer('currentUtcOffset', -32768, 32767),
    currentUtcOffsetValid: f.boolean('currentUtcOffsetValid'),
    leap59: f.boolean('leap59'),
    leap61: f.boolean('leap61'),
    ptpTimescale: f.boolean('ptpTimescale'),
  };
}

const UTC_OFFSET_SOURCES: readonly UtcOffsetSource[] = ['grandmaster', 'configuration'];
const LEAP_KINDS: readonly LeapKind[] = ['insert', 'delete'];

function readTimescale(f: Fields): Timescale {
  const tai = f.boolean('tai');
  if (f.isNull('utcOffset')) return { tai, utc: null, utcUnknownReason: f.string('utcUnknownReason') };
  const utc: UtcConversion = {
    offset: f.integer('utcOffset', -32768, 32767),
    source: f.oneOf('utcOffsetSource', UTC_OFFSET_SOURCES),
    leap: f.nullable('leap', (l) => ({
      kind: l.oneOf('kind', LEAP_KINDS),
      atPtpNs: l.decimal('atPtpTimeNs'),
      offsetAfter: l.integer('utcOffsetAfter', -32768, 32767),
    })),
  };
  return { tai, utc, utcUnknownReason: null };
}

function readGrandmaster(f: Fields): GrandmasterInfo {
  const q = f.object('clockQuality');
  return {
    identity: f.clockIdentity('identity'),
    priority1: f.integer('priority1', 0, 255),
    priority2: f.integer('priority2', 0, 255),
    clockQuality: {
      clockClass: q.integer('clockClass', 0, 255),
      clockAccuracy: q.integer('clockAccuracy', 0, 255),
      offsetScaledLogVariance: q.integer('offsetScaledLogVariance', 0, 0xffff),
    },
    stepsRemoved: f.integer('stepsRemoved', 0, 0xffff),
    gmTimeBaseIndicator: f.integer('gmTimeBaseIndicator', 0, 0xffff),
  };
}

function readPort(f: Fields): PortInfo {
  return { portIdentity: f.portIdentity('portIdentity'), portState: f.oneOf('portState', PORT_ROLES), asCapable: f.boolean('asCapable') };
}

function readCounters(f: Fields): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of f.keys()) out[key] = f.integer(key, 0, Number.MAX_SAFE_INTEGER);
  return out;
}
