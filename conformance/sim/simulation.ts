/**
 * A deterministic simulation of one gPTP link: a modelled grandmaster, a link with delay, asymmetry,
 * jitter and loss, and the station under test running the real PortEngine over a SimClock. All time
 * is simulated ("true time", ns, bigint); hours of it run in seconds. The grandmaster's clock is the
 * reference: its time is true time plus any phase jumps the scenario scripts.
 */
import { Prng } from '../../src/clock/prng.js';
import { SimClock, type SimClockOptions } from '../../src/clock/simClock.js';
import { localTime, type LocalTime } from '../../src/clock/timePoint.js';
import type { EngineEvent, Transmission } from '../../src/protocol/engineEvents.js';
import { logIntervalToNsBig } from '../../src/protocol/logInterval.js';
import type { ClockIdentity, PortIdentity, PtpFrame } from '../../src/protocol/messages.js';
import { GPTP_DEFAULTS, type PortConfig } from '../../src/protocol/portConfig.js';
import type { PortEngine } from '../../src/protocol/portEngine.js';
import type { SyncReceipt } from '../../src/protocol/syncReceipt.js';
import { SCALED_NS_PER_NS, scaledNsToNs, timestampToNs } from '../../src/protocol/timestamp.js';
import { ClockSlave, type SyncRecord } from '../../src/servo/clockSlave.js';
import type { ClockDisciplineOptions } from '../../src/servo/clockDiscipline.js';
import type { StatusEvent } from '../../src/servo/syncStatus.js';
import { EventQueue } from './eventQueue.js';
import { drawLatencyNs, medianNs, type RecordedNoise } from './latencyDistribution.js';
import { OrnsteinUhlenbeck, type SyncNoise } from './syncNoise.js';
import { announce, followUp, followUpInfo, pdelayReq, pdelayResp, pdelayRespFollowUp, sync } from './masterMessages.js';

export interface LinkModel {
  /** Mean one-way delay, ns of true time. */
  readonly meanDelayNs: number;
  /** Master→slave is meanDelay + asymmetry, slave→master meanDelay − asymmetry (802.1AS-2020 8.3), ns. */
  readonly asymmetryNs?: number;
  /** Extra delay drawn uniformly from [0, jitterNs] per frame, ns. */
  readonly jitterNs?: number;
  /** Probability that a frame is lost, each direction. */
  readonly lossProbability?: number;
  /**
   * Software-timestamp latencies recorded on a real link (latencyDistribution.ts): each event frame's
   * one-way delay is drawn from the timer path (Sync, Pdelay_Req) or the answer path (Pdelay_Resp)
   * instead of meanDelayNs ± jitter. The link stays FIFO (a late frame delays the ones behind it).
   */
  readonly recorded?: RecordedNoise;
  /** Extra static delay of the master's Syncs, ns: one grandmaster port's colder transmit path. */
  readonly syncExtraNs?: number;
  /**
   * In time order: from `fromNs` (true time since the start) the Syncs take `extraNs` more, on top of
   * syncExtraNs, until the next shift: the Sync path switching state, as software timestamps do on veth (the lab saw
   * 1.6–2.5 µs shifts that stayed) — a change of asymmetry no slave can see (802.1AS-2020 8.3).
   */
  readonly syncPathShifts?: readonly PathShift[];
  /**
   * In time order, as syncPathShifts (both with `recorded`): every frame the station sends takes `extraNs` more from `fromNs`
   * until the next shift — one direction of a path that queues (a userland relay late in one direction
   * for half a minute, lab relay-asymmetry), seen by the Pdelay exchanges and not by the Syncs.
   */
  readonly towardsMasterShifts?: readonly PathShift[];
  /**
   * The master's first `count` Pdelay_Resp reach the station `extraNs` later than the recorded
   * latency says: a responder that has only just started (calibrated to the lab, scenarios.ts).
   */
  readonly coldStartAnswers?: { readonly count: number; readonly extraNs: number };
  /**
   * With `recorded`: the Syncs' own noise as the lab's Syncs show it (syncNoise.ts). Each Sync's
   * latency is the level (above the recorded Pdelay paths' mean, or the timer path's median) plus a
   * residual draw and the wander, instead of a draw from the timer path.
   */
  readonly syncNoise?: SyncNoise;
}

/** From `fromNs` (true time since the start) a path takes `extraNs` more, until the next shift. */
export interface PathShift {
  readonly fromNs: bigint;
  readonly extraNs: number;
}

export interface PhaseJump {
  /** True time of the jump, ns since the simulation start. */
  readonly atNs: bigint;
  /** How far the grandmaster's time jumps, ns. */
  readonly deltaNs: bigint;
  /**
   * Whether the Follow_Up's gmTimeBaseIndicator announces it (802.1AS-2020 11.4.4.3.5). Default true;
   * false: a grandmaster that restarted with another time and the same indicator (ptp4l sends 0).
   */
  readonly announced?: boolean;
}

export interface Outage {
  /** The grandmaster sends nothing from fromNs to toNs (ns since the simulation start). */
  readonly fromNs: bigint;
  readonly toNs: bigint;
}

export interface MasterModel {
  readonly port: PortIdentity;
  readonly grandmasterIdentity: ClockIdentity;
  readonly priority1: number;
  readonly logSyncInterval: number;
  readonly logAnnounceInterval: number;
  /** Time from a Sync's egress to its Follow_Up's, ns. */
  readonly followUpDelayNs: number;
  /** Time from Pdelay_Req ingress to Pdelay_Resp egress, ns. */
  readonly responderTurnaroundNs: number;
  /** The grandmaster also measures the link (it initiates Pdelay_Req), exercising our responder. */
  readonly initiatesPdelay: boolean;
  readonly phaseJumps: readonly PhaseJump[];
  readonly outages: readonly Outage[];
  /** gPTP profile sends Announce; the automotive profile does not. */
  readonly sendsAnnounce: boolean;
  /**
   * When the first Sync (and Announce) goes out, ns after the start; default 1 ms. ptp4l takes the
   * grandmaster role ~3 s after it starts (announceReceiptTimeout), by when the station has measured a
   * few Pdelay exchanges: its first rate ratio comes from those few.
   */
  readonly firstSyncAfterNs?: bigint;
  /**
   * The master is a bridge whose grandmaster changes at these times (ns since the start): its
   * Announce names the new grandmaster (stepsRemoved 1). Pair with a phase jump for a new time base.
   */
  readonly grandmasterChanges?: readonly { readonly atNs: bigint; readonly grandmasterIdentity: ClockIdentity; readonly priority1: number }[];
  /**
   * timePropertiesDS the Announce carries from `atNs` (ns since the start) on: currentUtcOffset and the
   * header flags (leap61, leap59, currentUtcOffsetValid, ptpTimescale…). Default: 37 and no flags.
   */
  readonly timeProperties?: readonly { readonly atNs: bigint; readonly currentUtcOffset: number; readonly flags: number }[];
}

/**
 * A second master port on the station's link that appears for a while: a better grandmaster (lower
 * priority1) whose time is off by offsetNs. It sends Announce, Sync and Follow_Up only (its Pdelay
 * frames do not reach the station, as behind a filtering bridge port), so that the station's link
 * stays point-to-point. For acceptable_grandmasters / acceptable_masters.
 */
export interface RogueMaster {
  readonly port: PortIdentity;
  readonly grandmasterIdentity: ClockIdentity;
  readonly priority1: number;
  /** Its time minus true time, ns. */
  readonly offsetNs: bigint;
  /** When it sends, ns since the simulation start. */
  readonly fromNs: bigint;
  readonly toNs: bigint;
}

export interface StationModel {
  readonly clock: SimClockOptions;
  readonly config?: Partial<PortConfig>;
  readonly macAddress?: number;
  /** The servo disciplining the station's SimClock; omit `discipline` to leave the clock free-running. */
  readonly servo?: ClockDisciplineOptions;
  readonly discipline?: boolean;
}

export interface SimulationScenario {
  readonly seed: number;
  /** True time at the start, ns since 1970 (a realistic PTP time keeps the arithmetic honest). */
  readonly startNs: bigint;
  readonly link: LinkModel;
  readonly master: MasterModel;
  readonly station: StationModel;
  readonly rogue?: RogueMaster;
}

export interface SimulationHooks {
  /** Called for each accepted Sync, at the true instant the engine produced it. */
  onSyncReceipt?(receipt: SyncReceipt, sim: Simulation): void;
  /** Called for each Sync the servo handled (only when the station disciplines its clock). */
  onSyncRecord?(record: SyncRecord, sim: Simulation): void;
  onEvent?(event: EngineEvent, sim: Simulation): void;
  onStatus?(event: StatusEvent, sim: Simulation): void;
  /** Every frame at the station with its timestamp: received (RX) or sent (TX), as a capture at the station would hold it. */
  onStationFrame?(frame: PtpFrame, timestamp: LocalTime, direction: 'rx' | 'tx', sim: Simulation): void;
}

export const DEFAULT_MASTER: MasterModel = {
  port: { clockIdentity: 0x001122fffe334455n, portNumber: 1 },
  grandmasterIdentity: 0x001122fffe334455n,
  priority1: 246,
  logSyncInterval: -3,
  logAnnounceInterval: 0,
  followUpDelayNs: 50_000,
  responderTurnaroundNs: 20_000,
  initiatesPdelay: true,
  phaseJumps: [],
  outages: [],
  sendsAnnounce: true,
};

/** What the grandmaster measured with its own Pdelay_Req to the station (our responder at work). */
export interface MasterPdelayView {
  readonly measurements: number[];
}

export class Simulation {
  readonly queue = new EventQueue();
  readonly clock: SimClock;
  readonly slave: ClockSlave;
  readonly masterView: MasterPdelayView = { measurements: [] };
  private readonly random: Prng;
  private nowNs: bigint;
  private syncSeq = 0;
  private announceSeq = 0;
  private masterPdelaySeq = 0;
  private readonly rogueSeq = { sync: 0, announce: 0 };
  /** The grandmaster's own exchange: t1/t4 its times (ns), t2 the station's (scaled ns) minus nothing, respCorrection scaled ns. */
  private masterPdelay: { seq: number; t1: bigint; t2?: bigint; t4?: bigint; respCorrection?: bigint } | undefined;
  private engineTimerAt: bigint | undefined;
  /** Arrival of the last frame each way: the link is FIFO. */
  private lastArrival = { toStation: 0n, toMaster: 0n };
  /** Whether a Pdelay_Resp went each way yet (the first one takes the cold path). */
  private readonly answered = { toStation: false, toMaster: false };
  private coldAnswers = 0;
  /**
   * The Syncs' own noise (LinkModel.syncNoise): its level above the Pdelay paths, ns, fixed for the
   * run, and its wander, from a random stream of its own (the other draws stay as without it).
   */
  private readonly syncOwn: { readonly noise: SyncNoise; readonly levelNs: number; readonly wander: OrnsteinUhlenbeck } | undefined;

  constructor(
    readonly scenario: SimulationScenario,
    private readonly hooks: SimulationHooks = {},
  ) {
    this.random = new Prng(scenario.seed);
    const { syncNoise, recorded } = scenario.link;
    this.syncOwn =
      syncNoise === undefined || recorded === undefined
        ? undefined
        : { noise: syncNoise, levelNs: syncLevelNs(recorded, syncNoise.levelNs), wander: new OrnsteinUhlenbeck(syncNoise.wander, scenario.seed + 300) };
    this.nowNs = scenario.startNs;
    this.clock = new SimClock({ ...scenario.station.clock, oscillator: { startTrueNs: scenario.startNs, ...scenario.station.clock.oscillator } });
    this.slave = new ClockSlave(
      {
        engine: { config: { ...GPTP_DEFAULTS, ...scenario.station.config }, macAddress: scenario.station.macAddress ?? 0x0a0b0c0d0e0f, transmit: true },
        clock: this.clock,
        ...(scenario.station.servo === undefined ? {} : { servo: scenario.station.servo }),
        freeRunning: scenario.station.discipline !== true,
      },
      {
        transmit: (t) => this.onStationTransmit(t),
        engineEvent: (e) => this.onEngineEvent(e),
        syncRecord: (r) => this.hooks.onSyncRecord?.(r, this),
        statusEvent: (e) => this.hooks.onStatus?.(e, this),
      },
    );
    this.slave.start(this.localNow());
    this.scheduleEngineTimer();
    const m = scenario.master;
    const first = m.firstSyncAfterNs ?? 1_000_000n;
    this.queue.schedule(this.nowNs + first, () => this.masterSync());
    if (m.sendsAnnounce) this.queue.schedule(this.nowNs + first + 1_000_000n, () => this.masterAnnounce());
    if (m.initiatesPdelay) this.queue.schedule(this.nowNs + 3_000_000n, () => this.masterPdelayReq());
    const rogue = scenario.rogue;
    if (rogue !== undefined) {
      // Offset from the master's transmissions so that the two never share an instant.
      this.queue.schedule(this.nowNs + rogue.fromNs + 40_000_000n, () => this.rogueSync(rogue));
      this.queue.schedule(this.nowNs + rogue.fromNs + 400_000_000n, () => this.rogueAnnounce(rogue));
    }
  }

  get engine(): PortEngine {
    return this.slave.engine;
  }

  /** True time now, ns. */
  get trueNow(): bigint {
    return this.nowNs;
  }

  /** The grandmaster's time at a true instant: true time plus the phase jumps so far. */
  masterTimeAt(trueNs: bigint): bigint {
    let t = trueNs;
    for (const j of this.scenario.master.phaseJumps) if (trueNs >= this.scenario.startNs + j.atNs) t += j.deltaNs;
    return t;
  }

  /** The station clock's error against the grandmaster now, ns (sub-ns included). */
  clockErrorNs(): number {
    return this.clock.errorNs() - Number(this.masterTimeAt(this.nowNs) - this.nowNs);
  }

  /** Run every event up to `untilNs` of true time (absolute). */
  runUntil(untilNs: bigint): void {
    for (let t = this.queue.peekTime(); t !== undefined && t <= untilNs; t = this.queue.peekTime()) {
      const e = this.queue.pop();
      if (e === undefined) break;
      this.advance(e.at);
      e.run();
    }
    this.advance(untilNs);
  }

  /** Run for a duration in seconds of true time, calling `sample` every `everyNs`. */
  runFor(seconds: number, everyNs?: bigint, sample?: (sim: Simulation) => void): void {
    const end = this.nowNs + BigInt(Math.round(seconds * 1e9));
    if (everyNs === undefined || sample === undefined) return this.runUntil(end);
    for (let t = this.nowNs + everyNs; t <= end; t += everyNs) {
      this.runUntil(t);
      sample(this);
    }
    this.runUntil(end);
  }

  // ------------------------------------------------------------------------------------------
  // The grandmaster

  private masterSilent(trueNs: bigint): boolean {
    const rel = trueNs - this.scenario.startNs;
    return this.scenario.master.outages.some((o) => rel >= o.fromNs && rel < o.toNs);
  }

  private masterSync(): void {
    const m = this.scenario.master;
    this.queue.schedule(this.nowNs + logIntervalToNsBig(m.logSyncInterval), () => this.masterSync());
    if (this.masterSilent(this.nowNs)) return;
    const seq = this.syncSeq;
    this.syncSeq = (seq + 1) & 0xffff;
    const origin = this.masterTimeAt(this.nowNs);
    const opts = { source: m.port, logMessageInterval: m.logSyncInterval };
    this.toStation(sync(seq, opts));
    this.queue.schedule(this.nowNs + BigInt(m.followUpDelayNs), () => {
      this.toStation(followUp(seq, origin, { ...opts, tlvs: [followUpInfo(0, this.timeBaseIndicator(), 0n, 0)] }));
    });
  }

  private timeBaseIndicator(): number {
    const rel = this.nowNs - this.scenario.startNs;
    return this.scenario.master.phaseJumps.filter((j) => rel >= j.atNs && j.announced !== false).length;
  }

  private masterAnnounce(): void {
    const m = this.scenario.master;
    this.queue.schedule(this.nowNs + logIntervalToNsBig(m.logAnnounceInterval), () => this.masterAnnounce());
    if (this.masterSilent(this.nowNs)) return;
    const seq = this.announceSeq;
    this.announceSeq = (seq + 1) & 0xffff;
    const rel = this.nowNs - this.scenario.startNs;
    const change = [...(m.grandmasterChanges ?? [])].reverse().find((c) => rel >= c.atNs);
    const gm =
      change === undefined
        ? { grandmaster: m.grandmasterIdentity, priority1: m.priority1 }
        : {
            grandmaster: change.grandmasterIdentity,
            priority1: change.priority1,
            stepsRemoved: 1,
            pathTrace: [change.grandmasterIdentity, m.port.clockIdentity],
          };
    const tp = [...(m.timeProperties ?? [])].reverse().find((t) => rel >= t.atNs);
    const time = tp === undefined ? {} : { currentUtcOffset: tp.currentUtcOffset, flags: tp.flags };
    this.toStation(announce(seq, { source: m.port, logMessageInterval: m.logAnnounceInterval, ...gm, ...time }));
  }

  private rogueSync(r: RogueMaster): void {
    if (this.nowNs - this.scenario.startNs >= r.toNs) return;
    const interval = logIntervalToNsBig(-3);
    this.queue.schedule(this.nowNs + interval, () => this.rogueSync(r));
    const seq = this.rogueSeq.sync;
    this.rogueSeq.sync = (seq + 1) & 0xffff;
    const origin = this.nowNs + r.offsetNs;
    const opts = { source: r.port, logMessageInterval: -3 };
    this.toStation(fromRogue(sync(seq, opts), r));
    this.queue.schedule(this.nowNs + 50_000n, () => this.toStation(fromRogue(followUp(seq, origin, { ...opts, tlvs: [followUpInfo()] }), r)));
  }

  private rogueAnnounce(r: RogueMaster): void {
    if (this.nowNs - this.scenario.startNs >= r.toNs) return;
    this.queue.schedule(this.nowNs + 1_000_000_000n, () => this.rogueAnnounce(r));
    const seq = this.rogueSeq.announce;
    this.rogueSeq.announce = (seq + 1) & 0xffff;
    this.toStation(fromRogue(announce(seq, { source: r.port, logMessageInterval: 0, grandmaster: r.grandmasterIdentity, priority1: r.priority1 }), r));
  }

  private masterPdelayReq(): void {
    const m = this.scenario.master;
    this.queue.schedule(this.nowNs + 1_000_000_000n, () => this.masterPdelayReq());
    if (this.masterSilent(this.nowNs)) return;
    const seq = this.masterPdelaySeq;
    this.masterPdelaySeq = (seq + 1) & 0xffff;
    this.masterPdelay = { seq, t1: this.masterTimeAt(this.nowNs) };
    this.toStation(pdelayReq(seq, { source: m.port }));
  }

  /** A frame from the station reaches the grandmaster. */
  private atMaster(frame: PtpFrame): void {
    const m = this.scenario.master;
    const msg = frame.message;
    const now = this.masterTimeAt(this.nowNs);
    if (this.masterSilent(this.nowNs)) return;
    if (msg.type === 'pdelayReq') {
      const requester = msg.header.sourcePortIdentity;
      const seq = msg.header.sequenceId;
      const t2 = now;
      this.queue.schedule(this.nowNs + BigInt(m.responderTurnaroundNs), () => {
        const t3 = this.masterTimeAt(this.nowNs);
        this.toStation(pdelayResp(seq, requester, t2, { source: m.port }));
        this.queue.schedule(this.nowNs + 10_000n, () => this.toStation(pdelayRespFollowUp(seq, requester, t3, { source: m.port })));
      });
      return;
    }
    const p = this.masterPdelay;
    if (p === undefined || msg.header.sequenceId !== p.seq) return;
    if (msg.type === 'pdelayResp') {
      p.t4 = now;
      p.t2 = timestampToNs(msg.requestReceiptTimestamp) * SCALED_NS_PER_NS;
      p.respCorrection = msg.header.correctionField;
    } else if (msg.type === 'pdelayRespFollowUp' && p.t2 !== undefined && p.t4 !== undefined) {
      // 1588-2019 11.4.2: the turnaround is t3 − t2 plus both correctionFields. A plain formula here,
      // independent of the engine's, is the check on the station's responder.
      const t3c = timestampToNs(msg.responseOriginTimestamp) * SCALED_NS_PER_NS + (p.respCorrection ?? 0n) + msg.header.correctionField;
      const turnaround = scaledNsToNs(t3c - p.t2);
      this.masterView.measurements.push((Number(p.t4 - p.t1) - turnaround) / 2);
      this.masterPdelay = undefined;
    }
  }

  // ------------------------------------------------------------------------------------------
  // The link

  private oneWayDelayNs(toStation: boolean, frame: PtpFrame): bigint | undefined {
    const l = this.scenario.link;
    if ((l.lossProbability ?? 0) > 0 && this.random.uniform() < (l.lossProbability ?? 0)) return undefined;
    if (l.recorded !== undefined) return this.recordedDelayNs(l, toStation, frame);
    const asym = l.asymmetryNs ?? 0;
    const base = toStation ? l.meanDelayNs + asym : l.meanDelayNs - asym;
    const jitter = (l.jitterNs ?? 0) > 0 ? this.random.uniform() * (l.jitterNs ?? 0) : 0;
    return BigInt(Math.round(base + jitter));
  }

  /** The shift of a path in force now (the last one begun), ns. */
  private shiftNs(shifts: readonly PathShift[] | undefined): number {
    const sinceStart = this.nowNs - this.scenario.startNs;
    let ns = 0;
    for (const shift of shifts ?? []) if (shift.fromNs <= sinceStart) ns = shift.extraNs;
    return ns;
  }

  /** A recorded latency for this frame, kept FIFO behind the previous frame on the same direction. */
  private recordedDelayNs(l: LinkModel, toStation: boolean, frame: PtpFrame): bigint {
    const recorded = l.recorded as RecordedNoise;
    const type = frame.message.type;
    const startup = recorded.startup;
    const starting = startup !== undefined && this.nowNs - this.scenario.startNs < BigInt(Math.round(startup.seconds * 1e9));
    const from = starting ? startup : recorded;
    let path = type === 'pdelayResp' ? from.answer : from.timer;
    if (starting && type === 'pdelayResp' && !this.answered[toStation ? 'toStation' : 'toMaster']) {
      // The first answer each way takes the cold path (latencyDistribution.ts).
      this.answered[toStation ? 'toStation' : 'toMaster'] = true;
      path = startup.firstAnswer;
    }
    // A Sync with its own noise: the level, a residual draw and the wander.
    const own = toStation && type === 'sync' ? this.syncOwn : undefined;
    let ns = own === undefined ? drawLatencyNs(path, this.random) : own.levelNs + drawLatencyNs(own.noise.residual, this.random) + own.wander.at(this.nowNs);
    if (toStation && type === 'sync') ns += (l.syncExtraNs ?? 0) + this.shiftNs(l.syncPathShifts);
    if (!toStation) ns += this.shiftNs(l.towardsMasterShifts);
    if (toStation && type === 'pdelayResp' && this.coldAnswers < (l.coldStartAnswers?.count ?? 0)) {
      this.coldAnswers++;
      ns += l.coldStartAnswers?.extraNs ?? 0;
    }
    const key = toStation ? 'toStation' : 'toMaster';
    let arrival = this.nowNs + BigInt(Math.max(1, Math.round(ns)));
    if (arrival <= this.lastArrival[key]) arrival = this.lastArrival[key] + 1_000n;
    this.lastArrival[key] = arrival;
    return arrival - this.nowNs;
  }

  private toStation(frame: PtpFrame): void {
    const d = this.oneWayDelayNs(true, frame);
    if (d === undefined) return;
    this.queue.schedule(this.nowNs + d, () => {
      const rx = this.clock.timestampNow();
      this.hooks.onStationFrame?.(frame, rx, 'rx', this);
      this.slave.receive(frame, rx);
      this.scheduleEngineTimer();
    });
  }

  // ------------------------------------------------------------------------------------------
  // The station

  private onStationTransmit(t: Transmission): void {
    // Egress is now: the TX timestamp comes back through the error queue a little later.
    const tx = this.clock.timestampNow();
    this.hooks.onStationFrame?.(t.frame, tx, 'tx', this);
    if (t.txHandle !== undefined) {
      const handle = t.txHandle;
      this.queue.schedule(this.nowNs + 5_000n, () => {
        this.slave.txTimestamp(handle, tx);
        this.scheduleEngineTimer();
      });
    }
    const d = this.oneWayDelayNs(false, t.frame);
    if (d !== undefined) this.queue.schedule(this.nowNs + d, () => this.atMaster(t.frame));
  }

  private onEngineEvent(e: EngineEvent): void {
    this.hooks.onEvent?.(e, this);
    if (e.type === 'syncReceipt') this.hooks.onSyncReceipt?.(e.receipt, this);
  }

  /** The station's reading of its timestamping clock now, without timestamp noise (for timers). */
  localNow(): LocalTime {
    return this.clock.timestampsFollowAdjustment ? localTime(this.clock.now()) : this.clock.freeRunningNow();
  }

  /** Keep exactly one pending wake-up for the engine's earliest timer, converted to true time. */
  private scheduleEngineTimer(): void {
    const next = this.slave.nextTimerAt();
    if (next === undefined) return;
    const local = this.localNow();
    const rate = 1 + (this.clock.oscillatorPpb() + (this.clock.timestampsFollowAdjustment ? this.clock.frequencyPpb() : 0)) * 1e-9;
    const trueAt = this.nowNs + BigInt(Math.max(1, Math.ceil(Number(next - local) / rate)));
    if (this.engineTimerAt !== undefined && this.engineTimerAt <= trueAt) return;
    this.engineTimerAt = trueAt;
    this.queue.schedule(trueAt, () => {
      if (this.engineTimerAt !== trueAt) return;
      this.engineTimerAt = undefined;
      this.slave.tick(this.localNow());
      this.scheduleEngineTimer();
    });
  }

  private advance(trueNs: bigint): void {
    if (trueNs <= this.nowNs) return;
    this.nowNs = trueNs;
    this.clock.advanceTo(trueNs);
  }
}

/** A rogue's frame leaves from the MAC address its clockIdentity was made from (EUI-48 → EUI-64). */
function fromRogue(f: PtpFrame, r: RogueMaster): PtpFrame {
  const id = r.port.clockIdentity;
  return { ...f, source: Number(((id >> 40n) << 24n) | (id & 0xffffffn)) };
}

/**
 * The Syncs' level with their own noise (LinkModel.syncNoise), ns: `levelNs` above the mean of the
 * Pdelay paths' medians (the timer path's request, the answer path's response), or without it the
 * timer path's median.
 */
function syncLevelNs(recorded: RecordedNoise, levelNs: number | undefined): number {
  if (levelNs === undefined) return medianNs(recorded.timer);
  return (medianNs(recorded.timer) + medianNs(recorded.answer)) / 2 + levelNs;
}
