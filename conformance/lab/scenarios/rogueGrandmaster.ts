/**
 * A rogue, better grandmaster appears on Syntonic's link (acceptable_grandmasters, issue 16): with no
 * list Syntonic follows it, and its time; with `--acceptable-grandmasters <gm>` it stays on its
 * grandmaster and its true error does not move.
 *
 *   [gm] ───┬── br0 (hub) ── [syn]       gm: ptp4l grandmaster, priority1 246, CLOCK_REALTIME as it is
 *      └──┐ │                             rogue: ptp4l grandmaster, priority1 240 (better), under
 *   [rogue]─┘                                    vclock.so with VCLOCK_OFFSET_NS: its time runs
 *      └────┴── br0 (hubRef) ── [ref]            ROGUE_OFFSET_NS ahead
 *                                         ref: the other stack, same run: ptp4l with its own servo
 *                                              on a virtual clock (default pi), or free-running
 *
 * The hub is a Linux bridge forwarding 01:80:C2:00:00:0E (group_fwd_mask 0x4000). gPTP links are
 * point-to-point, so the hub keeps Syntonic's link one: the gm and rogue ports are isolated from each
 * other (neither hears the other's Announce), and nothing multicast is flooded to the rogue
 * (mcast_flood off): it hears no Pdelay_Req, so Syntonic's requests get exactly one answer, the
 * gm's. The rogue runs `asCapable true` and `delay_mechanism E2E`, so that it sends Announce, Sync and
 * Follow_Up (to the gPTP address, with the 802.1AS TLV) without a peer delay measurement and sends
 * no Pdelay_Req (Syntonic's answers to those would reach the gm, which faults on Pdelay_Resp it did
 * not ask for). True error is the provider's time minus CLOCK_REALTIME, which the gm sends as it is.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildClockGuard } from '../clockGuard.js';
import { collectResult, type LabResult } from '../labResult.js';
import { LabProcess } from '../labProcess.js';
import { ip, Lab } from '../netns.js';
import { GRANDMASTER_PRIORITY1, Ptp4l, ptp4lConfigText } from '../ptp4l.js';
import { processLogs, sampleReferenceErrors, sleep, startReference, type PortOrder, type ReferenceErrorSample, type ReferenceKind } from '../starLab.js';
import { seriesFigures, type SeriesFigures } from '../stats.js';
import { SyntonicDaemon } from '../syntonicDaemon.js';
import { TrueErrorProbe } from '../trueErrorProbe.js';
import { buildVclock } from '../vclock.js';
import type { LabScenario, LabScenarioOptions } from './labScenario.js';
import { LabScenarioFailure, REFERENCE_SETTLED_MS, SERVO_SETTLE_MS, SYNCHRONIZED_TIMEOUT_MS } from './labScenario.js';

export const GM_IDENTITY = '02aaaa.fffe.000001';
export const ROGUE_IDENTITY = '02bbbb.fffe.000002';
const ROGUE_PRIORITY1 = 240;
/** The rogue's clock runs this far ahead of CLOCK_REALTIME, ns: far above the µs noise of veth. */
export const ROGUE_OFFSET_NS = 1_000_000;
/** The rogue takes its role ~3 s after start (announceReceiptTimeout); then Syntonic needs a few s. */
const ROGUE_SETTLE_MS = 8_000;

export interface RogueOptions extends LabScenarioOptions {
  /** Run Syntonic with --acceptable-grandmasters GM_IDENTITY. */
  readonly acceptable: boolean;
  /** How long the rogue runs, s (default 25). */
  readonly presentS?: number;
  /** After the rogue is killed, s (default 15; 0 ends the run with the kill). */
  readonly afterS?: number;
  /** From the servo's lock to the steady stretch, s (default SERVO_SETTLE_MS). */
  readonly settleS?: number;
  /** The ptp4l slave beside Syntonic on its own hub (default true). */
  readonly ptp4lBeside?: boolean;
}

/** What the rogue changed: true error before it and while it is there (after ROGUE_SETTLE_MS), ns. */
export interface RogueFigures {
  readonly before: SeriesFigures;
  readonly during: SeriesFigures;
  /** Median during minus median before, ns. */
  readonly shiftNs: number;
  /** The grandmaster the provider reported at the end of the rogue's presence. */
  readonly grandmasterDuring: string | null;
  /** Syntonic's log lines refusing the rogue (rate-limited: the first at once, then one a minute). */
  readonly refusalLines: number;
  /** The ptp4l slave beside it (it has no acceptable list): its `master offset` before and with the rogue, ns. */
  readonly ptp4lBefore: SeriesFigures | undefined;
  readonly ptp4lDuring: SeriesFigures | undefined;
  /** With its own servo: its true error while the rogue is there (Syntonic's window), ns; before it: the result's referenceTrueErrorNs. */
  readonly ptp4lTrueErrorDuring: SeriesFigures | undefined;
}

export interface RogueResult {
  readonly result: LabResult;
  readonly rogue: RogueFigures;
}

export async function runRogueGrandmaster(options: RogueOptions): Promise<RogueResult> {
  const lab = new Lab();
  const events: string[] = [];
  let probe: TrueErrorProbe | undefined;
  const processes: LabProcess[] = [];
  let startMs = Date.now();
  try {
    const guard = buildClockGuard(lab.tempDir('guard'));
    const vclock = buildVclock(lab.tempDir('vclock'));
    const [gmNs, rogueNs, hubNs, synNs] = ['gm', 'rogue', 'hub', 'syn'].map((t) => lab.namespace(t)) as [string, string, string, string];
    const toGm = await lab.veth(gmNs, hubNs);
    const toRogue = await lab.veth(rogueNs, hubNs);
    const toSyn = await lab.veth(hubNs, synNs);
    filteringHub(lab, hubNs, toGm.b.name, toRogue.b.name, toSyn.a.name);
    const gmInterfaces = [toGm.a.name];
    const rogueInterfaces = [toRogue.a.name];
    const order: PortOrder = options.order ?? 1;
    const kind: ReferenceKind = options.reference ?? 'pi';
    let refNs: string | undefined;
    let refInterface = '';
    if (options.ptp4lBeside !== false) {
      const [hubRefNs, ns] = ['hubref', 'ref'].map((t) => lab.namespace(t)) as [string, string];
      const toGmRef = await lab.veth(gmNs, hubRefNs);
      const toRogueRef = await lab.veth(rogueNs, hubRefNs);
      const toRef = await lab.veth(hubRefNs, ns);
      filteringHub(lab, hubRefNs, toGmRef.b.name, toRogueRef.b.name, toRef.a.name);
      // --order 2 puts Syntonic's hub on the grandmaster's second port, as in the star.
      if (order === 2) gmInterfaces.unshift(toGmRef.a.name);
      else gmInterfaces.push(toGmRef.a.name);
      rogueInterfaces.push(toRogueRef.a.name);
      refNs = ns;
      refInterface = toRef.b.name;
    }

    startMs = Date.now();
    const mark = (what: string): number => {
      const now = Date.now();
      events.push(`${((now - startMs) / 1000).toFixed(1)} s: ${what}`);
      return now;
    };
    const gm = Ptp4l.start(lab, guard, { name: 'gm', namespace: gmNs, interfaces: gmInterfaces, role: 'grandmaster', clockIdentity: GM_IDENTITY });
    const reference = refNs === undefined ? undefined : startReference(lab, guard, kind === 'free-running' ? undefined : vclock, kind, refNs, refInterface);
    const servoBeside = reference !== undefined && kind !== 'free-running';
    processes.push(gm.process, ...(reference === undefined ? [] : [reference.process]));
    const syntonic = SyntonicDaemon.start(lab, guard, {
      namespace: synNs,
      interfaceName: toSyn.b.name,
      ...(options.logFormat === undefined ? {} : { logFormat: options.logFormat }),
      extraArgs: options.acceptable ? ['--acceptable-grandmasters', GM_IDENTITY] : [],
    });
    processes.push(syntonic.process);
    await syntonic.providerListening();
    probe = await TrueErrorProbe.connect(syntonic.socketPath);
    const referenceErrors: ReferenceErrorSample[] = [];
    if (reference !== undefined) sampleReferenceErrors(probe, reference, referenceErrors);
    // The bridge's softirq path puts microseconds of jitter into every frame: the offset RMS may stay
    // above the provider's synchronized threshold, so the servo's lock (s2) starts the measurement.
    const locked = await syntonic.process.waitForLine(/master offset\s+-?\d+ s2 /, SYNCHRONIZED_TIMEOUT_MS);
    mark(`servo locked (s2), grandmaster ${probe.grandmasters.at(-1)?.identity ?? '?'}`);
    const settledMs = locked.atMs + (options.settleS === undefined ? SERVO_SETTLE_MS : options.settleS * 1000);
    // ptp4l's software PI reaches s2 only after ~43 s: its figures mean something from 70 s.
    await sleep(Math.max(0, Math.max(settledMs, servoBeside ? startMs + REFERENCE_SETTLED_MS : 0) - Date.now()));
    const steadyFrom = Date.now();
    await sleep((options.durationS ?? 15) * 1000);

    const appearedMs = mark(`rogue grandmaster started (priority1 ${ROGUE_PRIORITY1}, clock ${ROGUE_OFFSET_NS / 1e6} ms ahead)`);
    const rogue = startRogue(lab, guard, vclock, rogueNs, rogueInterfaces);
    processes.push(rogue);
    await sleep((options.presentS ?? 25) * 1000);
    const goneMs = mark('rogue grandmaster killed');
    const grandmasterDuring = probe.grandmasters.filter((g) => g.atMs <= goneMs).at(-1)?.identity ?? null;
    await rogue.kill();
    if ((options.afterS ?? 15) > 0) await sleep((options.afterS ?? 15) * 1000);
    const endMs = mark('end');

    for (const p of [gm.process, rogue, syntonic.process, ...(reference === undefined ? [] : [reference.process])]) p.assertClockUntouched();
    reference?.assertVirtualClockLoaded('the ptp4l servo reference');
    for (const l of syntonic.process.lines) {
      if (/LISTENING|SLAVE|asCapable|selected best master|grandmaster lost|refused|status \w+ to |Timeout/.test(l.text))
        events.push(`${((l.atMs - startMs) / 1000).toFixed(1)} s: syntonic: ${l.text.replace(/^syntonic\[[\d.]+\]: /, '')}`);
    }
    for (const g of probe.grandmasters)
      events.push(
        `${((g.atMs - startMs) / 1000).toFixed(1)} s: provider grandmaster ${g.identity ?? 'none'}${g.priority1 === null ? '' : ` (priority1 ${g.priority1})`}`,
      );
    const before = seriesFigures(probe.samplesSince(steadyFrom, appearedMs).map((s) => s.errorNs));
    const during = seriesFigures(probe.samplesSince(appearedMs + ROGUE_SETTLE_MS, goneMs).map((s) => s.errorNs));
    const refusalLines = syntonic.process.lines.filter((l) => l.text.includes('is not in acceptable_grandmasters')).length;
    const ptp4lBefore =
      reference === undefined ? undefined : seriesFigures(reference.samples.filter((x) => x.atMs >= steadyFrom && x.atMs <= appearedMs).map((x) => x.offsetNs));
    const ptp4lDuring =
      reference === undefined
        ? undefined
        : seriesFigures(reference.samples.filter((x) => x.atMs >= appearedMs + ROGUE_SETTLE_MS && x.atMs <= goneMs).map((x) => x.offsetNs));
    const referenceIn = (fromMs: number, toMs: number): SeriesFigures | undefined =>
      servoBeside ? seriesFigures(referenceErrors.filter((x) => x.atMs >= fromMs && x.atMs <= toMs).map((x) => x.errorNs)) : undefined;
    const ptp4lTrueErrorBefore = referenceIn(steadyFrom, appearedMs);
    const ptp4lTrueErrorDuring = referenceIn(appearedMs + ROGUE_SETTLE_MS, goneMs);
    const rogueFigures: RogueFigures = {
      before,
      during,
      shiftNs: during.median - before.median,
      grandmasterDuring,
      refusalLines,
      ptp4lBefore,
      ptp4lDuring,
      ptp4lTrueErrorDuring,
    };
    if (ptp4lBefore !== undefined && ptp4lDuring !== undefined) {
      events.push(
        `ptp4l ${kind === 'free-running' ? 'free-running slave' : `slave (${kind} servo)`} beside it: master offset median ${ptp4lBefore.median.toFixed(0)} ns before the rogue, ${ptp4lDuring.median.toFixed(0)} ns with it`,
      );
    }
    if (ptp4lTrueErrorBefore !== undefined && ptp4lTrueErrorDuring !== undefined) {
      events.push(
        `ptp4l's true error: median ${ptp4lTrueErrorBefore.median.toFixed(0)} ns before the rogue; while it is there: median ${ptp4lTrueErrorDuring.median.toFixed(0)} ns, max |${ptp4lTrueErrorDuring.maxAbs.toFixed(0)}| ns`,
      );
    }
    events.push(
      `true error before the rogue: median ${before.median.toFixed(0)} ns, rms ${before.rms.toFixed(0)} ns; while it is there (from ${ROGUE_SETTLE_MS / 1000} s after its start): median ${during.median.toFixed(0)} ns, max |${during.maxAbs.toFixed(0)}| ns`,
    );
    probe.close();
    const result = collectResult({
      name: options.acceptable ? rogueGrandmasterRefused.name : rogueGrandmasterFollowed.name,
      description: options.acceptable ? rogueGrandmasterRefused.description : rogueGrandmasterFollowed.description,
      startMs,
      endMs,
      syntonic,
      probe,
      reference,
      steady: { fromMs: steadyFrom, toMs: appearedMs },
      disruption: { fromMs: appearedMs, toMs: goneMs },
      // Each stack's true error with the rogue there (`….duringChange.*`): +1 ms is a stack that followed it.
      change: { fromMs: appearedMs + ROGUE_SETTLE_MS, toMs: goneMs },
      // A status that says synchronized while following the rogue is judged against the rogue's time.
      grandmasterOffsetsNs: new Map([[ROGUE_IDENTITY, ROGUE_OFFSET_NS]]),
      events,
      syntonicPort: reference === undefined ? 1 : order,
      ...(reference === undefined ? {} : { referenceKind: kind, referenceErrors }),
    });
    // Every run's process logs beside its report, as the star scenarios keep theirs: a slow follow is
    // then explained by the logs of the run it happened in.
    return { result: { ...result, logs: processLogs(processes, startMs) }, rogue: rogueFigures };
  } catch (err) {
    throw new LabScenarioFailure(options.acceptable ? rogueGrandmasterRefused.name : rogueGrandmasterFollowed.name, err, processLogs(processes, startMs));
  } finally {
    probe?.close();
    await lab.cleanup();
  }
}

/**
 * A Linux bridge forwarding gPTP's 01:80:C2:00:00:0E between the gm, the rogue and one station: the gm
 * and rogue ports are isolated from each other, and nothing multicast reaches the rogue.
 */
function filteringHub(lab: Lab, namespace: string, gmPort: string, roguePort: string, stationPort: string): void {
  ip(['-n', namespace, 'link', 'add', 'br0', 'type', 'bridge', 'group_fwd_mask', '0x4000']);
  for (const port of [gmPort, roguePort, stationPort]) ip(['-n', namespace, 'link', 'set', port, 'master', 'br0']);
  ip(['-n', namespace, 'link', 'set', 'br0', 'up']);
  lab.exec(namespace, ['bridge', 'link', 'set', 'dev', gmPort, 'isolated', 'on']);
  lab.exec(namespace, ['bridge', 'link', 'set', 'dev', roguePort, 'isolated', 'on', 'mcast_flood', 'off']);
}

/** ptp4l as the rogue grandmaster, its CLOCK_REALTIME (and so every timestamp it sends) shifted by vclock.so. */
function startRogue(lab: Lab, guard: string, vclock: string, namespace: string, interfaces: readonly string[]): LabProcess {
  const dir = lab.tempDir('ptp4l-rogue');
  const configPath = join(dir, 'ptp4l.cfg');
  const text = ptp4lConfigText(
    {
      name: 'rogue',
      namespace,
      interfaces,
      role: 'grandmaster',
      priority1: ROGUE_PRIORITY1,
      clockIdentity: ROGUE_IDENTITY,
      options: { asCapable: 'true', delay_mechanism: 'E2E' },
    },
    join(dir, 'uds'),
  );
  writeFileSync(configPath, text);
  // env after setpriv: vclock.so under clockguard, and vclock refuses to load with CAP_SYS_TIME held.
  const argv = [
    'env',
    `LD_PRELOAD=${vclock}:${guard}`,
    `VCLOCK_OFFSET_NS=${ROGUE_OFFSET_NS}`,
    'VCLOCK_REQUIRE_NO_SYS_TIME=1',
    'ptp4l',
    '-f',
    configPath,
    ...interfaces.flatMap((i) => ['-i', i]),
    '-m',
    '-S',
  ];
  return new LabProcess('ptp4l rogue', lab, namespace, argv, guard);
}

const describe = (acceptable: boolean): string =>
  `a rogue grandmaster (priority1 ${ROGUE_PRIORITY1} < ${GRANDMASTER_PRIORITY1}, its clock ${ROGUE_OFFSET_NS / 1e6} ms ahead) appears on Syntonic's link for 25 s; ` +
  (acceptable ? `with --acceptable-grandmasters ${GM_IDENTITY} Syntonic stays on its grandmaster` : 'without a list Syntonic follows it');

export const rogueGrandmasterFollowed: LabScenario = {
  name: 'rogue-grandmaster',
  description: describe(false),
  run: async (options) => (await runRogueGrandmaster({ ...options, acceptable: false })).result,
};

export const rogueGrandmasterRefused: LabScenario = {
  name: 'rogue-grandmaster-refused',
  description: describe(true),
  run: async (options) => (await runRogueGrandmaster({ ...options, acceptable: true })).result,
};
