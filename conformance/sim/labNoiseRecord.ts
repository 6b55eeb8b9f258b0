/**
 * One lab run's record (its `.log` and `.samples.csv`, conformance/out) made into a run of the
 * replay's fixture (labNoise.ts): each Sync's noise is Syntonic's `master offset` minus its true error
 * at that instant, interpolated between the lab's 4 Hz samples; the Syncs the servo left out are kept
 * (their noise is the tail). recordLabNoise.ts reads the files and writes the fixture.
 */
import { parseOffsetSample, parseStatusChange, type OffsetSample } from '../lab/logLines.js';
import { seriesFigures } from '../lab/stats.js';
import { FROM_S, type LabNoiseRun, type LabNoiseRunFile, type RateRatioChange, type SyncIntervalChange } from './labNoise.js';

/** One row of a run's `.samples.csv`: the true errors the lab sampled at tS s. */
export interface TruthSample {
  readonly tS: number;
  readonly syntonicNs: number | undefined;
  readonly ptp4lNs: number | undefined;
}

/** A run's `.samples.csv` (columns by name: tS first, trueErrorNs, ptp4lTrueErrorNs; an empty cell is no sample). */
export function parseTruthSamples(csv: string): TruthSample[] {
  const [header, ...rows] = csv.trim().split('\n');
  const columns = (header ?? '').split(',');
  const value = (cells: readonly string[], name: string): number | undefined => {
    const cell = cells[columns.indexOf(name)];
    return cell === undefined || cell === '' ? undefined : Number(cell);
  };
  return rows.map((r) => r.split(',')).map((c) => ({ tS: Number(c[0]), syntonicNs: value(c, 'trueErrorNs'), ptp4lNs: value(c, 'ptp4lTrueErrorNs') }));
}

/**
 * Whose Syncs a record is made of: Syntonic's (its section of the log, its true error), or the ptp4l
 * servo slave's beside it (the lab's reference: section `ptp4l ref`, column ptp4lTrueErrorNs), whose
 * `master offset` lines have the same shape.
 */
export type RecordedStack = 'syntonic' | 'ptp4l';

const SECTION: Record<RecordedStack, string> = { syntonic: '== syntonic', ptp4l: '== ptp4l ref' };

/** One stack's section of a run's log (after `== syntonic` or `== ptp4l ref`): its `tS stream text` lines. */
export function sectionLines(log: string, stack: RecordedStack = 'syntonic'): { tS: number; text: string }[] {
  const out: { tS: number; text: string }[] = [];
  let inSection = false;
  for (const line of log.split('\n')) {
    if (line.startsWith('== ')) inSection = line === SECTION[stack];
    const m = /^(\d+(?:\.\d+)?) std(?:out|err) (.*)$/.exec(line);
    if (inSection && m !== null) out.push({ tS: Number(m[1]), text: m[2] ?? '' });
  }
  return out;
}

/**
 * How far before the first true-error sample a Sync still takes that sample's truth, s. The lab
 * samples the truth only once the daemon answers (a Sync or three after the first: 0.1–0.4 s), while
 * the servo, still collecting its start span (s0), has not moved the clock: left out, those Syncs
 * would start the replay's servo later than the lab's, and everything it does by its elapsed time
 * (the latency joining 10 s in) a Sync or three later than it did.
 */
export const FIRST_SAMPLE_HOLD_S = 0.5;

/**
 * The widest span between two of a stack's samples a Sync's truth is interpolated over, s. A sample
 * may lack a stack's value (a record taken before session 48 left ptp4l's out of about one in four:
 * its reading was filed a ms later than the probe's and missed its row); a clock steered in ppb
 * moves by ns over a second, while a wider hole is the stack not running.
 */
export const MAX_TRUTH_SPAN_S = 1;

/** A stack's true error at tS: interpolated between its samples around it, or the first sample's while the clock is unmoved before it. */
export function truthAt(samples: readonly TruthSample[], tS: number, clockUnmoved: boolean, stack: RecordedStack = 'syntonic'): number | undefined {
  const of = (x: TruthSample | undefined): number | undefined => (stack === 'syntonic' ? x?.syntonicNs : x?.ptp4lNs);
  const i = samples.findIndex((x) => x.tS >= tS && of(x) !== undefined);
  const after = of(samples[i]);
  const afterS = samples[i]?.tS;
  if (after === undefined || afterS === undefined) return undefined;
  let b = i - 1;
  while (b >= 0 && of(samples[b]) === undefined) b--;
  const before = of(samples[b]);
  const beforeS = samples[b]?.tS;
  if (before === undefined || beforeS === undefined) return clockUnmoved && afterS - tS <= FIRST_SAMPLE_HOLD_S ? after : undefined;
  if (afterS - beforeS > MAX_TRUTH_SPAN_S) return undefined;
  return afterS === beforeS ? after : before + ((after - before) * (tS - beforeS)) / (afterS - beforeS);
}

/** A Sync's rateRatio as the file keeps it: its error and σ, ppb, to 0.01 ppb (the lab's truth is 1: labNoise.ts), and its span to the µs. */
function rateRatioChange(index: number, { rateRatio, rateRatioSigma, rateRatioSpanS }: OffsetSample): RateRatioChange | undefined {
  if (rateRatio === undefined) return undefined;
  const hundredths = (x: number): number => Math.round(x * 1e11) / 100;
  const errorPpb = hundredths(rateRatio - 1);
  const sigmaPpb = rateRatioSigma === undefined ? null : hundredths(rateRatioSigma);
  return rateRatioSpanS === undefined ? [index, errorPpb, sigmaPpb] : [index, errorPpb, sigmaPpb, Math.round(rateRatioSpanS * 1e6) / 1e6];
}

/** log2 s: every lab grandmaster starts at 8 Syncs a second (conformance/lab/configs/ptp4l-*.cfg). */
const LAB_LOG_SYNC_INTERVAL = -3;

/** Spacings in a row at another power of two that make a change of the Syncs' interval: a lost Sync makes one spacing twice as long, not four. */
export const INTERVAL_CHANGE_SPACINGS = 4;

/**
 * Where a record's Syncs came at another interval and stayed there (the automotive slave's request for
 * operLogSyncInterval): each spacing rounded to a power of two, a change where INTERVAL_CHANGE_SPACINGS
 * of them in a row agree on a new one. A gap (a grandmaster or link gone) is one spacing, no change.
 */
export function syncIntervalChanges(syncAtS: readonly number[], logSyncInterval: number): SyncIntervalChange[] {
  // log2 s of each Sync's spacing from the one before (NaN for the first).
  const logSpacings = syncAtS.map((atS, i) => {
    const spacingS = i === 0 ? 0 : atS - (syncAtS[i - 1] ?? atS);
    return spacingS > 0 ? Math.round(Math.log2(spacingS)) : NaN;
  });
  const changes: SyncIntervalChange[] = [];
  let current = logSyncInterval;
  logSpacings.forEach((k, i) => {
    if (k === current || Number.isNaN(k)) return;
    const next = logSpacings.slice(i, i + INTERVAL_CHANGE_SPACINGS);
    if (next.length < INTERVAL_CHANGE_SPACINGS || !next.every((x) => x === k)) return;
    changes.push([i, k]);
    current = k;
  });
  return changes;
}

/**
 * One run of the fixture from its record: `name` as the fixture names it, `servo` the commit that ran
 * it; the Syncs of `stack` (Syntonic's by default; ptp4l's log no rate ratio, so its run has none).
 */
export function recordRun(name: string, servo: string, log: string, samplesCsv: string, stack: RecordedStack = 'syntonic'): LabNoiseRun {
  const samples = parseTruthSamples(samplesCsv);
  const syncAtS: number[] = [];
  const noiseNs: number[] = [];
  const pathDelayChanges: [number, number][] = [];
  const rateRatioChanges: RateRatioChange[] = [];
  let left = 0;
  for (const { tS, text } of sectionLines(log, stack)) {
    if (parseStatusChange(text, 0)?.from === 'synchronized') left++;
    const o = parseOffsetSample(text, 0);
    const truth = o === undefined ? undefined : truthAt(samples, tS, o.servoState === 's0', stack);
    if (o === undefined || truth === undefined) continue;
    syncAtS.push(Math.round(tS * 1000) / 1000);
    const pathDelayNs = Math.round(o.pathDelayNs);
    if (pathDelayChanges.at(-1)?.[1] !== pathDelayNs) pathDelayChanges.push([noiseNs.length, pathDelayNs]);
    const ratio = rateRatioChange(noiseNs.length, o);
    const lastRatio = rateRatioChanges.at(-1);
    if (ratio !== undefined && (lastRatio?.[1] !== ratio[1] || lastRatio[2] !== ratio[2] || lastRatio[3] !== ratio[3])) rateRatioChanges.push(ratio);
    noiseNs.push(Math.round(o.offsetNs - truth));
  }
  const intervalChanges = syncIntervalChanges(syncAtS, LAB_LOG_SYNC_INTERVAL);
  const steady = samples.filter((x) => x.tS >= FROM_S);
  const defined = (v: readonly (number | undefined)[]): number[] => v.filter((x): x is number => x !== undefined);
  return {
    name,
    servo,
    logSyncInterval: LAB_LOG_SYNC_INTERVAL,
    ...(intervalChanges.length === 0 ? {} : { logSyncIntervalChanges: intervalChanges }),
    syncAtS,
    noiseNs,
    pathDelayChanges,
    ...(rateRatioChanges.length === 0 ? {} : { rateRatioChanges }),
    measured: {
      syntonicTrueErrorStdNs: Math.round(seriesFigures(defined(steady.map((x) => x.syntonicNs))).std),
      ptp4lTrueErrorStdNs: Math.round(seriesFigures(defined(steady.map((x) => x.ptp4lNs))).std),
      leftSynchronized: left,
    },
  };
}

/** The file's runs with new ones: a run recorded again (the same name) takes its old place, the others follow in order. */
export function mergeRuns(kept: readonly LabNoiseRunFile[], fresh: readonly LabNoiseRunFile[]): LabNoiseRunFile[] {
  const byName = new Map(fresh.map((r) => [r.name, r]));
  const keptNames = new Set(kept.map((r) => r.name));
  return [...kept.map((r) => byName.get(r.name) ?? r), ...fresh.filter((r) => !keptNames.has(r.name))];
}
