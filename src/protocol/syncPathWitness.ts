/**
 * The Syncs' own reading of their path, one level per Pdelay exchange, by which a jump of the link
 * delay's median is judged (propagationDelayFilter.ts).
 *
 * meanLinkDelay is the mean of both directions (802.1AS-2020 11.2.19.3.4); the Syncs cross only the
 * one towards this station. A link that got longer by Δ (both ways, as the standard's model has it:
 * 8.3) delays the Syncs by Δ too, while a path that queues the Pdelay exchanges — a loaded host, a
 * userland relay late in one direction for half a minute (lab, relay-asymmetry: the median 0.42 ms
 * longer for 30 s while the Syncs kept their time, then believed, and the clock went 0.37 ms off) —
 * leaves the Syncs where they were. Each Sync reads its path as ingress − (preciseOriginTimestamp +
 * correctionField): the path plus the offset between the two clocks, which moves at 1 − rateRatio
 * (10.2.8.1.4) and is taken out along the rate ratio of each Sync. What is left is the path's level,
 * to within the rate ratio's error over the time between two readings. Another grandmaster or a new
 * gmTimeBaseIndicator starts the readings over; a grandmaster whose time moves without saying so
 * moves them by as much, and a jump held across such a move is judged with it in.
 */
import { elapsedNs, type LocalTime, type PtpTime } from '../clock/timePoint.js';
import type { ClockIdentity } from './messages.js';
import type { SyncReceipt } from './syncReceipt.js';
import { MAD_TO_SIGMA, median, medianAbsoluteDeviation, medianInPlace } from './windowedMedian.js';

/** The Syncs' path over some exchanges: its level, when, and how well it and the drift between two marks are known. */
export interface SyncPathMark {
  /** The median level, ns, on this witness's own base. */
  readonly levelNs: number;
  /** The mean local time of the readings, s since the base. */
  readonly atS: number;
  /** 1 σ of the median level, ns. */
  readonly sigmaNs: number;
  /** 1 σ of the rate ratio the drift was taken out with (dimensionless), and the span it was measured over, s. */
  readonly rateSigma: number;
  readonly rateSpanS: number;
  /** Marks of different bases (another grandmaster, another time base) cannot be compared. */
  readonly base: number;
}

/** How far the Syncs' path moved from one mark to a later one, ns, and its 1 σ. */
export interface SyncPathMove {
  readonly moveNs: number;
  readonly sigmaNs: number;
}

/** A median's efficiency against gaussian noise: its σ is √(π/2) that of a mean of as many values. */
const MEDIAN_SIGMA_FACTOR = Math.sqrt(Math.PI / 2);

/** The link delay a receipt's gmTime holds, ns (10.2.8.1.2: meanLinkDelay × the upstream rate ratio). */
function linkDelayIn(r: SyncReceipt): number {
  return r.meanLinkDelay * (r.rateRatio / r.neighborRateRatio);
}

/** Twice the room, the values kept. */
function grown(a: Float64Array): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

/** One exchange's reading: the median of the Syncs since the exchange before. */
interface Entry {
  readonly levelNs: number;
  readonly atS: number;
  readonly rateSigma: number | undefined;
  readonly rateSpanS: number | undefined;
}

interface Base {
  readonly id: number;
  /** The first Sync's ingress and grandmaster time, and the link delay its grandmaster time held. */
  readonly ingress: LocalTime;
  readonly gmTime: PtpTime;
  readonly delayNs: number;
  readonly grandmaster: ClockIdentity | undefined;
  readonly timeBaseIndicator: number;
}

export class SyncPathWitness {
  private base: Base | undefined;
  private bases = 0;
  /** The last Sync's ingress, ns since the base's. */
  private lastSinceBaseNs = 0;
  /** Σ (1 − rateRatio) × elapsed since the base: how far the clocks' offset alone moved the readings, ns. */
  private driftNs = 0;
  /** The readings since the last exchange, group[0, groupSize): a buffer reused for every exchange. */
  private group: Float64Array<ArrayBuffer> = new Float64Array(16);
  private groupSize = 0;
  private groupTimeSumS = 0;
  private groupRateSigma: number | undefined;
  private groupRateSpanS: number | undefined;
  /** The last `history` exchanges' readings; entries[i] is exchange closed − entries.length + i. */
  private readonly entries: (Entry | undefined)[] = [];
  private closed = 0;

  /** @param history the exchanges kept: a mark may end this far back, less its own span */
  constructor(private readonly history: number) {}

  /** Exchanges closed so far: where a mark taken later may end (mark's `endingAt`). */
  get closedExchanges(): number {
    return this.closed;
  }

  /** Takes one accepted Sync. */
  sync(r: SyncReceipt): void {
    const base = this.baseFor(r);
    // Each clock against its own first reading: two differences a number holds (for 104 days).
    const sinceBaseNs = elapsedNs(base.ingress, r.ingressTime);
    this.driftNs += (1 - r.rateRatio) * (sinceBaseNs - this.lastSinceBaseNs);
    this.lastSinceBaseNs = sinceBaseNs;
    // gmTime already holds meanLinkDelay (10.2.8.1.2): taken out, the reading is the path's own.
    const delayNs = linkDelayIn(r);
    const reading = sinceBaseNs - elapsedNs(base.gmTime, r.gmTime) - r.gmTimeFractionNs + (delayNs - base.delayNs);
    if (this.groupSize === this.group.length) this.group = grown(this.group);
    this.group[this.groupSize++] = reading - this.driftNs;
    this.groupTimeSumS += sinceBaseNs / 1e9;
    this.groupRateSigma = r.rateRatioSigma;
    this.groupRateSpanS = r.rateRatioSpanS;
  }

  /** Closes the readings of one Pdelay exchange: the Syncs since the one before (none: no reading). */
  closeExchange(): void {
    const n = this.groupSize;
    this.entries.push(
      n === 0
        ? undefined
        : { levelNs: medianInPlace(this.group, n), atS: this.groupTimeSumS / n, rateSigma: this.groupRateSigma, rateSpanS: this.groupRateSpanS },
    );
    this.closed += 1;
    if (this.entries.length > this.history) this.entries.shift();
    this.groupSize = 0;
    this.groupTimeSumS = 0;
  }

  /**
   * The Syncs' path over the `exchanges` exchanges before `endingAt` (a closedExchanges count; now
   * unless given); undefined when fewer than half of them had Syncs still kept, or no rate ratio's σ
   * is known. Sorts the window: taken when a jump is judged, not on every exchange.
   */
  mark(exchanges: number, endingAt = this.closed): SyncPathMark | undefined {
    const first = this.closed - this.entries.length;
    const from = Math.max(0, endingAt - exchanges - first);
    const present = this.entries.slice(from, Math.max(0, endingAt - first)).filter((e): e is Entry => e !== undefined);
    const sigmas = present.flatMap((e) => (e.rateSigma === undefined ? [] : [e.rateSigma]));
    const spans = present.flatMap((e) => (e.rateSpanS === undefined ? [] : [e.rateSpanS]));
    if (this.base === undefined || present.length < Math.max(3, exchanges / 2) || sigmas.length === 0 || spans.length === 0) return undefined;
    const levels = present.map((e) => e.levelNs);
    const levelNs = median(levels);
    return {
      levelNs,
      atS: present.reduce((s, e) => s + e.atS, 0) / present.length,
      sigmaNs: (MEDIAN_SIGMA_FACTOR * MAD_TO_SIGMA * medianAbsoluteDeviation(levels, levelNs)) / Math.sqrt(present.length),
      rateSigma: median(sigmas),
      rateSpanS: median(spans),
      base: this.base.id,
    };
  }

  /**
   * The move from one mark to a later one. The rate ratio's error drifts the readings between them;
   * successive ratios share their exchanges over one span, so the error counts once per span:
   * σ(drift) = σ(ratio) × √(elapsed × span).
   */
  static moved(from: SyncPathMark, to: SyncPathMark): SyncPathMove | undefined {
    if (from.base !== to.base) return undefined;
    const elapsedS = Math.abs(to.atS - from.atS);
    const driftSigmaNs = Math.max(from.rateSigma, to.rateSigma) * 1e9 * Math.sqrt(elapsedS * Math.max(from.rateSpanS, to.rateSpanS));
    return { moveNs: to.levelNs - from.levelNs, sigmaNs: Math.hypot(driftSigmaNs, from.sigmaNs, to.sigmaNs) };
  }

  /** Forgets every reading: a new neighbour (another link), another grandmaster or time base. */
  clear(): void {
    this.base = undefined;
    this.lastSinceBaseNs = 0;
    this.driftNs = 0;
    this.groupSize = 0;
    this.groupTimeSumS = 0;
    this.entries.length = 0;
  }

  /** Another grandmaster, or a new time base of the same one, starts the readings over: their times are not comparable. */
  private baseFor(r: SyncReceipt): Base {
    const b = this.base;
    if (b !== undefined && b.grandmaster === r.grandmasterIdentity && b.timeBaseIndicator === r.gmTimeBaseIndicator) return b;
    this.clear();
    this.bases += 1;
    const base = {
      id: this.bases,
      ingress: r.ingressTime,
      gmTime: r.gmTime,
      delayNs: linkDelayIn(r),
      grandmaster: r.grandmasterIdentity,
      timeBaseIndicator: r.gmTimeBaseIndicator,
    };
    this.base = base;
    return base;
  }
}
