/**
 * The shared-port hub (conformance/lab/sharedPortHub.ts) in a real run: both slaves on the
 * grandmaster's one port take its Syncs, each measures its own link delay against the grandmaster
 * without anyone faulting on a second responder, and the hub serves first the slave it was told to.
 * On macvlans (conformance/lab/macvlanPort.ts) both read one and the same timestamp per Sync, and a
 * third slave, the control (a second ptp4l servo), joins them without anyone faulting. The
 * paired figures themselves come from `npm run conformance -- lab:shared-port[-macvlan]`.
 */
import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { memoryTempRoot } from '../../conformance/lab/netns.js';
import { sleep, StarLab, type SharedPortFanOut } from '../../conformance/lab/starLab.js';
import type { SyncLatencySample } from '../../conformance/lab/syncCapture.js';
import { needs } from '../support/peers.js';

const gate = needs('the shared-port lab', 'netns', 'setpriv', 'ptp4l', 'gcc', 'tcpdump', 'nft');

const mean = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0) / values.length;

/** The Syncs both captures saw (they start and stop a moment apart), paired by origin. */
function syncsBothSaw(star: StarLab): { syntonic: SyncLatencySample; reference: SyncLatencySample }[] {
  const reference = new Map((star.syncLatencies?.reference ?? []).map((s) => [s.originNs, s]));
  return (star.syncLatencies?.syntonic ?? []).flatMap((s) => {
    const r = reference.get(s.originNs);
    return r === undefined ? [] : [{ syntonic: s, reference: r }];
  });
}

/** Every stack on the shared port until each servoes, a few seconds more; the lab closed, its log lines as `process: line`. */
async function runUntilBothServo(sharedPort: SharedPortFanOut, control = false): Promise<{ star: StarLab; lines: string[] }> {
  const star = await StarLab.start({ sharedPort, order: 1, captureSyncs: true, control });
  try {
    await star.syntonic.process.waitForLine(/master offset\s+-?\d+ s2 /, 30_000);
    await star.reference?.process.waitForLine(/master offset/, 30_000);
    await star.control?.ptp4l.process.waitForLine(/master offset/, 30_000);
    await sleep(4_000);
    star.assertClocksUntouched();
  } finally {
    await star.close();
  }
  return { star, lines: star.processLogs().flatMap((p) => p.lines.map((l) => `${p.process}: ${l}`)) };
}

describe.skipIf(gate.skip)('Syntonic and ptp4l on one grandmaster port', () => {
  it('through the filtering hub: keeps both peer-delay exchanges point-to-point and serves Syntonic first when told to', async () => {
    const { star, lines } = await runUntilBothServo('hub');
    // vclock.so rewrites its state on every adjustment; on a disk that stalled ptp4l into its clock check (netns.ts).
    const state = star.reference?.vclockStatePath ?? '';
    if (memoryTempRoot() !== tmpdir()) expect(state.startsWith(memoryTempRoot())).toBe(true);
    expect(star.syntonicPort).toBe(1);
    expect(star.floodFirst).toBe('syntonic');
    // A second responder, or an answer to someone else's request, faults ptp4l (LAB-NOTES) and takes
    // Syntonic's asCapable away. ptp4l's own clock check can leave its port in flight of its own last
    // Pdelay_Req (SYNCHRONIZATION_FAULT, then that answer as "rogue"): only then may a rogue answer show.
    expect(lines.filter((l) => /multiple peer responses/.test(l))).toEqual([]);
    expect(lines.filter((l) => /syntonic: .*asCapable false/.test(l))).toEqual([]);
    if (!lines.some((l) => /ptp4l ref: .*SYNCHRONIZATION_FAULT/.test(l))) {
      expect(lines.filter((l) => /rogue peer delay response|FAULTY/.test(l))).toEqual([]);
    }
    // Syntonic measured its link against the grandmaster, and ptp4l's servo follows the same grandmaster.
    expect(lines.some((l) => /syntonic: .*asCapable true: peer .* answers/.test(l))).toBe(true);
    expect(star.reference?.portStates.some((c) => c.to === 'SLAVE' || c.to === 'UNCALIBRATED')).toBe(true);
    // The same Syncs reached both: served first, Syntonic's arrive earlier on average.
    const both = syncsBothSaw(star);
    expect(both.length).toBeGreaterThan(20);
    expect(both.length).toBeGreaterThanOrEqual(Math.min(star.syncLatencies?.syntonic.length ?? 0, star.syncLatencies?.reference.length ?? 0) - 2);
    expect(mean(both.map((s) => s.syntonic.latencyNs))).toBeLessThan(mean(both.map((s) => s.reference.latencyNs)));
  }, 60_000);

  it('on macvlans: both slaves read the same ingress timestamp for every Sync, and nobody faults, a control beside them included', async () => {
    const { star, lines } = await runUntilBothServo('macvlan', true);
    expect(lines.filter((l) => /multiple peer responses|rogue peer delay response|FAULTY/.test(l))).toEqual([]);
    expect(lines.filter((l) => /syntonic: .*asCapable false/.test(l))).toEqual([]);
    expect(lines.some((l) => /syntonic: .*asCapable true: peer .* answers/.test(l))).toBe(true);
    expect(star.reference?.portStates.some((c) => c.to === 'SLAVE' || c.to === 'UNCALIBRATED')).toBe(true);
    // The kernel stamped each Sync once, at the veth, and macvlan handed both slaves that stamp.
    const both = syncsBothSaw(star);
    expect(both.length).toBeGreaterThan(20);
    expect(both.filter((s) => s.syntonic.rxNs !== s.reference.rxNs)).toEqual([]);
    // Each slave got the answers to its own Pdelay_Req: both measured their link.
    expect(star.pdelayPaths?.syntonic.length ?? 0).toBeGreaterThan(3);
    expect(star.pdelayPaths?.reference.length ?? 0).toBeGreaterThan(3);
    // The control is a third requester on the same port: it follows the grandmaster and measures its
    // own link, and its true error is read at the probe's instants as the reference's is.
    expect(star.control?.port).toBe(1);
    expect(star.control?.ptp4l.portStates.some((c) => c.to === 'SLAVE' || c.to === 'UNCALIBRATED')).toBe(true);
    expect(star.control?.ptp4l.samples.some((s) => s.pathDelayNs > 0)).toBe(true);
    expect(star.controlErrors.length).toBeGreaterThan(10);
  }, 60_000);
});
