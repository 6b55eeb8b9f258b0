/**
 * The addon's Unix datagram socket (what pmc and ptp4l speak on uds_address): datagrams both ways with
 * the sender's path, the file's mode, and the socket-file rules (a stale file is replaced, a live
 * socket or any other file is never taken over, the file goes with close()).
 */
import { statSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isNativeError } from '../../../src/native/binding.js';
import { UnixDatagramSocket } from '../../../src/io/unixDatagramSocket.js';
import { tempDir } from '../../support/providerFixtures.js';

const open: UnixDatagramSocket[] = [];
const tmp = tempDir('syntonic-uds-');

afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

interface Received {
  readonly data: Buffer;
  readonly peer: string;
}

function bind(name: string, inbox: Received[] = [], mode?: number): UnixDatagramSocket {
  const s = UnixDatagramSocket.bind(
    join(tmp.dir, name),
    { message: (data, peer) => inbox.push({ data, peer }), error: (e) => inbox.push({ data: Buffer.from(e.message), peer: 'error' }) },
    mode,
  );
  open.push(s);
  return s;
}

async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((wake) => setTimeout(wake, 5));
  }
}

function errorCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isNativeError(e) ? e.code : `not a native error: ${String(e)}`;
  }
  return undefined;
}

describe('UnixDatagramSocket', () => {
  it('delivers a datagram with the path its sender is bound to, and the answer back', async () => {
    const serverInbox: Received[] = [];
    const clientInbox: Received[] = [];
    const server = bind('server.sock', serverInbox);
    const client = bind('client.sock', clientInbox);
    client.sendTo(Uint8Array.of(1, 2, 3), server.path);
    await until(() => serverInbox.length === 1);
    expect([...(serverInbox[0]?.data ?? [])]).toEqual([1, 2, 3]);
    expect(serverInbox[0]?.peer).toBe(client.path);
    server.sendTo(new Uint8Array(1500).fill(7), serverInbox[0]?.peer as string);
    await until(() => clientInbox.length === 1);
    expect(clientInbox[0]?.data.length).toBe(1500);
    expect(client.counters()).toMatchObject({ datagramsSent: 1, datagramsReceived: 1 });
  });

  it('creates the socket file with mode 0660 (as ptp4l), or the one asked for', () => {
    expect(statSync(bind('a.sock').path).mode & 0o777).toBe(0o660);
    expect(statSync(bind('b.sock', [], 0o600).path).mode & 0o777).toBe(0o600);
  });

  it('reports a send to nobody as the system error: ENOENT without a file, ECONNREFUSED on a stale one', () => {
    const s = bind('c.sock');
    expect(errorCode(() => s.sendTo(Uint8Array.of(1), join(tmp.dir, 'nobody.sock')))).toBe('ENOENT');
    const gone = bind('gone.sock');
    const path = gone.path;
    // A stale socket file: the socket closed without its file being removed (a crash).
    (gone as unknown as { native: { close(): void } }).native.close();
    expect(errorCode(() => s.sendTo(Uint8Array.of(1), path))).toBe('ECONNREFUSED');
  });

  it('replaces a stale socket file, refuses a live socket and never touches another file', () => {
    const first = bind('d.sock');
    (first as unknown as { native: { close(): void } }).native.close();
    expect(existsSync(first.path)).toBe(true);
    const second = bind('d.sock');
    expect(second.path).toBe(first.path);
    expect(errorCode(() => bind('d.sock'))).toBe('EADDRINUSE');
    const plain = join(tmp.dir, 'plain');
    writeFileSync(plain, 'keep me');
    expect(errorCode(() => UnixDatagramSocket.bind(plain, { message: () => undefined, error: () => undefined }))).toBe('EADDRINUSE');
    expect(readFileSync(plain, 'utf8')).toBe('keep me');
  });

  it('removes its file on close; refuses a path longer than sun_path', () => {
    const s = bind('e.sock');
    s.close();
    expect(existsSync(s.path)).toBe(false);
    expect(errorCode(() => UnixDatagramSocket.bind(`/tmp/${'x'.repeat(120)}`, { message: () => undefined, error: () => undefined }))).toBe('ENAMETOOLONG');
  });
});
