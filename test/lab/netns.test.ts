/**
 * The interop lab's plumbing: namespaces and veth pairs that come up with carrier and are gone after
 * clean-up (also after a failed step), leftovers of a dead run removed by cleanupStale, and every lab
 * process running without CAP_SYS_TIME with clockguard preloaded and reported when it complains.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACTIVE_MARK, buildClockGuard, ClockChangeAttempt } from '../../conformance/lab/clockGuard.js';
import { LabProcess } from '../../conformance/lab/labProcess.js';
import { cleanupStale, ip, isRunning, Lab, LabError, listNamespaces, memoryTempRoot, namespacePids, TMPFS_MAGIC } from '../../conformance/lab/netns.js';
import { needs } from '../support/peers.js';

/** CAP_SYS_TIME is capability 25 (linux/capability.h). */
const CAP_SYS_TIME_BIT = 25n;

function ownNamespaces(): string[] {
  return listNamespaces().filter((n) => n.startsWith(`syn-lab-${process.pid}-`));
}

/** A pid that has just exited (pids are not reused this quickly). */
function deadPid(): number {
  const r = spawnSync('true');
  if (r.pid === undefined) throw new Error('could not start true');
  return r.pid;
}

const labGate = needs('lab: namespaces and veth pairs', 'netns');
const guardedGate = needs('lab: guarded processes', 'netns', 'setpriv', 'gcc');

describe.skipIf(labGate.skip)('Lab', () => {
  afterAll(() => {
    expect(ownNamespaces()).toEqual([]);
  });

  it('joins two namespaces with a veth pair that has carrier, and removes all of it', async () => {
    const lab = new Lab();
    try {
      const a = lab.namespace('a');
      const b = lab.namespace('b');
      const link = await lab.veth(a, b);
      expect(link.a.name.length).toBeLessThanOrEqual(15);
      expect(lab.hasCarrier(link.a)).toBe(true);
      expect(lab.hasCarrier(link.b)).toBe(true);
      // The ends live in their namespaces only, not in the host's.
      expect(lab.exec(a, ['ip', '-o', 'link', 'show'])).toContain(link.a.name);
      expect(lab.exec(b, ['ip', '-o', 'link', 'show'])).not.toContain(link.a.name);
      expect(ip(['-o', 'link', 'show'])).not.toContain(link.a.name);
      lab.setLink(link.b, 'down');
      await lab.waitForCarrier(link.a, false);
      lab.setLink(link.b, 'up');
      await lab.waitForCarrier(link.a, true);
    } finally {
      await lab.cleanup();
    }
    expect(ownNamespaces()).toEqual([]);
  });

  it('cleans up what was made before a step failed, and stops its processes', async () => {
    const lab = new Lab();
    const a = lab.namespace('a');
    const sleeper = lab.spawn(a, ['sleep', '60']);
    await expect(lab.veth(a, `${lab.id}-never-created`)).rejects.toBeInstanceOf(LabError);
    await lab.cleanup();
    expect(sleeper.exitCode !== null || sleeper.signalCode !== null).toBe(true);
    expect(listNamespaces()).not.toContain(a);
  });

  it('removes the namespaces, processes and directories of a run whose pid is gone', () => {
    const pid = deadPid();
    const namespace = `syn-lab-${pid}-1-orphan`;
    const dir = join(tmpdir(), `syn-lab-${pid}-1-orphan-dir`);
    ip(['netns', 'add', namespace]);
    mkdirSync(dir);
    const orphan = spawnSync('ip', ['netns', 'exec', namespace, 'sh', '-c', 'sleep 60 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' });
    const orphanPid = Number(orphan.stdout.trim());
    try {
      expect(namespacePids(namespace)).toContain(orphanPid);
      const removed = cleanupStale();
      expect(removed).toContain(namespace);
      expect(removed).toContain(dir);
      expect(listNamespaces()).not.toContain(namespace);
      expect(existsSync(dir)).toBe(false);
      // SIGKILLed; a zombie until its parent (init) reaps it, so allow a moment.
      const deadline = Date.now() + 2_000;
      while (isRunning(orphanPid) && Date.now() < deadline && !/^State:\s+Z/m.test(procStatus(orphanPid))) spawnSync('sleep', ['0.05']);
      expect(!isRunning(orphanPid) || /^State:\s+Z/m.test(procStatus(orphanPid))).toBe(true);
    } finally {
      spawnSync('ip', ['netns', 'del', namespace]);
    }
  });

  it('keeps the files a process rewrites while it keeps time in memory, and removes them with the rest', async () => {
    const lab = new Lab();
    const dir = lab.memoryDir('state');
    // A machine without a writable tmpfs falls back to the temporary directory.
    const onTmpfs = statfsSync(dir).type === TMPFS_MAGIC;
    expect(onTmpfs || dir.startsWith(tmpdir())).toBe(true);
    if (existsSync('/dev/shm') && statfsSync('/dev/shm').type === TMPFS_MAGIC) expect(onTmpfs).toBe(true);
    await lab.cleanup();
    expect(existsSync(dir)).toBe(false);
  });

  it('removes the memory directories of a run whose pid is gone', () => {
    const dir = join(memoryTempRoot(), `syn-lab-${deadPid()}-1-orphan-state`);
    mkdirSync(dir);
    expect(cleanupStale()).toContain(dir);
    expect(existsSync(dir)).toBe(false);
  });

  it('leaves the leftovers of runs that are still alive alone', () => {
    const mine = new Lab();
    try {
      const ns = mine.namespace('alive');
      expect(cleanupStale()).not.toContain(ns);
      expect(listNamespaces()).toContain(ns);
    } finally {
      mine.cleanupSync();
    }
  });
});

function procStatus(pid: number): string {
  try {
    return spawnSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' }).stdout;
  } catch {
    return '';
  }
}

describe.skipIf(guardedGate.skip)('guarded lab processes', () => {
  const lab = new Lab();
  let guard = '';

  afterAll(async () => {
    await lab.cleanup();
    expect(readdirSync(tmpdir()).filter((d) => d.startsWith(`${lab.id}-`))).toEqual([]);
  });

  it('run without CAP_SYS_TIME (bounding and effective sets) and with clockguard preloaded', async () => {
    guard = buildClockGuard(lab.tempDir('guard'));
    const ns = lab.namespace('g');
    const p = new LabProcess('probe', lab, ns, ['grep', '-E', '^Cap(Bnd|Eff|Prm):', '/proc/self/status'], guard);
    await p.exited;
    const caps = new Map(p.lines.filter((l) => l.stream === 'stdout').map((l) => l.text.split(/:\s+/) as [string, string]));
    for (const set of ['CapBnd', 'CapEff', 'CapPrm']) {
      const mask = BigInt(`0x${caps.get(set) ?? 'x'}`);
      expect((mask >> CAP_SYS_TIME_BIT) & 1n).toBe(0n);
    }
    // CAP_NET_RAW (13) stays: raw sockets must keep working.
    expect((BigInt(`0x${caps.get('CapEff') ?? '0'}`) >> 13n) & 1n).toBe(1n);
    expect(p.lines.some((l) => l.text.startsWith(ACTIVE_MARK))).toBe(true);
    p.assertClockUntouched();
  });

  it('turn a clockguard complaint into a failure of the wait and of the verdict', async () => {
    const ns = lab.namespace('b');
    const p = new LabProcess(
      'complainer',
      lab,
      ns,
      ['sh', '-c', 'echo "clockguard: BLOCKED clock_adjtime(clk=0, modes=0x1)" >&2; echo later; exec sleep 30'],
      guard,
    );
    await expect(p.waitForLine(/^never$/, 5_000)).rejects.toBeInstanceOf(ClockChangeAttempt);
    expect(() => p.assertClockUntouched()).toThrow(/tried to change a clock/);
    await p.stop();
  });
});
