/**
 * The Pdelay exchanges neighborRateRatio is measured over. 802.1AS-2020 11.2.19.3.3
 * (computePdelayRateRatio) takes the ratio of the responder's and this station's elapsed time between
 * exchanges, (t3c_N − t3c_0) / (t4_N − t4_0); which exchanges, and how many, is left to the
 * implementation. Here: the last `length` + 1 exchanges whose answer was not late.
 *
 * A ratio is only as good as its two ends. An answer that reached this port late (the responder's
 * kernel slow between its TX stamp t3 and the hand-over, this host's slow before its RX stamp t4)
 * puts every ratio it ends low by lateness / span and every ratio it starts high by the same, one span
 * later: two errors of opposite sign, each of which a servo fusing every ratio takes as the frequency
 * for a span. The same lateness lengthens that exchange's propTime by half of it, so an exchange whose
 * propTime lies far above the window's median is kept out of the ratio's ends. Measured under
 * stress-ng on veth (four runs, 480 exchanges; docs/servo.md, "Outlier rejection"): 2 to 3 exchanges
 * per run late by this rule; the ratios with such an end were 56–1449 ppb off (rms per run), the
 * others 19–32 ppb, and 9 of the 13 ratios beyond 80 ppb had one. A path that lengthens for good is
 * late by this rule until the window's median follows it (half a window: 30 s with software
 * timestamps); the ratio keeps its last value meanwhile, and the offsets carry any change of rate.
 */
import type { LocalTime } from '../clock/timePoint.js';
import { formatDelayNs } from './format.js';
import { scaledNsToNs } from './timestamp.js';

/** Oscillators are within ±100 ppm (802.1AS-2020 B.1.1), so two neighbours differ by < 200 ppm; a ratio
 * beyond ±1000 ppm (fractional 1e-3) can only come from a broken timestamp. */
const MAX_RATE_OFFSET = 1e-3;

/** An answer is late beyond this many σ of the window's propTime above its median (σ from the MAD). */
export const LATE_ANSWER_SIGMAS = 3;
/**
 * And beyond this many ns, whatever the σ: hardware timestamps can leave a window's MAD at 0, and an
 * end late by less moves a ratio over the default 8 s span by under 13 ppb.
 */
export const LATE_ANSWER_FLOOR_NS = 100;
/** A window of fewer exchanges has no median or spread to judge lateness by: every answer is taken. */
export const LATE_ANSWER_MIN_EXCHANGES = 8;

/** What a late answer means, in the words the daemon's log, `syntonic status` and `syntonic replay` use. */
export const LATE_ANSWER_MEANING = 'no rate-ratio end';

/** "(2 answered late: no rate-ratio end)" after a count of exchanges; nothing when none was late. */
export function lateAnswersNote(late: number): string {
  return late === 0 ? '' : ` (${late} answered late: ${LATE_ANSWER_MEANING})`;
}

/**
 * The oldest ends of a ratio, taken before the window could judge them, that it found late once it
 * could (LATE_START_MIN_EXCHANGES): left out, the ratio is measured from the next end.
 */
export interface LateRateStart {
  /** Their propTimes, oldest first, ns. */
  readonly propTimesNs: readonly number[];
  /** The median of the window that judged them, ns, and the exchanges it held. */
  readonly medianNs: number;
  readonly exchanges: number;
}

/** The daemon's words for it: what left neighborRateRatio's start, and against what. */
export function lateRateStartText(l: LateRateStart): string {
  const n = l.propTimesNs.length;
  const answers = n === 1 ? 'the answer to its first exchange' : `the answers to its first ${n} exchanges`;
  return (
    `neighborRateRatio is measured from a later exchange: ${answers} came late ` +
    `(propTime ${l.propTimesNs.map(formatDelayNs).join(', ')} against a median of ${formatDelayNs(l.medianNs)} over ${l.exchanges} exchanges)`
  );
}

/** The daemon's words for a move of the neighbour's time (timescaleJumpNs). */
export function timescaleJumpText(movedNs: number): string {
  return (
    `the neighbour's time moved ${movedNs > 0 ? '+' : '−'}${formatDelayNs(Math.abs(movedNs))} against ours between two Pdelay exchanges ` +
    `(a restart or a clock step): neighborRateRatio is measured again from this exchange, the last ratio kept meanwhile`
  );
}

/** The propTime window an exchange is judged against: before that exchange joins it. */
export interface PropTimeWindow {
  readonly size: number;
  readonly medianNs: number;
  /** 1 σ of its propTime (MAD × 1.4826), ns. */
  readonly sigmaNs: number;
}

/**
 * The ends taken before the window could judge them are judged again once it holds this many
 * exchanges, theirs and later ones among them: a median of three outvotes one late end. The first
 * exchange after a start is such an end, and starts every ratio of the first window: lab, session 31,
 * the first answer to a daemon just started came ~26 µs late (the median of the first two propTimes
 * 8.6 µs against ~2 µs after), the ratios it started read +9…+4 ppm with σ 0.4 ppm, and the servo
 * synchronized after 19 s.
 */
export const LATE_START_MIN_EXCHANGES = 3;

/** Whether a window of at least `minExchanges`, with a spread, judges lateness at all. */
function judges(window: PropTimeWindow, minExchanges: number): boolean {
  return window.size >= minExchanges && Number.isFinite(window.sigmaNs);
}

/** A propTime this far above the window's median: max(LATE_ANSWER_SIGMAS σ, LATE_ANSWER_FLOOR_NS). */
function farAbove(propTimeNs: number, window: PropTimeWindow): boolean {
  return propTimeNs - window.medianNs > Math.max(LATE_ANSWER_SIGMAS * window.sigmaNs, LATE_ANSWER_FLOOR_NS);
}

/** Whether an exchange's answer came late, judged as it joins (LATE_ANSWER_MIN_EXCHANGES). */
export function isLateAnswer(propTimeNs: number, window: PropTimeWindow): boolean {
  return canJudgeAnswer(window) && farAbove(propTimeNs, window);
}

/** Whether the window, as an exchange joins, can judge it at all (isLateAnswer). */
export function canJudgeAnswer(window: PropTimeWindow): boolean {
  return judges(window, LATE_ANSWER_MIN_EXCHANGES);
}

/** Whether an end taken unjudged came late, judged by a window that holds it and later exchanges (LATE_START_MIN_EXCHANGES). */
export function isLateStart(propTimeNs: number, window: PropTimeWindow): boolean {
  return judges(window, LATE_START_MIN_EXCHANGES) && farAbove(propTimeNs, window);
}

/**
 * The neighbour's time moved against this station's between two ends by more than this, ns, plus
 * TIMESCALE_JUMP_RATE of the time between them, beyond what the window's ratio explains: a restart
 * with its time moved, or a step of either clock. No rate does that (two oscillators within ±100 ppm
 * of nominal, 802.1AS-2020 B.1.1, and the window has measured theirs), and no timestamp is that late
 * (the lab's latest ends: 26 µs, its latest frames 130 µs). A window across the move gives ratios
 * off by move / span for a whole span: lab, a grandmaster restarted 3 ms ahead after ~2 s (session
 * 31's runs), +250 ppm with σ 53 ppb for 6 s.
 */
export const TIMESCALE_JUMP_FLOOR_NS = 500_000;
/** With TIMESCALE_JUMP_FLOOR_NS: the rate error a window's ratio may have and still judge a move (100 ppm). */
export const TIMESCALE_JUMP_RATE = 100e-6;

/** A ratio measured over the window: its value and the local time it spans, ns. */
export interface MeasuredRateRatio {
  readonly ratio: number;
  readonly spanNs: number;
}

/** An exchange as an end of the ratio: its propTime, and whether the window judged it as it joined. */
export interface RateRatioEnd {
  readonly propTimeNs: number;
  readonly judged: boolean;
}

const JUDGED: RateRatioEnd = { propTimeNs: 0, judged: true };

type End = { t3c: bigint; t4: LocalTime } & RateRatioEnd;

/** The responder's elapsed time over the local one from `first` to `last` (NaN when the local span is not positive). */
function spanRatio(first: End, last: End): number {
  const localSpan = Number(last.t4 - first.t4);
  return localSpan > 0 ? scaledNsToNs(last.t3c - first.t3c) / localSpan : NaN;
}

export class NeighborRateRatioWindow {
  /** (t3c scaled, t4) of the exchanges it spans, oldest first, with what was known of their lateness. */
  private readonly ends: End[] = [];

  /** `length`: exchanges per ratio (neighborRateRatioWindow). */
  constructor(private readonly length: number) {}

  /**
   * One more exchange (t3c in scaled ns of the responder, t4 local): the ratio over the window, or
   * undefined before two exchanges or when the pair is broken (a ratio beyond ±1000 ppm), which
   * starts the window again from this exchange: a broken end poisons every ratio it is part of.
   */
  push(t3c: bigint, t4: LocalTime, end: RateRatioEnd = JUDGED): MeasuredRateRatio | undefined {
    const ends = this.ends;
    ends.push({ t3c, t4, ...end });
    while (ends.length > this.length + 1) ends.shift();
    return this.ratio();
  }

  /**
   * Drops the oldest ends that joined unjudged and that `isLate` now finds late (LATE_START_MIN_EXCHANGES):
   * their propTimes, ns, oldest first, and the ratio over the ends left when any was (undefined with
   * fewer than two).
   */
  dropLateStart(isLate: (propTimeNs: number) => boolean): { droppedPropTimesNs: number[]; measured: MeasuredRateRatio | undefined } {
    const ends = this.ends;
    const droppedPropTimesNs: number[] = [];
    for (let first = ends[0]; first !== undefined && !first.judged && isLate(first.propTimeNs); first = ends[0]) {
      ends.shift();
      droppedPropTimesNs.push(first.propTimeNs);
    }
    return { droppedPropTimesNs, measured: droppedPropTimesNs.length === 0 ? undefined : this.ratio() };
  }

  /**
   * How far the neighbour's time moved against this station's from the newest end to (t3c, t4), ns,
   * beyond what the window's ratio explains, when that is a move (TIMESCALE_JUMP_FLOOR_NS); undefined
   * when not, or before the window has a ratio to judge by.
   */
  timescaleJumpNs(t3c: bigint, t4: LocalTime): number | undefined {
    const first = this.ends[0];
    const last = this.ends.at(-1);
    if (this.ends.length < 2 || first === undefined || last === undefined) return undefined;
    const localNs = Number(t4 - last.t4);
    const movedNs = scaledNsToNs(t3c - last.t3c) - localNs * spanRatio(first, last);
    return Math.abs(movedNs) > TIMESCALE_JUMP_FLOOR_NS + TIMESCALE_JUMP_RATE * Math.abs(localNs) ? movedNs : undefined;
  }

  /** The ratio from the oldest end to the newest; a broken pair starts the window again from the newest. */
  private ratio(): MeasuredRateRatio | undefined {
    const ends = this.ends;
    const first = ends[0];
    const last = ends.at(-1);
    if (ends.length < 2 || first === undefined || last === undefined) return undefined;
    const ratio = spanRatio(first, last);
    if (Number.isFinite(ratio) && Math.abs(ratio - 1) <= MAX_RATE_OFFSET) return { ratio, spanNs: Number(last.t4 - first.t4) };
    ends.splice(0, ends.length - 1);
    return undefined;
  }

  clear(): void {
    this.ends.length = 0;
  }
}
