/**
 * `npm run conformance`: runs the simulation scenarios (and, as root with network namespaces, the
 * interop lab against ptp4l), writes reports to conformance/out/, and prints every figure on its own
 * line as `name: value unit`, then a one-screen summary table.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { LAB_SCENARIO_NAMES, LAB_SCENARIOS, runLabScenario, type LabResult, type LabScenario } from './lab/scenarios/index.js';
import { LabScenarioFailure, type LabScenarioOptions } from './lab/scenarios/labScenario.js';
import {
  notUsedMeanShift,
  pairedDifferences,
  rangeLines,
  samePortDifferences,
  figureText,
  sideBySide,
  sideBySideLines,
  targetShares,
  type FigureLine,
} from './lab/sideBySide.js';
import { orderOf } from './lab/sharedPortHub.js';
import { loadavg } from 'node:os';
import { parseConformanceArguments, type ConformanceArguments, type LabRunOptions } from './arguments.js';
import type { PortOrder } from './lab/starLab.js';
import { writeLabReport, writeSimulationReport, writeSummary, type SummaryRow } from './report.js';
import { LAB_NOISE_REPLAY } from './sim/labNoise.js';
import { labNoiseFigures } from './sim/labNoiseFigures.js';
import { grandmasterMoveFigures } from './sim/grandmasterMove.js';
import { LAB_SYNC_NOISE, labSyncNoiseFigures } from './sim/labSyncNoiseFigures.js';
import { runScenario } from './sim/runScenario.js';
import { SCENARIOS } from './sim/scenarios.js';
import { runSoak } from './sim/soak.js';
import { LAB_SECTION, sameSyncsFigures, sameSyncsLines, sameSyncsShares, steadyWindowLine, type SameSyncsFigures } from './sim/sameSyncs.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/conformance → conformance/out in the source tree. */
const OUT = join(here, '..', '..', 'conformance', 'out');

function figure(name: string, value: number | undefined, unit: string): void {
  process.stdout.write(`${figureText({ name, value, unit })}\n`);
}

/** The interop lab needs root (network namespaces) and ptp4l; without them it says why and goes on. */
async function runLab(only: readonly string[], options: LabRunOptions, rows: SummaryRow[]): Promise<void> {
  const missing = labPrerequisites();
  if (missing !== undefined) {
    process.stdout.write(`# interop lab skipped: ${missing}\n`);
    return;
  }
  const wanted = only.filter((o) => o.startsWith('lab:')).map((o) => o.slice(4));
  for (const { name, sharedPort } of LAB_SCENARIOS) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    const prefix = `lab.${name}`;
    const all: FigureLine[] = [];
    const same: SameSyncsFigures[] = [];
    for (let run = 1; run <= options.runs; run++) {
      for (const order of options.orders) {
        process.stdout.write(
          `# lab ${name}, ${where(order, sharedPort)}, reference ${options.reference}${options.control ? ' and a control beside it' : ''}${options.referenceDelayMs === undefined ? '' : ` started ${options.referenceDelayMs} ms later`}, run ${run} of ${options.runs} (load average ${loadavg()
            .map((l) => l.toFixed(2))
            .join(' ')}) …\n`,
        );
        const scenarioOptions: LabScenarioOptions = {
          order,
          reference: options.reference,
          control: options.control,
          ...(options.referenceDelayMs === undefined ? {} : { referenceDelayMs: options.referenceDelayMs }),
          ...(options.runS === undefined ? {} : { runS: options.runS }),
          ...(options.windowS === undefined ? {} : { windowS: options.windowS }),
        };
        const { lines, same: sameRun } = await runOneLab(name, scenarioOptions, rows, options.runs > 1 ? `${prefix}.run${run}` : prefix);
        all.push(...lines);
        if (sameRun !== undefined) same.push(sameRun);
      }
    }
    // Figures named per run carry `.runK`; the ranges and the same-port check are over all of them.
    const unnumbered = all.map((l) => ({ ...l, name: l.name.replace(/\.run\d+\./, '.') }));
    if (options.runs > 1) {
      figure(`${prefix}.runsPerOrder`, options.runs, 'runs');
      for (const l of rangeLines(unnumbered)) figure(l.name, l.value, l.unit);
    }
    for (const l of samePortDifferences(prefix, unnumbered)) figure(l.name, l.value, l.unit);
    for (const l of pairedDifferences(prefix, unnumbered)) figure(l.name, l.value, l.unit);
    for (const l of targetShares(prefix, unnumbered)) figure(l.name, l.value, l.unit);
    for (const l of sameSyncsShares(prefix, same)) figure(l.name, l.value, l.unit);
  }
}

/** Where Syntonic is in a run of this order: its grandmaster port, or on a shared port (whom the hub serves first, or macvlans). */
function where(order: PortOrder, sharedPort: LabScenario['sharedPort']): string {
  if (sharedPort === undefined) return `Syntonic on grandmaster port ${order}`;
  if (sharedPort === 'macvlan') return 'both on grandmaster port 1, on macvlans (one timestamp per frame for both)';
  return `both on grandmaster port 1, the hub serving ${order === 1 ? 'Syntonic' : 'ptp4l'} first`;
}

/** Runs one scenario in one port order, prints its figures under `prefix`; returns its side-by-side lines and, beside ptp4l's PI, the same-Syncs figures. */
async function runOneLab(
  name: string,
  options: LabScenarioOptions,
  rows: SummaryRow[],
  prefix: string,
): Promise<{ readonly lines: FigureLine[]; readonly same?: SameSyncsFigures }> {
  const key = `${prefix}.order${options.order ?? 1}`;
  let r: LabResult;
  try {
    r = await runLabScenario(name, options);
  } catch (err) {
    if (!(err instanceof LabScenarioFailure)) throw err;
    // One failed scenario is a finding, not the end of the run: its logs go next to the reports.
    const log = join(OUT, `lab-${name}-failure.log`);
    mkdirSync(OUT, { recursive: true });
    writeFileSync(log, [err.message, '', ...err.logs.flatMap((l) => [`== ${l.process}`, ...l.lines, ''])].join('\n'));
    process.stdout.write(`${key}.failed: ${err.message} (logs: ${log})\n`);
    rows.push({ scenario: `lab/${name}`, figures: { 'time to lock': `failed: ${err.cause instanceof Error ? err.cause.message : String(err.cause)}` } });
    return { lines: [] };
  }
  const f = r.figures;
  if (r.skipped !== undefined) {
    process.stdout.write(`${key}.skipped: ${r.skipped}\n`);
    rows.push(writeLabReport(OUT, r));
    return { lines: [] };
  }
  process.stdout.write(
    `${key}.load: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (load average 1/5/15 min)\n`,
  );
  const lines = sideBySideLines(prefix, f.syntonicPort, sideBySide(r), f.floodFirst === undefined ? undefined : { order: orderOf(f.floodFirst) });
  for (const l of lines) figure(l.name, l.value, l.unit);
  if (f.recoveryS !== undefined) figure(`${key}.recovery`, f.recoveryS, 's');
  if (f.lostAfterS !== undefined) figure(`${key}.lostAfter`, f.lostAfterS, 's');
  if (f.holdoverEnd !== undefined) {
    figure(`${key}.holdoverEnd.trueError`, f.holdoverEnd.trueErrorNs, 'ns');
    figure(`${key}.holdoverEnd.estimate`, f.holdoverEnd.estimateNs, 'ns');
    figure(`${key}.holdoverEnd.errorBound`, f.holdoverEnd.errorBoundNs, 'ns');
  }
  if (f.followedAfterS !== undefined) figure(`${key}.followedWithin10us`, f.followedAfterS, 's');
  // ptp4l's servo beside it through the same disruption (n/a: it never came within 10 µs for good).
  if (f.referenceFollowedAfterS !== undefined) figure(`${key}.ptp4l.followedWithin10us`, f.referenceFollowedAfterS ?? undefined, 's');
  if (f.leftSynchronized !== undefined) figure(`${key}.leftSynchronized`, f.leftSynchronized, 'times');
  // The relays' own timing (StarLab starts Syntonic's link first): how late each sent its frames
  // against their due times, grandmaster→slave — the noise the relay adds to every Sync.
  r.relays.forEach((relay, i) => {
    const link = i === 0 ? 'syntonicLink' : 'ptp4lLink';
    figure(`${key}.relay.${link}.forwardLateness.median`, relay.forward.latenessMedianNs ?? undefined, 'ns');
    figure(`${key}.relay.${link}.forwardLateness.p99`, relay.forward.latenessP99Ns ?? undefined, 'ns');
    figure(`${key}.relay.${link}.forwardLateness.max`, relay.forward.latenessMaxNs ?? undefined, 'ns');
  });
  // A deliberate change (sync-path-step's step, a rogue grandmaster's presence): each stack's true error during it.
  if (f.changeTrueErrorNs !== undefined) {
    figure(`${key}.duringChange.syntonic.trueError.mean`, f.changeTrueErrorNs.mean, 'ns');
    figure(`${key}.duringChange.syntonic.trueError.max`, f.changeTrueErrorNs.maxAbs, 'ns');
  }
  if (f.changeReferenceTrueErrorNs !== undefined) {
    figure(`${key}.duringChange.ptp4l.trueError.mean`, f.changeReferenceTrueErrorNs.mean, 'ns');
    figure(`${key}.duringChange.ptp4l.trueError.max`, f.changeReferenceTrueErrorNs.maxAbs, 'ns');
  }
  if (f.control?.changeTrueErrorNs !== undefined) {
    figure(`${key}.duringChange.control.trueError.mean`, f.control.changeTrueErrorNs.mean, 'ns');
    figure(`${key}.duringChange.control.trueError.max`, f.control.changeTrueErrorNs.maxAbs, 'ns');
  }
  if (options.control === true && f.control === undefined) process.stdout.write(`# ${key}: this scenario runs no control (it builds its own topology)\n`);
  if (f.errorBoundCoverage !== undefined) {
    // Over every sample the provider called synchronized (the whole run): how often errorBoundNs held.
    figure(`${key}.errorBound.coverage`, f.errorBoundCoverage * 100, '%');
    figure(`${key}.errorBound.median`, f.errorBoundMedianNs, 'ns');
    figure(`${key}.errorBound.closest`, f.errorBoundClosestNs, 'ns');
    figure(`${key}.whileSynchronized.trueError.max`, f.whileSynchronizedNs?.maxAbs, 'ns');
    figure(`${key}.whileSynchronized.beyond10us`, f.synchronizedBeyond10us, 'samples');
  }
  const moved = f.againstGrandmasterTime;
  if (moved?.errorBoundCoverage !== undefined) {
    // The same against the grandmaster's time where the run moved it (its stepped clock), not CLOCK_REALTIME.
    figure(`${key}.againstGrandmasterTime.errorBound.coverage`, moved.errorBoundCoverage * 100, '%');
    figure(`${key}.againstGrandmasterTime.errorBound.closest`, moved.errorBoundClosestNs, 'ns');
    figure(`${key}.againstGrandmasterTime.whileSynchronized.trueError.max`, moved.whileSynchronizedNs?.maxAbs, 'ns');
    figure(`${key}.againstGrandmasterTime.whileSynchronized.beyond10us`, moved.synchronizedBeyond10us, 'samples');
  }
  // Each edge of the move: how long the status still said synchronized after it, to the ms.
  f.synchronizedAfterMoveEdgesS?.forEach((s, i) => figure(`${key}.againstGrandmasterTime.edge${i + 1}.synchronizedFor`, s, 's'));
  figure(`${key}.syntonicOffset.mean`, f.syntonicOffsetNs.mean, 'ns');
  if (f.syntonicServoTrueErrorNs.count > 0) {
    figure(`${key}.syntonicServoTrueErrorAtSync.mean`, f.syntonicServoTrueErrorNs.mean, 'ns');
    figure(`${key}.syntonicSyncLatency.mean`, f.syntonicSyncLatencyNs.mean, 'ns');
  }
  if (f.referenceTrueErrorNs !== undefined && f.ptp4lOffsetNs !== undefined && f.ptp4lPathDelayNs !== undefined) {
    // ptp4l's offset = e + c − d: its Sync latency c from its own figures and its true error e.
    figure(`${key}.ptp4lSyncLatencyEstimate.mean`, f.ptp4lOffsetNs.mean + f.ptp4lPathDelayNs.mean - f.referenceTrueErrorNs.mean, 'ns');
  }
  figure(`${key}.syntonicOffset.rms`, f.syntonicOffsetNs.rms, 'ns');
  figure(`${key}.syntonicOffset.max`, f.syntonicOffsetNs.maxAbs, 'ns');
  // The Syncs its servo left out in the window (ptp4l's servo takes every one): how many, and where they sat.
  figure(`${key}.syntonicOffsetNotUsed.count`, f.syntonicOffsetNotUsedNs.count, 'Syncs');
  if (f.syntonicOffsetNotUsedNs.count > 0) {
    figure(`${key}.syntonicOffsetNotUsed.mean`, f.syntonicOffsetNotUsedNs.mean, 'ns');
    // Mean of every offset minus mean of those used: what leaving them out moved the mean by, read from
    // the log alone (where a capture runs, it matches ownError.fromSyncsLeftOut).
    figure(`${key}.syntonicOffsetNotUsed.meanShift`, notUsedMeanShift(f.syntonicOffsetNs, f.syntonicOffsetNotUsedNs), 'ns');
  }
  figure(`${key}.syntonicPathDelay.mean`, f.syntonicPathDelayNs.mean, 'ns');
  if (f.ptp4lOffsetNs !== undefined) {
    figure(`${key}.ptp4lOffset.mean`, f.ptp4lOffsetNs.mean, 'ns');
    figure(`${key}.ptp4lOffset.rms`, f.ptp4lOffsetNs.rms, 'ns');
    figure(`${key}.ptp4lOffset.max`, f.ptp4lOffsetNs.maxAbs, 'ns');
  }
  if (f.ptp4lPathDelayNs !== undefined) figure(`${key}.ptp4lPathDelay.mean`, f.ptp4lPathDelayNs.mean, 'ns');
  if (f.gmPathDelayToSyntonicNs.count > 0) figure(`${key}.gmPathDelayToSyntonic.median`, f.gmPathDelayToSyntonicNs.median, 'ns');
  if (f.gmPathDelayToPtp4lNs !== undefined && f.gmPathDelayToPtp4lNs.count > 0) figure(`${key}.gmPathDelayToPtp4l.median`, f.gmPathDelayToPtp4lNs.median, 'ns');
  // What each slave's capture says of its link (syncCapture.ts). The grandmaster's answers to its
  // Pdelay_Req: the same kind of path as a Sync's (grandmaster TX stamp to slave RX stamp), but sent at
  // once rather than on a timer; its request, from its capture to t2 (its own work before t1 included).
  // And the Syncs the grandmaster sent just after its Sync to the other slave (WARM_SEND_NS): warm,
  // 1–2 µs quicker, a change of the Sync path no slave can tell from its clock (802.1AS-2020 8.3).
  for (const [who, side] of [
    ['syntonic', 'syntonic'],
    ['ptp4l', 'reference'],
  ] as const) {
    const p = f.capturedPdelayPathsNs?.[side];
    if (p !== undefined) {
      if (p.responseNs.count > 0) figure(`${key}.${who}PdelayResponsePath.median`, p.responseNs.median, 'ns');
      if (p.requestNs.count > 0) figure(`${key}.${who}PdelayRequestPath.median`, p.requestNs.median, 'ns');
      // Warm or cold (docs/accuracy.md, "The cold send"): what moves each slave's link delay.
      if (p.requestAfterOwnSendNs.count > 0) {
        figure(`${key}.${who}PdelayRequestAfterOwnSend.median`, p.requestAfterOwnSendNs.median / 1e3, 'µs');
        figure(`${key}.${who}PdelayRequestWarm.share`, 100 * p.warmRequestShare, '%');
      }
    }
    const w = f.capturedSyncsAfterOtherPort?.[side];
    if (w !== undefined && Number.isFinite(w.share)) {
      figure(`${key}.${who}SyncsAfterOtherPort.share`, 100 * w.share, '%');
      if (w.latencyNs.count > 0) figure(`${key}.${who}SyncsAfterOtherPort.latency.median`, w.latencyNs.median, 'ns');
      if (w.restLatencyNs.count > 0) figure(`${key}.${who}SyncsOtherwise.latency.median`, w.restLatencyNs.median, 'ns');
    }
  }
  // Each slave's link delay against the grandmaster's own measurement of the same link (its Pdelay
  // to that port): the two ends time the same two paths, so they should agree within the noise.
  if (f.gmPathDelayToSyntonicNs.count > 0 && f.syntonicPathDelayNs.count > 0) {
    figure(`${key}.syntonicPathDelayMinusGrandmasterView`, f.syntonicPathDelayNs.median - f.gmPathDelayToSyntonicNs.median, 'ns');
  }
  if (f.gmPathDelayToPtp4lNs !== undefined && f.gmPathDelayToPtp4lNs.count > 0 && f.ptp4lPathDelayNs !== undefined && f.ptp4lPathDelayNs.count > 0) {
    figure(`${key}.ptp4lPathDelayMinusGrandmasterView`, f.ptp4lPathDelayNs.median - f.gmPathDelayToPtp4lNs.median, 'ns');
  }
  rows.push(writeLabReport(OUT, r));
  const record = writeRunRecord(r, key);
  const moves = f.truthMoves;
  if (moves !== undefined) {
    figure(`${key}.truth.realtimeMoves`, moves.count, 'samples');
    if (moves.count > 0) {
      // The truth itself moved (truthWatch.ts): this run's true errors are not evidence of anything.
      const largestUs = (moves.largestNs / 1000).toFixed(1);
      process.stdout.write(
        `# ${key}: CLOCK_REALTIME moved against CLOCK_MONOTONIC_RAW by up to ${largestUs} µs at ${moves.count} samples: left out of the ranges and paired figures\n`,
      );
      return { lines: [] };
    }
  }
  // Issue 14's std asked on the very same Syncs, each servo on the other's (sameSyncs.ts).
  const same = f.referenceKind === 'pi' && record.log !== undefined ? sameSyncsFigures(record.log, record.samplesCsv, f.steadyS, f.syntonicServo) : undefined;
  if (same !== undefined) for (const l of sameSyncsLines(key, same)) figure(l.name, l.value, l.unit);
  return { lines, ...(same === undefined ? {} : { same }) };
}

/**
 * Every process's output of one run and its 4 Hz samples (CSV: s, status, true error, errorBoundNs,
 * ptp4l's true error, the control's with one), beside the reports, for the post-mortem of an odd figure;
 * the log ends with the lab's own section, the steady window (sameSyncs.ts reads it back).
 */
function writeRunRecord(r: LabResult, key: string): RunRecord {
  mkdirSync(OUT, { recursive: true });
  const { fromS, toS } = r.figures.steadyS;
  const log =
    r.logs === undefined
      ? undefined
      : [...r.logs.flatMap((l) => [`== ${l.process}`, ...l.lines, '']), LAB_SECTION, steadyWindowLine({ fromS, toS }), ''].join('\n');
  if (log !== undefined) writeFileSync(join(OUT, `${key}.log`), log);
  const s = r.series;
  const reference = new Map(s.referenceTrueErrorNs.map((p) => [p.tS, p.value]));
  const control = s.controlTrueErrorNs === undefined ? undefined : new Map(s.controlTrueErrorNs.map((p) => [p.tS, p.value]));
  // Samples and status changes are both in time order: one walk through the timeline.
  let next = 0;
  let status = 'lost';
  const rows = s.trueErrorNs.map((p, i) => {
    for (; next < r.statusTimeline.length && (r.statusTimeline[next]?.tS ?? Infinity) <= p.tS; next++) status = r.statusTimeline[next]?.status ?? status;
    const columns = [p.tS.toFixed(3), status, p.value.toFixed(0), s.errorBoundNs[i]?.value.toFixed(0) ?? '', reference.get(p.tS)?.toFixed(0) ?? ''];
    return (control === undefined ? columns : [...columns, control.get(p.tS)?.toFixed(0) ?? '']).join(',');
  });
  const header = `tS,status,trueErrorNs,errorBoundNs,ptp4lTrueErrorNs${control === undefined ? '' : ',controlTrueErrorNs'}`;
  const samplesCsv = [header, ...rows, ''].join('\n');
  writeFileSync(join(OUT, `${key}.samples.csv`), samplesCsv);
  process.stdout.write(`# logs and samples: ${join(OUT, key)}.{log,samples.csv}\n`);
  return { log, samplesCsv };
}

interface RunRecord {
  readonly log: string | undefined;
  readonly samplesCsv: string;
}

function labPrerequisites(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces';
  for (const tool of ['ip', 'ptp4l', 'gcc', 'setpriv']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
    if (!found) return `${tool} is not installed`;
  }
  return undefined;
}

/** The arguments, or undefined after printing the usage (`--help`) or what is wrong with them (exit status 2). */
function parseArguments(argv: readonly string[]): ConformanceArguments | undefined {
  const parsed = parseConformanceArguments(argv, { simulations: [...SCENARIOS.map((s) => s.name), LAB_NOISE_REPLAY, LAB_SYNC_NOISE], lab: LAB_SCENARIO_NAMES });
  if (parsed.kind === 'run') return parsed;
  if (parsed.kind === 'help') process.stdout.write(`${parsed.usage}\n`);
  else {
    process.stderr.write(`npm run conformance: ${parsed.problem}\n${parsed.usage}\n`);
    process.exitCode = 2;
  }
  return undefined;
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  if (args === undefined) return;
  const { only, lab } = args;
  const rows: SummaryRow[] = [];
  for (const spec of SCENARIOS) {
    if (only.length > 0 && !only.includes(spec.name) && !only.includes('sim')) continue;
    const r = runScenario(spec);
    figure(`sim.${r.name}.timeToLock`, r.timeToLockS, 's');
    if (spec.disruption !== undefined) figure(`sim.${r.name}.recovery`, r.recoveryS, 's');
    figure(`sim.${r.name}.steadyRms`, r.steadyRmsNs, 'ns');
    figure(`sim.${r.name}.steadyMax`, r.steadyMaxNs, 'ns');
    figure(`sim.${r.name}.steadyMean`, r.steadyMeanNs, 'ns');
    if (spec.holdover !== undefined) {
      figure(`sim.${r.name}.holdoverError${spec.holdover.measureAfterS}s`, r.holdoverErrorNs, 'ns');
      figure(`sim.${r.name}.holdoverEstimate${spec.holdover.measureAfterS}s`, r.holdoverEstimateNs, 'ns');
    }
    figure(`sim.${r.name}.timeToSynchronized`, r.timeToSynchronizedS, 's');
    if (spec.disruption !== undefined) figure(`sim.${r.name}.resynchronized`, r.resynchronizedS, 's');
    figure(`sim.${r.name}.leftSynchronized`, r.leftSynchronized, 'times');
    figure(`sim.${r.name}.whileSynchronized.max`, r.synchronizedMaxNs, 'ns');
    figure(`sim.${r.name}.errorBound.coverage`, r.errorBoundCoverage * 100, '%');
    if (r.holdoverSamples > 0) {
      figure(`sim.${r.name}.errorBound.holdoverCoverage`, r.holdoverBoundCoverage * 100, '%');
      figure(`sim.${r.name}.holdoverEstimate.aboveBound`, r.holdoverEstimateAboveBound, 'samples');
    }
    if (r.unheardChangeSamples > 0) figure(`sim.${r.name}.errorBound.beforeChangeHeard`, r.unheardChangeSamples, 'samples');
    rows.push(writeSimulationReport(OUT, r));
  }
  if (only.length === 0 || only.includes('sim') || only.includes(LAB_NOISE_REPLAY)) {
    for (const f of [...labNoiseFigures(), ...grandmasterMoveFigures()]) figure(f.name, f.value, f.unit);
  }
  if (only.length === 0 || only.includes('sim') || only.includes(LAB_SYNC_NOISE)) {
    for (const f of labSyncNoiseFigures()) figure(f.name, f.value, f.unit);
  }
  if (only.length === 0 || only.includes('soak')) {
    const hours = Number(process.env['SYNTONIC_SOAK_HOURS'] ?? 24);
    const r = runSoak(hours);
    figure('sim.soak.hours', r.hours, 'h');
    figure('sim.soak.worstHourlyRms', r.worstHourlyRmsNs, 'ns');
    figure('sim.soak.heapAfterFirstHour', r.heapFirstHourMiB, 'MiB');
    figure('sim.soak.heapAtEnd', r.heapEndMiB, 'MiB');
    figure('sim.soak.grandmasterChanges', r.grandmasterChanges, 'changes');
    figure('sim.soak.statusChanges', r.statusChanges, 'transitions');
    figure('sim.soak.speed', r.simulatedPerRealSecond, 'simulated s/s');
    rows.push({
      scenario: `sim/soak-${hours}h`,
      figures: { 'steady rms': `${r.worstHourlyRmsNs.toFixed(1)} ns (worst hour)`, heap: `${r.heapFirstHourMiB.toFixed(1)} → ${r.heapEndMiB.toFixed(1)} MiB` },
    });
  }
  if (only.length === 0 || only.some((o) => o === 'lab' || o.startsWith('lab:'))) await runLab(only, lab, rows);
  const table = writeSummary(OUT, rows);
  process.stdout.write(`\n${table}\n\nreports: ${OUT}\n`);
}

await main();
