/**
 * A scripted master for servo tests and benches: SyncReceipts generated from simulated true time, as
 * the port engine would hand them over, for a SimClock slave.
 *
 *  - The master's time is true time (plus any scripted phase jumps and frequency steps); its
 *    timestamps are exact unless masterTimestampNoiseNs is set.
 *  - The slave's ingress timestamp comes from the SimClock (oscillator, noise, granularity).
 *  - rateRatio is measured as the engine does for neighborRateRatio (802.1AS-2020 11.2.19.3.3): from
 *    Pdelay timestamp pairs (master, local) one pdelayIntervalS apart, over rateRatioWindow exchanges.
 *    The exchanges start a full window before the first Sync, as asCapable requires them anyway. Its
 *    σ (SyncReceipt.rateRatioSigma) is the one the scripted timestamp noise gives it: one timestamp's
 *    noise at each end of the span.
 *  - meanLinkDelay is re-measured at every Pdelay exchange: linkDelayNs plus uniform noise of
 *    ±linkDelayNoiseNs, plus any scripted spike for that exchange. gmTime contains the measured value
 *    (× rateRatio), so its error moves gmTime as it would in the engine.
 *  - The servo processes each Sync processingLatencyNs after its ingress (Follow_Up, scheduling).
 *
 * The true error recorded for each Sync is (clock reading − master time) at its ingress, before the
 * servo acts on it: what a perfect observer would measure just before each correction.
 */
import { SimClock, type TimestampNoise } from '../clock/simClock.js';
import { ptpTime, type LocalTime } from '../clock/timePoint.js';
import type { OscillatorOptions } from '../clock/oscillator.js';
import type { SyncReceipt } from '../protocol/syncReceipt.js';
import { Prng } from '../clock/prng.js';
import type { ClockDiscipline, SyncOutcome } from './clockDiscipline.js';
import type { StatusEvent } from './syncStatus.js';

export interface ServoScenario {
  readonly seed: number;
  readonly durationS: number;
  /** log2 s; −3 = 8 Sync/s. */
  readonly logSyncInterval: number;
  readonly oscillator: Omit<OscillatorOptions, 'seed' | 'startTrueNs' | 'startReadingNs'>;
  readonly timestampsFollowAdjustment: boolean;
  readonly timestampGranularityNs: number;
  readonly timestampNoiseNs: number;
  readonly timestampNoise?: TimestampNoise;
  readonly masterTimestampNoiseNs?: number;
  /** Clock reading minus master time when the simulation starts, ns. */
  readonly initialOffsetNs: number;
  readonly pdelayIntervalS?: number;
  readonly rateRatioWindow?: number;
  readonly linkDelayNs?: number;
  /** Half-width of the uniform noise on each meanLinkDelay measurement, ns. Default 2 ns. */
  readonly linkDelayNoiseNs?: number;
  readonly processingLatencyNs?: number;
  /** Master time jumps by ns at atS (s after the first Sync). */
  readonly phaseJumps?: readonly { readonly atS: number; readonly ns: number; readonly announced?: boolean }[];
  /** The master's frequency changes by ppb at atS (its time runs at 1 + Σppb·1e-9 after). */
  readonly masterFrequencySteps?: readonly { readonly atS: number; readonly ppb: number }[];
  /** meanLinkDelay is wrong by extraNs from the first Pdelay exchange at or after atS until the next. */
  readonly delaySpikes?: readonly { readonly atS: number; readonly extraNs: number }[];
  /** No Sync arrives from fromS to toS. */
  readonly syncGaps?: readonly { readonly fromS: number; readonly toS: number }[];
  /** Sync intervals without a Sync before the (modelled) port engine declares syncReceiptTimeout. Default 3. */
  readonly syncReceiptTimeout?: number;
  /** Simulated true time of the first Sync, ns. */
  readonly startTrueNs?: bigint;
}

export interface SimulatedSync {
  /** Seconds since the first Sync. */
  readonly tS: number;
  /** Clock − master at the Sync's ingress, before the servo acted, ns. */
  readonly trueErrorNs: number;
  /** What the servo did (undefined during a sync gap). */
  readonly outcome: SyncOutcome | undefined;
  /** The clock's frequency minus the master's, ppb (after the servo acted). */
  readonly frequencyErrorPpb: number;
}

export interface SimulationResult {
  readonly syncs: readonly SimulatedSync[];
  readonly events: readonly { readonly tS: number; readonly event: StatusEvent }[];
  readonly clock: SimClock;
}

/** The 8-Sync/s hardware-timestamping scenario of docs/servo.md. */
export function standardScenario(seed: number, overrides: Partial<ServoScenario> = {}): ServoScenario {
  return {
    seed,
    durationS: 120,
    logSyncInterval: -3,
    oscillator: { frequencyOffsetPpm: 100, wanderPpbPerSqrtS: 1 },
    timestampsFollowAdjustment: true,
    timestampGranularityNs: 8,
    timestampNoiseNs: 20,
    timestampNoise: 'uniform',
    initialOffsetNs: 3_141_592,
    ...overrides,
  };
}

const DEFAULT_START_NS = 1_700_000_000_000_000_000n;

interface PdelayPair {
  readonly master: number;
  readonly local: LocalTime;
  /** meanLinkDelay as measured by this exchange, ns. */
  readonly measuredDelayNs: number;
}

/** Runs a scenario; makeServo builds the servo under test around the simulated clock. */
export function simulate(scenario: ServoScenario, makeServo: (clock: SimClock) => ClockDiscipline): SimulationResult {
  const start = scenario.startTrueNs ?? DEFAULT_START_NS;
  const syncIntervalNs = Math.round(2 ** scenario.logSyncInterval * 1e9);
  const pdelayIntervalNs = Math.round((scenario.pdelayIntervalS ?? 1) * 1e9);
  const window = scenario.rateRatioWindow ?? 8;
  const latencyNs = BigInt(Math.round(scenario.processingLatencyNs ?? 1_000_000));
  const firstPdelay = start - BigInt(window * pdelayIntervalNs);
  const clock = new SimClock({
    oscillator: {
      ...scenario.oscillator,
      seed: scenario.seed * 2 + 1,
      startTrueNs: firstPdelay,
      startReadingNs: firstPdelay + BigInt(scenario.initialOffsetNs),
    },
    timestampsFollowAdjustment: scenario.timestampsFollowAdjustment,
    timestampGranularityNs: scenario.timestampGranularityNs,
    timestampNoiseNs: scenario.timestampNoiseNs,
    timestampNoise: scenario.timestampNoise ?? 'uniform',
    seed: scenario.seed * 2 + 2,
  });
  const servo = makeServo(clock);
  const masterNoise = new Prng(scenario.seed * 2 + 3);
  const masterNoiseNs = scenario.masterTimestampNoiseNs ?? 0;
  const pairs: PdelayPair[] = [];
  const syncs: SimulatedSync[] = [];
  const events: { tS: number; event: StatusEvent }[] = [];
  const end = start + BigInt(Math.round(scenario.durationS * 1e9));
  const secondsOf = (t: bigint): number => Number(t - start) / 1e9;

  let nextPdelay = firstPdelay;
  let nextSync = start;
  let sequenceId = 0;
  // The port engine's syncReceiptTimeout, as the engine times it: (timeout + ½) intervals after the last Sync.
  const timeout = scenario.syncReceiptTimeout ?? 3;
  const receiptSpan = BigInt(timeout * syncIntervalNs + syncIntervalNs / 2);
  let receiptDeadline: bigint | undefined;
  const expireReceipt = (tS: number): void => {
    if (receiptDeadline === undefined || clock.localNow() < receiptDeadline) return;
    const at = receiptDeadline as LocalTime;
    receiptDeadline = undefined;
    for (const event of servo.onSyncReceiptTimeout({ at, syncReceiptTimeout: timeout, logSyncInterval: scenario.logSyncInterval })) events.push({ tS, event });
  };
  while (nextSync <= end) {
    if (nextPdelay <= nextSync) {
      clock.advanceTo(nextPdelay);
      const masterS = secondsOf(nextPdelay);
      const master = Number(nextPdelay - start) + frequencyStepNs(scenario, masterS) + masterNoise.symmetric(masterNoiseNs);
      const measuredDelayNs = (scenario.linkDelayNs ?? 500) + masterNoise.symmetric(scenario.linkDelayNoiseNs ?? 2) + delaySpikeAt(scenario, masterS);
      pairs.push({ master, local: clock.timestampNow(), measuredDelayNs });
      if (pairs.length > window + 1) pairs.shift();
      nextPdelay += BigInt(pdelayIntervalNs);
      continue;
    }
    const tS = secondsOf(nextSync);
    clock.advanceTo(nextSync);
    const jumpNs = phaseJumpAt(scenario, tS) + frequencyStepNs(scenario, tS);
    if (inGap(scenario, tS)) {
      clock.advanceTo(nextSync + latencyNs);
      expireReceipt(tS);
      syncs.push({ tS, trueErrorNs: clock.errorNs() - jumpNs, outcome: undefined, frequencyErrorPpb: frequencyError(clock, masterPpbAt(scenario, tS)) });
    } else {
      const trueErrorNs = clock.errorNs() - jumpNs;
      const receipt = makeReceipt(scenario, clock, pairs, nextSync, start, jumpNs, sequenceId, masterNoise.symmetric(masterNoiseNs));
      clock.advanceTo(nextSync + latencyNs);
      expireReceipt(tS);
      const outcome = servo.onSync(receipt);
      receiptDeadline = receipt.ingressTime + receiptSpan;
      for (const event of outcome.events) events.push({ tS, event });
      syncs.push({ tS, trueErrorNs, outcome, frequencyErrorPpb: frequencyError(clock, masterPpbAt(scenario, tS)) });
    }
    sequenceId = (sequenceId + 1) & 0xffff;
    nextSync += BigInt(syncIntervalNs);
  }
  return { syncs, events, clock };
}

function frequencyError(clock: SimClock, masterPpb: number): number {
  // The clock runs at (1 + osc)(1 + f) relative to true time, the master at 1 + masterPpb·1e-9.
  const osc = clock.oscillatorPpb() * 1e-9;
  const f = clock.frequencyPpb() * 1e-9;
  return ((1 + osc) * (1 + f) - 1) * 1e9 - masterPpb;
}

function masterPpbAt(scenario: ServoScenario, tS: number): number {
  let sum = 0;
  for (const f of scenario.masterFrequencySteps ?? []) if (tS > f.atS) sum += f.ppb;
  return sum;
}

function makeReceipt(
  scenario: ServoScenario,
  clock: SimClock,
  pairs: readonly PdelayPair[],
  trueNs: bigint,
  start: bigint,
  jumpNs: number,
  sequenceId: number,
  masterNoiseNs: number,
): SyncReceipt {
  const ingressTime = clock.timestampNow();
  const rateRatio = measuredRateRatio(pairs);
  const tS = Number(trueNs - start) / 1e9;
  const linkDelayNs = scenario.linkDelayNs ?? 500;
  const meanLinkDelay = pairs[pairs.length - 1]?.measuredDelayNs ?? linkDelayNs;
  const gmExact = jumpNs + masterNoiseNs + (meanLinkDelay - linkDelayNs) * rateRatio;
  const whole = Math.floor(gmExact);
  const announced = (scenario.phaseJumps ?? []).filter((j) => j.announced === true && j.atS <= tS);
  const lastAnnounced = announced[announced.length - 1];
  return {
    sequenceId,
    sourcePortIdentity: { clockIdentity: 0x0011_22ff_fe33_4455n, portNumber: 1 },
    grandmasterIdentity: 0x0011_22ff_fe33_4455n,
    ingressTime,
    gmTime: ptpTime(trueNs + BigInt(whole)),
    gmTimeFractionNs: gmExact - whole,
    rateRatio,
    neighborRateRatio: rateRatio,
    ...rateRatioSigma(scenario, pairs),
    meanLinkDelay,
    logSyncInterval: scenario.logSyncInterval,
    gmTimeBaseIndicator: announced.length,
    lastGmPhaseChange: lastAnnounced === undefined ? 0n : BigInt(Math.round(lastAnnounced.ns * 65536)),
    scaledLastGmFreqChange: 0,
  };
}

/** 1 σ of measuredRateRatio: each end of its span carries one local and one master timestamp's noise, and the local clock's granularity. */
function rateRatioSigma(scenario: ServoScenario, pairs: readonly PdelayPair[]): { rateRatioSigma?: number } {
  const first = pairs[0];
  const last = pairs[pairs.length - 1];
  if (first === undefined || last === undefined || first === last) return {};
  const noiseNs = scenario.timestampNoiseNs;
  const localSigmaNs = scenario.timestampNoise === 'gaussian' ? noiseNs : noiseNs / Math.sqrt(3);
  const masterSigmaNs = (scenario.masterTimestampNoiseNs ?? 0) / Math.sqrt(3);
  const endSigmaNs = Math.sqrt(localSigmaNs ** 2 + masterSigmaNs ** 2 + scenario.timestampGranularityNs ** 2 / 12);
  return { rateRatioSigma: (Math.SQRT2 * endSigmaNs) / Number(last.local - first.local) };
}

function measuredRateRatio(pairs: readonly PdelayPair[]): number {
  const first = pairs[0];
  const last = pairs[pairs.length - 1];
  if (first === undefined || last === undefined || first === last) return 1;
  return (last.master - first.master) / Number(last.local - first.local);
}

function phaseJumpAt(scenario: ServoScenario, tS: number): number {
  let sum = 0;
  for (const j of scenario.phaseJumps ?? []) if (j.atS <= tS) sum += j.ns;
  return sum;
}

/** Time the master gained through its frequency steps by tS, ns. */
function frequencyStepNs(scenario: ServoScenario, tS: number): number {
  let sum = 0;
  for (const f of scenario.masterFrequencySteps ?? []) if (tS > f.atS) sum += f.ppb * (tS - f.atS);
  return sum;
}

/** The spike on the Pdelay exchange at tS: the first exchange at or after a spike's atS. */
function delaySpikeAt(scenario: ServoScenario, tS: number): number {
  const intervalS = scenario.pdelayIntervalS ?? 1;
  let sum = 0;
  for (const s of scenario.delaySpikes ?? []) if (tS >= s.atS && tS < s.atS + intervalS) sum += s.extraNs;
  return sum;
}

function inGap(scenario: ServoScenario, tS: number): boolean {
  return (scenario.syncGaps ?? []).some((g) => tS >= g.fromS && tS < g.toS);
}

export interface LockFigures {
  /** Seconds from the first Sync until |true error| < lockNs for good; Infinity if never. */
  readonly timeToLockS: number;
  /** RMS of the true error from steadyFromS on, ns. */
  readonly rmsNs: number;
  /** Largest |true error| from steadyFromS on, ns. */
  readonly maxNs: number;
}

export function lockFigures(syncs: readonly SimulatedSync[], lockNs = 100, steadyFromS = 10): LockFigures {
  let lockIndex = 0;
  for (let i = 0; i < syncs.length; i++) if (Math.abs((syncs[i] as SimulatedSync).trueErrorNs) >= lockNs) lockIndex = i + 1;
  const timeToLockS = lockIndex >= syncs.length ? Infinity : (syncs[lockIndex] as SimulatedSync).tS;
  let sum = 0;
  let n = 0;
  let max = 0;
  for (const s of syncs) {
    if (s.tS < steadyFromS) continue;
    sum += s.trueErrorNs ** 2;
    n++;
    max = Math.max(max, Math.abs(s.trueErrorNs));
  }
  return { timeToLockS, rmsNs: n === 0 ? NaN : Math.sqrt(sum / n), maxNs: max };
}
