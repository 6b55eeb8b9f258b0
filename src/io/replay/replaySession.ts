/**
 * Replays a capture through the same engine and servo that run live. The capture timestamp of each
 * frame is the local timestamp the engine sees (RX for received frames, TX for the station's own),
 * and timers run in that virtual time, so two runs of one file give identical output.
 *
 * The disciplined clock is a VirtualClock over the capture's time base: the answer is what a slave's
 * servo would have done with exactly these timestamps.
 */
import { VirtualClock } from '../../clock/virtualClock.js';
import { localTime, type LocalTime } from '../../clock/timePoint.js';
import type { EngineEvent } from '../../protocol/engineEvents.js';
import { decodeFrame } from '../../protocol/ethernetFrame.js';
import type { DecodeError } from '../../protocol/decodeError.js';
import type { MacAddress, PortIdentity, PtpFrame } from '../../protocol/messages.js';
import { defaultPortConfig, type PortConfig, type Profile } from '../../protocol/portConfig.js';
import { ClockSlave, type SyncRecord } from '../../servo/clockSlave.js';
import { offsetLeftOut, type ClockDisciplineOptions } from '../../servo/clockDiscipline.js';
import type { StatusEvent } from '../../servo/syncStatus.js';
import type { CapturedFrame } from '../capturedFrame.js';
import { toEthernet } from '../linkType.js';
import { portIdentityEquals } from '../../protocol/portIdentity.js';
import { PassivePeerDelays, type PassiveLinkDelay } from './passivePeerDelays.js';
import type { Station } from './stationDetection.js';

export interface ReplayOptions {
  readonly profile: Profile;
  /** Overrides of the profile's port configuration. */
  readonly config?: Partial<PortConfig>;
  readonly servo?: ClockDisciplineOptions;
  /** The captured station; undefined when the capture holds no slave's frames (a listener at the master). */
  readonly station: Station | undefined;
}

/** One line of output per accepted Sync, with the 802.1AS names. */
export interface ReplaySyncRecord {
  readonly captureTime: bigint;
  readonly sequenceId: number;
  readonly sourcePortIdentity: PortIdentity;
  readonly masterTime: bigint;
  readonly localTime: bigint;
  readonly offsetFromMaster: number;
  readonly meanLinkDelay: number;
  readonly neighborRateRatio: number;
  readonly rateRatio: number;
  readonly servoState: string;
  readonly frequencyAdjustment: number;
  readonly status: string;
}

export interface ReplayObserver {
  sync?(r: ReplaySyncRecord): void;
  /**
   * A Sync the engine accepted and the servo did not use (an offset spike or outlier), with why, and
   * the record it would have had (undefined when it gave no offset: an invalid receipt).
   */
  servoRejected?(reason: string, record: ReplaySyncRecord | undefined): void;
  engineEvent?(e: EngineEvent, captureTime: bigint): void;
  statusEvent?(e: StatusEvent): void;
  decodeError?(frameNumber: number, error: DecodeError): void;
}

export interface ReplayCounts {
  frames: number;
  ptpFrames: number;
  nonPtpFrames: number;
  decodeErrors: number;
  captureTimeBackwards: number;
}

/** A listener that never sent a frame: it only receives (a capture taken next to the master). */
const LISTENER_MAC: MacAddress = 0;
/** Its clockIdentity: no EUI-64 a real port has (ordinary ones come from a MAC, even 00:00:00:00:00:00). */
const LISTENER_CLOCK = 0xfffffffffffffffen;
const MAX_TIMERS_PER_FRAME = 100_000;

export class ReplaySession {
  readonly slave: ClockSlave;
  readonly passive = new PassivePeerDelays();
  readonly counts: ReplayCounts = { frames: 0, ptpFrames: 0, nonPtpFrames: 0, decodeErrors: 0, captureTimeBackwards: 0 };
  private now: LocalTime | undefined;
  private readonly stationMac: MacAddress;

  constructor(
    readonly options: ReplayOptions,
    private readonly observer: ReplayObserver,
  ) {
    const station = options.station;
    this.stationMac = station?.mac ?? LISTENER_MAC;
    // Without a station of its own the replay listens where the capture was taken: no link of its own
    // to measure, so it takes the link as capable with zero delay (the capture point is the master's).
    const listener: Partial<PortConfig> = station === undefined ? { asCapableAlways: true } : {};
    const config: PortConfig = { ...defaultPortConfig(options.profile), ...listener, ...options.config };
    // A replay shows what the servo makes of the timestamps, so its clock may slew as far as ptp4l's
    // max_frequency (900,000,000 ppb) rather than a PHC's few hundred ppm.
    const clock = new VirtualClock(() => this.now ?? localTime(0n), { maxFrequencyPpb: 900_000_000 });
    this.slave = new ClockSlave(
      {
        engine: {
          config,
          macAddress: this.stationMac,
          ...(station === undefined ? { clockIdentity: LISTENER_CLOCK } : {}),
          ...(station?.port === undefined ? {} : { clockIdentity: station.port.clockIdentity, portNumber: station.port.portNumber }),
          transmit: false,
        },
        clock,
        ...(options.servo === undefined ? {} : { servo: options.servo }),
      },
      {
        transmit: () => undefined,
        syncRecord: (r) => this.onSyncRecord(r),
        engineEvent: (e) => this.observer.engineEvent?.(e, this.now ?? 0n),
        statusEvent: (e) => this.observer.statusEvent?.(e),
      },
    );
  }

  /** Feed every frame of the capture, in order. */
  run(frames: Iterable<CapturedFrame>): void {
    for (const f of frames) this.frame(f);
  }

  frame(f: CapturedFrame): void {
    this.counts.frames += 1;
    const eth = toEthernet(f);
    if (eth === undefined) {
      this.counts.nonPtpFrames += 1;
      return;
    }
    const decoded = decodeFrame(eth);
    if (!decoded.ok) {
      if (decoded.error.kind === 'notPtp') {
        this.counts.nonPtpFrames += 1;
      } else {
        this.counts.decodeErrors += 1;
        this.observer.decodeError?.(f.index, decoded.error);
      }
      return;
    }
    this.counts.ptpFrames += 1;
    this.advanceTo(localTime(f.timestampNs));
    const at = this.now ?? localTime(f.timestampNs);
    if (!this.isStationExchange(decoded.value)) this.passive.observe(decoded.value, at);
    this.deliver(decoded.value, at);
  }

  /**
   * Peer delay per requester as seen from the capture point: the station's own exchanges come from
   * its engine, which saw the very same frames and timestamps (computing them twice would cost a
   * tenth of the replay); every other requester's from the passive observer.
   */
  peerDelays(): PassiveLinkDelay[] {
    const others = this.passive.results();
    const engine = this.slave.engine;
    const { pdelayExchanges: exchanges, pdelayLateAnswers: lateAnswers } = engine.statistics();
    if (this.options.station === undefined || exchanges === 0) return others;
    const own: PassiveLinkDelay = {
      requester: engine.port,
      responder: engine.neighborPortIdentity,
      exchanges,
      lateAnswers,
      meanLinkDelay: engine.meanLinkDelay,
      neighborRateRatio: engine.neighborRateRatio,
    };
    return [own, ...others];
  }

  /** A Pdelay message of the station's own exchanges (its request, or an answer to it). */
  private isStationExchange(frame: PtpFrame): boolean {
    if (this.options.station === undefined) return false;
    const m = frame.message;
    if (m.type === 'pdelayReq') return frame.source === this.stationMac;
    if (m.type === 'pdelayResp' || m.type === 'pdelayRespFollowUp') return portIdentityEquals(m.requestingPortIdentity, this.slave.engine.port);
    return false;
  }

  private deliver(frame: PtpFrame, at: LocalTime): void {
    if (frame.source === this.stationMac && this.options.station !== undefined) this.slave.ownFrame(frame, at);
    else this.slave.receive(frame, at);
  }

  /** Run the timers due before `t`, in order, then make `t` the current time. Time never goes back. */
  private advanceTo(t: LocalTime): void {
    const now = this.now;
    if (now === undefined) {
      this.now = t;
      this.slave.start(t);
      return;
    }
    if (t < now) {
      this.counts.captureTimeBackwards += 1;
      return;
    }
    // Every timer re-arms later or clears itself when it fires; the bound only guards against a bug
    // turning a capture into an endless loop.
    for (let i = 0, next = this.slave.nextTimerAt(); next !== undefined && next <= t && i < MAX_TIMERS_PER_FRAME; i++, next = this.slave.nextTimerAt()) {
      const at = next > now ? next : now;
      this.now = at;
      this.slave.tick(at);
    }
    this.now = t;
  }

  private onSyncRecord(r: SyncRecord): void {
    const { outcome } = r;
    if (!outcome.accepted) {
      this.observer.servoRejected?.(outcome.rejection ?? 'unknown', offsetLeftOut(outcome) ? this.recordOf(r) : undefined);
      return;
    }
    this.observer.sync?.(this.recordOf(r));
  }

  private recordOf({ receipt, outcome }: SyncRecord): ReplaySyncRecord {
    return {
      captureTime: receipt.ingressTime,
      sequenceId: receipt.sequenceId,
      sourcePortIdentity: receipt.sourcePortIdentity,
      masterTime: receipt.gmTime,
      localTime: receipt.ingressTime,
      offsetFromMaster: outcome.offsetNs,
      meanLinkDelay: receipt.meanLinkDelay,
      neighborRateRatio: receipt.neighborRateRatio,
      rateRatio: receipt.rateRatio,
      servoState: outcome.servoState,
      frequencyAdjustment: outcome.frequencyPpb,
      status: this.slave.discipline.syncStatus(),
    };
  }
}
