/**
 * The shared-memory time page: what a C program pays for syntonic_time_now() against the
 * clock_gettime(CLOCK_MONOTONIC_RAW) it is built on (bench/timePage.c, compiled with gcc at bench
 * time; target ≤ 1.5×), what the stdlib Python reader pays, and the daemon's cost per update.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monotonicRawNow } from '../src/clock/systemClocks.js';
import { ptpTime } from '../src/clock/timePoint.js';
import { timePageFields, TimePageWriter } from '../src/provider/timePage.js';
import { compileC, repositoryRoot } from '../test/support/cProgram.js';
import { sampleSnapshot } from '../test/support/providerFixtures.js';
import type { Report } from './run.js';

const PYTHON_NOW = `
import sys, time
sys.path.insert(0, sys.argv[2])
import syntonic_time_page as s
p = s.TimePage(sys.argv[1])
best = min(__import__('timeit').repeat(p.now, number=20000, repeat=7))
print(best / 20000 * 1e9)
`;

export async function run(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'syntonic-bench-page-'));
  try {
    const writer = await TimePageWriter.open(join(dir, 'time.page'));
    const now = monotonicRawNow();
    const snapshot = sampleSnapshot({
      statusSince: now,
      mapping: { monotonicRaw: now, ptpTime: ptpTime(1_732_000_000_000_000_000n), rateRatio: 1.000_000_012 },
      lastSync: now,
    });
    writer.publish(snapshot);

    let program: string;
    try {
      program = compileC('bench/timePage.c', { flags: ['-O2'] });
    } catch (err) {
      process.stdout.write(`# timePage: gcc unavailable, C figures skipped (${err instanceof Error ? err.message.split('\n')[0] : String(err)})\n`);
      writer.close();
      return;
    }
    // The page reads as stale (status lost, same cost) 5 s after its last update: each measurement
    // below takes well under a second and starts from a fresh update.
    // Short rounds, many of them: on a shared machine a round that a preemption hits is discarded by the
    // minimum, and a long round is almost always hit.
    const r = spawnSync(program, [writer.path, '20000', '400'], { encoding: 'utf8' });
    const figure = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(r.stdout)?.[1] ?? NaN);
    const pageNs = figure('now');
    const rawNs = figure('raw');
    report('timePage.now', pageNs, 'ns/call');
    report('clock.monotonicRaw.c', rawNs, 'ns/call');
    report('timePage.now.ratio', pageNs / rawNs, 'x (target ≤ 1.5)');

    writer.publish(snapshot);
    const py = spawnSync('python3', ['-c', PYTHON_NOW, writer.path, join(repositoryRoot(), 'python')], { encoding: 'utf8' });
    if (py.status === 0) report('timePage.now.python', Number(py.stdout.trim()), 'ns/call');

    const fields = timePageFields(snapshot);
    const calls = 200_000;
    let best = Infinity;
    for (let round = 0; round < 5; round++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) writer.write(fields);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / calls);
    }
    report('timePage.write', best, 'ns/update');
    writer.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
