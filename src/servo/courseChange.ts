/**
 * How far the offsets have moved the clock's course, for the error bound (servoErrorBound.ts): the
 * change a level the Kalman servo took stands for, or one it followed through its gain alone beyond
 * what its model allows. None of it steers the clock. The marks are the course after each Sync used
 * (phaseCourse.ts); a change of the Sync path's latency or of the grandmaster's time moves them where
 * the oscillator alone would not, and no slave can tell which of the two it was (802.1AS-2020 8.3).
 */
import { courseChangeNs, courseChangeSigmaNs, PhaseCourse, type CourseMark } from './phaseCourse.js';
import type { LatencyJoin } from './latencyJoin.js';

/**
 * The change a level stands for is measured from this many level windows before it is taken (the
 * filter follows a change's first part through its gain before the level test sees the rest) …
 */
const LEVEL_LOOKBACK_WINDOWS = 2;
/** … to this many level windows after it (the filter follows the rest of it through its gain). */
const LEVEL_FOLLOW_WINDOWS = 2;
/**
 * A change below the level test is followed through the filter's gain alone, over tens of seconds:
 * the course is watched over this span for it (beyondModel), s.
 */
const COURSE_SPAN_S = 64;
/**
 * With the latency state the filter hands a lasting change of the Sync path from L to θ as L returns
 * to its mean: the clock has followed it within this many of L's time constants, the span the course
 * is watched over then. Over 64 s the model's allowance (the frequency's σ and the oscillator's walk
 * over the span) hid a 2 µs change: 20 of 3840 replays with a change added short of 99.9 %, 1 over 20 s.
 */
const LATENCY_HANDOVER_TIME_CONSTANTS = 2;
/** A change of the course is one once beyond this many σ of what the servo's model allows. */
const COURSE_SIGMAS = 1;

/** The change at one Sync: the level taken, and how far the offsets moved the clock (undefined when by nothing beyond the model). */
export interface CourseChangeReport {
  readonly levelNs?: number;
  readonly phaseChangeNs?: number;
}

export class CourseChange {
  private course: PhaseCourse;
  /** A level's change still being followed: the course before it, and until when (the servo's elapsed s). */
  private levelChange: { readonly from: CourseMark; readonly untilS: number } | undefined;
  private levelWindow: number;
  private intervalS: number;

  /**
   * latency: when the Syncs' latency is a state (it sets the span watched, and how well the frequency
   * before its join was known). wanderPpbPerSqrtS: the oscillator's walk the servo's model assumes now.
   */
  constructor(
    private readonly latency: LatencyJoin,
    private readonly wanderPpbPerSqrtS: () => number,
    levelWindow: number,
    intervalS: number,
  ) {
    this.levelWindow = levelWindow;
    this.intervalS = intervalS;
    this.course = new PhaseCourse(courseLength(levelWindow, intervalS));
  }

  /** The level test's window (Syncs) and the Sync interval (s) changed: the course keeps COURSE_SPAN_S, and the level's lookback. */
  setWindow(levelWindow: number, intervalS: number): void {
    this.levelWindow = levelWindow;
    this.intervalS = intervalS;
    const marks = courseLength(levelWindow, intervalS);
    if (marks !== this.course.length) this.course = new PhaseCourse(marks);
  }

  /** A step, a believed run or a restart: the course before it no longer describes the clock (a step moves it outside the adjustments). */
  forget(): void {
    this.course.clear();
    this.levelChange = undefined;
  }

  /**
   * At a Sync used, with the course after it and the level the servo took at it (if any): the change a
   * level stands for, or one followed through the gain alone — the larger. Marks this Sync's course.
   */
  report(now: CourseMark, levelNs: number | undefined): CourseChangeReport {
    const level = this.levelChangeNs(levelNs, now);
    const followed = this.beyondModel(now);
    this.course.push(now);
    const changeNs = Math.abs(followed) > Math.abs(level ?? 0) ? followed : level;
    return { ...(levelNs === undefined ? {} : { levelNs }), ...(changeNs === undefined || changeNs === 0 ? {} : { phaseChangeNs: changeNs }) };
  }

  /**
   * The phase a level stands for: how far the offsets moved against the clock's course from before
   * the change began (LEVEL_LOOKBACK_WINDOWS) — the estimate's move, less what the clock was adjusted
   * by beyond the frequency believed then. A change of the Sync path comes through the noise: the
   * Syncs inside the gate are fused and steered out before the level test sees the rest, and the rest
   * of it after the level through the filter's gain, so the level is only what the filter still missed
   * at one instant (lab, a 2 µs step: a level of 1230 ns, 1621 ns over the level's window, 2707 ns from
   * before the change to two windows after the level; the clock carried 2.88 µs), while the clock
   * carries all of it. Reported at the level (never less than the level) and at every Sync for
   * LEVEL_FOLLOW_WINDOWS after it; a level within that time continues the same change. The course is
   * carried at whichever frequency, then or now, the servo knew better (betterKnownFrequencyPpb).
   */
  private levelChangeNs(levelNs: number | undefined, now: CourseMark): number | undefined {
    const following = this.levelChange !== undefined && now.atS <= this.levelChange.untilS ? this.levelChange : undefined;
    if (levelNs === undefined && following === undefined) {
      this.levelChange = undefined;
      return undefined;
    }
    const from = following?.from ?? this.course.back(LEVEL_LOOKBACK_WINDOWS * this.levelWindow - 1);
    if (from === undefined) return levelNs;
    if (levelNs !== undefined) this.levelChange = { from, untilS: now.atS + LEVEL_FOLLOW_WINDOWS * this.levelWindow * this.intervalS };
    const changeNs = courseChangeNs(from, now, this.betterKnownFrequencyPpb(from, now));
    return levelNs === undefined || Math.abs(changeNs) > Math.abs(levelNs) ? changeNs : levelNs;
  }

  /**
   * Of the two marks' frequencies, the one with the smaller σφ; on a tie the later, which has seen
   * more. A level in the first seconds reaches back to the start-up ratio's (σ ~2 ppm): measured at
   * that frequency a 1320 ns level at 9.8 s read "a change of 5922 ns" and the bound's median was
   * 16.6 µs for minutes (lab, session 30; 5.4 µs replayed this way). A mark from before L joined is
   * judged as the join judged it (LatencyJoin.joinFrequencySigmaPpb): its σ understated how far the
   * latency's wander had moved the frequency. Lab, sessions 29 and 30: levels at 8.9 and 10.0 s,
   * whose change is measured again at every Sync for 8 s after, past the join, kept the frequency of
   * 1–2 s (σ 7–14 ppb, 50–110 ppb from the one learned by then) and the bound's median at 8.5 and
   * 9.6 µs for minutes (5.7 and 6.2 µs judged so).
   */
  private betterKnownFrequencyPpb(from: CourseMark, now: CourseMark): number {
    const beforeJoin = this.latency.joinedAfter(from.atS);
    const fromSigmaPpb = beforeJoin ? Math.max(from.sigmaPhiPpb, this.latency.joinFrequencySigmaPpb(this.intervalS)) : from.sigmaPhiPpb;
    return fromSigmaPpb < now.sigmaPhiPpb ? from.phiPpb : now.phiPpb;
  }

  /**
   * A change the filter followed through its gain alone (below the level test: lab noise replayed with
   * a 0.4–2 µs Sync-path step or 20 s ramp added, 408 of 2592 replays kept the bound in < 99.9 % of
   * their samples without this): the course's move over the last COURSE_SPAN_S at the frequency
   * believed now, signed, once it is beyond COURSE_SIGMAS of what the servo's model allows (its
   * estimates' uncertainty and the oscillator's random walk); 0 within it. The whole move, not its
   * excess over the allowance: the move is the estimate of what the clock followed, and the excess
   * falls short of it by the allowance (400–500 ns on veth) exactly when the frequency estimate has
   * taken part of the change as a rate (lab noise with a change 35 s after synchronized: φ̂ −70 ppb
   * where the truth was 0, σ 4 ppb; 43 of 3840 replays short with the excess, 2 with the move). The
   * frequency now, not the one at the span's start: on software timestamps the estimate of the first
   * minute is off by more than its σ says (lab noise: −180 ppb against σ 28 ppb at 8 s, the latency's
   * slow wander read as a rate).
   */
  private beyondModel(now: CourseMark): number {
    const from = this.spanStart();
    if (from === undefined) return 0;
    const changeNs = courseChangeNs(from, now, now.phiPpb);
    const allowedNs = COURSE_SIGMAS * courseChangeSigmaNs(from, now, now.sigmaPhiPpb, this.wanderPpbPerSqrtS());
    return Math.abs(changeNs) > allowedNs ? changeNs : 0;
  }

  /** The course mark the change is measured from: COURSE_SPAN_S back, or two of L's time constants while L is a state. */
  private spanStart(): CourseMark | undefined {
    const model = this.latency.predictedModel();
    if (model === undefined) return this.course.oldest();
    return this.course.back(Math.round((LATENCY_HANDOVER_TIME_CONSTANTS * model.timeConstantS) / this.intervalS));
  }
}

/** Marks the course keeps: COURSE_SPAN_S of Syncs, and the level's lookback. */
function courseLength(levelWindow: number, intervalS: number): number {
  return Math.max(LEVEL_LOOKBACK_WINDOWS * levelWindow, Math.round(COURSE_SPAN_S / intervalS));
}
