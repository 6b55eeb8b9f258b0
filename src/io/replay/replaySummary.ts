/**
 * What a replay found, gathered as it streams: grandmasters, message counts, decode errors, lost
 * Follow_Ups, lock time, offset statistics after lock, link delay and rate ratios. Memory is bounded
 * whatever the capture's length (running sums; timelines keep their first entries only).
 */
import type { EngineEvent } from '../../protocol/engineEvents.js';
import type { DecodeError } from '../../protocol/decodeError.js';
import { formatClockIdentity, formatPortIdentity } from '../../protocol/format.js';
import { lateAnswersNote } from '../../protocol/neighborRateRatioWindow.js';
import type { StatusEvent } from '../../servo/syncStatus.js';
import type { PassiveLinkDelay } from './passivePeerDelays.js';
import type { ReplayCounts, ReplaySession, ReplaySyncRecord } from './replaySession.js';
import { RunningStats } from '../../report/runningStats.js';

const TIMELINE_LIMIT = 200;
/** |offset| below which a locked (s2) servo counts as locked in a replay summary, ns. */
export const LOCK_THRESHOLD_NS = 1_000;
const DECODE_ERROR_EXAMPLES = 10;

export interface TimelineEntry {
  readonly time: bigint;
  readonly what: string;
}

export interface ReplaySummaryData {
  readonly station: string;
  readonly counts: ReplayCounts;
  readonly received: Record<string, number>;
  readonly sent: Record<string, number>;
  readonly rejected: Record<string, number>;
  readonly decodeErrors: readonly { frame: number; error: DecodeError }[];
  readonly grandmasters: readonly string[];
  /** Port identities whose Syncs were accepted. */
  readonly masters: readonly string[];
  readonly syncs: number;
  /** Syncs the engine accepted that the servo did not use, by reason ('offset outlier', 'offset spike'…). */
  readonly servoRejected: Record<string, number>;
  readonly followUpsLost: number;
  readonly timeToLockS: number | undefined;
  readonly offsetAfterLock: { readonly count: number; readonly rmsNs: number; readonly maxAbsNs: number; readonly meanNs: number } | undefined;
  readonly linkDelay: { readonly count: number; readonly meanNs: number; readonly stdNs: number; readonly minNs: number; readonly maxNs: number } | undefined;
  readonly neighborRateRatioPpm: number | undefined;
  readonly rateRatioPpm: number | undefined;
  /** One line per port that sent Pdelay_Req: the station's own as its engine measured it, others passively from the capture. */
  readonly peerDelays: readonly string[];
  /** Announce/Sync/Follow_Up refused by acceptable_grandmasters / acceptable_masters: why → frames. */
  readonly notAcceptable: Readonly<Record<string, number>>;
  readonly timeline: readonly TimelineEntry[];
  readonly hints: readonly string[];
}

export class ReplaySummary {
  private offsets = new RunningStats();
  private readonly delays = new RunningStats();
  private readonly grandmasters = new Set<string>();
  private readonly masters = new Set<string>();
  /** The last Sync source seen, to format each source once rather than per Sync. */
  private lastMaster: ReplaySyncRecord['sourcePortIdentity'] | undefined;
  private readonly timeline: TimelineEntry[] = [];
  private readonly decodeErrors: { frame: number; error: DecodeError }[] = [];
  private firstSyncTime: bigint | undefined;
  private lockTime: bigint | undefined;
  private syncs = 0;
  private readonly servoRejections: Record<string, number> = {};
  private lastNeighborRateRatio: number | undefined;
  private lastRateRatio: number | undefined;
  private readonly refused = new Map<string, number>();

  /**
   * Locked: servo in s2 with |offset| below LOCK_THRESHOLD_NS, for good. Every Sync that is not
   * restarts the after-lock statistics, so they cover the final locked stretch only.
   */
  servoRejected(reason: string): void {
    this.servoRejections[reason] = (this.servoRejections[reason] ?? 0) + 1;
  }

  sync(r: ReplaySyncRecord): void {
    this.syncs += 1;
    const src = r.sourcePortIdentity;
    const last = this.lastMaster;
    const same = last !== undefined && last.clockIdentity === src.clockIdentity && last.portNumber === src.portNumber;
    if (!same && this.masters.size < TIMELINE_LIMIT) {
      this.lastMaster = src;
      this.masters.add(formatPortIdentity(src));
    }
    this.firstSyncTime ??= r.captureTime;
    this.lastNeighborRateRatio = r.neighborRateRatio;
    this.lastRateRatio = r.rateRatio;
    if (r.servoState === 's2' && Math.abs(r.offsetFromMaster) < LOCK_THRESHOLD_NS) {
      this.lockTime ??= r.captureTime;
      this.offsets.push(r.offsetFromMaster);
    } else {
      this.lockTime = undefined;
      this.offsets = new RunningStats();
    }
  }

  engineEvent(e: EngineEvent, at: bigint): void {
    switch (e.type) {
      case 'pdelayMeasured':
        this.delays.push(e.measurement.propTime);
        return;
      case 'grandmasterChanged':
        if (e.current !== undefined) this.grandmasters.add(formatClockIdentity(e.current));
        this.note(
          at,
          `grandmaster ${e.previous === undefined ? 'none' : formatClockIdentity(e.previous)} → ${e.current === undefined ? 'none' : formatClockIdentity(e.current)}`,
        );
        return;
      case 'portStateChanged':
        this.note(at, `port ${e.from} → ${e.to}: ${e.reason}`);
        return;
      case 'asCapableChanged':
        this.note(at, `asCapable ${e.asCapable}: ${e.reason}`);
        return;
      case 'syncReceiptTimeout':
      case 'announceReceiptTimeout':
        this.note(at, e.type);
        return;
      case 'notAcceptable': {
        const n = this.refused.get(e.refusal.why);
        if (n === undefined) {
          this.note(at, `refused: ${e.refusal.why}`);
          // Bounded like the timeline: forged frames could name endless identities.
          if (this.refused.size >= TIMELINE_LIMIT) return;
        }
        this.refused.set(e.refusal.why, (n ?? 0) + 1);
        return;
      }
      default:
        return;
    }
  }

  statusEvent(e: StatusEvent): void {
    this.note(e.atLocal, `status ${e.from} → ${e.to}: ${e.reason}`);
  }

  decodeError(frame: number, error: DecodeError): void {
    if (this.decodeErrors.length < DECODE_ERROR_EXAMPLES) this.decodeErrors.push({ frame, error });
  }

  finish(session: ReplaySession, stationHow: string): ReplaySummaryData {
    const stats = session.slave.engine.statistics();
    const ppm = (r: number | undefined): number | undefined => (r === undefined ? undefined : (r - 1) * 1e6);
    return {
      station: stationHow,
      counts: { ...session.counts },
      received: stats.received,
      sent: stats.sent,
      rejected: stats.rejected,
      decodeErrors: this.decodeErrors,
      grandmasters: [...this.grandmasters].sort(),
      masters: [...this.masters].sort(),
      syncs: this.syncs,
      servoRejected: { ...this.servoRejections },
      followUpsLost: stats.followUpsLost,
      timeToLockS: this.lockTime === undefined || this.firstSyncTime === undefined ? undefined : Number(this.lockTime - this.firstSyncTime) / 1e9,
      offsetAfterLock:
        this.offsets.count === 0 ? undefined : { count: this.offsets.count, rmsNs: this.offsets.rms, maxAbsNs: this.offsets.maxAbs, meanNs: this.offsets.mean },
      linkDelay:
        this.delays.count === 0
          ? undefined
          : { count: this.delays.count, meanNs: this.delays.mean, stdNs: this.delays.std, minNs: this.delays.min, maxNs: this.delays.max },
      neighborRateRatioPpm: ppm(this.lastNeighborRateRatio),
      rateRatioPpm: ppm(this.lastRateRatio),
      peerDelays: session.peerDelays().map(describePeerDelay),
      notAcceptable: Object.fromEntries([...this.refused].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      timeline: this.timeline,
      hints: hints(session, this.syncs, stats.received, stats.rejected),
    };
  }

  private note(time: bigint, what: string): void {
    if (this.timeline.length < TIMELINE_LIMIT) this.timeline.push({ time, what });
  }
}

/** What a person should look at when a capture gave no or few answers. */
function hints(session: ReplaySession, syncs: number, received: Record<string, number>, rejected: Record<string, number>): string[] {
  const out: string[] = [];
  const gotSync = (received['Sync'] ?? 0) > 0;
  if (gotSync && syncs === 0 && (received['Announce'] ?? 0) === 0 && session.options.profile === 'gptp') {
    out.push('Syncs but no Announce: the master looks statically configured; replay with --profile automotive');
  }
  if ((rejected['notAsCapable'] ?? 0) > 0) {
    out.push(`${rejected['notAsCapable']} Sync/Announce arrived while the port was not asCapable: ${session.slave.engine.asCapable.reason}`);
  }
  if (session.options.station === undefined)
    out.push('no station of its own in the capture (no Pdelay_Req without Sync): replayed as a listener at the capture point, link delay 0');
  if (session.counts.decodeErrors > 0) out.push(`${session.counts.decodeErrors} PTP frames did not decode (see decodeErrors)`);
  return out;
}

export function describePeerDelay(d: PassiveLinkDelay): string {
  const delay = d.meanLinkDelay === undefined ? 'no complete exchange' : `meanLinkDelay ${d.meanLinkDelay.toFixed(1)} ns`;
  const responder = d.responder === undefined ? '' : ` ↔ ${formatPortIdentity(d.responder)}`;
  return `${formatPortIdentity(d.requester)}${responder}: ${d.exchanges} exchanges${lateAnswersNote(d.lateAnswers)}, ${delay}, neighborRateRatio ${d.neighborRateRatio.toFixed(9)}`;
}
