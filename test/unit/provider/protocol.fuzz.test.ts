/**
 * Robustness of the provider: random and mutated request lines, for a bounded number, on one
 * connection. Every line gets exactly one reply (a snapshot, a version or an error naming the
 * problem), the server never closes the connection for a bad line, and it answers a good request
 * afterwards.
 */
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Prng } from '../../../src/clock/prng.js';
import { monotonicRawTime } from '../../../src/clock/timePoint.js';
import { TimeBaseProvider } from '../../../src/provider/server.js';
import { PROTOCOL_VERSION } from '../../../src/provider/protocol.js';
import { sampleSnapshot, tempDir } from '../../support/providerFixtures.js';

const LINES = 5_000;
const tmp = tempDir('syntonic-fuzz-provider-');
let provider: TimeBaseProvider | undefined;
afterAll(async () => {
  await provider?.close();
  tmp.remove();
});

const SEEDS = ['{"op":"status"}', '{"op":"version","id":7}', '{"op":"subscribe"}', '{"op":"unsubscribe"}', '{"op":"status","id":"x"}'];

function randomLine(rng: Prng): string {
  const base = SEEDS[Math.floor(rng.uniform() * SEEDS.length)] as string;
  const kind = rng.uniform();
  if (kind < 0.3) {
    // random printable bytes
    return Array.from({ length: Math.floor(rng.uniform() * 40) }, () => String.fromCharCode(32 + Math.floor(rng.uniform() * 95))).join('');
  }
  const chars = base.split('');
  const edits = 1 + Math.floor(rng.uniform() * 3);
  for (let i = 0; i < edits; i++) chars[Math.floor(rng.uniform() * chars.length)] = String.fromCharCode(32 + Math.floor(rng.uniform() * 95));
  return chars.join('');
}

function lines(socket: Socket, onLine: (l: string) => void): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      onLine(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
    }
  });
}

describe('provider fed random requests', () => {
  it(`answers each of ${LINES} random lines and stays usable`, async () => {
    const socketPath = join(tmp.dir, 'syntonic.sock');
    provider = await TimeBaseProvider.listen(sampleSnapshot(), { socketPath, monotonicRawClock: () => monotonicRawTime(1n) });
    const socket = connect(socketPath);
    const replies: string[] = [];
    lines(socket, (l) => replies.push(l));
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const rng = new Prng(99);
    const sent: string[] = [];
    for (let i = 0; i < LINES; i++) {
      const line = randomLine(rng).replace(/\n/g, ' ');
      // subscribe adds pushes that are not replies to a line, and blank lines are skipped by the
      // protocol (docs/provider-protocol.md): keep the count exact without them
      if (/"op"\s*:\s*"subscribe"/.test(line) || line.trim() === '') continue;
      sent.push(line);
      socket.write(`${line}\n`);
    }
    socket.write('{"op":"status","id":"last"}\n');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${replies.length} replies to ${sent.length + 1} lines`)), 20_000);
      const check = setInterval(() => {
        if (replies.some((r) => r.includes('"id":"last"'))) {
          clearTimeout(timer);
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    socket.destroy();
    const parsed = replies.map((r) => JSON.parse(r) as { v: number; error?: { code: string } });
    expect(parsed.every((r) => r.v === PROTOCOL_VERSION)).toBe(true);
    // one reply per line (pushes for subscriptions created by mutated lines may add a few)
    expect(parsed.length).toBeGreaterThanOrEqual(sent.length + 1);
    const errors = parsed.filter((r) => r.error !== undefined).length;
    expect(errors).toBeGreaterThan(sent.length / 2);
  });
});
