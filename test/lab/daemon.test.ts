/**
 * `syntonic run` end to end against linuxptp: ptp4l (free-running, guarded) as the gPTP grandmaster in
 * one network namespace, the daemon with software timestamps and the virtual clock in another, a veth
 * pair between them. The daemon runs from dist/ (build with `npx tsc -p tsconfig.json`; `npm test`
 * does). All namespaces share CLOCK_REALTIME and ptp4l -S sends CLOCK_REALTIME as it is, so the
 * provider's synchronized time minus CLOCK_REALTIME is the daemon's true error.
 *
 * A gcc-compiled C program reads the same time through the daemon's shared-memory time page.
 *
 * Measured on the 2-vCPU development VM (software timestamps on veth, 8 Sync/s), three runs:
 * synchronized 4.6–4.9 s after start, true error median +0.17…+0.65 µs, p99 0.28–0.96 µs; lost
 * 0.35–0.49 s after the kill; synchronized again 4.6–4.9 s after the restart; Syntonic's path delay
 * 79–449 ns above the grandmaster's view of the same link. The bounds below leave
 * room for the tens-of-µs wake-up spikes a loaded CI machine adds (LAB-NOTES).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildClockGuard } from '../../conformance/lab/clockGuard.js';
import { Lab, listNamespaces, type VethLink } from '../../conformance/lab/netns.js';
import { Ptp4l } from '../../conformance/lab/ptp4l.js';
import { seriesFigures } from '../../conformance/lab/stats.js';
import { LAB_CONFIGS, labConfigFile, SyntonicDaemon } from '../../conformance/lab/syntonicDaemon.js';
import { upperFactor } from '../../src/servo/oscillatorWander.js';
import { KALMAN_TUNING_SOFTWARE } from '../../src/servo/kalmanTuning.js';
import { TrueErrorProbe } from '../../conformance/lab/trueErrorProbe.js';
import { compileC } from '../support/cProgram.js';
import { needs } from '../support/peers.js';

/** The grandmaster takes its role ~3 s after start, asCapable ~2.6 s (LAB-NOTES); 30 s is generous. */
const SYNCHRONIZED_WITHIN_MS = 30_000;
const MEASURE_MS = 10_000;
/** Software timestamps on veth: ~+0.6 µs asymmetry bias and spikes of tens of µs (LAB-NOTES). */
const MEDIAN_ABS_ERROR_BOUND_NS = 10_000;
const P99_ABS_ERROR_BOUND_NS = 50_000;
/**
 * Both ends of one veth measure its delay through their own software paths; before Syntonic took its
 * socket out of epoll during a send, its figure sat 0.6–1.2 µs above the grandmaster's.
 */
const PATH_DELAY_AGREEMENT_NS = 1_000;
/** gPTP.cfg: syncReceiptTimeout 3 × logSyncInterval −3 (125 ms) = 375 ms. */
const SYNC_RECEIPT_TIMEOUT_MS = 375;
/** Detection runs on the daemon's timer and the status travels over the socket: a second is plenty. */
const LOSS_MARGIN_MS = 1_000;

function gmOptions(namespace: string, link: VethLink, neighborPropDelayThreshNs?: number): Parameters<typeof Ptp4l.start>[2] {
  return {
    name: 'gm',
    namespace,
    interfaces: [link.a.name],
    role: 'grandmaster',
    ...(neighborPropDelayThreshNs === undefined ? {} : { neighborPropDelayThreshNs }),
  };
}

const gate = needs('e2e: syntonic run against ptp4l', 'netns', 'setpriv', 'ptp4l', 'pmc', 'gcc');

describe.skipIf(gate.skip)('syntonic run against a ptp4l grandmaster over veth (software timestamps)', () => {
  const lab = new Lab();
  let guard = '';
  let gmNamespace = '';
  let link: VethLink;
  let gm: Ptp4l;
  let syntonic: SyntonicDaemon;
  let probe: TrueErrorProbe | undefined;
  let startedMs = 0;

  beforeAll(async () => {
    guard = buildClockGuard(lab.tempDir('guard'));
    gmNamespace = lab.namespace('gm');
    const slaveNamespace = lab.namespace('syn');
    link = await lab.veth(gmNamespace, slaveNamespace);
    startedMs = Date.now();
    gm = Ptp4l.start(lab, guard, gmOptions(gmNamespace, link));
    syntonic = SyntonicDaemon.start(lab, guard, { namespace: slaveNamespace, interfaceName: link.b.name });
    await syntonic.providerListening();
    probe = await TrueErrorProbe.connect(syntonic.socketPath);
  });

  afterAll(async () => {
    probe?.close();
    await lab.cleanup();
  });

  it('runs every process under clockguard, and none tries to change a clock', () => {
    expect(gm.process.guardActive).toBe(true);
    expect(syntonic.process.guardActive).toBe(true);
    gm.process.assertClockUntouched();
    syntonic.process.assertClockUntouched();
  });

  it(`reports synchronized within ${SYNCHRONIZED_WITHIN_MS / 1000} s of start`, async () => {
    const seen = await (probe as TrueErrorProbe).statusBecomes('synchronized', SYNCHRONIZED_WITHIN_MS);
    console.info(`e2e: synchronized ${((seen.atMs - startedMs) / 1000).toFixed(2)} s after start`);
    expect(seen.atMs - startedMs).toBeLessThan(SYNCHRONIZED_WITHIN_MS);
    expect(probe?.latest?.grandmaster?.priority1).toBe(246);
    expect(probe?.latest?.port).toMatchObject({ portState: 'slavePort', asCapable: true });
    // Protocol 2: the quality level with its thresholds; no holdover while Syncs arrive.
    expect(probe?.latest?.quality.thresholdsNs).toEqual({ excellent: 100, good: 1000, fair: 10_000, poor: 1_000_000 });
    expect(probe?.latest?.holdover).toBeNull();
  });

  it('extrapolates time that agrees with CLOCK_REALTIME: |median| < 10 µs, p99 < 50 µs', async () => {
    const from = Date.now();
    await new Promise((wake) => setTimeout(wake, MEASURE_MS));
    const samples = (probe as TrueErrorProbe).samplesSince(from);
    const f = seriesFigures(samples.map((s) => s.errorNs));
    console.info(`e2e: true error over ${f.count} samples: median ${f.median} ns, rms ${f.rms.toFixed(0)} ns, p99 |e| ${f.p99Abs} ns, max |e| ${f.maxAbs} ns`);
    // 4 Hz for 10 s; a few may be lost to scheduling.
    expect(f.count).toBeGreaterThanOrEqual(30);
    // ptp4l -S sends CLOCK_REALTIME (UTC) as it is: no whole-seconds offset between the timescales.
    expect(new Set(samples.map((s) => s.wholeSeconds))).toEqual(new Set([0]));
    // Never lost. Whether it stays synchronized is the machine's to decide: with both cores saturated
    // (stress-ng --cpu 2 beside the suite) software timestamps put the offset RMS above the 2 µs exit
    // threshold for most of the 10 s ("unstable: Offset RMS 2009 ns exceeds 2000 ns", true error
    // 2.0–2.2 µs), and the status is right to say unstable then.
    const changes = (probe as TrueErrorProbe).statuses.filter((o) => o.atMs >= from).map((o) => `${o.status}: ${o.reason}`);
    if (changes.length > 0) console.info(`e2e: status changes while measuring: ${changes.join(' | ')}`);
    console.info(`e2e: synchronized in ${samples.filter((s) => s.status === 'synchronized').length} of ${samples.length} samples`);
    expect(samples.filter((s) => s.status === 'lost')).toEqual([]);
    expect(Math.abs(f.median)).toBeLessThan(MEDIAN_ABS_ERROR_BOUND_NS);
    expect(f.p99Abs).toBeLessThan(P99_ABS_ERROR_BOUND_NS);
    // What an application calls: TimeBaseClient.now(), bracketed by CLOCK_REALTIME reads.
    const readings = Array.from({ length: 21 }, () => (probe as TrueErrorProbe).clientNow()).filter((r) => r !== undefined);
    const viaNow = seriesFigures(readings.map((r) => r.errorNs));
    console.info(
      `e2e: TimeBaseClient.now() − CLOCK_REALTIME: median ${viaNow.median} ns (bracket median ${seriesFigures(readings.map((r) => r.bracketNs)).median} ns)`,
    );
    expect(readings).toHaveLength(21);
    expect(Math.abs(viaNow.median)).toBeLessThan(MEDIAN_ABS_ERROR_BOUND_NS);
  });

  it('gives a gcc-compiled C program the same time through the time page: |median| < 10 µs, p99 < 50 µs', async () => {
    // test/c/timePageReader.c truth: syntonic_time_now() bracketed by CLOCK_REALTIME reads, 20 Hz for 2 s.
    const reader = compileC('test/c/timePageReader.c');
    expect(statSync(syntonic.timePagePath).mode & 0o777).toBe(0o644);
    const { stdout } = await promisify(execFile)(reader, ['truth', syntonic.timePagePath, '41', '50'], { encoding: 'utf8' });
    const rows = stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([code, status, errorNs, bracketNs, boundNs]) => ({
        code: Number(code),
        status,
        errorNs: Number(errorNs),
        bracketNs: Number(bracketNs),
        boundNs: Number(boundNs),
      }));
    const f = seriesFigures(rows.map((r) => r.errorNs));
    const within = rows.filter((r) => Math.abs(r.errorNs) <= r.boundNs).length;
    console.info(
      `e2e: C reader (time page) − CLOCK_REALTIME over ${f.count} readings: median ${f.median} ns, p99 |e| ${f.p99Abs} ns, max |e| ${f.maxAbs} ns; ` +
        `bracket median ${seriesFigures(rows.map((r) => r.bracketNs)).median} ns; error bound median ${seriesFigures(rows.map((r) => r.boundNs)).median} ns, |e| within it in ${within}/${rows.length}`,
    );
    expect(rows).toHaveLength(41);
    expect(rows.filter((r) => r.code !== 0)).toEqual([]);
    expect(rows.filter((r) => r.status === 'lost')).toEqual([]);
    expect(Math.abs(f.median)).toBeLessThan(MEDIAN_ABS_ERROR_BOUND_NS);
    expect(f.p99Abs).toBeLessThan(P99_ABS_ERROR_BOUND_NS);
  });

  it('measures the link as ptp4l measures it from the other end (802.1AS-2020 11.2.19), within 1 µs', async () => {
    // ptp4l's own peerMeanPathDelay on its port to us: non-zero, so it measures us as a peer, and our
    // meanLinkDelay of the same link near it. On veth with software timestamps both ends of a
    // ptp4l-to-ptp4l link disagree by 70–420 ns; Syntonic and the grandmaster by 105–340 ns (lab runs).
    const from = Date.now();
    const gmViews: number[] = [];
    // pmc waits only briefly for ptp4l's answer (and the lab stops it after 2 s): on a loaded machine
    // an answer may come too late (4 of 5 was seen under stress-ng), and that query is asked again.
    for (let asked = 0; gmViews.length < 5 && asked < 10; asked++) {
      await new Promise((wake) => setTimeout(wake, 1_000));
      const port = (await gm.portDataSets()).find((p) => p.portNumber === 1);
      if (port !== undefined) gmViews.push(port.peerMeanPathDelayNs);
    }
    const ours = seriesFigures(syntonic.offsetsSince(from).map((s) => s.pathDelayNs));
    const theirs = seriesFigures(gmViews);
    console.info(`e2e: path delay of the link: Syntonic median ${ours.median} ns, the grandmaster's peerMeanPathDelay median ${theirs.median} ns`);
    expect(theirs.count).toBe(5);
    expect(theirs.median).toBeGreaterThan(0);
    expect(ours.count).toBeGreaterThan(20);
    expect(Math.abs(ours.median - theirs.median)).toBeLessThan(PATH_DELAY_AGREEMENT_NS);
  });

  it('reports lost within syncReceiptTimeout (+1 s) when the grandmaster is killed', async () => {
    const killedMs = Date.now();
    await gm.kill();
    const lost = await (probe as TrueErrorProbe).statusBecomes('lost', SYNC_RECEIPT_TIMEOUT_MS + LOSS_MARGIN_MS + 2_000, killedMs);
    console.info(`e2e: lost ${lost.atMs - killedMs} ms after the grandmaster was killed (${lost.reason})`);
    // In holdover the snapshot carries the estimate and its growth, and the client's bound covers it.
    const holdover = (probe as TrueErrorProbe).latest?.holdover;
    expect(holdover).toMatchObject({ estimatedErrorNs: expect.any(Number), stabilityPpb: expect.any(Number), driftPpbPerS: expect.any(Number) });
    expect(lost.atMs - killedMs).toBeLessThan(SYNC_RECEIPT_TIMEOUT_MS + LOSS_MARGIN_MS);
  });

  it('is synchronized again after ptp4l restarts, without restarting syntonic', async () => {
    const pid = syntonic.process.pid;
    const restartedMs = Date.now();
    gm = Ptp4l.start(lab, guard, gmOptions(gmNamespace, link));
    // ptp4l listens for announceReceiptTimeout before it takes the grandmaster role and sends its first
    // Sync: recovery counts from there.
    const master = await gm.process.waitForLine(/to MASTER on|assuming the grand master role/, SYNCHRONIZED_WITHIN_MS);
    const back = await (probe as TrueErrorProbe).statusBecomes('synchronized', SYNCHRONIZED_WITHIN_MS, restartedMs);
    console.info(
      `e2e: synchronized again ${((back.atMs - master.atMs) / 1000).toFixed(2)} s after the grandmaster's first Sync ` +
        `(${((back.atMs - restartedMs) / 1000).toFixed(2)} s after ptp4l restarted)`,
    );
    expect(back.atMs - restartedMs).toBeLessThan(SYNCHRONIZED_WITHIN_MS);
    expect(syntonic.process.running).toBe(true);
    expect(syntonic.process.pid).toBe(pid);
    gm.process.assertClockUntouched();
    syntonic.process.assertClockUntouched();
  });
});

describe.skipIf(gate.skip)('syntonic run with gPTP.cfg neighborPropDelayThresh 800 ns on software timestamps', () => {
  const lab = new Lab();
  let syntonic: SyntonicDaemon;
  let probe: TrueErrorProbe | undefined;

  beforeAll(async () => {
    const guard = buildClockGuard(lab.tempDir('guard'));
    const gmNamespace = lab.namespace('gm');
    const slaveNamespace = lab.namespace('syn');
    const link = await lab.veth(gmNamespace, slaveNamespace);
    Ptp4l.start(lab, guard, gmOptions(gmNamespace, link, 800));
    syntonic = SyntonicDaemon.start(lab, guard, {
      namespace: slaveNamespace,
      interfaceName: link.b.name,
      configFile: join(LAB_CONFIGS, 'syntonic-gPTP-800ns.cfg'),
      logFormat: 'json',
    });
    await syntonic.providerListening();
    probe = await TrueErrorProbe.connect(syntonic.socketPath);
  });

  afterAll(async () => {
    probe?.close();
    await lab.cleanup();
  });

  it('logs why asCapable is false, naming neighborPropDelayThresh, and never synchronizes', async () => {
    // A Pdelay exchange per second; the first complete one already measures more than 800 ns.
    const line = await syntonic.process.waitForLine(/asCapable false: .*neighborPropDelayThresh/, 10_000);
    expect(JSON.parse(line.text)).toMatchObject({ program: 'syntonic' });
    await new Promise((wake) => setTimeout(wake, 4_000));
    expect(probe?.statuses.map((s) => s.status)).not.toContain('synchronized');
    expect(probe?.latest?.status).toBe('lost');
    expect(probe?.latest?.port.asCapable).toBe(false);
    syntonic.process.assertClockUntouched();
  });
});

describe.skipIf(gate.skip)('syntonic run with kalman_wander_file: the oscillator walk it learned kept across restarts', () => {
  const lab = new Lab();
  const kept = { timestamping: 'software', clock: 'virtual', ppbPerSqrtS: 0.5, evidence: 8, savedAt: '2026-01-01T00:00:00.000Z' };
  let syntonic: SyntonicDaemon;
  let probe: TrueErrorProbe | undefined;
  let wanderFile = '';

  beforeAll(async () => {
    const guard = buildClockGuard(lab.tempDir('guard'));
    const gmNamespace = lab.namespace('gm');
    const slaveNamespace = lab.namespace('syn');
    const link = await lab.veth(gmNamespace, slaveNamespace);
    Ptp4l.start(lab, guard, gmOptions(gmNamespace, link));
    const dir = lab.tempDir('wander');
    wanderFile = join(dir, 'wander.json');
    writeFileSync(wanderFile, JSON.stringify(kept));
    const configFile = join(dir, 'syntonic.cfg');
    writeFileSync(configFile, `${readFileSync(labConfigFile(), 'utf8')}\n[global]\nkalman_wander_file ${wanderFile}\n`);
    syntonic = SyntonicDaemon.start(lab, guard, { namespace: slaveNamespace, interfaceName: link.b.name, configFile });
    await syntonic.providerListening();
    probe = await TrueErrorProbe.connect(syntonic.socketPath);
  });

  afterAll(async () => {
    probe?.close();
    await lab.cleanup();
  });

  it('reads the kept walk at start and tracks with it, as the status shows', async () => {
    await syntonic.process.waitForLine(/kalman_wander_file .*: oscillator walk 0\.500 ppb\/√s over 8\.0 × 256 s/, 10_000);
    await (probe as TrueErrorProbe).statusBecomes('synchronized', SYNCHRONIZED_WITHIN_MS);
    const wander = probe?.latest?.oscillatorWander;
    expect(wander).toMatchObject({ ppbPerSqrtS: 0.5, evidence: 8, inUse: true });
    const tracking = KALMAN_TUNING_SOFTWARE.learnedWanderScale * 0.5 * Math.sqrt(upperFactor(8));
    expect(wander?.trackingPpbPerSqrtS).toBeCloseTo(tracking, 9);
  });

  it('writes what it knows back when stopped', async () => {
    await syntonic.process.stop(5_000);
    const written: unknown = JSON.parse(readFileSync(wanderFile, 'utf8'));
    expect(written).toMatchObject({ timestamping: 'software', clock: 'virtual', ppbPerSqrtS: 0.5, evidence: 8 });
    expect(written).not.toMatchObject({ savedAt: kept.savedAt });
    syntonic.process.assertClockUntouched();
  });
});

describe.skipIf(gate.skip)('lab hygiene', () => {
  it('leaves no namespace of this process behind', () => {
    expect(listNamespaces().filter((n) => n.startsWith(`syn-lab-${process.pid}-`))).toEqual([]);
  });
});
