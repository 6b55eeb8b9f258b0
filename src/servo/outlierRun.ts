/**
 * A run of offsets beyond the Kalman servo's gate, on one side of its phase estimate: judged while it
 * agrees, held while the grandmaster's own rate ratios say its time did not move, believed once it is
 * long enough and lies on one line. The servo acts on the verdict (kalmanServo.ts); this file only
 * judges.
 *
 * A run on one side that agrees with itself — three quarters of it within the gate of one robust line
 * (outlierRunLine.ts), a constant new phase (a jump) or a ramp (a frequency step), the newest offset
 * among them — is a real change; the rest are the link's late frames, which keep coming during a
 * change as at any other time. A run that scatters (a link whose latency bursts by milliseconds, a
 * userland relay under load) stays rejected: following it would step the clock to noise.
 *
 * The offsets cannot tell the grandmaster's time moving from the Syncs' path changing (802.1AS-2020
 * 8.3), but the rate ratios can when the neighbour is the grandmaster: a move of Δ inside a ratio's
 * span puts that ratio Δ / span off for one span (11.2.19.3.3), while a change of the Syncs' latency
 * leaves it alone (neighborPhaseWitness.ts).
 */
import type { JudgedRun, RateMeasurement } from './servo.js';
import type { KalmanTuning } from './kalmanTuning.js';
import { OutlierRunLine, type RunLine, type RunPoint } from './outlierRunLine.js';
import { NeighborPhaseWitness, type NeighborMove } from './neighborPhaseWitness.js';
import { TIMESCALE_JUMP_FLOOR_NS } from '../protocol/neighborRateRatioWindow.js';

/** Points of an outlier run kept for the line it must lie on (2 s at 32 Sync/s). */
const MAX_RUN_POINTS = 64;
/**
 * A judged run this far early is the grandmaster's time moved back, not the Syncs' path, ns: in the
 * replay fixture's 274 k Syncs none read more than 3 µs early (judgeShortRun).
 */
const EARLY_RUN_FLOOR_NS = 10_000;
/** The share of an outlier run (a fraction of its points) that must lie within the gate of its line for it to be believed. */
const RUN_AGREEMENT = 3 / 4;
/**
 * A run is held when the ratios put the neighbour's move this many of their σ from the move a change of
 * the grandmaster's time would show, and nearer to none (neighborPhaseWitness.ts).
 */
const WITNESS_SIGMAS = 3;

/** The tuning a run is judged by. */
export type OutlierRunTuning = Required<Pick<KalmanTuning, 'gateSigmas' | 'maxConsecutiveOutliers' | 'minOutlierRunS' | 'neighborWitness' | 'heldRunMaxS'>>;

/** What the servo knows as an outlier arrives. */
export interface OutlierContext {
  /** The learned measurement noise R, ns². */
  readonly noiseVarianceNs2: number;
  /** The Sync interval, s. */
  readonly intervalS: number;
  /** This Sync came from the grandmaster itself (LinkNoise.neighborIsGrandmaster). */
  readonly neighborIsGrandmaster: boolean;
}

/** The frequency the filter believes as a run begins, and its σ as the witness reads ratios against it, ppb. */
export interface RunStartFrequency {
  readonly phiPpb: number;
  readonly phiSigmaPpb: number;
}

/** What to do with an outlier: leave it out; hold the run as the Syncs' path; or believe the change. */
export type RunVerdict =
  | { readonly kind: 'rejected' }
  | {
      readonly kind: 'held';
      readonly move: NeighborMove;
      /** The run's first held offset: the servo reports the change once. */
      readonly first: boolean;
      readonly outliers: number;
    }
  | {
      readonly kind: 'believed';
      readonly outliers: number;
      /** Where the run began, s of the timestamp clock. */
      readonly startS: number;
      /** The phase the run shows now, ns: where its line puts the newest offset (the offset itself without a line). */
      readonly phaseNs: number;
      /** The frequency's variance the run calls for, ppb²: its slope and 2 σ of it, or what would explain the whole innovation. */
      readonly frequencyVariancePpb2: number;
    };

export class OutlierRun {
  private consecutive = 0;
  /** The current run (time s, offset ns), its last MAX_RUN_POINTS. */
  private readonly points: RunPoint[] = [];
  private readonly line = new OutlierRunLine(MAX_RUN_POINTS);
  private side = 0;
  /** When the run began, s of the timestamp clock, the frequency the filter believed then and its σ, ppb. */
  private startS = 0;
  private startPhiPpb = 0;
  private startPhiSigmaPpb = 0;
  private held: number | undefined;
  private judged: JudgedRun | undefined;
  /** The last outlier was a late frame taken into the judged run (takeLateFrame). */
  private lateFrameInRun = false;
  /** The rate ratios as witnesses of the neighbour's time, and the one last handed to it. */
  private readonly witness = new NeighborPhaseWitness();
  private witnessedRateRatio: number | undefined;
  /** The current outlier came from the grandmaster itself (OutlierContext.neighborIsGrandmaster). */
  private grandmaster = false;

  /** startFrequency: asked once per run, at its first outlier. */
  constructor(
    private readonly tuning: OutlierRunTuning,
    private readonly startFrequency: () => RunStartFrequency,
  ) {}

  /** Offsets in the run so far. */
  get outliers(): number {
    return this.consecutive;
  }

  /**
   * The run's level against the course, ns, while it is held (the neighbour's ratios said the
   * grandmaster's time did not move); undefined otherwise.
   */
  get heldLevelNs(): number | undefined {
    return this.held;
  }

  /** The run while it agrees and is still being judged; undefined otherwise. */
  get judgedRun(): JudgedRun | undefined {
    return this.judged;
  }

  /** Each new rate ratio, as the frequency it asks for, to the witness (fused or not). */
  observeRateRatio(tS: number, rate: RateMeasurement | undefined): void {
    if (!this.tuning.neighborWitness || rate === undefined || rate.rateRatio === this.witnessedRateRatio) return;
    this.witnessedRateRatio = rate.rateRatio;
    this.witness.observe(tS, rate.neededPpb, rate.sigmaPpb, rate.spanS);
  }

  /** An offset used, a step, a believed change: no run goes on. */
  end(): void {
    this.consecutive = 0;
    this.points.length = 0;
    this.held = undefined;
    this.judged = undefined;
    this.lateFrameInRun = false;
  }

  /** A restart: no run, and no rate ratio witnesses anything any more. */
  reset(): void {
    this.witness.clear();
    this.witnessedRateRatio = undefined;
    this.end();
  }

  /**
   * Whether this offset is a late frame of the judged run rather than the grandmaster's time moving
   * (back) again: once per run, and only of a run that reads early — no late frame reads early
   * (judgeShortRun), so an offset earlier than a late run is no late frame of it. Beyond the gate, on
   * the other side of the phase estimate (lab, a 20 µs move: one Sync 26 µs late 1.5 s into the run
   * started it again, and the edge was believed 4.1 s after it instead of 2.1 s); inside the gate,
   * nearer the old phase than a run more than EARLY_RUN_FLOOR_NS off (lab: 1.4 s into the return's run
   * a Sync 21 µs late fell on the old time, ended the run, and the return was believed 3.7 s after it
   * instead of 2 s; a nearer run's inliers are the filter's). Two in a row are no late frame: the
   * grandmaster's time may have moved back.
   */
  isLateFrame(innovation: number, beyondGate: boolean): boolean {
    const level = this.judged?.levelNs;
    if (level === undefined || level >= 0 || this.lateFrameInRun) return false;
    return beyondGate ? innovation > 0 : level < -EARLY_RUN_FLOOR_NS && innovation > level / 2;
  }

  /** A late frame among a judged run's offsets (isLateFrame) joins it as one of the points off its line, which the run's agreement allows for. */
  takeLateFrame(offsetNs: number, tS: number): void {
    this.lateFrameInRun = true;
    this.consecutive++;
    this.push({ tS, offsetNs });
  }

  /** An offset beyond the gate, innovation ns from the prediction: the run it continues or begins, and the verdict on it. */
  add(offsetNs: number, innovation: number, tS: number, context: OutlierContext): RunVerdict {
    const side = Math.sign(innovation);
    this.grandmaster = context.neighborIsGrandmaster;
    this.lateFrameInRun = false;
    if (side !== this.side) this.points.length = 0;
    this.consecutive = side === this.side ? this.consecutive + 1 : 1;
    this.side = side;
    if (this.consecutive === 1) this.begin(tS);
    this.push({ tS, offsetNs });
    const enough = this.consecutive >= this.tuning.maxConsecutiveOutliers;
    const longEnough = enough && tS - this.startS >= this.tuning.minOutlierRunS;
    const toleranceNs = this.tuning.gateSigmas * Math.sqrt(context.noiseVarianceNs2);
    const line = enough ? this.line.fitRun(this.points, context.noiseVarianceNs2, toleranceNs) : undefined;
    // Below three points there is no line to agree with: a hardware run of maxConsecutiveOutliers is enough.
    const agreeing = enough && (this.points.length < 3 || (line !== undefined && this.agrees(line, toleranceNs)));
    if (enough) this.judge(agreeing && !longEnough, innovation - (line?.newestResidualNs ?? 0), tS);
    else this.judgeShortRun(innovation, toleranceNs, tS);
    if (!(longEnough && agreeing)) return { kind: 'rejected' };
    const stayed = this.neighborStayed(innovation, tS);
    if (stayed !== undefined) return this.hold(stayed, innovation);
    // The new phase where the run's line puts it now: one offset carries its own noise, the line the
    // whole run's (lab, a grandmaster restarted 3 ms ahead: the newest offset 1.4 µs off its run's line,
    // within the tolerance, and the status waited 1.75 s instead of 1 s for the clock to come back).
    // The frequency must be free to move by what the run shows: its slope (a jump's is ~0, a frequency
    // step's is the step) and 2 σ of that slope; without a line, what would explain the whole innovation.
    const runS = this.consecutive * context.intervalS;
    return {
      kind: 'believed',
      outliers: this.consecutive,
      startS: this.startS,
      phaseNs: line === undefined ? offsetNs : offsetNs - line.newestResidualNs,
      frequencyVariancePpb2: line === undefined ? (innovation / runS) ** 2 : line.slopePpb ** 2 + 4 * line.slopeVariance,
    };
  }

  private push(point: RunPoint): void {
    this.points.push(point);
    if (this.points.length > MAX_RUN_POINTS) this.points.shift();
  }

  private begin(tS: number): void {
    const { phiPpb, phiSigmaPpb } = this.startFrequency();
    this.startS = tS;
    this.startPhiPpb = phiPpb;
    this.startPhiSigmaPpb = phiSigmaPpb;
    this.held = undefined;
    this.judged = undefined;
  }

  /**
   * Most of the run on its line, and the offset about to be believed on it too (it seats the phase):
   * late frames inside a run are the link's noise, not a reason to reject the change (outlierRunLine.ts).
   */
  private agrees(line: RunLine, toleranceNs: number): boolean {
    return line.inliers >= Math.ceil(RUN_AGREEMENT * this.points.length) && Math.abs(line.newestResidualNs) <= toleranceNs;
  }

  /**
   * An agreeing run not yet long enough to believe (minOutlierRunS): the clock may already be as far
   * off the grandmaster as the run's line says, if its time moved — the error bound takes that level
   * and the status judges it (timeBaseStatus.ts), until the run is believed, held or left out. Before
   * this the status said synchronized for the whole 2 s with the clock 20 µs off the grandmaster's
   * moved time (lab, grandmaster-phase-step). Not a run the ratios already contradict: that one the
   * servo will hold as the Syncs' path, which moves no clock (neighborStayed).
   */
  private judge(judged: boolean, levelNs: number, tS: number, offsets = this.consecutive): void {
    this.judged = undefined;
    if (!judged) return;
    const heard = this.witnessHears(levelNs, tS);
    const move = heard ? this.witness.movedSince(this.startS, this.startPhiPpb) : undefined;
    if (move !== undefined && contradictsMove(move, levelNs)) return;
    const seen = move !== undefined && showsMove(move, levelNs, this.startPhiSigmaPpb);
    this.judged = { levelNs, offsets, ...(heard ? { ratiosSeeMove: seen } : {}) };
  }

  /**
   * A run too short for its line (below maxConsecutiveOutliers) is judged once its newest offset
   * agrees with an earlier one of it within the gate, at their mean: late frames do not come in
   * agreeing pairs (the recorded lab runs of sessions 30–35 without a move of the grandmaster's time
   * beyond 2 µs, 200 runs and 145 k Syncs: 611 single Syncs late by more than 10 µs, one pair of them,
   * 18 µs apart), while the grandmaster's moved time does from its second Sync on (or its third, a
   * late frame between). Judged at the fourth instead, the status said synchronized for half a second
   * per edge of the lab's 20 µs move with the clock that far off the moved time. Only where a run
   * waits (minOutlierRunS): without a wait it is believed at maxConsecutiveOutliers, judged by nothing.
   *
   * An offset below the phase estimate with no partner is judged alone, at its own level (one offset):
   * a Sync cannot reach the slave sooner than its path allows, so no late frame reads early (the 298
   * recorded lab runs of fixtures/noise, 274 k Syncs from 20 s on: 597 more than 5 µs late against
   * the median of the 64 around them, none more than 3 µs early), while a grandmaster whose time moved
   * back does from its first Sync on (the lab's 20 µs move, its return edge).
   */
  private judgeShortRun(innovation: number, toleranceNs: number, tS: number): void {
    const newest = this.points.at(-1);
    if (this.tuning.minOutlierRunS <= 0 || newest === undefined) return this.judge(false, innovation, tS);
    const partner = latestAgreeing(this.points, newest, toleranceNs);
    if (partner !== undefined) return this.judge(true, innovation - (newest.offsetNs - partner.offsetNs) / 2, tS);
    this.judge(innovation < 0, innovation, tS, 1);
  }

  /**
   * The neighbour's move when its rate ratios contradict an agreeing run: a change of the
   * grandmaster's time would read −innovation there, and they read nearer to none, beyond
   * WITNESS_SIGMAS of their σ from it. Undefined when the run is to be believed: no witness (the
   * tuning, a neighbour that is not the grandmaster, no ratio measured inside the run yet), a move
   * beyond the engine's timescale-jump floor (its ratios start again: none spans it), a run held
   * heldRunMaxS already, or ratios that agree with the move.
   */
  private neighborStayed(innovation: number, tS: number): NeighborMove | undefined {
    if (!this.witnessHears(innovation, tS)) return undefined;
    const move = this.witness.movedSince(this.startS, this.startPhiPpb);
    return move !== undefined && contradictsMove(move, innovation) ? move : undefined;
  }

  /** Whether the rate ratios can witness the current run: the tuning, the grandmaster as neighbour, a move below the engine's jump floor, not held heldRunMaxS yet. */
  private witnessHears(innovation: number, tS: number): boolean {
    if (!this.tuning.neighborWitness || !this.grandmaster || Math.abs(innovation) >= TIMESCALE_JUMP_FLOOR_NS) return false;
    return tS - this.startS <= this.tuning.heldRunMaxS;
  }

  /** Held while it lasts: the first hold keeps the run's level, against which its next offsets are read. */
  private hold(move: NeighborMove, innovation: number): RunVerdict {
    const first = this.held === undefined;
    if (first) this.held = innovation;
    return { kind: 'held', move, first, outliers: this.consecutive };
  }
}

/**
 * The neighbour's move as its ratios show it contradicts a run of `innovation`: a change of the
 * grandmaster's time would read −innovation there, and they read nearer to none, beyond
 * WITNESS_SIGMAS of their σ from it.
 */
function contradictsMove(move: NeighborMove, innovation: number): boolean {
  const fromGrandmasterMove = Math.abs(move.moveNs + innovation);
  return fromGrandmasterMove > WITNESS_SIGMAS * move.sigmaNs && Math.abs(move.moveNs) < fromGrandmasterMove;
}

/**
 * The neighbour's move as its ratios show it (802.1AS-2020 11.2.19.3.3: a move inside a ratio's span is
 * in it by move / span) is a move of the grandmaster's time by −innovation: beyond
 * WITNESS_SIGMAS of their σ from none, with the σ of the frequency they are read against (referenceSigmaPpb,
 * the run's start: in the first seconds tens of ppb, hundreds of ns over a span), and nearer to that
 * move than to none.
 */
function showsMove(move: NeighborMove, innovation: number, referenceSigmaPpb: number): boolean {
  const sigmaNs = Math.hypot(move.sigmaNs, referenceSigmaPpb * move.spanS);
  return Math.abs(move.moveNs) > WITNESS_SIGMAS * sigmaNs && Math.abs(move.moveNs + innovation) < Math.abs(move.moveNs);
}

/** The latest point of a run before its newest that lies within toleranceNs of it (OutlierRun.judgeShortRun). */
function latestAgreeing(run: readonly RunPoint[], newest: RunPoint, toleranceNs: number): RunPoint | undefined {
  for (let i = run.length - 2; i >= 0; i--) {
    const p = run[i];
    if (p !== undefined && Math.abs(newest.offsetNs - p.offsetNs) <= toleranceNs) return p;
  }
  return undefined;
}
