/**
 * The slave side of a time-aware end station: the port engine's accepted Syncs (their grandmaster
 * time is ClockSlaveSync's, 802.1AS-2020 10.2.13, computed in syncReceiver.ts) drive the ClockServo,
 * which disciplines the clock, and its output feeds TimeBaseStatus (status, holdover, quality, error
 * bound); the engine's verdicts that end synchronization (syncReceiptTimeout, asCapable false, master
 * lost) go to TimeBaseStatus too. Both are wired in ClockDiscipline (clockDiscipline.ts). The engine
 * owns those timers and the asCapable gate; the discipline's one timer (holdover along a ramp) is
 * merged with them here. Live ports, replay and the simulator all run this same object; it is sans-IO
 * like the engine.
 *
 * The engine delivers its outputs after each call returns (portEngine.ts), so setServoStable, called
 * here while a Sync is delivered, is an ordinary later call and never runs inside the engine's.
 */
import type { DisciplinedClock } from '../clock/clock.js';
import type { LocalTime } from '../clock/timePoint.js';
import type { EngineEvent, EngineSink, Transmission } from '../protocol/engineEvents.js';
import type { PtpFrame } from '../protocol/messages.js';
import { PortEngine, type PortEngineOptions } from '../protocol/portEngine.js';
import type { SyncReceipt } from '../protocol/syncReceipt.js';
import { ClockDiscipline, type ClockDisciplineOptions, type SyncOutcome } from './clockDiscipline.js';
import { ServoStability, STABILITY_DEFAULTS, type StabilityRule } from './servoStability.js';
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

export interface ClockSlaveOptions {
  readonly engine: PortEngineOptions;
  readonly clock: DisciplinedClock;
  readonly servo?: ClockDisciplineOptions;
  readonly stability?: StabilityRule;
  /** Compute but never adjust the clock (linuxptp free_running). */
  readonly freeRunning?: boolean;
}

export class ClockSlave {
  readonly engine: PortEngine;
  /** The servo and the time base's status (discipline.servo, discipline.status). */
  readonly discipline: ClockDiscipline;
  private readonly stability: ServoStability;

  constructor(
    readonly options: ClockSlaveOptions,
    private readonly sink: ClockSlaveSink,
  ) {
    const engineSink: EngineSink = { transmit: (t) => sink.transmit(t), event: (e) => this.onEngineEvent(e) };
    // One statement of the timestamping mode for both: the servo's tuning and the engine's link-delay window follow it.
    const timestamping = options.engine.timestamping ?? options.servo?.timestamping;
    this.engine = new PortEngine(timestamping === undefined ? options.engine : { ...options.engine, timestamping }, engineSink);
    this.discipline = new ClockDiscipline(options.freeRunning === true ? readOnly(options.clock) : options.clock, options.servo);
    this.stability = new ServoStability(options.stability ?? STABILITY_DEFAULTS[options.engine.config.profile]);
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

  /** The engine's timers, and the discipline's one step along a ramp held in holdover. */
  tick(now: LocalTime): void {
    this.engine.tick(now);
    this.discipline.tick(now);
  }

  nextTimerAt(): LocalTime | undefined {
    const engine = this.engine.nextTimerAt();
    const discipline = this.discipline.nextTimerAt();
    if (engine === undefined || discipline === undefined) return engine ?? discipline;
    return engine < discipline ? engine : discipline;
  }

  private statusEvents(events: readonly StatusEvent[], now: LocalTime): void {
    for (const s of events) this.onStatusEvent(s, now);
  }

  private onEngineEvent(e: EngineEvent): void {
    this.sink.engineEvent?.(e);
    switch (e.type) {
      case 'syncReceipt':
        return this.onSyncReceipt(e.receipt);
      case 'syncReceiptTimeout':
        return this.statusEvents(this.discipline.onSyncReceiptTimeout(e), e.at);
      case 'asCapableChanged':
        // 10.2.4: a port that is no longer asCapable takes no part in synchronization: lost at once.
        if (!e.asCapable) this.statusEvents(this.discipline.onNotAsCapable(e.at), e.at);
        return;
      case 'portStateChanged':
        if (e.to !== 'SLAVE') this.statusEvents(this.discipline.onMasterLost(e.at, e.reason), e.at);
        return;
      default:
        return;
    }
  }

  private onSyncReceipt(receipt: SyncReceipt): void {
    const outcome = this.discipline.onSync(receipt);
    // Status first: a consumer that publishes on the record must see the new status with its reason.
    this.statusEvents(outcome.events, receipt.ingressTime);
    this.sink.syncRecord?.({ receipt, outcome });
    this.updateStability(outcome, receipt.ingressTime);
  }

  private onStatusEvent(e: StatusEvent, now: LocalTime): void {
    this.sink.statusEvent?.(e);
    if (e.to !== 'synchronized') this.resetStability(now);
  }

  /** Automotive profile: ask for operational intervals once the servo is stable (servoStability.ts). */
  private updateStability(outcome: SyncOutcome, now: LocalTime): void {
    if (this.stability.update(outcome)) this.engine.setServoStable(true, now);
  }

  private resetStability(now: LocalTime): void {
    this.stability.reset();
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
