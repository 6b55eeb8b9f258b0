/**
 * The filter between each Pdelay exchange's propTime and meanLinkDelay (802.1AS-2020 11.2.19.3.4
 * computes propTime per exchange; how it is smoothed is the implementation's, as linuxptp's
 * delay_filter): a moving median of the last `length` exchanges, which ignores a minority of
 * software-timestamp spikes, and a hold on jumps, for the majority it cannot ignore.
 *
 * A path that stalls for seconds (a loaded host, a userland relay) spoils more than half of the
 * window, and the median jumps by the stall, hundreds of µs, although the link did not change: the
 * Syncs after the stall arrive on time, and every offset is then wrong by the jump. Measured in the
 * lab: four such runs in twenty, where both Syntonic and ptp4l moved their clocks by 0.3–1.2 ms. A
 * point-to-point link's delay does not move by more than the window's own spread without a link
 * event (which clears the filter), so a median that leaves its reference by more than
 * max(jumpFloorNs, JUMP_MADS × the spread the window had there) is held until it has stayed at a new
 * level (within the same bound) for `holdExchanges` exchanges; one that comes back is taken as before. A window
 * shorter than three (delay_filter_length 1 or 2: no filtering asked for) is never held.
 *
 * Two references, because a stall comes in two shapes. An abrupt one moves the median in one
 * exchange: judged against the last accepted value. A backlog that builds up over seconds moves it
 * in steps each smaller than the threshold, while the late exchanges entering the window widen its
 * spread (lab: 2.1 → 3.4 ms over twelve exchanges, every step 120–280 µs): judged also against the
 * slow reference, the median of the values accepted over the last `holdExchanges` exchanges and of
 * the spreads they had, which half a window of late exchanges cannot move.
 *
 * A jump that persists is believed only if the Syncs agree (syncPathWitness.ts): a link that got
 * longer delays them too (802.1AS-2020 8.3 takes a link's two directions as equal), a queue on the
 * Pdelay exchanges does not. When the Syncs' own path, over the same window of exchanges, moved less
 * than half the jump — and they can tell, their uncertainty below a quarter of it — the jump stays
 * held until they move with it or the median comes back (Syncs that later cannot tell keep it held). Lab, relay-asymmetry: one direction of a relay queued for half a
 * minute, the median read 0.42 ms longer for 30 exchanges while the Syncs kept their time, and
 * believing it put the clock 0.37 ms off.
 */
import { formatDelayNs } from './format.js';
import type { TimestampingMode } from './portConfig.js';
import { SyncPathWitness, type SyncPathMark, type SyncPathMove } from './syncPathWitness.js';
import { MovingMedian } from './windowedMedian.js';

/**
 * The window, in Pdelay exchanges, when delay_filter_length is not configured. Hardware timestamps: linuxptp's 10.
 * Software ones: 60, a minute at the default Pdelay interval, because their propTime wanders with the
 * host over tens of seconds (t2 − t1 includes the requester's own kernel work after its TX timestamp,
 * docs/native.md) and a median of 10 hands that wander to every offset the servo sees. Measured on one
 * path with one timestamp per Sync for Syntonic and ptp4l (docs/accuracy.md, session 16): the true
 * error's std fell from 79–445 ns to 49–159 ns. A link's delay does not change without a link event,
 * which clears the window, so the longer window costs nothing at the start (it fills from one exchange).
 */
export const DEFAULT_LINK_DELAY_FILTER_LENGTH: Readonly<Record<TimestampingMode, number>> = Object.freeze({ hardware: 10, software: 60 });

export interface PropagationDelayFilterOptions {
  /** Exchanges in the median (linuxptp's delay_filter_length). */
  readonly length: number;
  /** The smallest jump that is held, ns. Default 10 µs: far beyond any veth or PHC link's wander. */
  readonly jumpFloorNs?: number;
  /** Exchanges a jumped median must stay at its new level before it is believed. Default 30. */
  readonly holdExchanges?: number;
  /** The Syncs' reading of their path, one per exchange: a persisting jump they contradict stays held. */
  readonly witness?: SyncPathWitness;
}

export interface PropagationDelayHold {
  /** Exchanges the jump has been held for so far (1 on the first). */
  readonly exchanges: number;
  /** The median that is held off, ns. */
  readonly medianNs: number;
  /** The value it jumped away from (the last accepted one, or the slow reference), ns. */
  readonly referenceNs: number;
  /** The jump it exceeds, ns. */
  readonly thresholdNs: number;
  /** Exchanges after which the jumped median is believed. */
  readonly limit: number;
  /**
   * Present once the jump persisted for `limit` exchanges but the Syncs' own path moved less than half
   * of it: how far they moved when they last could tell, and its 1 σ (ns); `first` on the exchange
   * this was first found.
   */
  readonly syncPath?: SyncPathMove & { readonly first: boolean };
}

/** The daemon's words for a jump the filter holds (on its first exchange). */
export function heldJumpText(hold: PropagationDelayHold, meanLinkDelayNs: number): string {
  return (
    `link delay median ${formatDelayNs(hold.medianNs)} jumped beyond ${formatDelayNs(hold.thresholdNs)} from ${formatDelayNs(hold.referenceNs)}, ` +
    `meanLinkDelay held at ${formatDelayNs(meanLinkDelayNs)} unless the jump persists for ${hold.limit} exchanges and the Syncs' own path moves with it ` +
    '(a stalled path rather than the link)'
  );
}

/** The daemon's words for a jump that persisted but stays held because the Syncs' own path did not move with it. */
export function syncPathHoldText(hold: PropagationDelayHold, syncPath: SyncPathMove, meanLinkDelayNs: number): string {
  const apart = hold.medianNs - meanLinkDelayNs;
  return (
    `link delay median ${formatDelayNs(hold.medianNs)} has stayed ${formatDelayNs(Math.abs(apart))} ${apart >= 0 ? 'above' : 'below'} ` +
    `meanLinkDelay ${formatDelayNs(meanLinkDelayNs)} for ${hold.limit} exchanges while the Syncs' own path moved ${syncPath.moveNs >= 0 ? '+' : '−'}${formatDelayNs(Math.abs(syncPath.moveNs))} ` +
    `(± ${formatDelayNs(syncPath.sigmaNs)}): held as long as the Syncs say the link is unchanged (a queue on the Pdelay exchanges, not the link)`
  );
}

/** A jump is beyond this many median absolute deviations of the window as it was before the jump. */
export const JUMP_MADS = 8;
export const DEFAULT_JUMP_FLOOR_NS = 10_000;
export const DEFAULT_HOLD_EXCHANGES = 30;
/**
 * The exchanges a witness must keep for a filter of `length`: the window before a hold and the hold
 * itself, twice over (a level that moves starts its count again).
 */
export function witnessHistory(length: number, holdExchanges = DEFAULT_HOLD_EXCHANGES): number {
  return 2 * (length + holdExchanges);
}

/** Windows shorter than this are never held. */
const MIN_LENGTH_FOR_HOLD = 3;

/** A value the median is judged against, and the jump that value allows. */
interface Reference {
  readonly valueNs: number;
  readonly thresholdNs: number;
}

export class PropagationDelayFilter {
  private readonly window: MovingMedian;
  private readonly jumpFloorNs: number;
  private readonly holdExchanges: number;
  /** A window of one or two has no spread to judge a jump by: it is passed through as configured. */
  private readonly judgesJumps: boolean;
  private accepted: number | undefined;
  /** The window's MAD when the accepted value was taken, ns. */
  private acceptedSpreadNs = 0;
  /** The window's MAD after the last push, ns: computed once per exchange (it sorts a copy). */
  private windowSpreadNs = NaN;
  /** The slow reference: the accepted values of the last holdExchanges exchanges, and their windows' MADs. */
  private readonly acceptedHistory: MovingMedian;
  private readonly spreadHistory: MovingMedian;
  private heldFor = 0;
  /** What the held median jumped away from. */
  private heldFrom: Reference | undefined;
  /** The level the held medians have stayed at, and for how many exchanges. */
  private heldLevel: { readonly valueNs: number; readonly exchanges: number } | undefined;
  /** Where the witness stood at the last accepted value, and the Syncs' path over that window once asked for. */
  private acceptedAt: number | undefined;
  private acceptedMark: SyncPathMark | undefined;
  /** The Syncs' last move against this hold's jump, and the held exchange (heldFor) they first gave one. */
  private contradiction: { readonly move: SyncPathMove; readonly firstAt: number } | undefined;

  constructor(private readonly options: PropagationDelayFilterOptions) {
    this.window = new MovingMedian(options.length);
    this.jumpFloorNs = options.jumpFloorNs ?? DEFAULT_JUMP_FLOOR_NS;
    this.holdExchanges = options.holdExchanges ?? DEFAULT_HOLD_EXCHANGES;
    this.judgesJumps = options.length >= MIN_LENGTH_FOR_HOLD;
    this.acceptedHistory = new MovingMedian(Math.max(1, this.holdExchanges));
    this.spreadHistory = new MovingMedian(Math.max(1, this.holdExchanges));
  }

  /** Takes one exchange's propTime (ns) and returns meanLinkDelay (ns). */
  push(propTimeNs: number): number {
    const candidate = this.window.push(propTimeNs);
    this.windowSpreadNs = this.window.mad();
    const filling = this.window.size < this.options.length;
    const jumpedFrom = !this.judgesJumps || this.accepted === undefined || filling ? undefined : this.jumpedFrom(candidate);
    if (jumpedFrom === undefined) return this.accept(candidate);
    this.heldFor += 1;
    this.heldFrom = jumpedFrom;
    // Only a new level persists: a backlog that keeps climbing is no link delay however long it lasts.
    const level = this.heldLevel;
    if (level === undefined || Math.abs(candidate - level.valueNs) > jumpedFrom.thresholdNs) this.heldLevel = { valueNs: candidate, exchanges: 1 };
    else this.heldLevel = { valueNs: level.valueNs, exchanges: level.exchanges + 1 };
    if (this.heldLevel.exchanges < this.holdExchanges) return this.heldValue();
    const verdict = this.syncsVerdict(candidate - jumpedFrom.valueNs);
    if (verdict !== 'agree' && verdict !== 'unknown') this.contradiction = { move: verdict, firstAt: this.contradiction?.firstAt ?? this.heldFor };
    // Once they contradicted it, Syncs that can no longer tell are no evidence for the jump: the
    // stall itself widens the rate ratio's σ they are judged with (lab, relay-pdelay-stall: ± 41 µs
    // when found, beyond a quarter of 426 µs nine exchanges later, and the jump was believed).
    if (verdict !== 'agree' && this.contradiction !== undefined) return this.heldValue();
    // The jump persisted: the link did change, and the old values are no reference for the new ones.
    this.acceptedHistory.clear();
    this.spreadHistory.clear();
    return this.accept(candidate);
  }

  /** While a jump is held: for how many exchanges, the median that is held off, its reference and the threshold it exceeds (ns). */
  get hold(): PropagationDelayHold | undefined {
    const from = this.heldFrom;
    if (this.heldFor === 0 || from === undefined) return undefined;
    const held = {
      exchanges: this.heldFor,
      medianNs: this.window.median(),
      referenceNs: from.valueNs,
      thresholdNs: from.thresholdNs,
      limit: this.holdExchanges,
    };
    const c = this.contradiction;
    return c === undefined ? held : { ...held, syncPath: { ...c.move, first: c.firstAt === this.heldFor } };
  }

  /** Exchanges in the window. */
  get size(): number {
    return this.window.size;
  }

  /** The median of the exchanges in the window (not held), ns (NaN when empty). */
  get windowMedianNs(): number {
    return this.window.median();
  }

  /** The spread of the exchanges in the window after the last push: their median absolute deviation, ns (NaN when empty). */
  get spreadNs(): number {
    return this.windowSpreadNs;
  }

  /** The threshold a jump from the last accepted value must exceed now, ns. */
  get jumpThresholdNs(): number {
    return this.threshold(this.acceptedSpreadNs);
  }

  clear(): void {
    this.window.clear();
    this.acceptedHistory.clear();
    this.spreadHistory.clear();
    this.accepted = undefined;
    this.acceptedSpreadNs = 0;
    this.windowSpreadNs = NaN;
    this.heldFor = 0;
    this.heldFrom = undefined;
    this.heldLevel = undefined;
    this.acceptedAt = undefined;
    this.acceptedMark = undefined;
    this.contradiction = undefined;
  }

  /**
   * What meanLinkDelay holds while a jump is held: the slow reference. As the stalled exchanges near
   * half of the window, the median walks up the upper tail of the others before it jumps, in steps
   * below the threshold that were accepted (simulated one-way stall of 0.85 ms on recorded veth
   * noise: +4.3 and +4.3 µs in the last two exchanges, which the clock carried as 8.2 µs off for as
   * long as the stall was held).
   */
  private heldValue(): number {
    return this.acceptedHistory.median();
  }

  /**
   * What the Syncs say of a jump of `jumpNs` over the same window of exchanges: their move when it
   * contradicts the jump (less than half of it, known to a quarter of it), 'agree' when they moved
   * with it, 'unknown' when they cannot tell.
   */
  private syncsVerdict(jumpNs: number): SyncPathMove | 'agree' | 'unknown' {
    const witness = this.options.witness;
    if (witness !== undefined && this.acceptedAt !== undefined) this.acceptedMark ??= witness.mark(this.options.length, this.acceptedAt);
    const before = this.acceptedMark;
    const now = witness?.mark(this.options.length);
    const move = before === undefined || now === undefined ? undefined : SyncPathWitness.moved(before, now);
    if (move === undefined || move.sigmaNs > Math.abs(jumpNs) / 4) return 'unknown';
    return move.moveNs * Math.sign(jumpNs) < Math.abs(jumpNs) / 2 ? move : 'agree';
  }

  /** The reference the candidate jumped away from: the last accepted value first, then the slow one. */
  private jumpedFrom(candidate: number): Reference | undefined {
    const last = { valueNs: this.accepted as number, thresholdNs: this.jumpThresholdNs };
    const slow = { valueNs: this.acceptedHistory.median(), thresholdNs: this.threshold(this.spreadHistory.median()) };
    return [last, slow].find((r) => Math.abs(candidate - r.valueNs) > r.thresholdNs);
  }

  private threshold(spreadNs: number): number {
    return Math.max(this.jumpFloorNs, JUMP_MADS * spreadNs);
  }

  private accept(value: number): number {
    this.accepted = value;
    this.acceptedSpreadNs = this.windowSpreadNs;
    this.acceptedHistory.push(value);
    this.spreadHistory.push(this.acceptedSpreadNs);
    this.heldFor = 0;
    this.heldFrom = undefined;
    this.heldLevel = undefined;
    this.contradiction = undefined;
    this.acceptedAt = this.options.witness?.closedExchanges;
    this.acceptedMark = undefined;
    return value;
  }
}
