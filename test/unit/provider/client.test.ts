import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { monotonicRawTime, type MonotonicRawTime } from '../../../src/clock/timePoint.js';
import { TimeBaseClient } from '../../../src/provider/client.js';
import { ProviderError } from '../../../src/provider/providerError.js';
import { TimeBaseProvider } from '../../../src/provider/server.js';
import type { ReceivedSnapshot } from '../../../src/provider/snapshot.js';
import { snapshotToWire } from '../../../src/provider/wireSnapshot.js';
import { sampleSnapshot, tempDir } from '../../support/providerFixtures.js';

let tmp: { dir: string; remove: () => void };
let path: string;
const providers: TimeBaseProvider[] = [];
let client: TimeBaseClient | undefined;
/** The CLOCK_MONOTONIC_RAW both sides read, set by hand. */
let clockNs = 10_250_000_000n;
const clock = (): MonotonicRawTime => monotonicRawTime(clockNs);

beforeEach(() => {
  tmp = tempDir('syn-provider-client-');
  path = join(tmp.dir, 'syntonic.sock');
  clockNs = 10_250_000_000n;
});

afterEach(async () => {
  client?.close();
  client = undefined;
  for (const p of providers.splice(0)) await p.close();
  tmp.remove();
});

async function serve(snapshot = sampleSnapshot()): Promise<TimeBaseProvider> {
  const p = await TimeBaseProvider.listen(snapshot, { socketPath: path, minUpdateIntervalMs: 0, monotonicRawClock: clock });
  providers.push(p);
  return p;
}

async function connected(options: ConstructorParameters<typeof TimeBaseClient>[0] = {}): Promise<TimeBaseClient> {
  client = new TimeBaseClient({ monotonicRawClock: clock, reconnectInitialMs: 20, reconnectMaxMs: 100, ...options });
  await client.connect(path);
  return client;
}

/** Collects what a subscription delivers; `next(pred)` waits for a matching snapshot. */
function collect(c: TimeBaseClient): { seen: ReceivedSnapshot[]; next(pred: (s: ReceivedSnapshot) => boolean, what: string): Promise<ReceivedSnapshot> } {
  const seen: ReceivedSnapshot[] = [];
  let wake: (() => void) | undefined;
  c.subscribe((s) => {
    seen.push(s);
    wake?.();
  });
  return {
    seen,
    async next(pred, what) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const hit = seen.find(pred);
        if (hit !== undefined) return hit;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

describe('TimeBaseClient', () => {
  it('returns the daemon snapshot from status(), with the age of its last Sync', async () => {
    await serve();
    const c = await connected();
    const s = await c.status();
    expect(s).toEqual({ ...sampleSnapshot(), timeSinceLastSyncNs: 250_000_000 });
  });

  it('computes now() locally from the mapping, with status and error bound', async () => {
    await serve();
    const c = await connected({ errorBound: { floorNs: 100, frequencyErrorPpb: 50, wanderPpbPerS: 10 } });
    clockNs = 12_000_000_000n; // 2 s after the mapping (and the last Sync)
    // 2 000 000 000 × 1.000000012 = 2 000 000 024 ns; bound 35 + 100 + 50 × 2 + ½ × 10 × 4 = 255 ns
    expect(c.now()).toMatchObject({
      ptpTime: 1_732_000_002_000_000_024n,
      status: 'synchronized',
      errorBoundNs: 255,
      quality: 'excellent',
      holdoverErrorNs: null,
    });
    // The sample grandmaster's time is TAI with a valid offset of 37 s: UTC is 37 s behind.
    expect(c.now()).toMatchObject({ tai: 1_732_000_002_000_000_024n, utc: 1_731_999_965_000_000_024n, utcOffset: 37, leapSecond: false, leapPending: null });
  });

  it('uses the default error model of the timestamping mode', async () => {
    await serve(sampleSnapshot({ timestamping: 'hardware', offsetFromMasterRmsNs: 10 }));
    const c = await connected();
    clockNs = 10_000_000_000n; // at the last Sync: rms + hardware floor (100 ns)
    expect(c.now().errorBoundNs).toBe(110);
  });

  it('delivers the latest snapshot on subscribe and every change after it, until unsubscribed', async () => {
    const p = await serve();
    const c = await connected();
    const seen: string[] = [];
    const unsubscribe = c.subscribe((s) => seen.push(s.statusReason));
    await new Promise((r) => setTimeout(r, 0));
    p.publish(sampleSnapshot({ status: 'unstable', statusReason: 'offset above lock threshold' }));
    await c.status(); // replies come after the update on the same connection
    unsubscribe();
    p.publish(sampleSnapshot({ status: 'lost', statusReason: 'announceReceiptTimeout' }));
    await c.status();
    expect(seen).toEqual(['servo locked (s2)', 'offset above lock threshold']);
  });

  it('refuses to connect to a missing socket with an unreachable error naming the cause', async () => {
    client = new TimeBaseClient();
    const attempt = client.connect(join(tmp.dir, 'absent.sock'));
    await expect(attempt).rejects.toBeInstanceOf(ProviderError);
    await expect(attempt).rejects.toMatchObject({ code: 'unreachable', detail: 'ENOENT' });
    await expect(attempt).rejects.toThrow(`cannot reach syntonic at ${join(tmp.dir, 'absent.sock')}: ENOENT (no such socket)`);
  });

  it('may connect again after a failed attempt', async () => {
    client = new TimeBaseClient({ monotonicRawClock: clock });
    await expect(client.connect(path)).rejects.toMatchObject({ code: 'unreachable' });
    await serve();
    await client.connect(path);
    expect((await client.status()).status).toBe('synchronized');
  });

  it('times out a request the daemon never answers', async () => {
    // A fake daemon that answers subscribe and then nothing.
    const fake: Server = createServer((s) => {
      s.once('data', () =>
        s.write(`{"v":2,"id":1,"op":"subscribe","snapshot":${JSON.stringify({ ...snapshotToWire(sampleSnapshot()), timeSinceLastSyncNs: 0 })}}\n`),
      );
    });
    await new Promise<void>((r) => fake.listen(path, r));
    try {
      const c = await connected({ requestTimeoutMs: 100 });
      await expect(c.status()).rejects.toMatchObject({ code: 'timeout' });
    } finally {
      client?.close();
      await new Promise((r) => fake.close(r));
    }
  });

  it('reports lost while the daemon restarts, keeps extrapolating, and resubscribes on its own', async () => {
    const first = await serve();
    const c = await connected();
    const sub = collect(c);
    await sub.next((s) => s.status === 'synchronized', 'the first snapshot');

    await first.close();
    const lost = await sub.next((s) => s.status === 'lost', 'a lost snapshot');
    expect(lost.statusReason).toMatch(/^provider unreachable: /);
    expect(c.now().status).toBe('lost');
    expect(c.now().ptpTime).toBe(1_732_000_000_250_000_003n); // 250 ms × 1.000000012, rounded
    await expect(c.status()).rejects.toMatchObject({ code: 'unreachable' });

    // A new daemon on the same path, following another grandmaster.
    const gm2 = { ...sampleSnapshot().grandmaster!, identity: 0x665544fffe332211n };
    await serve(sampleSnapshot({ grandmaster: gm2 }));
    const back = await sub.next((s) => s.grandmaster?.identity === 0x665544fffe332211n, 'a snapshot from the new daemon');
    expect(back.status).toBe('synchronized');
    expect((await c.status()).grandmaster?.identity).toBe(0x665544fffe332211n);
    expect(c.now().status).toBe('synchronized');
    const statuses = sub.seen.map((s) => s.status);
    expect(statuses.indexOf('lost')).toBeGreaterThan(0);
    expect(statuses.at(-1)).toBe('synchronized');
  });

  it('rejects pending and later requests once closed', async () => {
    await serve();
    const c = await connected();
    const pending = c.status();
    c.close();
    await expect(pending).rejects.toMatchObject({ code: 'closed' });
    await expect(c.status()).rejects.toMatchObject({ code: 'closed' });
  });
});
