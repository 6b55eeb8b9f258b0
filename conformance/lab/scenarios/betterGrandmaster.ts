/**
 * A second, better grandmaster appears and disappears while the first keeps running. Two grandmasters
 * cannot share Syntonic's link (a gPTP link is point-to-point; two Pdelay responders fault it), so
 * they reach it the way they would in a network: through a time-aware relay, here ptp4l as a
 * free-running boundary clock with one port per neighbour:
 *
 *   [gm1] ── [bridge] ── [syn]          gm1: priority1 246 (runs throughout)
 *             │    │                   gm2: priority1 240 (started, later killed)
 *          [gm2]  [ref]                bridge: gPTP.cfg, free_running 1, priority1 248
 *                                      ref: ptp4l's own servo on a virtual clock (the anchor)
 *
 * The bridge's BMCA picks gm2 when it appears and gm1 again after gm2's Announce stops
 * (announceReceiptTimeout); Syntonic sees the grandmasterIdentity in its master's Announce change
 * twice while Sync keeps coming from the same master port. The bridge sends its own CLOCK_REALTIME
 * (free-running), which is every grandmaster's time here, so the true error stays meaningful. The
 * reference slave on the bridge's fourth port sees the same switches, so both stacks' figures come
 * from the same run (issue 14: every scenario side by side).
 */
import { buildClockGuard } from '../clockGuard.js';
import { collectResult, type LabResult } from '../labResult.js';
import { Lab } from '../netns.js';
import { Ptp4l, GRANDMASTER_PRIORITY1 } from '../ptp4l.js';
import { processLogs, sampleReferenceErrors, sleep, startReference, type ReferenceErrorSample } from '../starLab.js';
import { SyntonicDaemon } from '../syntonicDaemon.js';
import { TrueErrorProbe } from '../trueErrorProbe.js';
import { buildVclock } from '../vclock.js';
import type { LabScenario, LabScenarioOptions } from './labScenario.js';
import { REFERENCE_SETTLED_MS, SETTLE_MS, SYNCHRONIZED_TIMEOUT_MS } from './labScenario.js';

const BETTER_PRIORITY1 = 240;
/** How long the better grandmaster stays, ms. */
const PRESENT_MS = 20_000;
/** Announce timeouts (3 s) at the bridge, then the switch back: 15 s covers both with room. */
const AFTER_MS = 15_000;
/** The bridge hears gm1 and selects it 5–6 s after both start; 20 s is plenty on a loaded machine. */
const BRIDGE_SELECTS_GM1_MS = 20_000;

async function run(options: LabScenarioOptions): Promise<LabResult> {
  const lab = new Lab();
  const events: string[] = [];
  let probe: TrueErrorProbe | undefined;
  try {
    const guard = buildClockGuard(lab.tempDir('guard'));
    const gm1Ns = lab.namespace('gm1');
    const bridgeNs = lab.namespace('bridge');
    const gm2Ns = lab.namespace('gm2');
    const synNs = lab.namespace('syn');
    const refNs = lab.namespace('ref');
    const toGm1 = await lab.veth(gm1Ns, bridgeNs);
    const toGm2 = await lab.veth(gm2Ns, bridgeNs);
    const toSyn = await lab.veth(bridgeNs, synNs);
    const toRef = await lab.veth(bridgeNs, refNs);
    const referenceKind = options.reference ?? 'pi';
    const vclock = referenceKind === 'free-running' ? undefined : buildVclock(lab.tempDir('vclock'));
    const gm1 = Ptp4l.start(lab, guard, { name: 'gm1', namespace: gm1Ns, interfaces: [toGm1.a.name], role: 'grandmaster' });
    const bridge = Ptp4l.start(lab, guard, {
      name: 'bridge',
      namespace: bridgeNs,
      interfaces: [toGm1.b.name, toGm2.b.name, toSyn.a.name, toRef.a.name],
      role: 'freeRunningBridge',
    });
    // Both ptp4l time out their Announce receipt at ~3 s and the bridge is grandmaster itself until it
    // has qualified gm1's Announces (~2 s more; gm1's priority1 246 beats the bridge's 248): slaves
    // started before that see a real grandmaster change at start (8 of 10 runs in one series), which
    // is not what this scenario measures. They start once the bridge has selected gm1.
    await bridge.process.waitForLine(/selected best master clock/, BRIDGE_SELECTS_GM1_MS);
    const startMs = Date.now();
    const mark = (what: string): number => {
      const now = Date.now();
      events.push(`${((now - startMs) / 1000).toFixed(1)} s: ${what}`);
      return now;
    };
    const reference = startReference(lab, guard, vclock, referenceKind, refNs, toRef.b.name);
    const syntonic = SyntonicDaemon.start(lab, guard, {
      namespace: synNs,
      interfaceName: toSyn.b.name,
      ...(options.logFormat === undefined ? {} : { logFormat: options.logFormat }),
    });
    await syntonic.providerListening();
    probe = await TrueErrorProbe.connect(syntonic.socketPath);
    const referenceErrors: ReferenceErrorSample[] = [];
    sampleReferenceErrors(probe, reference, referenceErrors);
    const sync = await probe.statusBecomes('synchronized', SYNCHRONIZED_TIMEOUT_MS);
    mark(`provider synchronized (grandmaster ${probe.grandmasters.at(-1)?.identity ?? '?'})`);
    // The steady window starts once ptp4l's own servo has settled too (its software PI: s2 after ~42 s).
    const notBefore = vclock === undefined ? 0 : startMs + REFERENCE_SETTLED_MS;
    await sleep(Math.max(0, sync.atMs + SETTLE_MS - Date.now(), notBefore - Date.now()));
    const steadyFrom = Date.now();
    await sleep((options.durationS ?? 15) * 1000);
    const steady = { fromMs: steadyFrom, toMs: Date.now() };

    const appearedMs = mark(`second grandmaster started (priority1 ${BETTER_PRIORITY1})`);
    const gm2 = Ptp4l.start(lab, guard, { name: 'gm2', namespace: gm2Ns, interfaces: [toGm2.a.name], role: 'grandmaster', priority1: BETTER_PRIORITY1 });
    await sleep(PRESENT_MS);
    const goneMs = mark('second grandmaster killed');
    await gm2.kill();
    await sleep(AFTER_MS);
    const endMs = mark('end');

    for (const p of [gm1, bridge, gm2, reference]) p.process.assertClockUntouched();
    syntonic.process.assertClockUntouched();
    reference.assertVirtualClockLoaded('the ptp4l servo reference');
    for (const g of probe.grandmasters) {
      events.push(
        `${((g.atMs - startMs) / 1000).toFixed(1)} s: provider grandmaster ${g.identity ?? 'none'}${g.priority1 === null ? '' : ` (priority1 ${g.priority1})`}`,
      );
    }
    const toGm2Ms = probe.grandmasters.find((g) => g.atMs >= appearedMs && g.priority1 === BETTER_PRIORITY1)?.atMs;
    const backMs = probe.grandmasters.find((g) => g.atMs >= goneMs && g.priority1 === GRANDMASTER_PRIORITY1)?.atMs;
    events.push(
      `grandmaster switch to the better one: ${toGm2Ms === undefined ? 'never' : `${((toGm2Ms - appearedMs) / 1000).toFixed(1)} s after it started`}`,
    );
    events.push(`switch back: ${backMs === undefined ? 'never' : `${((backMs - goneMs) / 1000).toFixed(1)} s after it was killed`}`);
    probe.close();
    const logs = processLogs(
      [gm1, bridge, gm2, reference, syntonic].map((x) => x.process),
      startMs,
    );
    const result = collectResult({
      name: betterGrandmaster.name,
      description: betterGrandmaster.description,
      startMs,
      endMs,
      syntonic,
      probe,
      reference,
      referenceKind,
      referenceErrors,
      steady,
      disruption: { fromMs: appearedMs, toMs: goneMs },
      events,
    });
    return { ...result, logs };
  } finally {
    probe?.close();
    await lab.cleanup();
  }
}

export const betterGrandmaster: LabScenario = {
  name: 'better-grandmaster',
  description: `a better grandmaster (priority1 ${BETTER_PRIORITY1} < ${GRANDMASTER_PRIORITY1}) appears behind a free-running ptp4l bridge for ${PRESENT_MS / 1000} s and disappears; Sync keeps coming from the bridge; ptp4l's own servo on the bridge's other port as reference`,
  run,
};
