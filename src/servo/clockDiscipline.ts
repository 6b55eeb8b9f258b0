/**
 * ClockDiscipline: a ClockServo and the TimeBaseStatus it feeds, wired in the one order both need.
 * ClockSlave composes it (live ports, replay and the simulator all run that), and the servo simulation
 * uses it without a port engine. It adds no rule of its own:
 *  - a Sync goes to the servo (told whether the status was lost, so that it forgets old offsets),
 *    then the servo's output to the status;
 *  - the engine's verdicts that end synchronization go to the status; when that starts holdover, the
 *    servo holds the frequency the status estimated, and where that follows a ramp, tick() moves it
 *    along once a second (the one timer here; nextTimerAt) until a Sync is used again.
 */
import type { DisciplinedClock } from '../clock/clock.js';
import { addNs, type LocalTime } from '../clock/timePoint.js';
import type { SyncReceipt } from '../protocol/syncReceipt.js';
import { ClockServo, type ClockServoOptions, type ServoReport, type ServoSyncOutput } from './clockServo.js';
import type { ErrorBound } from './servoErrorBound.js';
import { heldFrequencyPpb, type HoldoverModel } from './holdover.js';
import type { StatusEvent, SyncReceiptTimeout, SyncStatus } from './syncStatus.js';
import { TimeBaseStatus, type TimeBaseStatusOptions, type TimeBaseStatusReport } from './timeBaseStatus.js';

export interface ClockDisciplineOptions extends ClockServoOptions, TimeBaseStatusOptions {}

/** One Sync: what the servo did (its output's figures), and the status transitions it caused. */
export interface SyncOutcome extends Pick<
  ServoSyncOutput,
  'accepted' | 'rejection' | 'rejectionDetail' | 'offsetNs' | 'servoState' | 'frequencyPpb' | 'stepNs'
> {
  /** Status transitions this Sync caused. */
  readonly events: readonly StatusEvent[];
  /** Happenings worth a log line (resets, grandmaster changes, holdover end), whether or not the offset was used. */
  readonly notes: readonly string[];
}

/** The servo measured this Sync's offset and left it out (a spike, an outlier); an invalid receipt has no offset. */
export function offsetLeftOut(o: SyncOutcome): boolean {
  return !o.accepted && Number.isFinite(o.offsetNs);
}

/** The servo's figures and the time base's status, as the snapshot, metrics and provider read them. */
export type ClockServoReport = ServoReport & TimeBaseStatusReport;

/**
 * How often the clock's frequency moves along a ramp held in holdover, ns of local time. Each step
 * runs the course's mean over it, so the phase at every step is the course's; within a step a ramp D
 * leaves at most D·(1 s)²/8: 0.125 ns at 1 ppb/s.
 */
const HOLD_STEP_NS = 1_000_000_000;

export class ClockDiscipline {
  readonly servo: ClockServo;
  readonly status: TimeBaseStatus;
  /** In holdover, the course taken at the hold: fixed until a Sync is used again (no estimate is recorded meanwhile). */
  private held: HoldoverModel | undefined;
  /** While holdover follows a ramp, the local time of the next step along it. */
  private holdStepAt: LocalTime | undefined;

  constructor(clock: DisciplinedClock, options: ClockDisciplineOptions = {}) {
    this.servo = new ClockServo(clock, options);
    this.status = new TimeBaseStatus(this.servo, options);
  }

  onSync(receipt: SyncReceipt): SyncOutcome {
    const backNote = this.status.returnNote(receipt.ingressTime);
    const out = this.servo.onSync(receipt, this.status.status() === 'lost');
    // The servo steers the clock again: holdover's course ends with the first Sync it used.
    if (out.accepted) this.endHold();
    const events = this.status.onServoOutput(receipt, out);
    const notes = backNote === undefined || !out.received ? out.notes : [backNote, ...out.notes];
    const common = { accepted: out.accepted, offsetNs: out.offsetNs, servoState: out.servoState, frequencyPpb: out.frequencyPpb, events, notes };
    if (!out.accepted)
      return { ...common, rejection: out.rejection ?? '', ...(out.rejectionDetail === undefined ? {} : { rejectionDetail: out.rejectionDetail }) };
    return out.stepNs === undefined ? common : { ...common, stepNs: out.stepNs };
  }

  /** Moves the clock's frequency along holdover's ramp when a step is due (nextTimerAt). */
  tick(now: LocalTime): void {
    if (this.held !== undefined && this.holdStepAt !== undefined && now >= this.holdStepAt) this.stepAlong(this.held, now);
  }

  /** The course holdover runs the clock on, as taken at the hold; undefined outside holdover. */
  heldCourse(): HoldoverModel | undefined {
    return this.held;
  }

  /** When tick() next has work: the next step along a ramp held in holdover. */
  nextTimerAt(): LocalTime | undefined {
    return this.holdStepAt;
  }

  /** The port engine's syncReceiptTimeout expired (802.1AS-2020 10.7.3.1). */
  onSyncReceiptTimeout(e: SyncReceiptTimeout): readonly StatusEvent[] {
    return this.holdIfLost(this.status.onSyncReceiptTimeout(e), e.at);
  }

  /** The slave port stopped being asCapable (802.1AS-2020 10.2.4). */
  onNotAsCapable(at: LocalTime): readonly StatusEvent[] {
    return this.holdIfLost(this.status.onNotAsCapable(at), at);
  }

  /** The port lost its master (aged by announceReceiptTimeout, no longer grandmaster-capable…). */
  onMasterLost(at: LocalTime, reason: string): readonly StatusEvent[] {
    return this.holdIfLost(this.status.onMasterLost(at, reason), at);
  }

  /** The synchronization status now (cheap; report() gives everything). */
  syncStatus(): SyncStatus {
    return this.status.status();
  }

  report(now: LocalTime): ClockServoReport {
    const servo = this.servo.report();
    const status = this.status.report(now);
    // The order of the report ClockServo gave before the status had an owner of its own.
    return {
      status: status.status,
      servoState: servo.servoState,
      lastOffsetNs: status.lastOffsetNs,
      offsetRmsNs: status.offsetRmsNs,
      latencyEstimateNs: status.latencyEstimateNs,
      frequencyPpb: servo.frequencyPpb,
      rateRatio: servo.rateRatio,
      pathDelayNs: servo.pathDelayNs,
      sinceLastSyncS: status.sinceLastSyncS,
      holdoverS: status.holdoverS,
      holdoverErrorNs: status.holdoverErrorNs,
      holdoverModel: status.holdoverModel,
      quality: status.quality,
      qualityErrorNs: status.qualityErrorNs,
      qualityThresholdsNs: status.qualityThresholdsNs,
      steps: servo.steps,
      rejectedSpikes: servo.rejectedSpikes,
      sanityResets: servo.sanityResets,
      errorBound: status.errorBound,
      ...(servo.oscillatorWander === undefined ? {} : { oscillatorWander: servo.oscillatorWander }),
    };
  }

  errorBoundAt(at: LocalTime): ErrorBound | undefined {
    return this.status.errorBoundAt(at);
  }

  /** The servo's frequency estimate without phase correction, ppb. */
  frequencyEstimatePpb(): number {
    return this.servo.frequencyEstimatePpb();
  }

  private holdIfLost(events: readonly StatusEvent[], now: LocalTime): readonly StatusEvent[] {
    if (events.length === 0) return events;
    this.endHold();
    this.held = this.status.holdoverCourse();
    if (this.held !== undefined) this.stepAlong(this.held, now);
    return events;
  }

  /**
   * Runs the clock on the held course (holdover.ts) until the next step: along a ramp the course's
   * mean over the next HOLD_STEP_NS, so that the phase at each step is the course's.
   */
  private stepAlong(course: HoldoverModel, now: LocalTime): void {
    const rampEnd = addNs(course.at, course.rampS * 1e9);
    const next = course.rampPpbPerS !== 0 && now < rampEnd ? minLocal(addNs(now, HOLD_STEP_NS), rampEnd) : undefined;
    this.servo.holdFrequency(heldFrequencyPpb(course, now, next ?? now), now);
    this.holdStepAt = next;
  }

  private endHold(): void {
    this.held = undefined;
    this.holdStepAt = undefined;
  }
}

function minLocal(a: LocalTime, b: LocalTime): LocalTime {
  return a < b ? a : b;
}
