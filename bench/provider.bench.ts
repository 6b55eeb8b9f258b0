/**
 * Time-base provider costs: now() against the raw clock reads it is built on, and the status round
 * trip to a provider in another process (as the daemon would be).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monotonicRawNow } from '../src/clock/systemClocks.js';
import { ptpTime } from '../src/clock/timePoint.js';
import { TimeBaseClient } from '../src/provider/client.js';
import { TimeBaseProvider } from '../src/provider/server.js';
import type { Snapshot } from '../src/provider/snapshot.js';
import { sampleSnapshot } from '../test/support/providerFixtures.js';
import type { Report } from './run.js';

const SERVE_FLAG = '--provider-bench-serve';

/** The provider tests' sample snapshot, with its mapping taken now. */
function benchSnapshot(): Snapshot {
  const now = monotonicRawNow();
  return sampleSnapshot({
    statusSince: now,
    mapping: { monotonicRaw: now, ptpTime: ptpTime(1_732_000_000_000_000_000n), rateRatio: 1.000_000_012 },
    lastSync: now,
  });
}

/**
 * ns per call of each function: the best of several rounds (the least disturbed by other load), the
 * rounds interleaved so that a burst of load on the shared machine hits all of them alike.
 */
function nsPerCall(fs: ReadonlyArray<() => unknown>, calls = 1_000_000, rounds = 9): number[] {
  const best = fs.map(() => Infinity);
  let sink: unknown;
  for (let r = 0; r < rounds; r++) {
    fs.forEach((f, k) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) sink = f();
      best[k] = Math.min(best[k] ?? Infinity, Number(process.hrtime.bigint() - t0) / calls);
    });
  }
  if (sink === 'never') process.stdout.write('');
  return best;
}

/** The provider in a child process, so that the round trip crosses processes like the daemon's. */
async function startServerProcess(socketPath: string): Promise<() => void> {
  const child = fork(fileURLToPath(import.meta.url), [SERVE_FLAG, socketPath], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`provider process exited with ${code}`)));
  });
  return () => child.kill('SIGTERM');
}

export async function run(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'syn-provider-bench-'));
  const socketPath = join(dir, 'syntonic.sock');
  const stop = await startServerProcess(socketPath);
  const client = new TimeBaseClient();
  try {
    await client.connect(socketPath);
    const [hrtime, raw, now] = nsPerCall([() => process.hrtime.bigint(), () => monotonicRawNow(), () => client.now()]);
    report('provider.now', now ?? NaN, 'ns/call');
    report('provider.monotonicRawRead', raw ?? NaN, 'ns/call');
    report('provider.hrtime', hrtime ?? NaN, 'ns/call');

    const samplesUs: number[] = [];
    // Warm-up: until both processes' JIT has compiled the request path, a round trip costs ~2x.
    for (let i = 0; i < 3000; i++) await client.status();
    for (let i = 0; i < 5000; i++) {
      const t0 = process.hrtime.bigint();
      await client.status();
      samplesUs.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    samplesUs.sort((a, b) => a - b);
    report('provider.statusRtt.median', samplesUs[Math.floor(samplesUs.length / 2)] ?? NaN, 'us');
    report('provider.statusRtt.p99', samplesUs[Math.floor(samplesUs.length * 0.99)] ?? NaN, 'us');
  } finally {
    client.close();
    stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === SERVE_FLAG && process.argv[3] !== undefined) {
  const provider = await TimeBaseProvider.listen(benchSnapshot(), { socketPath: process.argv[3] });
  process.send?.('ready');
  process.once('SIGTERM', () => void provider.close().then(() => process.exit(0)));
  process.once('disconnect', () => void provider.close().then(() => process.exit(0)));
}
