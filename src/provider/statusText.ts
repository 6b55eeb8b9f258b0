/**
 * `syntonic status` for people: the snapshot laid out like pmc's answers (TIME_STATUS_NP,
 * PARENT_DATA_SET, TIME_PROPERTIES_DATA_SET, PORT_DATA_SET: a tab, the field name padded, the value),
 * and one ptp4l-like line per update for --watch.
 */
import type { MonotonicRawTime } from '../clock/timePoint.js';
import { formatClockIdentity, formatPortIdentity } from '../protocol/format.js';
import { lateAnswersNote } from '../protocol/neighborRateRatioWindow.js';
import { formatUtcNs } from '../protocol/timeProperties.js';
import type { PortRole, ReceivedSnapshot, SyncStatus } from './snapshot.js';
import type { SynchronizedTime } from './timeExtrapolator.js';
import { snapshotToWire } from './wireSnapshot.js';
import { OSCILLATOR_WANDER_DEFAULTS } from '../servo/oscillatorWander.js';

const NAME_WIDTH = 27;

/** linuxptp's port state words. */
const PORT_STATE_WORDS: Readonly<Record<PortRole, string>> = {
  disabledPort: 'DISABLED',
  masterPort: 'MASTER',
  passivePort: 'PASSIVE',
  slavePort: 'SLAVE',
};

/** ptp4l's servo states: s0 unlocked, s1 stepping/settling, s2 locked. */
const SERVO_STATE: Readonly<Record<SyncStatus, string>> = { lost: 's0', unstable: 's1', synchronized: 's2' };

export function formatStatusReport(s: ReceivedSnapshot, time: SynchronizedTime, now: MonotonicRawTime): string {
  const gm = s.grandmaster;
  const sections: Array<[string, Array<[string, string]>]> = [
    [
      'TIME_STATUS_NP',
      [
        ['status', `${s.status} (${SERVO_STATE[s.status]})`],
        ['statusReason', s.statusReason],
        ['statusSince', `${seconds(Number(now - s.statusSince))} ago`],
        ['ptpTime', time.ptpTime === null ? 'unknown (never synchronized)' : `${ptpSeconds(time.ptpTime)} ${s.utc.ptpTimescale ? 'TAI' : 'ARB'}`],
        ['utcTime', utcText(time, s)],
        ['utcOffset', utcOffsetText(time, s)],
        ['leap', leapText(time, s)],
        ['errorBound', Number.isFinite(time.errorBoundNs) ? `${Math.ceil(time.errorBoundNs)} ns` : 'unbounded'],
        ...errorBoundGrowthRows(s),
        ['quality', qualityText(s, time)],
        ...holdoverRows(s, time, now),
        ['lastSync', s.lastSync === null ? 'never' : `${seconds(Number(now - s.lastSync))} ago`],
        ['master_offset', `${tenths(s.offsetFromMaster)} ns`],
        ['master_offset_rms', `${tenths(s.offsetFromMasterRmsNs)} ns`],
        ...syncLatencyRows(s),
        ['path_delay', `${tenths(s.meanLinkDelay)} ns (meanLinkDelay)`],
        ['neighborRateRatio', s.neighborRateRatio.toFixed(12)],
        ...pdelayRows(s),
        ['rateRatio', s.rateRatio.toFixed(12)],
        ['freq', `${tenths(s.frequencyAdjustmentPpb)} ppb`],
        ...oscillatorWanderRows(s),
        ['gmPresent', String(gm !== null)],
        ['gmIdentity', gm === null ? '-' : formatClockIdentity(gm.identity)],
        ['gmTimeBaseIndicator', gm === null ? '-' : String(gm.gmTimeBaseIndicator)],
      ],
    ],
    [
      'PARENT_DATA_SET',
      gm === null
        ? [['grandmasterIdentity', 'none']]
        : [
            ['grandmasterPriority1', String(gm.priority1)],
            ['gm.ClockClass', String(gm.clockQuality.clockClass)],
            ['gm.ClockAccuracy', hex(gm.clockQuality.clockAccuracy, 2)],
            ['gm.OffsetScaledLogVariance', hex(gm.clockQuality.offsetScaledLogVariance, 4)],
            ['grandmasterPriority2', String(gm.priority2)],
            ['grandmasterIdentity', formatClockIdentity(gm.identity)],
            ['stepsRemoved', String(gm.stepsRemoved)],
          ],
    ],
    [
      'TIME_PROPERTIES_DATA_SET',
      [
        ['currentUtcOffset', `${s.utc.currentUtcOffset} s`],
        ['currentUtcOffsetValid', flag(s.utc.currentUtcOffsetValid)],
        ['leap61', flag(s.utc.leap61)],
        ['leap59', flag(s.utc.leap59)],
        ['ptpTimescale', flag(s.utc.ptpTimescale)],
      ],
    ],
    [
      'PORT_DATA_SET',
      [
        ['portIdentity', formatPortIdentity(s.port.portIdentity)],
        ['portState', PORT_STATE_WORDS[s.port.portState]],
        ['asCapable', String(s.port.asCapable)],
        ['time_stamping', s.timestamping],
        ['clockKind', s.clockKind],
      ],
    ],
    ['REJECTED_FRAMES', rejected(s.rejectedFrames)],
  ];
  return sections.map(([title, rows]) => `${title}\n${rows.map(([k, v]) => `\t${k.padEnd(NAME_WIDTH)}${v}`).join('\n')}`).join('\n') + '\n';
}

/**
 * The Syncs' latency the servo reads in master_offset, when it keeps one: master_offset_rms is judged
 * net of it, so a master offset that stands µs high with a small RMS says where it went.
 */
function syncLatencyRows(s: ReceivedSnapshot): Array<[string, string]> {
  if (s.syncLatencyNs === undefined) return [];
  return [['sync_latency', `${tenths(s.syncLatencyNs)} ns (of master_offset, read as the Syncs' latency: not steered by)`]];
}

/**
 * How the bound grows while no Sync comes (the daemon's servo, servoErrorBound.ts): the frequency
 * term, and the oscillator's change the node assumes (error_bound_wander), so a configured value shows.
 */
function errorBoundGrowthRows(s: ReceivedSnapshot): Array<[string, string]> {
  const b = s.errorBound;
  if (b === undefined || b === null) return [];
  return [['errorBoundGrowth', `${tenths(b.growthPpb)} ns/s + ${tenths(b.halfWanderPpbPerS)} ns/s² × age (wander ${tenths(2 * b.halfWanderPpbPerS)} ppb/s)`]];
}

/** The oscillator's walk the servo learned, when it learns one: what it measured, and what it tracks with. */
function oscillatorWanderRows(s: ReceivedSnapshot): Array<[string, string]> {
  const w = s.oscillatorWander;
  if (w === undefined) return [];
  const learned = `${w.ppbPerSqrtS.toFixed(2)} ppb/√s (≤ ${w.upperPpbPerSqrtS.toFixed(2)} at 90 %, over ${w.evidence.toFixed(1)} × ${OSCILLATOR_WANDER_DEFAULTS.tauS} s)`;
  const tracking = `tracking with ${w.trackingPpbPerSqrtS.toFixed(2)} ppb/√s${w.inUse ? '' : ' (configured: too little learned yet)'}`;
  return [['oscillator_wander', `${learned}; ${tracking}`]];
}

/** The Pdelay exchanges, when the provider sends them: how many, and how many answers came late. */
function pdelayRows(s: ReceivedSnapshot): Array<[string, string]> {
  const c = s.pdelayExchanges;
  if (c === undefined) return [];
  return [['pdelayExchanges', `${c.inTime + c.late}${lateAnswersNote(c.late)}`]];
}

/** One line per update, in ptp4l's words: "synchronized master offset -12 s2 freq -12 path delay 1346 …". */
export function formatStatusLine(s: ReceivedSnapshot): string {
  const gm = s.grandmaster === null ? 'none' : formatClockIdentity(s.grandmaster.identity);
  return (
    `${s.status} master offset ${Math.round(s.offsetFromMaster)} ${SERVO_STATE[s.status]} freq ${Math.round(s.frequencyAdjustmentPpb)} ` +
    `path delay ${Math.round(s.meanLinkDelay)} gm ${gm} port ${PORT_STATE_WORDS[s.port.portState]}` +
    (s.holdover === null ? '' : ` holdover error ${Math.ceil(s.holdover.estimatedErrorNs)}`) +
    (s.status === 'synchronized' ? '' : ` (${s.statusReason})`) +
    '\n'
  );
}

/**
 * The snapshot as the protocol's JSON (the --json output); with `time`, also a `now` object: the
 * client's reading at print time as gPTP time, TAI and UTC (decimal ns strings, null when unknown).
 */
export function statusJson(s: ReceivedSnapshot, indent?: number, time?: SynchronizedTime): string {
  const bound = s.errorBoundNs === undefined ? {} : { errorBoundNs: s.errorBoundNs };
  const base = { ...snapshotToWire(s), timeSinceLastSyncNs: s.timeSinceLastSyncNs, ...bound };
  return JSON.stringify(time === undefined ? base : { ...base, now: nowJson(time) }, null, indent) + '\n';
}

function nowJson(t: SynchronizedTime): Record<string, unknown> {
  const text = (v: bigint | null): string | null => (v === null ? null : v.toString());
  return {
    ptpTimeNs: text(t.ptpTime),
    taiNs: text(t.tai),
    utcNs: text(t.utc),
    utc: t.utc === null ? null : formatUtcNs(t.utc, t.leapSecond),
    utcOffset: t.utcOffset,
    leapSecond: t.leapSecond,
    leapPending: t.leapPending,
    errorBoundNs: Number.isFinite(t.errorBoundNs) ? t.errorBoundNs : null,
  };
}

/** "good (|error| 412 ns; excellent < 100 ns, good < 1000 ns, fair < 10000 ns, poor < 1000000 ns)". */
function qualityText(s: ReceivedSnapshot, time: SynchronizedTime): string {
  const t = s.quality.thresholdsNs;
  const error = time.holdoverErrorNs ?? s.quality.errorNs;
  const judged = error === null ? 'error unknown' : `|error| ${Math.ceil(error)} ns`;
  return `${time.quality} (${judged}; excellent < ${t.excellent} ns, good < ${t.good} ns, fair < ${t.fair} ns, poor < ${t.poor} ns)`;
}

/** In holdover: since when, the estimated error now and how it grows. */
function holdoverRows(s: ReceivedSnapshot, time: SynchronizedTime, now: MonotonicRawTime): Array<[string, string]> {
  const h = s.holdover;
  if (h === null) return [];
  const estimate = time.holdoverErrorNs ?? h.estimatedErrorNs;
  return [
    ['holdoverSince', `${seconds(Number(now - h.since))} ago`],
    [
      'holdoverError',
      `${Math.ceil(estimate)} ns (estimated: ${tenths(h.initialErrorNs)} ns + ${tenths(h.stabilityPpb)} ns/s × t + ${tenths(h.driftPpbPerS / 2)} ns/s² × t²)`,
    ],
    ['holdoverFreq', `${tenths(h.frequencyPpb)} ppb`],
  ];
}

function rejected(counts: Readonly<Record<string, number>>): Array<[string, string]> {
  const keys = Object.keys(counts).sort();
  if (keys.length === 0) return [['total', '0']];
  return keys.map((k) => [k, String(counts[k])]);
}

function seconds(ns: number): string {
  return `${(ns / 1e9).toFixed(3)} s`;
}

/** ns as seconds.nanoseconds, exact. */
function ptpSeconds(ns: bigint): string {
  const sign = ns < 0n ? '-' : '';
  const a = ns < 0n ? -ns : ns;
  return `${sign}${a / 1_000_000_000n}.${(a % 1_000_000_000n).toString().padStart(9, '0')}`;
}

/** UTC from the client's reading (src/protocol/timeProperties.ts derives it; 23:59:60 shown as such). */
function utcText(time: SynchronizedTime, s: ReceivedSnapshot): string {
  if (time.utc === null) return time.ptpTime === null ? 'unknown' : `unknown (${s.timescale.utcUnknownReason ?? 'no UTC offset'})`;
  return formatUtcNs(time.utc, time.leapSecond);
}

/** gPTP time − UTC and where it comes from. */
function utcOffsetText(time: SynchronizedTime, s: ReceivedSnapshot): string {
  const c = s.timescale.utc;
  if (c === null) return 'unknown';
  const offset = time.utcOffset ?? c.offset;
  return `${offset} s (${c.source === 'grandmaster' ? 'currentUtcOffset of the grandmaster' : 'assume_utc_offset of the configuration'})`;
}

/** The announced leap second: when, and whether it is under way. */
function leapText(time: SynchronizedTime, s: ReceivedSnapshot): string {
  const leap = s.timescale.utc?.leap ?? null;
  if (leap === null) return 'none';
  const what = leap.kind === 'insert' ? 'leap61 (23:59:60 inserted)' : 'leap59 (23:59:59 deleted)';
  if (time.leapSecond) return `${what}: now in 23:59:60`;
  if (time.ptpTime === null) return what;
  const inS = Number(leap.atPtpNs - time.ptpTime) / 1e9;
  return inS > 0 ? `${what} in ${inS.toFixed(3)} s, then UTC offset ${leap.offsetAfter} s` : `${what}: done, UTC offset ${leap.offsetAfter} s`;
}

function hex(v: number, digits: number): string {
  return `0x${v.toString(16).padStart(digits, '0')}`;
}

function flag(b: boolean): string {
  return b ? '1' : '0';
}

/** ns and ppb to a tenth: software and hardware timestamps alike carry no more meaning than that. */
function tenths(v: number): string {
  return String(Math.round(v * 10) / 10);
}
