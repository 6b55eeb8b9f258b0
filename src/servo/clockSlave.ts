/**
 * The slave side of a time-aware end station (802.1AS-2020 10.2.13 ClockSlaveSync): the port engine's
 * accepted Syncs drive the ClockServo, which disciplines the clock and classifies the status. Live
 * ports, replay and the simulator all run this same object; it is sans-IO like the engine.
 */
import type { DisciplinedClock } from '../clock/clock.js';
import type { LocalTime } from '../clock/timePoint.js';
import type { EngineEvent, EngineSink, Transmission } from '../protocol/engineEvents.js';
import type { PtpFrame } from '../protocol/messages.js';
import { PortEngine, type PortEngineOptions } from '../protocol/portEngine.js';
import type { SyncReceipt } from '../protocol/syncReceipt.js';
import { ClockServo, type ClockServoOptions, type SyncOutcome } from './clockServo.js';
import { ServoState } from './servoState.js';
import type { StatusEvent } from './syncStatus.js';

/** One accepted Sync and what the servo made of it. */
export interface SyncRecord {
  readonly receipt: SyncReceipt;
  readonly outcome: SyncOutcome;
}

export interface ClockSlaveSink {
  transmit(t: Transmission): void;
  syncRecord?(r: SyncRecord): void;
  engineEvent?(e: EngineEvent): void;
  statusEvent?(e: StatusEvent): void;
}

/**
 * When the automotive profile may ask for operational intervals: linuxptp's servo_offset_threshold
 * (ns) held for servo_num_offset_values consecutive locked Syncs.
 */
export interface StabilityRule {
  readonly offsetThresholdNs: number;
  readonly numOffsetValues: number;
}

export interface ClockSlaveOptions {
  readonly engine: PortEngineOptions;
  readonly clock: DisciplinedClock;
  readonly servo?: ClockServoOptions;
  readonly stability?: StabilityRule;
  /** Compute but never adjust the clock (linuxptp free_running). */
  readonly freeRunning?: boolean;
}

export class ClockSlave {
  readonly engine: PortEngine;
  readonly servo: ClockServo;
  private readonly stability: StabilityRule;
  private stableCount = 0;

  constructor(
    readonly options: ClockSlaveOptions,
    private readonly sink: ClockSlaveSink,
  ) {
    const engineSink: EngineSink = { transmit: (t) => sink.transmit(t), event: (e) => this.onEngineEvent(e) };
    this.engine = new PortEngine(options.engine, engineSink);
    this.servo = new ClockServo(options.freeRunning === true ? readOnly(options.clock) : options.clock, options.servo);
    this.stability = options.stability ?? { offsetThresholdNs: 30, numOffsetValues: 10 };
  }

  get clock(): DisciplinedClock {
    return this.options.clock;
  }

  start(now: LocalTime): void {
    this.engine.start(now);
  }

  receive(frame: PtpFrame, rx: LocalTime): void {
    this.engine.receive(frame, rx);
  }

  ownFrame(frame: PtpFrame, tx: LocalTime): void {
    this.engine.ownFrame(frame, tx);
  }

  txTimestamp(handle: number, tx: LocalTime): void {
    this.engine.txTimestamp(handle, tx);
  }

  txTimestampMissing(handle: number, now: LocalTime): void {
    this.engine.txTimestampMissing(handle, now);
  }

  /** Engine timers, and the status classifier's syncReceiptTimeout when it is due. */
  tick(now: LocalTime): void {
    this.engine.tick(now);
    this.tickStatus(now);
  }

  nextTimerAt(): LocalTime | undefined {
    const a = this.engine.nextTimerAt();
    const b = this.servo.statusDeadline();
    if (a === undefined) return b;
    if (b === undefined) return a;
    return a < b ? a : b;
  }

  private tickStatus(now: LocalTime): void {
    for (const e of this.servo.tick(now, this.engine.asCapable.asCapable)) this.onStatusEvent(e, now);
  }

  private onEngineEvent(e: EngineEvent): void {
    this.sink.engineEvent?.(e);
    // 10.2.4: a port that is no longer asCapable takes no part in synchronization: lost at once.
    if (e.type === 'asCapableChanged' && !e.asCapable) this.tickStatus(e.at);
    if (e.type !== 'syncReceipt') return;
    const outcome = this.servo.onSync(e.receipt, this.engine.asCapable.asCapable);
    // Status first: a consumer that publishes on the record must see the new status with its reason.
    for (const s of outcome.events) this.onStatusEvent(s, e.receipt.ingressTime);
    this.sink.syncRecord?.({ receipt: e.receipt, outcome });
    this.updateStability(outcome, e.receipt.ingressTime);
  }

  private onStatusEvent(e: StatusEvent, now: LocalTime): void {
    this.sink.statusEvent?.(e);
    if (e.to !== 'synchronized') this.resetStability(now);
  }

  /** Automotive profile (linuxptp servo_offset_threshold / servo_num_offset_values): ask for operational rates once stable. */
  private updateStability(outcome: SyncOutcome, now: LocalTime): void {
    const within = outcome.accepted && outcome.servoState === ServoState.locked && Math.abs(outcome.offsetNs) <= this.stability.offsetThresholdNs;
    this.stableCount = within ? this.stableCount + 1 : 0;
    if (this.stableCount >= this.stability.numOffsetValues) this.engine.setServoStable(true, now);
  }

  private resetStability(now: LocalTime): void {
    this.stableCount = 0;
    this.engine.setServoStable(false, now);
  }
}

/** A view of a clock that computes but never adjusts (free_running): adjustments are remembered only. */
function readOnly(clock: DisciplinedClock): DisciplinedClock {
  let ppb = clock.frequencyPpb();
  return {
    kind: clock.kind,
    maxFrequencyPpb: clock.maxFrequencyPpb,
    // Adjustments never reach the clock, so its timestamps never follow them.
    timestampsFollowAdjustment: false,
    now: () => clock.now(),
    fromTimestamp: (t) => clock.fromTimestamp(t),
    adjustFrequency: (v) => {
      ppb = v;
    },
    frequencyPpb: () => ppb,
    step: () => undefined,
  };
}
