import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { monotonicRawTime } from '../../../src/clock/timePoint.js';
import { InvalidSnapshotError, TimeBaseProvider, type ProviderOptions } from '../../../src/provider/server.js';
import { mappingPtpOf, RawClient, sampleSnapshot, snapshotAt, snapshotOf, tempDir, type Message } from '../../support/providerFixtures.js';

let tmp: { dir: string; remove: () => void };
let provider: TimeBaseProvider | undefined;
const clients: RawClient[] = [];

beforeEach(() => {
  tmp = tempDir('syn-provider-');
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await provider?.close();
  provider = undefined;
  tmp.remove();
});

async function start(options: ProviderOptions = {}): Promise<string> {
  const socketPath = join(tmp.dir, 'syntonic.sock');
  // CLOCK_MONOTONIC_RAW fixed at 10.25 s: the sample's last Sync (10 s) is 250 ms old.
  provider = await TimeBaseProvider.listen(sampleSnapshot(), { socketPath, monotonicRawClock: () => monotonicRawTime(10_250_000_000n), ...options });
  return socketPath;
}

async function open(path: string): Promise<RawClient> {
  const c = await RawClient.open(path);
  clients.push(c);
  return c;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const updates = (ms: Message[]): Message[] => ms.filter((m) => m['op'] === 'update');

describe('provider requests', () => {
  it('answers status with the snapshot, the protocol version, the echoed id and the age of the last Sync', async () => {
    const c = await open(await start());
    c.send('{"op":"status","id":"q1"}\n');
    const reply = await c.nth(1);
    expect(reply['v']).toBe(2);
    expect(reply['id']).toBe('q1');
    expect(reply['op']).toBe('status');
    const s = snapshotOf(reply);
    expect(s['status']).toBe('synchronized');
    expect(s['mapping']).toEqual({ monotonicRawNs: '10000000000', ptpTimeNs: '1732000000000000000', rateRatio: 1.000000012 });
    expect(s['timeSinceLastSyncNs']).toBe(250_000_000);
    expect((s['grandmaster'] as Message)['identity']).toBe('001122.fffe.334455');
  });

  it('answers version', async () => {
    const c = await open(await start({ implementationVersion: '0.1.0' }));
    c.send('{"op":"version","id":2}\n');
    expect(await c.nth(1)).toEqual({ v: 2, id: 2, op: 'version', protocolVersion: 2, implementation: 'syntonic', implementationVersion: '0.1.0' });
  });

  it('answers every malformed request with its error code and keeps the connection usable', async () => {
    const c = await open(await start());
    c.send('this is not json\n');
    c.send('{"op":"reboot","id":"r"}\n');
    c.send('["status"]\n');
    c.send(`{"op":"status","pad":"${'x'.repeat(5000)}"}\n`);
    c.send('{"op":"status","id":"after"}\n');
    await c.until((m) => m.length >= 5);
    const codes = c.messages.slice(0, 4).map((m) => (m['error'] as Message)['code']);
    expect(codes).toEqual(['badJson', 'unknownOp', 'badRequest', 'lineTooLong']);
    expect(c.messages[1]?.['id']).toBe('r');
    expect(c.messages.every((m) => m['v'] === 2)).toBe(true);
    expect(c.messages[4]?.['id']).toBe('after');
    expect(snapshotOf(c.messages[4] as Message)['status']).toBe('synchronized');
    const stats = provider?.stats();
    expect(stats?.requests).toBe(5);
    expect(stats?.errors).toEqual({ badJson: 1, unknownOp: 1, badRequest: 1, lineTooLong: 1, tooManyClients: 0 });
  });

  it('discards an oversized line that arrives in pieces without a newline for a long time', async () => {
    const c = await open(await start({ maxRequestBytes: 100 }));
    for (let i = 0; i < 20; i++) c.send('y'.repeat(1000));
    c.send('\n{"op":"status","id":1}\n');
    await c.until((m) => m.length >= 2);
    expect((c.messages[0]?.['error'] as Message)['code']).toBe('lineTooLong');
    expect(c.messages[1]?.['id']).toBe(1);
    expect(c.messages).toHaveLength(2);
  });

  it('refuses a client beyond maxClients with tooManyClients and closes it', async () => {
    const path = await start({ maxClients: 1 });
    await open(path);
    const second = await open(path);
    const reply = await second.nth(1);
    expect((reply['error'] as Message)['code']).toBe('tooManyClients');
    await second.until(() => second.closed, 'close');
    expect(provider?.stats().clientsConnected).toBe(1);
  });

  it('refuses to publish a snapshot the protocol cannot carry and keeps the previous one', async () => {
    await start();
    expect(() => provider?.publish(sampleSnapshot({ rateRatio: Number.NaN }))).toThrow(InvalidSnapshotError);
    try {
      provider?.publish(sampleSnapshot({ meanLinkDelay: Number.POSITIVE_INFINITY }));
    } catch (err) {
      expect((err as InvalidSnapshotError).field).toBe('snapshot.meanLinkDelay');
    }
    expect(provider?.current.rateRatio).toBe(1.000000012);
  });
});

describe('provider subscriptions', () => {
  it('sends a snapshot at once, then an update on a notable change but not on counters alone', async () => {
    const c = await open(await start({ minUpdateIntervalMs: 0 }));
    c.send('{"op":"subscribe","id":"s"}\n');
    const first = await c.nth(1);
    expect([first['op'], first['id']]).toEqual(['subscribe', 's']);
    provider?.publish(sampleSnapshot({ rejectedFrames: { wrongDomain: 9 } }));
    provider?.publish(snapshotAt(1_732_000_000_125_000_000n));
    const next = await c.nth(2);
    // Had the counter change been sent, it would have come first, with the old mapping.
    expect(next['op']).toBe('update');
    expect(mappingPtpOf(next)).toBe('1732000000125000000');
    expect(next['id']).toBeUndefined();
  });

  it('rate-limits updates: changes within the interval arrive coalesced at its end', async () => {
    const c = await open(await start({ minUpdateIntervalMs: 300 }));
    c.send('{"op":"subscribe"}\n');
    await c.nth(1);
    provider?.publish(snapshotAt(1_000_000_000_000_000_001n)); // sent at once
    provider?.publish(snapshotAt(1_000_000_000_000_000_002n)); // within the interval…
    provider?.publish(snapshotAt(1_000_000_000_000_000_003n)); // …coalesced with this one
    await c.until((m) => updates(m).length >= 2, 'two updates');
    expect(updates(c.messages).map(mappingPtpOf)).toEqual(['1000000000000000001', '1000000000000000003']);
  });

  it('stops sending updates after unsubscribe', async () => {
    const c = await open(await start({ minUpdateIntervalMs: 0 }));
    c.send('{"op":"subscribe"}\n{"op":"unsubscribe","id":"u"}\n');
    await c.nth(2);
    provider?.publish(snapshotAt(1_000_000_000_000_000_001n));
    c.send('{"op":"status","id":"end"}\n');
    const third = await c.nth(3);
    expect(c.messages[1]).toEqual({ v: 2, id: 'u', op: 'unsubscribe' });
    expect(third['id']).toBe('end');
    expect(provider?.stats().subscribers).toBe(0);
  });
});

describe('a stuck client', () => {
  /** A snapshot of ~8 KiB (many rejection reasons), distinct per i. */
  function bigSnapshot(i: number): ReturnType<typeof sampleSnapshot> {
    const rejectedFrames: Record<string, number> = {};
    for (let k = 0; k < 300; k++) rejectedFrames[`reason${k.toString().padStart(4, '0')}`] = i;
    return snapshotAt(1_000_000_000_000_000_000n + BigInt(i), { rejectedFrames });
  }

  it('never holds up the others: its updates are dropped past the backlog limit, then it is disconnected', async () => {
    const backlogLimit = 32 * 1024;
    const path = await start({ minUpdateIntervalMs: 0, maxClientBacklogBytes: backlogLimit, slowClientTimeoutMs: 300 });
    const fast = [await open(path), await open(path)];
    const stuck = await open(path);
    for (const c of [...fast, stuck]) c.send('{"op":"subscribe"}\n');
    for (const c of [...fast, stuck]) await c.nth(1);
    stuck.socket.pause(); // reads no more: the kernel buffers fill, then the server's backlog

    const rounds = 200;
    let messageBytes = 0;
    for (let i = 1; i <= rounds; i++) {
      provider?.publish(bigSnapshot(i));
      for (const c of fast) await c.until((m) => updates(m).length >= i, `update ${i}`);
      messageBytes = Math.max(messageBytes, JSON.stringify(fast[0]?.messages.at(-1)).length);
    }
    for (const c of fast) expect(updates(c.messages).map(mappingPtpOf).at(-1)).toBe(`${1_000_000_000_000_000_000n + BigInt(rounds)}`);
    for (const c of fast) expect(updates(c.messages)).toHaveLength(rounds);

    await waitFor(() => provider?.stats().disconnectedSlowClients === 1, 'the stuck client to be disconnected');
    const stats = provider?.stats();
    expect(stats?.droppedUpdates).toBeGreaterThan(0);
    // Bounded: the backlog reached the limit, and exceeded it by at most the one message that crossed it.
    expect(stats?.maxClientBacklogBytes).toBeGreaterThan(backlogLimit);
    expect(stats?.maxClientBacklogBytes).toBeLessThanOrEqual(backlogLimit + messageBytes + 1);
    expect(stats?.disconnectedSlowClients).toBe(1);
    expect(stats?.clientsConnected).toBe(2);
    // The others are still served.
    fast[0]?.send('{"op":"status","id":"still"}\n');
    await fast[0]?.until((m) => m.some((x) => x['id'] === 'still'), 'status reply');
    // The stuck one, reading again, finds its connection closed.
    stuck.socket.resume();
    await stuck.until(() => stuck.closed, 'close seen by the stuck client');
  });

  it('catches up with the latest snapshot once it reads again', async () => {
    const path = await start({ minUpdateIntervalMs: 0, maxClientBacklogBytes: 32 * 1024, slowClientTimeoutMs: 60_000 });
    const slow = await open(path);
    slow.send('{"op":"subscribe"}\n');
    await slow.nth(1);
    slow.socket.pause();
    for (let i = 1; i <= 150; i++) {
      provider?.publish(bigSnapshot(i));
      await new Promise((r) => setImmediate(r));
    }
    expect(provider?.stats().droppedUpdates).toBeGreaterThan(0);
    slow.socket.resume();
    await slow.until((m) => m.length > 0 && mappingPtpOf(m.at(-1) as Message) === '1000000000000000150', 'the latest snapshot');
    expect(provider?.stats().disconnectedSlowClients).toBe(0);
  });
});
