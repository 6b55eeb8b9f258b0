/**
 * `syntonic run`: one port on one interface as a gPTP slave. Wires the packet socket, the engine and
 * servo (ClockSlave), the disciplined clock, the time-base provider and time page, logs and metrics, and stops
 * cleanly on SIGINT/SIGTERM (closing the socket restores any hardware timestamping setting it changed;
 * a PHC is left running with its last frequency).
 */
import { lstatSync } from 'node:fs';
import type { Server } from 'node:http';
import type { DisciplinedClock } from '../../clock/clock.js';
import { PhcClock } from '../../clock/phcClock.js';
import { openPhcDevice, type PhcDevice } from '../../clock/phcDevice.js';
import { realtimeNow, sampleRealtimeAndMonotonicRaw } from '../../clock/systemClocks.js';
import { localTime, monotonicRawTime, type LocalTime } from '../../clock/timePoint.js';
import { SkewedTimebase, type SkewOptions } from '../../clock/skewedTimebase.js';
import { VirtualClock } from '../../clock/virtualClock.js';
import { LivePort } from '../../io/livePort.js';
import { PacketSocket } from '../../io/packetSocket.js';
import type { EngineEvent } from '../../protocol/engineEvents.js';
import { formatClockIdentity, formatDelayNs, formatPortIdentity, formatScaledNs, messageTypeName } from '../../protocol/format.js';
import { logIntervalToNs } from '../../protocol/logInterval.js';
import { LATE_ANSWER_MEANING, lateRateStartText, timescaleJumpText } from '../../protocol/neighborRateRatioWindow.js';
import { heldJumpText, syncPathHoldText } from '../../protocol/propagationDelayFilter.js';
import type { EngineStatistics } from '../../protocol/portEngine.js';
import { scaledNsToNs } from '../../protocol/timestamp.js';
import { ChronyRefclock } from '../../provider/chronyRefclock.js';
import { TimeBaseProvider } from '../../provider/server.js';
import { TimePageWriter } from '../../provider/timePage.js';
import { ClockSlave } from '../../servo/clockSlave.js';
import { defaultServo, learnsOscillatorWander } from '../../servo/clockServo.js';
import type { TimestampingMode } from '../../protocol/portConfig.js';
import type { Snapshot } from '../../provider/snapshot.js';
import type { DaemonConfig } from '../config/daemonConfig.js';
import { unusedKalmanWander } from '../config/servoSettings.js';
import { SYNTONIC_VERSION } from '../../version.js';
import { exitCleanup, removeOwnSocket } from './exitCleanup.js';
import { SummaryStats, type Log } from './log.js';
import { logStatusEvent } from './statusLog.js';
import { logSyncRecord } from './syncLog.js';
import { RefusalLog } from './refusalLog.js';
import { startMetricsServer, type MetricsSource } from './metrics.js';
import { refclockInstant, type RealtimePair } from './refclockFeed.js';
import { SnapshotBuilder, type ClockPair } from './snapshotBuilder.js';
import { managementDataSets } from './managementDataSets.js';
import { ManagementServer } from './managementServer.js';
import { watchForPeers } from './peerWatch.js';
import { WANDER_FILE_INTERVAL_MS, WanderFile } from './wanderFile.js';

/** The provider republishes at least this often, so time-since-last-sync stays fresh for pollers. */
const PUBLISH_INTERVAL_MS = 1_000;

/** Test instrument: a synthetic error of the station's own timestamp clock (software timestamps only). */
export interface DaemonInstruments {
  readonly timestampSkew?: SkewOptions;
}

export interface RunningDaemon {
  /** Resolves with the exit code once the daemon has stopped. */
  readonly stopped: Promise<number>;
  stop(reason: string): Promise<void>;
  /** A reloaded configuration (SIGHUP): applies what can change while running (the acceptable lists). */
  reload(config: DaemonConfig): void;
}

interface ClockSetup {
  readonly clock: DisciplinedClock;
  /** The synthetic skew applied to every timestamp, when the lab asked for one. */
  readonly skew: ((t: LocalTime) => LocalTime) | undefined;
  readonly timestampClockNow: () => LocalTime;
  readonly samplePair: () => ClockPair;
  /** The timestamping clock and CLOCK_REALTIME at one instant (chrony's samples). */
  readonly sampleRealtime: () => RealtimePair;
  readonly device: PhcDevice | undefined;
}

export async function startDaemon(config: DaemonConfig, log: Log, instruments: DaemonInstruments = {}): Promise<RunningDaemon> {
  const socket = PacketSocket.open({
    interface: config.interfaceName,
    timestamping: config.timestamping,
    ...(config.oneStepResponder ? { oneStepP2p: true } : {}),
    txTimestampTimeoutMs: config.txTimestampTimeoutMs,
  });
  let clockSetup: ClockSetup;
  try {
    clockSetup = setUpClock(config, socket, instruments.timestampSkew === undefined ? undefined : new SkewedTimebase(instruments.timestampSkew));
  } catch (err) {
    socket.close();
    throw err;
  }
  const { clock, timestampClockNow } = clockSetup;
  const iface = config.interfaceName;
  log.write(
    'info',
    `port 1 (${iface}): ${socket.timestampingMode} timestamping${socket.oneStepP2p ? ' with one-step Pdelay_Resp (p2p1step)' : ''}${socket.fallbackReason === undefined ? '' : ` (${socket.fallbackReason})`}, ${clock.kind} clock`,
  );
  if (!socket.interfaceUpAtOpen) log.write('warning', `port 1 (${iface}): interface is down; waiting for it to come up`);
  const unusedWander = unusedKalmanWander(config.servo, socket.timestampingMode);
  if (unusedWander !== undefined) log.write('warning', unusedWander);
  const wanderFile = wanderFileOf(config, socket.timestampingMode, clock, log);
  const wanderPrior = wanderFile?.read();

  const live = new LivePort({
    socket,
    timestampClockNow,
    ...(clockSetup.skew === undefined ? {} : { mapTimestamp: clockSetup.skew }),
    onDecodeError: (e, suppressed) =>
      log.write(
        'warning',
        `port 1 (${iface}): bad frame: ${e.kind} at ${e.field} (octet ${e.offset}): ${e.message}${suppressed > 0 ? ` (${suppressed} more not shown)` : ''}`,
      ),
  });
  const summary = new SummaryStats();
  const refusals = new RefusalLog(log, `port 1 (${iface})`);
  // As ptp4l: a line per Sync when summary_interval is not longer than the Sync interval, else rms/max lines.
  const perSyncLines = config.summaryIntervalLog <= config.port.initialLogSyncInterval;
  let builder: SnapshotBuilder | undefined;
  let provider: TimeBaseProvider | undefined;
  let management: ManagementServer | undefined;
  let timePage: TimePageWriter | undefined;
  const publish = (): Snapshot | undefined => {
    if (builder === undefined || provider === undefined) return undefined;
    const snapshot = builder.build();
    try {
      provider.publish(snapshot);
      timePage?.publish(snapshot);
    } catch (err) {
      // The provider keeps the previous snapshot; a bad one (a NaN rate, say) is a bug worth a line.
      log.write('error', `time-base provider: snapshot not published: ${err instanceof Error ? err.message : String(err)}`);
    }
    return snapshot;
  };
  const refclockConfig = config.refclock;
  const refclock = refclockConfig === undefined ? undefined : new ChronyRefclock({ address: refclockConfig.address, log: (level, m) => log.write(level, m) });

  const slave = new ClockSlave(
    {
      engine: { config: config.port, macAddress: socket.macAddress, transmit: true, oneStepResponder: socket.oneStepP2p },
      clock,
      // The servo's tuning follows the timestamps (software ones are far noisier).
      servo: { ...config.servo, timestamping: socket.timestampingMode, ...(wanderPrior === undefined ? {} : { kalmanWanderPrior: wanderPrior }) },
      stability: { offsetThresholdNs: config.servo.offsetThresholdNs, numOffsetValues: config.servo.numOffsetValues },
      freeRunning: config.freeRunning,
    },
    {
      transmit: live.transmit,
      syncRecord: (r) => {
        logSyncRecord(r, log, summary, perSyncLines);
        const snapshot = publish();
        if (r.outcome.accepted) management?.timeSynchronized();
        if (refclock === undefined || refclockConfig === undefined || snapshot === undefined || !r.outcome.accepted) return;
        const instant = refclockInstant(r.receipt, refclockConfig.measuredOffsets, clock, clockSetup.sampleRealtime());
        refclock.offer({ ...instant, status: snapshot.status, timescale: snapshot.timescale });
      },
      engineEvent: (e) => {
        if (e.type === 'notAcceptable') refusals.refused(e.refusal, Number(process.hrtime.bigint() / 1_000_000n));
        onEngineEvent(e, log, iface);
        if (e.type === 'portStateChanged') management?.portStateChanged();
        else if (e.type === 'grandmasterChanged') management?.parentMayHaveChanged();
      },
      statusEvent: (e) => {
        logStatusEvent(e, log, slave.discipline.heldCourse());
        builder?.onStatusEvent(e);
        publish();
      },
    },
  );
  builder = new SnapshotBuilder({
    engine: slave.engine,
    discipline: slave.discipline,
    clock,
    timestamping: socket.timestampingMode,
    samplePair: clockSetup.samplePair,
    moreRejections: () => management?.rejected() ?? {},
    ...(config.assumedUtcOffset === undefined ? {} : { assumedUtcOffset: config.assumedUtcOffset }),
  });
  try {
    timePage = await openTimePage(config, log);
    provider = await TimeBaseProvider.listen(builder.build(), {
      socketPath: config.socketPath,
      implementationVersion: SYNTONIC_VERSION,
      ...(config.socketMode === undefined ? {} : { mode: config.socketMode }),
      ...(config.socketGroup === undefined ? {} : { group: config.socketGroup }),
    });
  } catch (err) {
    timePage?.close();
    socket.close();
    clockSetup.device?.close();
    throw err;
  }
  // However the process ends from here on, the socket goes (unless a clean stop removed it already).
  const socketInode = inodeOf(config.socketPath);
  const unregisterSocket = exitCleanup.register(`provider socket ${config.socketPath}`, () => removeOwnSocket(config.socketPath, socketInode));
  // The page also removes itself at process exit; on the list it goes with everything else, in order.
  const page = timePage;
  const unregisterPage = page === undefined ? (): void => undefined : exitCleanup.register(`time page ${page.path}`, () => page.close());
  log.write('info', `time-base provider on ${config.socketPath}`);
  let unregisterUds = (): void => undefined;
  if (config.udsAddress !== undefined) {
    const snapshots = builder;
    try {
      management = ManagementServer.start({
        path: config.udsAddress,
        clockIdentity: slave.engine.port.clockIdentity,
        portNumber: slave.engine.port.portNumber,
        majorSdoId: config.port.majorSdoId,
        domainNumber: config.port.domainNumber,
        dataSets: () =>
          managementDataSets({ snapshot: snapshots.build(), engine: slave.engine, port: config.port, interfaceName: iface, oneStepP2p: socket.oneStepP2p }),
        warn: (message) => log.write('warning', message),
      });
    } catch (err) {
      socket.close();
      clockSetup.device?.close();
      timePage?.close();
      await provider.close();
      throw new Error(`uds_address ${config.udsAddress}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const udsAddress = config.udsAddress;
    const udsInode = inodeOf(udsAddress);
    unregisterUds = exitCleanup.register(`management socket ${udsAddress}`, () => removeOwnSocket(udsAddress, udsInode));
    log.write(
      'info',
      `management socket on ${config.udsAddress} (pmc -u -s ${config.udsAddress} -t ${config.port.majorSdoId.toString(16)} -d ${config.port.domainNumber})`,
    );
  }
  if (refclockConfig !== undefined) {
    const what = refclockConfig.measuredOffsets
      ? "each Sync's measured offset (clock_servo refclock_sock: no clock disciplined)"
      : `the synchronized time of the ${clock.kind} clock`;
    log.write('info', `chrony refclock: SOCK samples to ${refclockConfig.address}: ${what}, once per Sync while synchronized`);
  }
  publish();

  let metrics: Server | undefined;
  if (config.metrics !== undefined) {
    metrics = await startMetricsServer(config.metrics.host, config.metrics.port, {
      snapshot: () => (builder as SnapshotBuilder).build(),
      sinceLastSyncS: () => {
        const last = slave.engine.lastSyncTime;
        return last === undefined ? undefined : Number(timestampClockNow() - last) / 1e9;
      },
      counters: () => ({
        ...engineCounters(slave.engine.statistics()),
        syntonic_decode_errors_total: { help: 'Frames that did not decode, by error kind.', label: 'kind', values: live.counters().decodeErrors },
        ...(management === undefined
          ? {}
          : {
              syntonic_management_answers_total: {
                help: 'Answers on the management socket (uds_address), by kind.',
                label: 'kind',
                values: management.answers(),
              },
            }),
        ...(refclock === undefined
          ? {}
          : {
              syntonic_refclock_samples_total: { help: 'chrony SOCK refclock samples: sent, or why not.', label: 'result', values: refclockCounts(refclock) },
            }),
      }),
    });
    log.write('info', `metrics on http://${config.metrics.host}:${config.metrics.port}/metrics`);
  }

  const peerWatch = watchForPeers({ interfaceName: iface, received: () => slave.engine.statistics().received, warn: (line) => log.write('warning', line) });
  socket.on('linkDown', (e) => log.write('warning', `port 1 (${iface}): link down: ${e.message}`));
  socket.on('warning', (e) => log.write('warning', `port 1 (${iface}): ${e.message}`));
  let resolveStopped: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((r) => {
    resolveStopped = r;
  });
  const publishTimer = setInterval(publish, PUBLISH_INTERVAL_MS);
  const saveWander = (): void => wanderFile?.save(slave.discipline.servo.learnedWander());
  const wanderTimer = wanderFile === undefined ? undefined : setInterval(saveWander, WANDER_FILE_INTERVAL_MS);
  const summaryTimer = perSyncLines
    ? undefined
    : setInterval(
        () => {
          const line = summary.take();
          if (line !== undefined) log.write('info', line);
        },
        logIntervalToNs(config.summaryIntervalLog) / 1e6,
      );
  let stopping = false;
  const stop = async (reason: string, code = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.write('info', `stopping: ${reason}`);
    clearInterval(publishTimer);
    if (wanderTimer !== undefined) clearInterval(wanderTimer);
    saveWander();
    peerWatch.stop();
    if (summaryTimer !== undefined) clearInterval(summaryTimer);
    live.close();
    socket.close();
    management?.close();
    unregisterUds();
    clockSetup.device?.close();
    refclock?.close();
    timePage?.close();
    unregisterPage();
    await provider?.close();
    unregisterSocket();
    await new Promise<void>((r) => (metrics === undefined ? r() : metrics.close(() => r())));
    resolveStopped(code);
  };
  socket.on('error', (e) => {
    log.write('error', `port 1 (${iface}): ${e.message}`);
    void stop('socket error', 1);
  });
  live.attach(slave);
  const reload = (next: DaemonConfig): void => {
    slave.engine.setAcceptableMasters(next.port, timestampClockNow());
    log.write(
      'notice',
      `acceptable grandmasters: ${describeList(next.port.acceptableGrandmasters?.map(formatClockIdentity))}; acceptable masters: ${describeList(next.port.acceptableMasters?.map(formatPortIdentity))}`,
    );
    publish();
  };
  return { stopped, stop: (reason) => stop(reason), reload };
}

/** kalman_wander_file, when the servo learns a walk; otherwise a warning that says why it is neither read nor written. */
function wanderFileOf(config: DaemonConfig, timestamping: TimestampingMode, clock: DisciplinedClock, log: Log): WanderFile | undefined {
  const path = config.wanderFile;
  if (path === undefined) return undefined;
  if (!learnsOscillatorWander({ ...config.servo, timestamping })) {
    const why =
      config.servo.kalmanFrequencyWanderPpbPerSqrtS === undefined
        ? `clock_servo ${config.servo.servo ?? defaultServo(timestamping)}`
        : 'kalman_frequency_wander sets it';
    log.write('warning', `kalman_wander_file ${path}: the servo learns no oscillator walk (${why}): not read or written`);
    return undefined;
  }
  return new WanderFile(path, { timestamping, clock: clock.kind }, (level, message) => log.write(level, message));
}

function describeList(items: readonly string[] | undefined): string {
  return items === undefined || items.length === 0 ? 'any' : items.join(' ');
}

function inodeOf(path: string): bigint | undefined {
  try {
    return lstatSync(path, { bigint: true }).ino;
  } catch {
    return undefined;
  }
}

/**
 * The shared-memory time page (docs/time-page.md). A configured path that cannot be used stops the
 * start; the default path only earns a warning (a second daemon on the node, or no write access to
 * /run/syntonic), so that the socket still serves.
 */
async function openTimePage(config: DaemonConfig, log: Log): Promise<TimePageWriter | undefined> {
  const setting = config.timePage;
  if (setting === null) return undefined;
  try {
    const page = await TimePageWriter.open(setting.path);
    log.write('info', `time page on ${setting.path}`);
    return page;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (setting.required) throw new Error(`time page: ${why}`);
    log.write('warning', `no time page: ${why} (set time_page or --time-page to another path, or none)`);
    return undefined;
  }
}

/**
 * Software timestamps are CLOCK_REALTIME: the virtual clock maps them. Hardware timestamps are PHC
 * time: either the PHC itself is disciplined (--clock phc) or a virtual clock over it.
 */
function setUpClock(config: DaemonConfig, socket: PacketSocket, skewed: SkewedTimebase | undefined): ClockSetup {
  if (socket.timestampingMode === 'software') {
    if (config.clock === 'phc')
      throw new Error('--clock phc needs hardware timestamping: software timestamps are CLOCK_REALTIME, not PHC time (use --clock virtual)');
    const skew = skewed === undefined ? undefined : (t: LocalTime): LocalTime => skewed.map(t);
    const now = skew === undefined ? realtimeNow : (): LocalTime => skew(realtimeNow());
    const pairNow = (): ClockPair => {
      const p = sampleRealtimeAndMonotonicRaw();
      return { timestampClock: skew === undefined ? p.realtime : skew(p.realtime), monotonicRaw: p.monotonicRaw };
    };
    const realtimePair = (): RealtimePair => {
      const r = realtimeNow();
      return { timestampClock: skew === undefined ? r : skew(r), realtime: BigInt(r) };
    };
    return { clock: new VirtualClock(now), skew, timestampClockNow: now, samplePair: pairNow, sampleRealtime: realtimePair, device: undefined };
  }
  if (skewed !== undefined) throw new Error('the timestamp skew instrument works with software timestamps only');
  const index = socket.phcIndex;
  if (index === undefined) throw new Error(`${config.interfaceName} timestamps in hardware but reports no PHC index (ethtool -T)`);
  const device = openPhcDevice({ index });
  const phcNow = (): LocalTime => localTime(device.readNs());
  const samplePair = (): ClockPair => {
    // PHC − CLOCK_REALTIME from PTP_SYS_OFFSET, then CLOCK_REALTIME ↔ CLOCK_MONOTONIC_RAW.
    const offset = device.systemOffset();
    const p = sampleRealtimeAndMonotonicRaw();
    return { timestampClock: localTime(BigInt(p.realtime) + offset.offsetNs), monotonicRaw: monotonicRawTime(BigInt(p.monotonicRaw)) };
  };
  const sampleRealtime = (): RealtimePair => {
    const offset = device.systemOffset();
    return { timestampClock: localTime(offset.systemNs + offset.offsetNs), realtime: offset.systemNs };
  };
  const clock = config.clock === 'phc' ? new PhcClock(device) : new VirtualClock(phcNow);
  return { clock, skew: undefined, timestampClockNow: phcNow, samplePair, sampleRealtime, device };
}

function refclockCounts(refclock: ChronyRefclock): Record<string, number> {
  const c = refclock.counters();
  return { sent: c.samplesSent, ...c.samplesNotSent };
}

/** The engine's counters for the metrics, from one read of its statistics per scrape. */
function engineCounters(s: EngineStatistics): ReturnType<MetricsSource['counters']> {
  return {
    syntonic_frames_received_total: { help: 'PTP frames received, by messageType.', label: 'messageType', values: s.received },
    syntonic_frames_sent_total: { help: 'PTP frames sent, by messageType.', label: 'messageType', values: s.sent },
  };
}

function onEngineEvent(e: EngineEvent, log: Log, iface: string): void {
  const port = `port 1 (${iface})`;
  switch (e.type) {
    case 'portStateChanged':
      log.write('notice', `${port}: ${e.from} to ${e.to}: ${e.reason}`);
      return;
    case 'asCapableChanged':
      log.write(e.asCapable ? 'notice' : 'warning', `${port}: asCapable ${e.asCapable ? 'true' : 'false'}: ${e.reason}`);
      return;
    case 'grandmasterChanged':
      log.write(
        'notice',
        e.current === undefined
          ? `${port}: grandmaster lost`
          : `selected best master clock ${formatClockIdentity(e.current)} on ${port} via ${e.masterPort === undefined ? '?' : formatPortIdentity(e.masterPort)}`,
      );
      return;
    case 'gmTimeBaseChanged':
      log.write(
        'notice',
        `grandmaster time base changed: gmTimeBaseIndicator ${e.gmTimeBaseIndicator}, lastGmPhaseChange ${formatDelayNs(scaledNsToNs(e.lastGmPhaseChange))}`,
      );
      return;
    case 'syncReceiptTimeout':
    case 'announceReceiptTimeout':
      log.write('warning', `${port}: ${e.type}`);
      return;
    case 'followUpTimeout':
      log.write('debug', `${port}: no Follow_Up for Sync ${e.sequenceId}`);
      return;
    case 'pdelayMeasured': {
      const m = e.measurement;
      const hold = m.meanLinkDelayHold;
      if (hold?.exchanges === 1) log.write('warning', `${port}: ${heldJumpText(hold, m.meanLinkDelay)}`);
      if (hold?.syncPath?.first === true) log.write('warning', `${port}: ${syncPathHoldText(hold, hold.syncPath, m.meanLinkDelay)}`);
      if (m.lateRateStart !== undefined) log.write('info', `${port}: ${lateRateStartText(m.lateRateStart)}`);
      if (m.neighborTimeJumpNs !== undefined) log.write('notice', `${port}: ${timescaleJumpText(m.neighborTimeJumpNs)}`);
      log.write(
        'debug',
        `${port}: pdelay ${m.sequenceId} t1 ${m.t1} t3 ${formatScaledNs(m.t3Scaled)} t4 ${m.t4} turnaround ${m.turnaround.toFixed(1)} propTime ${m.propTime.toFixed(1)} meanLinkDelay ${m.meanLinkDelay.toFixed(1)}${m.lateAnswer ? ` late answer: ${LATE_ANSWER_MEANING}` : ''}`,
      );
      return;
    }
    case 'pdelayIntervalChanged':
      log.write('info', `${port}: logPdelayReqInterval ${e.logInterval}: ${e.reason}`);
      return;
    case 'rejected':
      log.write('debug', `${port}: ${messageTypeName(e.messageType)} ${e.sequenceId} from ${formatPortIdentity(e.source)} rejected: ${e.reason}`);
      return;
    default:
      return;
  }
}
