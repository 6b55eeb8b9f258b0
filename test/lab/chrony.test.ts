/**
 * chronyd fed by `syntonic run` through its SOCK refclock, against a ptp4l grandmaster over veth:
 *
 *   [gm] ptp4l -S ──veth── [syn] syntonic run (refclock_sock_address) ──datagrams──▶ [chr] chronyd -x
 *
 * The lab's truth: every namespace shares one CLOCK_REALTIME and ptp4l -S sends CLOCK_REALTIME as it
 * is, so the synchronized time in UTC IS CLOCK_REALTIME and the true offset chrony should see is 0.
 * That grandmaster announces the arbitrary timescale (ptpTimescale 0) with currentUtcOffset 37 not
 * flagged valid (ptp4l's utc_timescale with software timestamps), so its time has no announced relation
 * to UTC: Syntonic sends nothing until the configuration states `assume_utc_offset 0` (its time is
 * UTC). chronyd never controls a clock (-x, no CAP_SYS_TIME, clockguard); chronyc's "Last sample"
 * measured offset (local − reference, after chrony's median filter of the poll's samples) is read
 * once a second.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Chronyd, type ChronySource } from '../../conformance/lab/chronyd.js';
import { buildClockGuard } from '../../conformance/lab/clockGuard.js';
import { Lab, type VethLink } from '../../conformance/lab/netns.js';
import { Ptp4l } from '../../conformance/lab/ptp4l.js';
import { seriesFigures } from '../../conformance/lab/stats.js';
import { LAB_CONFIGS, SyntonicDaemon } from '../../conformance/lab/syntonicDaemon.js';
import { needs } from '../support/peers.js';

const SYNCHRONIZED_WITHIN_MS = 30_000;
/** chrony polls once a second: 20 polls, within at most 60 s (a loaded machine can leave synchronized for a while). */
const MEASURE_SAMPLES = 20;
const MEASURE_MAX_S = 60;
/** The bound: chronyc's offset within 2 µs of the truth (0 here). */
const TRUTH_BOUND_NS = 2_000;

const gate = needs('e2e: chronyd fed by syntonic run', 'netns', 'setpriv', 'ptp4l', 'chronyd', 'gcc');

describe.skipIf(gate.skip)('chronyd SOCK refclock fed by syntonic run (software timestamps, ptp4l grandmaster)', () => {
  const lab = new Lab();
  let guard = '';
  let link: VethLink;
  let gm: Ptp4l;
  let chronyd: Chronyd;
  let syntonic: SyntonicDaemon | undefined;
  const daemons: SyntonicDaemon[] = [];

  /** A lab config: the usual software-timestamp file plus `extra` lines in [global]. */
  function config(name: string, extra: string[]): string {
    const path = join(lab.tempDir('cfg'), name);
    const base = readFileSync(join(LAB_CONFIGS, 'syntonic-gPTP-software.cfg'), 'utf8');
    writeFileSync(path, `${base.trimEnd()}\n${extra.join('\n')}\n`);
    return path;
  }

  async function startSyntonic(extra: string[]): Promise<SyntonicDaemon> {
    await syntonic?.stop();
    syntonic = SyntonicDaemon.start(lab, guard, { namespace: link.b.namespace, interfaceName: link.b.name, configFile: config('syntonic.cfg', extra) });
    daemons.push(syntonic);
    await syntonic.providerListening();
    await syntonic.statusBecomes('synchronized', SYNCHRONIZED_WITHIN_MS);
    return syntonic;
  }

  /**
   * chronyc's SYNT source once a second, until `samples` fresh samples (one per poll: a reading equal
   * to the previous one is the same sample) or `seconds` have passed; their measured offsets, ns.
   */
  async function watchChrony(seconds: number, samples = Infinity): Promise<{ rows: ChronySource[]; offsetsNs: number[] }> {
    const rows: ChronySource[] = [];
    const offsetsNs: number[] = [];
    for (let i = 0; i < seconds && offsetsNs.length < samples; i++) {
      await new Promise((wake) => setTimeout(wake, 1_000));
      const row = chronyd.sources().find((s) => s.name === 'SYNT');
      if (row === undefined) continue;
      const previous = rows[rows.length - 1];
      rows.push(row);
      if (row.reach !== 0 && row.measuredOffsetS !== previous?.measuredOffsetS) offsetsNs.push(Math.round(row.measuredOffsetS * 1e9));
    }
    return { rows, offsetsNs };
  }

  /** What chronyc, chronyd and the daemon said, for a post-mortem. */
  function explain(rows: ChronySource[], s: SyntonicDaemon): void {
    console.info(rows.map((r) => JSON.stringify(r)).join('\n'));
    console.info(chronyd.process.lines.map((l) => l.text).join('\n'));
    console.info(
      s.process.lines
        .filter((l) => !/master offset/.test(l.text))
        .map((l) => l.text)
        .join('\n'),
    );
  }

  function report(what: string, offsetsNs: number[]): ReturnType<typeof seriesFigures> {
    const f = seriesFigures(offsetsNs);
    const within = offsetsNs.filter((x) => Math.abs(x) <= TRUTH_BOUND_NS).length;
    console.info(
      `chrony (${what}): ${f.count} samples, chronyc offset − truth: median ${f.median} ns, rms ${f.rms.toFixed(0)} ns, max |x| ${f.maxAbs} ns, ${within}/${f.count} within ±2 µs`,
    );
    return f;
  }

  beforeAll(async () => {
    guard = buildClockGuard(lab.tempDir('guard'));
    const gmNamespace = lab.namespace('gm');
    link = await lab.veth(gmNamespace, lab.namespace('syn'));
    gm = Ptp4l.start(lab, guard, { name: 'gm', namespace: gmNamespace, interfaces: [link.a.name], role: 'grandmaster' });
    chronyd = Chronyd.start(lab, guard, lab.namespace('chr'));
    await chronyd.listening();
  });

  afterAll(async () => {
    await lab.cleanup();
  });

  it('sends nothing while UTC is unknown (ptp4l -S: ARB timescale, offset not valid), saying why in one line', async () => {
    const s = await startSyntonic([`refclock_sock_address ${chronyd.refclockSocket}`]);
    const line = await s.process.waitForLine(/chrony refclock: no samples: UTC unknown/, 10_000);
    expect(line.text).toMatch(/timescale is arbitrary \(ptpTimescale 0\).*assume_utc_offset/);
    const { rows } = await watchChrony(3);
    expect(rows.every((r) => r.reach === 0)).toBe(true);
    expect(s.process.lines.filter((l) => /chrony refclock: no samples: UTC unknown/.test(l.text))).toHaveLength(1);
  });

  /**
   * Starts the daemon with `extra`, waits for its first sample and chrony's first reach, watches
   * chronyc for MEASURE_SAMPLES polls (MEASURE_MAX_S at most) and checks what it saw against the truth.
   */
  async function measure(what: string, extra: string[], started: RegExp): Promise<void> {
    const s = await startSyntonic(extra);
    await s.process.waitForLine(started, 10_000);
    await s.process.waitForLine(/chrony refclock: sending samples to /, 10_000);
    const from = Date.now();
    const { rows, offsetsNs } = await watchChrony(MEASURE_MAX_S, MEASURE_SAMPLES);
    const f = report(what, offsetsNs);
    // On a loaded machine the offset RMS can brush the 2 µs threshold: the status leaves synchronized
    // for a while and, rightly, no samples go out meanwhile (daemon.test.ts): the watch goes on.
    const changes = s.statusChanges.filter((c) => c.atMs >= from).map((c) => `${c.to}: ${c.reason}`);
    if (changes.length > 0) console.info(`chrony (${what}): status changes while measuring: ${changes.join(' | ')}`);
    if (f.count < MEASURE_SAMPLES) explain(rows, s);
    expect(rows.every((r) => r.mode === '#')).toBe(true);
    expect(rows.some((r) => r.reach > 0)).toBe(true);
    expect(f.count).toBeGreaterThanOrEqual(MEASURE_SAMPLES / 2);
    expect(Math.abs(f.median)).toBeLessThanOrEqual(TRUTH_BOUND_NS);
    // Wake-up spikes of tens of µs (LAB-NOTES): chrony's median filter takes most, not every one.
    expect(offsetsNs.filter((x) => Math.abs(x) <= TRUTH_BOUND_NS).length).toBeGreaterThanOrEqual(Math.ceil(0.8 * f.count));
  }

  it('with assume_utc_offset 0 chronyc shows the source reachable and its offset within ±2 µs of the truth (synchronized time of the virtual clock)', async () => {
    await measure(
      'clock_servo pi',
      [`refclock_sock_address ${chronyd.refclockSocket}`, 'assume_utc_offset 0'],
      /chrony refclock: SOCK samples to .*: the synchronized time of the virtual clock/,
    );
  });

  it('with clock_servo refclock_sock chrony gets each Sync’s measured offset, also within ±2 µs of the truth', async () => {
    await measure(
      'clock_servo refclock_sock',
      [`refclock_sock_address ${chronyd.refclockSocket}`, 'clock_servo refclock_sock', 'assume_utc_offset 0'],
      /chrony refclock: SOCK samples to .*measured offset \(clock_servo refclock_sock: no clock disciplined\)/,
    );
  });

  it('no process tried to change a clock', () => {
    for (const p of [gm.process, chronyd.process, ...daemons.map((d) => d.process)]) {
      expect(p.guardActive).toBe(true);
      p.assertClockUntouched();
    }
  });
});
